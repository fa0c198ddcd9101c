/**
 * The model's answer text: Markdown fences, math delimiters, JSON, and whether the text was cut off. The model
 * often wraps its answer in ```json / ```html / ```latex fences and can stop mid-structure, even with
 * `finish_reason: "stop"` (the vendor's table sample ends in `</```), so every function here is tolerant and
 * says when the result is partial instead of throwing.
 *
 * Decisions:
 * - Whole text (text recognition, multi-language, custom prompt): the fences are removed only when the whole
 *   answer is one fenced block; an answer with prose around a code block (a screenshot of a README) is kept
 *   exactly, fences included.
 * - JSON (custom prompt `data`): only when the whole answer is a JSON object or array, or exactly one fenced
 *   block holds one; brackets in prose ("see [1]", "Qty [3 pcs]") are never JSON.
 * - Cut off means a structure is still open at the very end of the answer: a fence, a JSON value, an HTML
 *   table, or a LaTeX environment other than `document` (the vendor's own document_parsing sample never
 *   closes `document`), or an unpaired `$$`.
 */

import { parseHtmlTables } from './htmlTable';

// ---------------------------------------------------------------------------------------------------------------
// Fences
// ---------------------------------------------------------------------------------------------------------------

const BACKTICKS = /`{3,}/;
/** After an opening fence: a language tag, then the end of the line (sticky: read in place). */
const FENCE_INFO = /([A-Za-z0-9_+#.-]{0,32})[ \t]*(?:\r?\n|$)/y;
/** After an opening fence in mid-line: a language tag, then JSON on the same line ("Here: ```json {…"). */
const FENCE_INFO_BEFORE_JSON = /([A-Za-z0-9_+#.-]{1,32})[ \t]*(?=[{[])/y;
/** After a closing fence: the end of the line. */
const LINE_END = /[ \t]*(?:\r?\n|$)/y;

export interface FencedBlock {
	/** Where the opening fence starts. */
	start: number;
	/** Where the closing fence ends (the end of the text when the block is never closed). */
	end: number;
	/** The text between the fences, as it is. */
	content: string;
	language?: string;
	closed: boolean;
}

function isLineStart(text: string, index: number): boolean {
	const lineStart = text.lastIndexOf('\n', index - 1) + 1;
	return /^[ \t]*$/.test(text.slice(lineStart, index));
}

function matchAt(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
	pattern.lastIndex = index;
	return pattern.exec(text);
}

/**
 * Where the content of an opening fence at `index` (a run of `length` backticks) starts, or undefined when the
 * run does not open a block. A fence opens at the start of a line, or in mid-line when a language tag and the
 * end of the line (or JSON) follow; inline backticks in prose ("type ``` then Enter") do not open one.
 */
function openingAt(text: string, index: number, length: number): { contentStart: number; language?: string } | undefined {
	const after = index + length;
	const info = matchAt(FENCE_INFO, text, after) ?? matchAt(FENCE_INFO_BEFORE_JSON, text, after);
	if (info !== null) {
		const language = info[1] === '' ? undefined : info[1].toLowerCase();
		return { contentStart: after + info[0].length, language };
	}
	return isLineStart(text, index) ? { contentStart: after } : undefined;
}

/**
 * The fenced blocks of the text, in order. A block closes at the next run of at least as many backticks that
 * ends its line, also right after the content (`]```` and `</```` in the vendor's samples); a run followed by
 * more text on its line (```` ```python ````) does not close it.
 */
export function fencedBlocks(text: string): FencedBlock[] {
	const blocks: FencedBlock[] = [];
	const runs = new RegExp(BACKTICKS.source, 'g');
	for (let run = runs.exec(text); run !== null; run = runs.exec(text)) {
		const opening = openingAt(text, run.index, run[0].length);
		if (opening === undefined) continue;
		// A bare fence with nothing after it, after a block, closes a wrapper whose inner fence closed it early
		// (```` ```markdown … ```bash … ``` … ``` ````): a stray closing fence, not a new block cut off.
		if (blocks.length > 0 && opening.language === undefined && text.slice(opening.contentStart).trim() === '') break;
		const block: FencedBlock = { start: run.index, end: text.length, content: text.slice(opening.contentStart), closed: false };
		if (opening.language !== undefined) block.language = opening.language;
		runs.lastIndex = opening.contentStart;
		for (let close = runs.exec(text); close !== null; close = runs.exec(text)) {
			if (close[0].length < run[0].length || matchAt(LINE_END, text, close.index + close[0].length) === null) continue;
			block.end = close.index + close[0].length;
			block.content = text.slice(opening.contentStart, close.index);
			block.closed = true;
			break;
		}
		blocks.push(block);
		if (!block.closed) break;
		runs.lastIndex = block.end;
	}
	return blocks;
}

/**
 * The content of the first fenced block, trimmed; text before and after it is ignored (for answers that are
 * one structure: a table, a document, a formula). Without a fence, the whole text trimmed. `complete` is false
 * when the fence is never closed.
 */
export function stripFence(text: string): { content: string; language?: string; complete: boolean } {
	const [first] = fencedBlocks(text);
	if (first === undefined) return { content: text.trim(), complete: true };
	const content = first.content.trim();
	return first.language === undefined ? { content, complete: first.closed } : { content, language: first.language, complete: first.closed };
}

/** Whether the answer's last fence is never closed. */
export function hasUnclosedFence(text: string): boolean {
	const blocks = fencedBlocks(text);
	return blocks.length > 0 && !blocks[blocks.length - 1].closed;
}

/**
 * The answer as text: without its fences when the whole answer is one fenced block (blank lines around the
 * content dropped, indentation kept), otherwise exactly as given, fences and prose included. `complete` is
 * false when a fence is left open.
 */
export function wholeText(text: string): { text: string; complete: boolean } {
	const blocks = fencedBlocks(text);
	const complete = blocks.length === 0 || blocks[blocks.length - 1].closed;
	if (blocks.length !== 1) return { text, complete };
	const [block] = blocks;
	if (text.slice(0, block.start).trim() !== '' || text.slice(block.end).trim() !== '') return { text, complete };
	return { text: block.content.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd(), complete };
}

/** `$$…$$`, `\[…\]`, `\(…\)`, `$…$` in the order tried: [opening, closing]. */
const MATH_DELIMITERS: ReadonlyArray<[string, string]> = [
	['$$', '$$'],
	['\\[', '\\]'],
	['\\(', '\\)'],
	['$', '$'],
];

/**
 * The formula without its outer math delimiters, removed once and only when they wrap the whole text (`$a$ and
 * $b$` is left alone). A cut-off formula that lost its closing delimiter (`$$x = `) loses the opening one.
 */
export function stripMathDelimiters(latex: string): string {
	const text = latex.trim();
	for (const [opening, closing] of MATH_DELIMITERS) {
		if (!text.startsWith(opening)) continue;
		const closed = text.length >= opening.length + closing.length && text.endsWith(closing);
		const inner = text.slice(opening.length, closed ? text.length - closing.length : text.length);
		if (!inner.includes(closing)) return inner.trim();
	}
	return text;
}

// ---------------------------------------------------------------------------------------------------------------
// Lenient JSON
// ---------------------------------------------------------------------------------------------------------------

type Container = unknown[] | Record<string, unknown>;

/** What the parser expects next. */
type Expect = 'value' | 'valueOrEnd' | 'keyOrEnd' | 'colon' | 'commaOrEnd';

interface JsonScan {
	value: unknown;
	complete: boolean;
	/** Where the value ended (the closing bracket's next position, or where reading stopped). */
	end: number;
	/** The text ended inside the value (cut off), rather than a syntax error stopping it. */
	cut: boolean;
}

/** Result of one parser step: keep going, the root value is closed, or the text is not JSON here. */
type Step = 'more' | 'done' | 'invalid';

const JSON_NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A number cut off after its digits: "1.", "1e", "1e+". */
const CUT_NUMBER_TAIL = /(?:\.|[eE][+-]?)$/y;
const WORD = /[A-Za-z]+/y;
const CONTAINER_START = /[{[]/g;

const LITERALS = new Map<string, unknown>([
	['true', true],
	['false', false],
	['null', null],
]);

/** Returned by readers when the text is not a value (null is a value). */
const NOT_A_VALUE = Symbol('not a value');

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function isJsonSpace(char: string): boolean {
	return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
	// defineProperty, not assignment: a `__proto__` key must stay data, not replace the prototype.
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * An iterative JSON parser (no recursion, so deep nesting cannot overflow the stack) for one object or array.
 * It also takes single quotes, raw newlines in strings and trailing commas, and repairs input that ends early:
 * an open string is closed, a dangling key (with or without its colon) is dropped, a cut literal is completed
 * (`tru` → true), a cut number keeps its digits, and open arrays and objects are closed.
 */
class LenientJsonParser {
	private pos: number;
	private readonly stack: Container[] = [];
	private readonly pendingKeys: Array<string | undefined> = [];
	private expect: Expect = 'value';
	private root: unknown;
	/** Whether any value was read into the root: decides between "not JSON" and "JSON with an error". */
	private hasContent = false;

	constructor(
		private readonly text: string,
		start: number,
	) {
		this.pos = start;
	}

	/**
	 * The value starting at `start` (an opening bracket). Undefined when the text there is not JSON; a syntax
	 * error after some content ends the value there, as the end of the text would.
	 */
	parse(): JsonScan | undefined {
		for (;;) {
			this.skipSpace();
			if (this.pos >= this.text.length) return { value: this.root, complete: false, end: this.pos, cut: true };
			const step = this.step();
			if (step === 'done') return { value: this.root, complete: true, end: this.pos, cut: false };
			if (step === 'invalid') return this.hasContent ? { value: this.root, complete: false, end: this.pos, cut: false } : undefined;
		}
	}

	private skipSpace(): void {
		while (this.pos < this.text.length && isJsonSpace(this.text[this.pos])) this.pos++;
	}

	private step(): Step {
		const char = this.text[this.pos];
		switch (this.expect) {
			case 'valueOrEnd':
				if (char === ']') return this.closeContainer();
				this.expect = 'value';
				return 'more';
			case 'keyOrEnd':
				if (char === '}') return this.closeContainer();
				if (char !== '"' && char !== "'") return 'invalid';
				this.pendingKeys[this.pendingKeys.length - 1] = this.readString();
				this.expect = 'colon';
				return 'more';
			case 'colon':
				if (char !== ':') return 'invalid';
				this.pos++;
				this.expect = 'value';
				return 'more';
			case 'commaOrEnd':
				if (char === ',') {
					this.pos++;
					this.expect = Array.isArray(this.top()) ? 'valueOrEnd' : 'keyOrEnd';
					return 'more';
				}
				return char === (Array.isArray(this.top()) ? ']' : '}') ? this.closeContainer() : 'invalid';
			case 'value':
				return this.readValue(char);
		}
	}

	private top(): Container | undefined {
		return this.stack[this.stack.length - 1];
	}

	private readValue(char: string): Step {
		if (char === '{' || char === '[') {
			const container: Container = char === '[' ? [] : {};
			this.pos++;
			this.attach(container);
			this.stack.push(container);
			this.pendingKeys.push(undefined);
			this.expect = char === '[' ? 'valueOrEnd' : 'keyOrEnd';
			return 'more';
		}
		if (char === '-' && this.pos + 1 === this.text.length) {
			this.pos++; // a number cut off after its sign: no value
			return 'more';
		}
		let value: unknown;
		if (char === '"' || char === "'") value = this.readString();
		else if (char === '-' || (char >= '0' && char <= '9')) value = this.readNumber();
		else value = this.readLiteral();
		if (value === NOT_A_VALUE) return 'invalid';
		this.attach(value);
		this.expect = 'commaOrEnd';
		return 'more';
	}

	/** Puts a value into the open container, or makes it the root. */
	private attach(value: unknown): void {
		const container = this.top();
		if (container === undefined) {
			this.root = value;
			return;
		}
		if (Array.isArray(container)) {
			container.push(value);
		} else {
			setOwn(container, this.pendingKeys[this.pendingKeys.length - 1] as string, value);
			this.pendingKeys[this.pendingKeys.length - 1] = undefined;
		}
		this.hasContent = true;
	}

	private closeContainer(): Step {
		this.pos++;
		this.stack.pop();
		this.pendingKeys.pop();
		this.expect = 'commaOrEnd';
		return this.stack.length === 0 ? 'done' : 'more';
	}

	/** A string in double or single quotes; at the end of the text the string is closed as it is. */
	private readString(): string {
		const quote = this.text[this.pos++];
		let value = '';
		for (;;) {
			let next = this.pos;
			while (next < this.text.length && this.text[next] !== quote && this.text[next] !== '\\') next++;
			value += this.text.slice(this.pos, next);
			this.pos = next;
			if (next >= this.text.length) return value;
			if (this.text[next] === quote) {
				this.pos++;
				return value;
			}
			value += this.readEscape();
		}
	}

	/** The escape at `\`; a cut-off escape gives nothing. Unknown escapes keep their character. */
	private readEscape(): string {
		const kind = this.text[this.pos + 1];
		if (kind === undefined) {
			this.pos++;
			return '';
		}
		if (kind === 'u') {
			const hex = this.text.slice(this.pos + 2, this.pos + 6);
			if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
				this.pos = Math.min(this.pos + 6, this.text.length);
				return '';
			}
			this.pos += 6;
			return String.fromCharCode(parseInt(hex, 16));
		}
		this.pos += 2;
		return ESCAPES[kind] ?? kind;
	}

	/** A number; a tail cut off at the end of the text ("1." or "1e+") is dropped. */
	private readNumber(): number | typeof NOT_A_VALUE {
		JSON_NUMBER.lastIndex = this.pos;
		const digits = JSON_NUMBER.exec(this.text)?.[0];
		if (digits === undefined) return NOT_A_VALUE;
		this.pos += digits.length;
		CUT_NUMBER_TAIL.lastIndex = this.pos;
		if (CUT_NUMBER_TAIL.test(this.text)) this.pos = this.text.length;
		return Number(digits);
	}

	/** true, false or null; a prefix of one of them at the very end of the text is completed. */
	private readLiteral(): unknown {
		WORD.lastIndex = this.pos;
		const word = WORD.exec(this.text)?.[0] ?? '';
		const atEnd = word !== '' && this.pos + word.length >= this.text.length;
		const literal = LITERALS.has(word)
			? word
			: atEnd
				? [...LITERALS.keys()].find((candidate) => candidate.startsWith(word))
				: undefined;
		if (literal === undefined) return NOT_A_VALUE;
		this.pos += word.length;
		return LITERALS.get(literal);
	}
}

/** Start positions tried before giving up on prose full of brackets. */
const MAX_JSON_CANDIDATES = 20;

/** Tries each `{` or `[` in turn until one starts JSON. */
function parseFirstJson(text: string): JsonScan | undefined {
	CONTAINER_START.lastIndex = 0;
	for (let tries = 0; tries < MAX_JSON_CANDIDATES; tries++) {
		const start = CONTAINER_START.exec(text);
		if (start === null) return undefined;
		const scan = new LenientJsonParser(text, start.index).parse();
		if (scan !== undefined) return scan;
	}
	return undefined;
}

/**
 * The first JSON object or array in the text: inside a fence or not, with prose around it, or stuck to a
 * closing fence. A value cut off is repaired (see LenientJsonParser) and returned with `complete: false`.
 * Undefined when the text holds no JSON object or array. Key information extraction's fallback when the
 * answer has no kv_result: there the answer is known to be JSON, so any JSON found is taken.
 */
export function parseJsonLenient(text: string): { value: unknown; complete: boolean } | undefined {
	const inFence = text.includes('```') ? parseFirstJson(stripFence(text).content) : undefined;
	const scan = inFence ?? parseFirstJson(text);
	return scan === undefined ? undefined : { value: scan.value, complete: scan.complete };
}

/**
 * The text as one JSON object or array, spaces around it allowed. A value cut off by the end of the text is
 * repaired and returned with `complete: false`; anything after the value, or a syntax error, is not JSON.
 */
function parseWholeJson(text: string): { value: unknown; complete: boolean } | undefined {
	const start = text.search(/\S/);
	if (start < 0 || (text[start] !== '{' && text[start] !== '[')) return undefined;
	const scan = new LenientJsonParser(text, start).parse();
	if (scan === undefined) return undefined;
	if (scan.complete) return text.slice(scan.end).trim() === '' ? { value: scan.value, complete: true } : undefined;
	return scan.cut ? { value: scan.value, complete: false } : undefined;
}

/**
 * The JSON the answer is (custom prompt `data`): the whole answer as a JSON object or array, or else the one
 * fenced block whose content is one (prose around the block allowed: "Here is the JSON: ```json …```").
 * Undefined for prose, brackets in prose ("see [1]", "Qty [3 pcs]"), or several JSON blocks (which one would be
 * the data is a guess). `complete` is false when the value or its fence is cut off.
 */
export function jsonAnswer(text: string): { value: unknown; complete: boolean } | undefined {
	const whole = parseWholeJson(text);
	if (whole !== undefined) return whole;
	const inBlocks = fencedBlocks(text).flatMap((block) => {
		const json = parseWholeJson(block.content);
		return json === undefined ? [] : [{ value: json.value, complete: json.complete && block.closed }];
	});
	return inBlocks.length === 1 ? inBlocks[0] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Completeness
// ---------------------------------------------------------------------------------------------------------------

function countOccurrences(text: string, part: string): number {
	let count = 0;
	for (let index = text.indexOf(part); index >= 0; index = text.indexOf(part, index + part.length)) count++;
	return count;
}

/**
 * Whether a LaTeX environment other than `document` is still open at the end, or a `$$` is unpaired. The
 * vendor's document_parsing sample opens `document` and never closes it with `finish_reason: "stop"`, so an
 * open `document` says nothing. (`\[ \]` is not counted: `\\[2pt]`, a line break with spacing, would look like
 * an opening.)
 */
function hasOpenLatex(latex: string): boolean {
	const open: string[] = [];
	for (const match of latex.matchAll(/\\(begin|end)\{([^{}]{1,64})\}/g)) {
		const name = match[2].trim();
		if (name === 'document') continue;
		if (match[1] === 'begin') open.push(name);
		else if (open.includes(name)) open.length = open.lastIndexOf(name);
	}
	return open.length > 0 || countOccurrences(latex, '$$') % 2 !== 0;
}

/** Whether the last `<table` of the text has no `</table>` after it. */
function hasOpenHtmlTable(html: string): boolean {
	const openings = [...html.matchAll(/<table[\s>/]/gi)];
	if (openings.length === 0) return false;
	return !/<\/table/i.test(html.slice(openings[openings.length - 1].index));
}

/**
 * Whether an answer looks whole for its kind, i.e. nothing is left open at its very end. Every kind: no
 * unclosed fence. `json`: the answer's JSON (see jsonAnswer), if it has one, is closed. `html`: no open table,
 * row, cell or tag (the vendor's table sample ends in `</`). `latex`: no open environment but `document`, `$$`
 * paired. `any` (custom prompt, whose answer may be any of these): no open JSON value, HTML table or LaTeX
 * environment at the end. `text`: the fence only (a screenshot of code may show brackets that never close).
 */
export function isStructurallyComplete(kind: 'json' | 'html' | 'latex' | 'text' | 'any', text: string): boolean {
	if (hasUnclosedFence(text)) return false;
	switch (kind) {
		case 'json':
			return jsonAnswer(text)?.complete !== false;
		case 'html':
			return parseHtmlTables(stripFence(text).content).complete;
		case 'latex':
			return !hasOpenLatex(stripFence(text).content);
		case 'any':
			return jsonAnswer(text)?.complete !== false && !hasOpenHtmlTable(text) && !hasOpenLatex(text);
		case 'text':
			return true;
	}
}
