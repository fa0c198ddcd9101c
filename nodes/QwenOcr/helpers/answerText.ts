/**
 * The model's answer text: Markdown fences, math delimiters, JSON inside prose, and whether the text was cut
 * off. The model often wraps its answer in ```json / ```html / ```latex fences and can stop mid-structure, even
 * with `finish_reason: "stop"` (the vendor's table sample ends in `</```), so every function here is tolerant
 * and says when the result is partial instead of throwing.
 */

import { parseHtmlTables } from './htmlTable';

const FENCE = '```';
/** The info string after an opening fence: a language tag, then the end of the line (sticky: read in place). */
const FENCE_INFO = /([A-Za-z0-9_+#.-]{0,32})[ \t]*(?:\r?\n|$)/y;

/**
 * The content of the first fenced block, without its fences; text before and after it is ignored. Without a
 * fence, the whole text trimmed. `complete` is false when the fence is never closed. A closing fence is found
 * anywhere, also right after the content (`[…]```` or `</```` in the vendor's samples).
 */
export function stripFence(text: string): { content: string; language?: string; complete: boolean } {
	const open = text.indexOf(FENCE);
	if (open < 0) return { content: text.trim(), complete: true };

	let contentStart = open + FENCE.length;
	let language: string | undefined;
	FENCE_INFO.lastIndex = contentStart;
	const info = FENCE_INFO.exec(text);
	if (info !== null) {
		language = info[1] === '' ? undefined : info[1].toLowerCase();
		contentStart += info[0].length;
	}
	const close = text.indexOf(FENCE, contentStart);
	const content = (close < 0 ? text.slice(contentStart) : text.slice(contentStart, close)).trim();
	const complete = close >= 0;
	return language === undefined ? { content, complete } : { content, language, complete };
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
			if (this.pos >= this.text.length) return { value: this.root, complete: false };
			const step = this.step();
			if (step === 'done') return { value: this.root, complete: true };
			if (step === 'invalid') return this.hasContent ? { value: this.root, complete: false } : undefined;
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
 * Undefined when the text holds no JSON object or array.
 */
export function parseJsonLenient(text: string): { value: unknown; complete: boolean } | undefined {
	const inFence = text.includes(FENCE) ? parseFirstJson(stripFence(text).content) : undefined;
	return inFence ?? parseFirstJson(text);
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
 * Every `\begin{env}` has its `\end{env}` and `$$` comes in pairs. (`\[ \]` is not counted: `\\[2pt]`, a line
 * break with spacing, would look like an opening.)
 */
function isLatexBalanced(latex: string): boolean {
	const depth = new Map<string, number>();
	for (const match of latex.matchAll(/\\(begin|end)\{([^{}]{1,64})\}/g)) {
		const change = match[1] === 'begin' ? 1 : -1;
		depth.set(match[2], (depth.get(match[2]) ?? 0) + change);
	}
	if ([...depth.values()].some((open) => open > 0)) return false;
	return countOccurrences(latex, '$$') % 2 === 0;
}

/**
 * Whether an answer looks whole for its kind: no unclosed fence, and for `json` a complete JSON value, for
 * `html` no open table, row, cell or tag, for `latex` balanced environments (the vendor's document_parsing
 * sample has `\begin{document}` without `\end{document}`) and paired `$$`.
 */
export function isStructurallyComplete(kind: 'json' | 'html' | 'latex' | 'text', text: string): boolean {
	const fenced = stripFence(text);
	if (!fenced.complete) return false;
	switch (kind) {
		case 'json':
			return parseJsonLenient(text)?.complete === true;
		case 'html':
			return parseHtmlTables(fenced.content).complete;
		case 'latex':
			return isLatexBalanced(fenced.content);
		case 'text':
			return true;
	}
}
