/**
 * DEFLATE (RFC 1951) and zlib (RFC 1950) decoding in plain TypeScript: n8n's community-node scanner forbids
 * node:zlib, and PDF streams (/FlateDecode) are zlib data.
 *
 * Huffman codes are decoded with one lookup table per code, indexed by the next `maxLength` input bits, so each
 * symbol costs a single table read. Output grows by doubling, so decoding stays linear, and never past the
 * caller's `limit`: a decompression bomb stops with DecodeLimitError once its output would pass it.
 */
import { adler32Work } from './checksum';
import { DecodeLimitError, noteBuffer } from './limits';
import { runSync, SLICE_UNITS, type Work } from './work';
import {
	CODE_LENGTH_ORDER,
	DIST_BASE,
	DIST_EXTRA,
	LENGTH_BASE,
	LENGTH_EXTRA,
	fixedDistanceLengths,
	fixedLiteralLengths,
	reverseBits,
} from './deflateTables';

/** Corrupt (not merely cut-off) compressed data. */
export class InflateError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InflateError';
	}
}

export interface InflateResult {
	/** Everything decoded; when `truncated`, the data up to the last complete symbol. */
	data: Uint8Array;
	/** The input ended before the final block did. */
	truncated: boolean;
	/** Offset just past the last input byte used (where a zlib trailer would start). */
	end: number;
}

export interface ZlibResult {
	data: Uint8Array;
	/** The input ended before the compressed data did: `data` is what could be decoded. */
	truncated: boolean;
	/** Whether the Adler-32 trailer matched; undefined when the trailer is missing (or the data truncated). */
	checksumValid: boolean | undefined;
}

/** A lookup table: entry = symbol << 4 | code length, 0 where no code exists; indexed by `bits` input bits. */
interface HuffmanTable {
	table: Int32Array;
	bits: number;
}

/** Thrown inside the decoder when the input runs out; turned into `truncated` by inflateRaw. */
class EndOfInput extends Error {}

function buildTable(lengths: Uint8Array): HuffmanTable {
	const count = new Uint16Array(16);
	let maxLength = 0;
	for (let i = 0; i < lengths.length; i++) {
		count[lengths[i]]++;
		if (lengths[i] > maxLength) maxLength = lengths[i];
	}
	count[0] = 0;
	// A code set with more codes than its lengths allow cannot be decoded unambiguously.
	let left = 1;
	for (let len = 1; len <= 15; len++) {
		left = (left << 1) - count[len];
		if (left < 0) throw new InflateError('Corrupt DEFLATE data: over-subscribed Huffman code');
	}
	const next = new Uint16Array(16);
	let code = 0;
	for (let len = 1; len <= 15; len++) {
		code = (code + count[len - 1]) << 1;
		next[len] = code;
	}
	const size = 1 << maxLength;
	const table = new Int32Array(size);
	for (let symbol = 0; symbol < lengths.length; symbol++) {
		const len = lengths[symbol];
		if (!len) continue;
		const entry = (symbol << 4) | len;
		// Every index whose low `len` bits are this (reversed) code decodes to the symbol.
		for (let j = reverseBits(next[len]++, len); j < size; j += 1 << len) table[j] = entry;
	}
	return { table, bits: maxLength };
}

let fixedTables: { literal: HuffmanTable; distance: HuffmanTable } | undefined;

function getFixedTables(): { literal: HuffmanTable; distance: HuffmanTable } {
	if (!fixedTables) {
		fixedTables = { literal: buildTable(fixedLiteralLengths()), distance: buildTable(fixedDistanceLengths()) };
	}
	return fixedTables;
}

/** LSB-first bit input; bytes past the end read as zero and are counted in `pad` so overruns can be detected. */
class BitReader {
	buf = 0;
	count = 0;
	pad = 0;

	constructor(
		readonly data: Uint8Array,
		public pos: number,
	) {}

	need(bits: number): void {
		while (this.count < bits) {
			if (this.pos < this.data.length) this.buf |= this.data[this.pos] << this.count;
			else this.pad += 8;
			this.pos++;
			this.count += 8;
		}
	}

	bits(n: number): number {
		this.need(n);
		const value = this.buf & ((1 << n) - 1);
		this.buf >>>= n;
		this.count -= n;
		if (this.pad > this.count) throw new EndOfInput();
		return value;
	}

	symbol(table: HuffmanTable): number {
		this.need(table.bits);
		const entry = table.table[this.buf & ((1 << table.bits) - 1)];
		const len = entry & 15;
		if (!len) this.corrupt('invalid Huffman code');
		this.buf >>= len;
		this.count -= len;
		if (this.pad > this.count) throw new EndOfInput();
		return entry >>> 4;
	}

	/** Corrupt-looking data that was really zero padding past the end is a truncation, not corruption. */
	corrupt(what: string): never {
		if (this.pad > 0) throw new EndOfInput();
		throw new InflateError(`Corrupt DEFLATE data: ${what}`);
	}

	/** Offset of the first input byte not yet consumed. */
	get offset(): number {
		return Math.min(this.pos, this.data.length) - ((this.count - this.pad) >> 3);
	}
}

/** A growable output buffer (doubling, so total copying stays linear), never larger than `limit`. */
class Output {
	buf: Uint8Array;
	length = 0;

	constructor(
		capacity: number,
		readonly limit: number,
	) {
		this.buf = new Uint8Array(Math.min(Math.max(capacity, 1024), limit));
		noteBuffer(this.buf.length);
	}

	reserve(extra: number): Uint8Array {
		const need = this.length + extra;
		if (need > this.buf.length) {
			if (need > this.limit) throw new DecodeLimitError(this.limit);
			let capacity = this.buf.length * 2;
			while (capacity < need) capacity *= 2;
			capacity = Math.min(capacity, this.limit);
			noteBuffer(capacity);
			const bigger = new Uint8Array(capacity);
			bigger.set(this.buf.subarray(0, this.length));
			this.buf = bigger;
		}
		return this.buf;
	}

	/** The data, without a copy: the buffer is at most the caller's limit, and copying 30 MB blocks n8n. */
	result(): Uint8Array {
		return this.buf.subarray(0, this.length);
	}
}

function readDynamicTables(input: BitReader): { literal: HuffmanTable; distance: HuffmanTable } {
	const literalCount = input.bits(5) + 257;
	const distanceCount = input.bits(5) + 1;
	const codeLengthCount = input.bits(4) + 4;
	if (literalCount > 286 || distanceCount > 30) input.corrupt('too many length or distance symbols');
	const codeLengthLengths = new Uint8Array(19);
	for (let i = 0; i < codeLengthCount; i++) codeLengthLengths[CODE_LENGTH_ORDER[i]] = input.bits(3);
	const codeLengthTable = buildTable(codeLengthLengths);
	const total = literalCount + distanceCount;
	const lengths = new Uint8Array(total);
	let i = 0;
	while (i < total) {
		const symbol = input.symbol(codeLengthTable);
		if (symbol < 16) {
			lengths[i++] = symbol;
			continue;
		}
		let value = 0;
		let repeat: number;
		if (symbol === 16) {
			if (i === 0) input.corrupt('repeated code length with no previous length');
			value = lengths[i - 1];
			repeat = 3 + input.bits(2);
		} else if (symbol === 17) {
			repeat = 3 + input.bits(3);
		} else {
			repeat = 11 + input.bits(7);
		}
		if (i + repeat > total) input.corrupt('too many code lengths');
		lengths.fill(value, i, i + repeat);
		i += repeat;
	}
	if (!lengths[256]) input.corrupt('no end-of-block code');
	return {
		literal: buildTable(lengths.subarray(0, literalCount)),
		distance: buildTable(lengths.subarray(literalCount)),
	};
}

/**
 * Decodes one Huffman-coded block. The hot loop keeps the bit buffer in locals (no property access per bit) and
 * writes it back to `input` when the block ends.
 */
function decodeBlock(input: BitReader, out: Output, literal: HuffmanTable, distance: HuffmanTable, pauseAt: number): boolean {
	const data = input.data;
	const n = data.length;
	const litTable = literal.table;
	const litMask = (1 << literal.bits) - 1;
	const distTable = distance.table;
	const distMask = (1 << distance.bits) - 1;
	let pos = input.pos;
	let buf = input.buf;
	let count = input.count;
	let pad = input.pad;
	let dst = out.buf;
	let op = out.length;
	let problem = '';
	let ended = false;
	for (;;) {
		// A slice of output is done: hand back to the caller, which resumes the same block.
		if (op >= pauseAt) break;
		// Refills leave 24..31 bits: enough for a code (<= 15) or 5 length bits plus a distance code (<= 15), and
		// never bit 31, so the buffer stays a small positive integer (no heap numbers in the hot loop).
		if (count < 15) {
			while (count < 24) {
				if (pos < n) buf |= data[pos] << count;
				else pad += 8;
				pos++;
				count += 8;
			}
		}
		let entry = litTable[buf & litMask];
		let len = entry & 15;
		if (!len) {
			problem = 'invalid literal/length code';
			break;
		}
		buf >>= len;
		count -= len;
		let symbol = entry >>> 4;
		if (pad > count) break;
		if (symbol < 256) {
			if (op >= dst.length) {
				out.length = op;
				dst = out.reserve(1);
			}
			dst[op++] = symbol;
			continue;
		}
		if (symbol === 256) {
			ended = true;
			break;
		}
		symbol -= 257;
		if (symbol >= 29) {
			problem = 'invalid length symbol';
			break;
		}
		if (count < 20) {
			while (count < 24) {
				if (pos < n) buf |= data[pos] << count;
				else pad += 8;
				pos++;
				count += 8;
			}
		}
		let length = LENGTH_BASE[symbol];
		const lengthExtra = LENGTH_EXTRA[symbol];
		if (lengthExtra) {
			length += buf & ((1 << lengthExtra) - 1);
			buf >>= lengthExtra;
			count -= lengthExtra;
		}
		entry = distTable[buf & distMask];
		len = entry & 15;
		if (!len) {
			problem = 'invalid distance code';
			break;
		}
		buf >>= len;
		count -= len;
		symbol = entry >>> 4;
		if (symbol >= 30) {
			problem = 'invalid distance symbol';
			break;
		}
		if (count < 13) {
			while (count < 24) {
				if (pos < n) buf |= data[pos] << count;
				else pad += 8;
				pos++;
				count += 8;
			}
		}
		let dist = DIST_BASE[symbol];
		const distExtra = DIST_EXTRA[symbol];
		if (distExtra) {
			dist += buf & ((1 << distExtra) - 1);
			buf >>= distExtra;
			count -= distExtra;
		}
		if (pad > count) break;
		if (dist > op) {
			problem = 'distance too far back';
			break;
		}
		if (op + length > dst.length) {
			out.length = op;
			dst = out.reserve(length);
		}
		if (dist >= length) {
			dst.copyWithin(op, op - dist, op - dist + length);
			op += length;
		} else {
			// Overlapping copy (a run): must go byte by byte so each byte sees the ones just written.
			for (let from = op - dist, end = op + length; op < end; ) dst[op++] = dst[from++];
		}
	}
	input.pos = pos;
	input.buf = buf;
	input.count = count;
	input.pad = pad;
	out.length = op;
	if (pad > count) throw new EndOfInput();
	if (problem) input.corrupt(problem);
	return ended;
}

function copyStoredBlock(input: BitReader, out: Output): void {
	// Stored data starts at the next byte boundary; hand back the whole bytes still in the bit buffer.
	input.bits(input.count & 7);
	input.pos = input.offset;
	input.buf = 0;
	input.count = 0;
	input.pad = 0;
	const data = input.data;
	const pos = input.pos;
	if (pos + 4 > data.length) throw new EndOfInput();
	const length = data[pos] | (data[pos + 1] << 8);
	const check = data[pos + 2] | (data[pos + 3] << 8);
	if (length !== (~check & 0xffff)) throw new InflateError('Corrupt DEFLATE data: stored block length check failed');
	const available = Math.min(length, data.length - pos - 4);
	out.reserve(available).set(data.subarray(pos + 4, pos + 4 + available), out.length);
	out.length += available;
	input.pos = pos + 4 + available;
	if (available < length) throw new EndOfInput();
}

/**
 * Decodes raw DEFLATE data starting at `start`; a cut-off input gives `truncated` with what was decoded. Output
 * that would pass `limit` bytes throws DecodeLimitError.
 */
export function inflateRaw(data: Uint8Array, start = 0, limit = Number.MAX_SAFE_INTEGER): InflateResult {
	return runSync(inflateRawWork(data, start, limit));
}

/** inflateRaw() as resumable work (see work.ts): it yields about every SLICE_UNITS bytes of output. */
export function* inflateRawWork(data: Uint8Array, start = 0, limit = Number.MAX_SAFE_INTEGER, expected = 0): Work<InflateResult> {
	const input = new BitReader(data, start);
	// The size the caller expects (an image's samples), else a guess (capped: doubling takes over for very
	// compressible data). Either way no larger than the limit.
	const out = new Output(expected > 0 ? expected : Math.min((data.length - start) * 4, 1 << 26), limit);
	let failure: unknown;
	let nextYield = SLICE_UNITS;
	try {
		let final = 0;
		do {
			final = input.bits(1);
			const type = input.bits(2);
			if (type === 0) {
				copyStoredBlock(input, out);
			} else if (type === 1 || type === 2) {
				const tables = type === 1 ? getFixedTables() : readDynamicTables(input);
				// decodeBlock pauses after a slice of output; the same block resumes after the yield.
				while (!decodeBlock(input, out, tables.literal, tables.distance, out.length + SLICE_UNITS)) yield;
			} else {
				input.corrupt('invalid block type');
			}
			if (out.length >= nextYield) {
				nextYield = out.length + SLICE_UNITS;
				yield;
			}
		} while (!final);
	} catch (error) {
		failure = error;
	}
	if (failure !== undefined && !(failure instanceof EndOfInput)) throw failure;
	const truncated = failure !== undefined;
	return { data: out.result(), truncated, end: truncated ? data.length : input.offset };
}

/** Decodes complete raw DEFLATE data; throws InflateError when it is corrupt or cut off. */
export function inflate(data: Uint8Array): Uint8Array {
	const result = inflateRaw(data);
	if (result.truncated) throw new InflateError('DEFLATE data ends before its final block (truncated)');
	return result.data;
}

/** Whether `data` starts with a valid RFC 1950 header (deflate method, window <= 32K, check bits). */
export function hasZlibHeader(data: Uint8Array): boolean {
	if (data.length < 2) return false;
	const cmf = data[0];
	const flg = data[1];
	return (cmf & 15) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

/**
 * Decodes zlib data. Like common PDF readers it keeps whatever decodes: a missing or wrong Adler-32 is reported
 * in `checksumValid`, a cut-off stream in `truncated`. A bad header or corrupt data throws InflateError.
 */
export function zlibDecompress(data: Uint8Array, limit = Number.MAX_SAFE_INTEGER): ZlibResult {
	return runSync(zlibDecompressWork(data, limit));
}

/** zlibDecompress() as resumable work (see work.ts). */
export function* zlibDecompressWork(data: Uint8Array, limit = Number.MAX_SAFE_INTEGER, expected = 0): Work<ZlibResult> {
	if (!hasZlibHeader(data)) throw new InflateError('Not zlib data: invalid header');
	if (data[1] & 0x20) throw new InflateError('Unsupported zlib data: preset dictionary');
	const result = yield* inflateRawWork(data, 2, limit, expected);
	if (result.truncated) return { data: result.data, truncated: true, checksumValid: undefined };
	const at = result.end;
	let checksumValid: boolean | undefined;
	if (at + 4 <= data.length) {
		const stored = ((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>> 0;
		checksumValid = stored === (yield* adler32Work(result.data));
	}
	return { data: result.data, truncated: false, checksumValid };
}
