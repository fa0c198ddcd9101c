/**
 * The file structure (§7.5): cross-reference tables and streams along the /Prev chain (newest definition wins),
 * hybrid files' /XRefStm, object streams, and a repair pass that rebuilds the table by scanning for
 * `n g obj` headers when the xref is missing or points to the wrong places.
 */
import { PdfError } from './errors';
import { decodeFilters, filterChain } from './filters';
import { DecodeBudget, MAX_STRUCTURE_BYTES } from './limits';
import { Lexer, Parser, Token, indexOf, isRegular, isWhitespace, lastIndexOf, parseIndirectObject } from './lexer';
import { PdfDict, PdfRef, PdfStream, type PdfValue, dictOf, isName, isNumber } from './objects';

const ENCRYPTED_MESSAGE = 'The PDF is encrypted (password-protected); remove the password first';

interface XrefEntry {
	/** 0 free, 1 at a byte offset, 2 inside an object stream. */
	type: 0 | 1 | 2;
	/** Type 1: byte offset; type 2: number of the object stream. */
	offset: number;
	/** Type 1: generation; type 2: index inside the object stream. */
	index: number;
}

interface ObjectStream {
	data: Uint8Array;
	nums: number[];
	offsets: number[];
}

const MAX_REF_DEPTH = 32;

export class PdfFile {
	readonly entries = new Map<number, XrefEntry>();
	trailer = new PdfDict();
	/** The xref was unusable and was rebuilt by scanning the file. */
	repaired = false;
	/** Where %PDF- starts: offsets in files with junk in front are sometimes relative to it. */
	private readonly headerOffset: number;
	private readonly cache = new Map<number, PdfValue>();
	private readonly objectStreams = new Map<number, ObjectStream | null>();
	private readonly inProgress = new Set<number>();
	/** Object and xref streams stay cached while the file is open: together they may decode to 64 MiB. */
	private readonly structureBudget = new DecodeBudget(MAX_STRUCTURE_BYTES, 'structure');

	constructor(readonly buf: Uint8Array) {
		this.headerOffset = Math.max(0, indexOf(buf, '%PDF-', 0, Math.min(buf.length, 1029)));
		let usable = false;
		let failure: unknown;
		try {
			this.readXrefChain();
			usable = this.hasCatalog();
		} catch (error) {
			// Any other problem with the xref is what repair() is for.
			failure = error;
		}
		if (failure instanceof PdfError && failure.code === 'encrypted') throw failure;
		if (!usable) this.repair();
		if (this.trailer.has('Encrypt')) throw new PdfError(ENCRYPTED_MESSAGE, 'encrypted');
	}

	/** Follows references (a chain of them, up to a limit) to the value. */
	resolve(value: PdfValue | undefined): PdfValue {
		for (let depth = 0; value instanceof PdfRef; depth++) {
			if (depth >= MAX_REF_DEPTH) return null;
			value = this.fetch(value.num);
		}
		return value ?? null;
	}

	/** `dict[key]`, resolved. */
	get(dict: PdfDict | undefined, key: string): PdfValue {
		return dict ? this.resolve(dict.get(key)) : null;
	}

	/** The indirect object `num`, or null when it does not exist (as the spec says a missing object reads). */
	fetch(num: number): PdfValue {
		const cached = this.cache.get(num);
		if (cached !== undefined) return cached;
		if (this.inProgress.has(num)) return null;
		this.inProgress.add(num);
		try {
			let value = this.load(num);
			if (value === undefined && !this.repaired) {
				this.repair();
				value = this.load(num);
			}
			const result = value ?? null;
			this.cache.set(num, result);
			return result;
		} finally {
			this.inProgress.delete(num);
		}
	}

	/** The object as the table says, or undefined when the table is wrong about it. */
	private load(num: number): PdfValue | undefined {
		const entry = this.entries.get(num);
		if (!entry) return this.repaired ? null : undefined;
		if (entry.type === 0) return null;
		if (entry.type === 2) return this.loadFromObjectStream(num, entry);
		for (const offset of [entry.offset, entry.offset + this.headerOffset]) {
			const object = this.parseAt(offset);
			if (object && object.num === num) return object.value;
			if (!this.headerOffset) break;
		}
		return undefined;
	}

	private parseAt(offset: number): { num: number; value: PdfValue } | undefined {
		if (offset < 0 || offset >= this.buf.length) return undefined;
		return parseIndirectObject(this.buf, offset, (ref) => this.resolve(ref));
	}

	private loadFromObjectStream(num: number, entry: XrefEntry): PdfValue | undefined {
		const stream = this.objectStream(entry.offset);
		if (!stream) return undefined;
		let index = entry.index;
		if (stream.nums[index] !== num) index = stream.nums.indexOf(num);
		if (index < 0) return undefined;
		return new Parser(new Lexer(stream.data, stream.offsets[index])).parseValue();
	}

	private objectStream(num: number): ObjectStream | null {
		let stream = this.objectStreams.get(num);
		if (stream === undefined) {
			stream = null;
			const value = this.fetch(num);
			if (value instanceof PdfStream) {
				let failure: unknown;
				try {
					stream = this.parseObjectStream(value);
				} catch (error) {
					failure = error;
				}
				// A damaged object stream just lacks its objects; anything else (a password, a bomb) is a real failure.
				const damaged = failure instanceof PdfError && failure.code !== 'encrypted' && failure.code !== 'too-large';
				if (failure !== undefined && !damaged) throw failure;
			}
			this.objectStreams.set(num, stream);
		}
		return stream;
	}

	private parseObjectStream(stream: PdfStream): ObjectStream {
		const data = this.decode(stream);
		const count = this.get(stream.dict, 'N');
		const first = this.get(stream.dict, 'First');
		if (!isNumber(count) || !isNumber(first)) throw new PdfError('Object stream without /N or /First');
		const lexer = new Lexer(data);
		const nums: number[] = [];
		const offsets: number[] = [];
		for (let i = 0; i < count; i++) {
			if (lexer.next() !== Token.Number) break;
			const objectNumber = lexer.number;
			if (lexer.next() !== Token.Number) break;
			nums.push(objectNumber);
			offsets.push(first + lexer.number);
		}
		return { data, nums, offsets };
	}

	/**
	 * A stream's data with its filters applied (an image codec at the end is left applied-not), charged to
	 * `budget` (a page's, or the file structure's): a stream may decode to at most what the budget has left.
	 */
	decode(stream: PdfStream, budget: DecodeBudget = this.structureBudget): Uint8Array {
		const resolve = (v: PdfValue | undefined) => this.resolve(v);
		const data = decodeFilters(stream.raw, filterChain(stream.dict, resolve), resolve, budget.streamLimit).data;
		budget.charge(data.length);
		return data;
	}

	private hasCatalog(): boolean {
		const root = dictOf(this.resolve(this.trailer.get('Root')));
		return root !== undefined && dictOf(this.get(root, 'Pages')) !== undefined;
	}

	private mergeTrailer(dict: PdfDict): void {
		// Sections are read newest first, so keys already present are newer.
		for (const [key, value] of dict.map) if (!this.trailer.has(key)) this.trailer.set(key, value);
	}

	/** Keeps the first (newest) entry, except over a free one in `overridable` (see readSection). */
	private setEntry(num: number, entry: XrefEntry, overridable?: Set<number>): void {
		if (!this.entries.has(num) || overridable?.has(num)) this.entries.set(num, entry);
	}

	private readXrefChain(): void {
		const at = lastIndexOf(this.buf, 'startxref');
		if (at < 0) throw new PdfError('No startxref');
		const lexer = new Lexer(this.buf, at + 9);
		if (lexer.next() !== Token.Number) throw new PdfError('Bad startxref');
		let offset: number | undefined = lexer.number;
		const seen = new Set<number>();
		while (offset !== undefined && !seen.has(offset)) {
			seen.add(offset);
			const section = this.readSection(offset);
			const prev = this.resolve(section.get('Prev'));
			offset = isNumber(prev) ? prev : undefined;
		}
		if (!this.trailer.has('Root')) throw new PdfError('No /Root in the trailer');
	}

	/** Reads the xref table or stream at `offset`; returns its trailer dictionary. */
	private readSection(offset: number): PdfDict {
		for (const at of this.headerOffset ? [offset, offset + this.headerOffset] : [offset]) {
			const lexer = new Lexer(this.buf, at);
			const token = lexer.next();
			if (token === Token.Keyword && lexer.text === 'xref') {
				const freed = new Set<number>();
				const trailer = this.readTable(lexer, freed);
				this.mergeTrailer(trailer);
				if (trailer.has('Encrypt')) throw new PdfError(ENCRYPTED_MESSAGE, 'encrypted');
				// Hybrid files: the table's in-use entries win over its /XRefStm stream, which wins over older
				// sections. The table lists objects kept in object streams as free (for old readers), so the
				// stream may fill those.
				const stm = this.resolve(trailer.get('XRefStm'));
				if (isNumber(stm)) {
					const object = this.parseAt(stm);
					if (object?.value instanceof PdfStream) this.readXrefStream(object.value, freed);
				}
				return trailer;
			}
			if (token === Token.Number) {
				const object = this.parseAt(at);
				if (object?.value instanceof PdfStream && isName(object.value.dict.get('Type'), 'XRef')) {
					this.mergeTrailer(object.value.dict);
					if (object.value.dict.has('Encrypt')) throw new PdfError(ENCRYPTED_MESSAGE, 'encrypted');
					this.readXrefStream(object.value);
					return object.value.dict;
				}
			}
		}
		throw new PdfError(`No cross-reference section at offset ${offset}`);
	}

	/** Reads table entries (newest first wins); numbers this table marks free are added to `freed`. */
	private readTable(lexer: Lexer, freed: Set<number>): PdfDict {
		for (;;) {
			const token = lexer.next();
			if (token === Token.Keyword && lexer.text === 'trailer') {
				const trailer = new Parser(lexer).parseValue();
				if (!(trailer instanceof PdfDict)) throw new PdfError('Bad trailer');
				return trailer;
			}
			if (token !== Token.Number) throw new PdfError('Bad xref table');
			let first = lexer.number;
			if (lexer.next() !== Token.Number) throw new PdfError('Bad xref subsection');
			const count = lexer.number;
			for (let i = 0; i < count; i++) {
				if (lexer.next() !== Token.Number) throw new PdfError('Bad xref entry');
				const offset = lexer.number;
				if (lexer.next() !== Token.Number) throw new PdfError('Bad xref entry');
				const gen = lexer.number;
				if (lexer.next() !== Token.Keyword) throw new PdfError('Bad xref entry');
				const used = lexer.text === 'n';
				// A common writer bug: the section starts at 1 but its first entry is object 0's free-list head.
				if (i === 0 && first === 1 && !used && offset === 0 && gen === 65535) first = 0;
				const num = first + i;
				if (used && offset > 0) {
					this.setEntry(num, { type: 1, offset, index: gen });
				} else if (!this.entries.has(num)) {
					this.entries.set(num, { type: 0, offset: 0, index: 0 });
					freed.add(num);
				}
			}
		}
	}

	private readXrefStream(stream: PdfStream, overridable?: Set<number>): void {
		const dict = stream.dict;
		const widths = this.resolve(dict.get('W'));
		if (!Array.isArray(widths) || widths.length < 3) throw new PdfError('xref stream without /W');
		const [w0, w1, w2] = widths.map((w) => this.resolve(w)).map((w) => (isNumber(w) ? w : 0));
		const size = this.resolve(dict.get('Size'));
		const indexValue = this.resolve(dict.get('Index'));
		const index = Array.isArray(indexValue)
			? indexValue.map((v) => this.resolve(v)).map((v) => (isNumber(v) ? v : 0))
			: [0, isNumber(size) ? size : 0];
		const data = this.decode(stream);
		const rowLength = w0 + w1 + w2;
		const field = (pos: number, width: number): number => {
			let value = 0;
			for (let k = 0; k < width; k++) value = value * 256 + data[pos + k];
			return value;
		};
		let pos = 0;
		for (let s = 0; s + 1 < index.length; s += 2) {
			for (let i = 0; i < index[s + 1] && pos + rowLength <= data.length; i++, pos += rowLength) {
				// A zero-width type field means every entry is type 1.
				const type = w0 ? field(pos, w0) : 1;
				const f2 = field(pos + w0, w1);
				const f3 = field(pos + w0 + w1, w2);
				const num = index[s] + i;
				if (type === 0) this.setEntry(num, { type: 0, offset: 0, index: 0 });
				else if (type === 1) this.setEntry(num, { type: 1, offset: f2, index: f3 }, overridable);
				else if (type === 2) this.setEntry(num, { type: 2, offset: f2, index: f3 }, overridable);
			}
		}
	}

	/**
	 * Rebuilds the table from the `n g obj` headers in the file (the last definition of a number wins, as with
	 * incremental updates), adds the objects of object streams, and takes the newest trailer (or xref stream
	 * dictionary) whose /Root works, else the last /Type /Catalog found.
	 */
	private repair(): void {
		this.repaired = true;
		this.entries.clear();
		this.cache.clear();
		this.objectStreams.clear();
		const buf = this.buf;
		const trailers: PdfDict[] = [];
		const objectOffsets: number[] = [];
		for (let p = indexOf(buf, 'obj'); p >= 0; p = indexOf(buf, 'obj', p + 3)) {
			if (p + 3 < buf.length && isRegular(buf[p + 3])) continue;
			const start = objectHeaderStart(buf, p);
			if (start < 0) continue;
			const lexer = new Lexer(buf, start);
			lexer.next();
			const num = lexer.number;
			lexer.next();
			this.entries.set(num, { type: 1, offset: start, index: lexer.number });
			objectOffsets.push(start);
		}
		for (let p = indexOf(buf, 'trailer'); p >= 0; p = indexOf(buf, 'trailer', p + 7)) {
			const value = new Parser(new Lexer(buf, p + 7)).parseValue();
			if (value instanceof PdfDict) trailers.push(value);
		}
		// Object streams and xref stream dictionaries (which serve as trailers) show up only when parsed.
		const objectStreamNums: number[] = [];
		for (const [num, entry] of [...this.entries]) {
			const object = this.parseAt(entry.offset);
			const dict = object?.value instanceof PdfStream ? object.value.dict : undefined;
			if (isName(dict?.get('Type'), 'ObjStm')) objectStreamNums.push(num);
			if (isName(dict?.get('Type'), 'XRef') && dict) trailers.push(dict);
		}
		for (const num of objectStreamNums) {
			const stream = this.objectStream(num);
			stream?.nums.forEach((objectNumber, index) => {
				// Objects written directly in the file take precedence.
				if (!this.entries.has(objectNumber)) this.entries.set(objectNumber, { type: 2, offset: num, index });
			});
		}
		this.cache.clear();
		if (trailers.some((t) => t.has('Encrypt'))) throw new PdfError(ENCRYPTED_MESSAGE, 'encrypted');
		const previous = this.trailer;
		for (const candidate of [previous, ...trailers.reverse()]) {
			this.trailer = candidate;
			if (this.hasCatalog()) return;
		}
		this.trailer = new PdfDict();
		let catalog: PdfRef | undefined;
		for (const [num, entry] of this.entries) {
			const dict = dictOf(this.fetch(num));
			if (isName(dict?.get('Type'), 'Catalog') && dictOf(this.get(dict, 'Pages'))) {
				if (!catalog || (this.entries.get(catalog.num)?.offset ?? 0) < entry.offset) catalog = new PdfRef(num, entry.index);
			}
		}
		if (catalog) this.trailer.set('Root', catalog);
	}

	/** Numbers of all objects that exist (for last-resort page discovery). */
	objectNumbers(): number[] {
		return [...this.entries.keys()].sort((a, b) => a - b);
	}
}

/** Where `num gen obj` starts, given the offset of its `obj`; -1 when the bytes before are not such a header. */
function objectHeaderStart(buf: Uint8Array, objAt: number): number {
	let p = objAt - 1;
	const skipSpace = (): boolean => {
		const from = p;
		while (p >= 0 && isWhitespace(buf[p])) p--;
		return p < from;
	};
	const skipDigits = (): boolean => {
		const from = p;
		while (p >= 0 && buf[p] >= 48 && buf[p] <= 57) p--;
		return p < from && from - p <= 10;
	};
	if (!skipSpace() || !skipDigits() || !skipSpace() || !skipDigits()) return -1;
	if (p >= 0 && isRegular(buf[p])) return -1;
	return p + 1;
}
