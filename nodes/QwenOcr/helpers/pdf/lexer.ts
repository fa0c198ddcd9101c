/**
 * Tokenizer and object parser for PDF syntax (ISO 32000-1 §7.2-7.3), shared by the file structure (objects,
 * xref, trailers) and content streams. Lenient where real files are sloppy: unbalanced delimiters end an
 * object instead of failing, and bad numbers read as far as they go.
 */
import { PdfError } from './errors';
import { PdfDict, PdfRef, PdfStream, PdfString, type PdfValue, isNumber } from './objects';

export enum Token {
	EOF,
	Number,
	Name,
	String,
	Keyword,
	ArrayStart,
	ArrayEnd,
	DictStart,
	DictEnd,
}

/** Cached so tokenizing large content streams does no global lookups per token. */
const fromCharCode = String.fromCharCode;

/** 1 whitespace, 2 delimiter, 0 regular character. */
const CLASS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) CLASS[c] = 1;
for (const c of '()<>[]{}/%') CLASS[c.charCodeAt(0)] = 2;

export function isWhitespace(c: number): boolean {
	return CLASS[c] === 1;
}

/** Regular characters make up numbers, names and keywords. */
export function isRegular(c: number): boolean {
	return CLASS[c] === 0;
}

function hexValue(c: number): number {
	if (c >= 48 && c <= 57) return c - 48;
	if (c >= 65 && c <= 70) return c - 55;
	if (c >= 97 && c <= 102) return c - 87;
	return -1;
}

export class Lexer {
	/** Value of the last Number token. */
	number = 0;
	/** Text of the last Name (decoded #xx) or Keyword token. */
	text = '';
	/** Bytes of the last String token. */
	bytes: Uint8Array = new Uint8Array(0);

	constructor(
		readonly buf: Uint8Array,
		public pos = 0,
	) {}

	skipSpace(): void {
		const buf = this.buf;
		let pos = this.pos;
		while (pos < buf.length) {
			const c = buf[pos];
			if (c === 37) {
				// A comment runs to the end of the line.
				while (pos < buf.length && buf[pos] !== 10 && buf[pos] !== 13) pos++;
			} else if (CLASS[c] === 1) {
				pos++;
			} else {
				break;
			}
		}
		this.pos = pos;
	}

	next(): Token {
		this.skipSpace();
		const buf = this.buf;
		if (this.pos >= buf.length) return Token.EOF;
		const c = buf[this.pos];
		switch (c) {
			case 0x5b: // [
				this.pos++;
				return Token.ArrayStart;
			case 0x5d: // ]
				this.pos++;
				return Token.ArrayEnd;
			case 0x28: // (
				this.readLiteralString();
				return Token.String;
			case 0x2f: // /
				this.readName();
				return Token.Name;
			case 0x3c: // <
				if (buf[this.pos + 1] === 0x3c) {
					this.pos += 2;
					return Token.DictStart;
				}
				this.readHexString();
				return Token.String;
			case 0x3e: // >
				this.pos += buf[this.pos + 1] === 0x3e ? 2 : 1;
				return Token.DictEnd;
			case 0x7b: // { } (PostScript calculator functions): keywords nobody here needs
			case 0x7d:
			case 0x29: // a stray ')'
				this.pos++;
				this.text = fromCharCode(c);
				return Token.Keyword;
		}
		if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
			if (this.readNumber()) return Token.Number;
		}
		const start = this.pos;
		let end = start;
		while (end < buf.length && CLASS[buf[end]] === 0) end++;
		this.pos = end;
		this.text = fromCharCode(...buf.subarray(start, Math.min(end, start + 256)));
		return Token.Keyword;
	}

	/** Reads [+-]digits[.digits]; tolerates doubled signs ("--5"). False when no digit follows (e.g. a lone "-"). */
	private readNumber(): boolean {
		const buf = this.buf;
		let pos = this.pos;
		let negative = false;
		while (buf[pos] === 43 || buf[pos] === 45) {
			if (buf[pos] === 45) negative = true;
			pos++;
		}
		let value = 0;
		let digits = 0;
		while (pos < buf.length && buf[pos] >= 48 && buf[pos] <= 57) {
			value = value * 10 + buf[pos++] - 48;
			digits++;
		}
		if (buf[pos] === 46) {
			pos++;
			let scale = 1;
			while (pos < buf.length && buf[pos] >= 48 && buf[pos] <= 57) {
				scale /= 10;
				value += (buf[pos++] - 48) * scale;
				digits++;
			}
		}
		if (!digits) {
			// "-" or "." alone: PDF readers take it as 0 when it stands as its own token.
			if (pos < buf.length && CLASS[buf[pos]] === 0) return false;
		}
		// Skip junk glued to a number ("1.2.3", "12-"), as other readers do.
		while (pos < buf.length && CLASS[buf[pos]] === 0 && buf[pos] !== 47) {
			const d = buf[pos];
			if (!((d >= 48 && d <= 57) || d === 43 || d === 45 || d === 46)) break;
			pos++;
		}
		this.pos = pos;
		this.number = negative ? -value : value;
		return true;
	}

	private readName(): void {
		const buf = this.buf;
		let pos = this.pos + 1;
		const chars: number[] = [];
		while (pos < buf.length && CLASS[buf[pos]] === 0) {
			const c = buf[pos];
			if (c === 35 && pos + 2 < buf.length) {
				const hi = hexValue(buf[pos + 1]);
				const lo = hexValue(buf[pos + 2]);
				if (hi >= 0 && lo >= 0) {
					chars.push((hi << 4) | lo);
					pos += 3;
					continue;
				}
			}
			chars.push(c);
			pos++;
		}
		this.pos = pos;
		this.text = fromCharCode(...chars);
	}

	private readLiteralString(): void {
		const buf = this.buf;
		let pos = this.pos + 1;
		let depth = 1;
		const out: number[] = [];
		while (pos < buf.length) {
			let c = buf[pos++];
			if (c === 0x28) {
				depth++;
			} else if (c === 0x29) {
				if (--depth === 0) break;
			} else if (c === 0x5c) {
				if (pos >= buf.length) break;
				c = buf[pos++];
				switch (c) {
					case 0x6e: // n
						c = 10;
						break;
					case 0x72: // r
						c = 13;
						break;
					case 0x74: // t
						c = 9;
						break;
					case 0x62: // b
						c = 8;
						break;
					case 0x66: // f
						c = 12;
						break;
					case 0x0d: // backslash + end of line: a line continuation
						if (buf[pos] === 0x0a) pos++;
						continue;
					case 0x0a:
						continue;
					default:
						if (c >= 0x30 && c <= 0x37) {
							let value = c - 0x30;
							for (let k = 0; k < 2 && buf[pos] >= 0x30 && buf[pos] <= 0x37; k++) {
								value = value * 8 + buf[pos++] - 0x30;
							}
							c = value & 0xff;
						}
					// Any other escaped character stands for itself: \( \) \\ and unknown ones.
				}
			} else if (c === 0x0d) {
				// An unescaped end of line reads as a single \n, whatever its bytes.
				if (buf[pos] === 0x0a) pos++;
				c = 10;
			}
			out.push(c);
		}
		this.pos = pos;
		this.bytes = Uint8Array.from(out);
	}

	private readHexString(): void {
		const buf = this.buf;
		let pos = this.pos + 1;
		const out: number[] = [];
		let high = -1;
		while (pos < buf.length) {
			const c = buf[pos++];
			if (c === 0x3e) break;
			const v = hexValue(c);
			if (v < 0) continue;
			if (high < 0) {
				high = v;
			} else {
				out.push((high << 4) | v);
				high = -1;
			}
		}
		// An odd final digit is followed by an implied 0.
		if (high >= 0) out.push(high << 4);
		this.pos = pos;
		this.bytes = Uint8Array.from(out);
	}
}

/** Finds `pattern` in `buf` from `from`; -1 when absent. */
export function indexOf(buf: Uint8Array, pattern: string, from = 0, to = buf.length): number {
	const first = pattern.charCodeAt(0);
	const last = to - pattern.length;
	outer: for (let i = buf.indexOf(first, from); i >= 0 && i <= last; i = buf.indexOf(first, i + 1)) {
		for (let k = 1; k < pattern.length; k++) if (buf[i + k] !== pattern.charCodeAt(k)) continue outer;
		return i;
	}
	return -1;
}

/** Finds the last `pattern` starting before `before`; -1 when absent. */
export function lastIndexOf(buf: Uint8Array, pattern: string, before = buf.length): number {
	const first = pattern.charCodeAt(0);
	outer: for (let i = buf.lastIndexOf(first, before - 1); i >= 0; i = i > 0 ? buf.lastIndexOf(first, i - 1) : -1) {
		if (i + pattern.length > buf.length) continue;
		for (let k = 1; k < pattern.length; k++) if (buf[i + k] !== pattern.charCodeAt(k)) continue outer;
		return i;
	}
	return -1;
}

export interface ParserOptions {
	/** Read `n g R` as references (off in content streams, which have none). */
	refs?: boolean;
}

/**
 * Arrays and dictionaries nested deeper than this are refused: real files nest a few levels, and a file built
 * to nest thousands would overflow the call stack of a recursive parser.
 */
export const MAX_NESTING = 256;

export class Parser {
	/** The last keyword met where a value was expected (e.g. `endobj` of a truncated object), else ''. */
	keyword = '';
	private readonly refs: boolean;
	private depth = 0;

	constructor(
		readonly lexer: Lexer,
		options: ParserOptions = {},
	) {
		this.refs = options.refs ?? true;
	}

	parseValue(): PdfValue {
		return this.valueFrom(this.lexer.next());
	}

	/** The value that starts with token `token` (already read). Keywords other than true/false/null give null. */
	valueFrom(token: Token): PdfValue {
		const lexer = this.lexer;
		this.keyword = '';
		switch (token) {
			case Token.Number: {
				const n = lexer.number;
				if (this.refs && Number.isInteger(n) && n >= 0) {
					const save = lexer.pos;
					if (lexer.next() === Token.Number && Number.isInteger(lexer.number) && lexer.number >= 0) {
						const gen = lexer.number;
						if (lexer.next() === Token.Keyword && lexer.text === 'R') return new PdfRef(n, gen);
					}
					lexer.pos = save;
				}
				return n;
			}
			case Token.Name:
				return lexer.text;
			case Token.String:
				return new PdfString(lexer.bytes);
			case Token.ArrayStart:
			case Token.DictStart: {
				if (this.depth >= MAX_NESTING) {
					throw new PdfError(
						`The PDF nests arrays or dictionaries more than ${MAX_NESTING} levels deep; the file is damaged or built to overload readers`,
						'corrupt',
					);
				}
				this.depth++;
				try {
					return token === Token.ArrayStart ? this.parseArray() : this.parseDict();
				} finally {
					this.depth--;
				}
			}
			case Token.Keyword:
				if (lexer.text === 'true') return true;
				if (lexer.text === 'false') return false;
				if (lexer.text !== 'null') this.keyword = lexer.text;
				return null;
			default:
				return null;
		}
	}

	private parseArray(): PdfValue[] {
		const items: PdfValue[] = [];
		for (;;) {
			const save = this.lexer.pos;
			const token = this.lexer.next();
			if (token === Token.ArrayEnd || token === Token.EOF) break;
			if (token === Token.DictEnd) continue;
			const value = this.valueFrom(token);
			if (this.keyword === 'endobj' || this.keyword === 'stream' || this.keyword === 'obj') {
				// The array was never closed: leave the keyword for the caller.
				this.lexer.pos = save;
				break;
			}
			items.push(value);
		}
		this.keyword = '';
		return items;
	}

	private parseDict(): PdfDict {
		const dict = new PdfDict();
		for (;;) {
			const save = this.lexer.pos;
			const token = this.lexer.next();
			if (token === Token.DictEnd || token === Token.EOF) break;
			if (token !== Token.Name) {
				if (token === Token.Keyword && ['endobj', 'stream', 'obj', 'endstream'].includes(this.lexer.text)) {
					this.lexer.pos = save;
					break;
				}
				// Junk where a key should be (e.g. a stray value): skip it.
				continue;
			}
			const key = this.lexer.text;
			const valueStart = this.lexer.pos;
			const valueToken = this.lexer.next();
			if (valueToken === Token.DictEnd || valueToken === Token.EOF) break;
			const value = this.valueFrom(valueToken);
			if (this.keyword === 'endobj' || this.keyword === 'stream') {
				this.lexer.pos = valueStart;
				break;
			}
			// A null value means the key is absent (§7.3.7).
			if (value !== null) dict.set(key, value);
		}
		this.keyword = '';
		return dict;
	}
}

export interface IndirectObject {
	num: number;
	gen: number;
	value: PdfValue;
}

/**
 * Parses `num gen obj ... endobj` at `offset`; undefined when no object header is there. A stream's /Length is
 * trusted when `endstream` follows it, else the data runs to the next `endstream`.
 */
export function parseIndirectObject(
	buf: Uint8Array,
	offset: number,
	resolveLength: (ref: PdfRef) => PdfValue,
): IndirectObject | undefined {
	const lexer = new Lexer(buf, offset);
	if (lexer.next() !== Token.Number) return undefined;
	const num = lexer.number;
	if (lexer.next() !== Token.Number) return undefined;
	const gen = lexer.number;
	if (lexer.next() !== Token.Keyword || lexer.text !== 'obj' || !Number.isInteger(num) || num < 0) return undefined;
	const parser = new Parser(lexer);
	let value = parser.parseValue();
	if (value instanceof PdfDict) {
		const save = lexer.pos;
		if (lexer.next() === Token.Keyword && (lexer.text as string) === 'stream') {
			value = new PdfStream(value, readStreamData(buf, lexer.pos, value, resolveLength), num);
		} else {
			lexer.pos = save;
		}
	}
	return { num, gen, value };
}

function readStreamData(
	buf: Uint8Array,
	pos: number,
	dict: PdfDict,
	resolveLength: (ref: PdfRef) => PdfValue,
): Uint8Array {
	// The keyword is followed by CRLF or LF (some writers use CR alone or add spaces first).
	while (buf[pos] === 0x20 || buf[pos] === 0x09) pos++;
	if (buf[pos] === 0x0d) pos++;
	if (buf[pos] === 0x0a) pos++;
	const start = pos;
	let length = dict.get('Length');
	if (length instanceof PdfRef) {
		try {
			length = resolveLength(length);
		} catch {
			length = undefined;
		}
	}
	if (isNumber(length) && Number.isInteger(length) && length >= 0 && start + length <= buf.length) {
		const lexer = new Lexer(buf, start + length);
		if (lexer.next() === Token.Keyword && lexer.text.startsWith('endstream')) {
			return buf.subarray(start, start + length);
		}
	}
	let end = indexOf(buf, 'endstream', start);
	if (end < 0) {
		const endobj = indexOf(buf, 'endobj', start);
		end = endobj < 0 ? buf.length : endobj;
	}
	// The end-of-line before `endstream` is not part of the data.
	if (end > start && buf[end - 1] === 0x0a) end--;
	if (end > start && buf[end - 1] === 0x0d) end--;
	return buf.subarray(start, end);
}
