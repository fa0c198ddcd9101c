/**
 * HTML tables (the `table_parsing` task's answer) to rectangular rows of text. A small tolerant tokenizer and a
 * table builder, no dependencies: the model's HTML is simple but can be cut off anywhere (the vendor's own
 * sample ends in `</`), so nothing here throws and everything runs in one pass over the input.
 *
 * Decisions:
 * - Row and column spans are expanded by copying the cell's text into every slot it covers; rowspans do not
 *   cross `<thead>`/`<tbody>`/`<tfoot>` boundaries, and a rowspan reaching past the last row adds no rows.
 *   `rowspan="0"` spans the rest of the row group. Row groups stay in document order.
 * - Rows are padded with '' to the table's width. Empty rows (`<tr></tr>`, or rows of empty cells) are kept,
 *   trailing ones too: they are in the document.
 * - A table nested in a cell is flattened into that cell's text (its rows on separate lines, cells separated by
 *   spaces); it is not reported as a table of its own.
 * - `<tr>`/`<td>` outside any `<table>` open an implicit table (models sometimes leave `<table>` out).
 * - Text outside cells (captions, text between tables) is ignored.
 * - `complete` is false when the input ends inside a tag or comment, inside an explicit `<table>`, or inside a
 *   row or cell, and when a table was cut at the size limits. Rows parsed so far are returned; a row cut off
 *   before its first cell is dropped, a row cut off later is kept with what it has.
 */

export interface ParsedTable {
	rows: string[][];
}

/** HTML's own limits for colspan and rowspan. */
const MAX_COLSPAN = 1000;
const MAX_ROWSPAN = 65534;
/** Columns beyond this are dropped, so a wide span cannot make every padded row huge. */
const MAX_COLUMNS = 1000;
/** A table stops growing past this many slots (rows × width); the parse is then reported as incomplete. */
const MAX_TABLE_CELLS = 1_000_000;

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------------------------

type HtmlToken =
	| { kind: 'text'; text: string }
	| { kind: 'open'; name: string; attributes: Map<string, string> }
	| { kind: 'close'; name: string };

/** Where a tag ends; `undefined` end means the input stopped inside it. */
interface Scan<T> {
	token?: T;
	end?: number;
}

function isSpace(char: string): boolean {
	return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f';
}

function isLetter(char: string | undefined): boolean {
	return char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z'));
}

function readName(html: string, start: number): number {
	let end = start;
	while (end < html.length && !isSpace(html[end]) && html[end] !== '/' && html[end] !== '>') end++;
	return end;
}

/** `<name attr=value attr="value" attr='value' attr>`, from just after `<`. */
function scanOpenTag(html: string, start: number): Scan<HtmlToken> {
	const nameEnd = readName(html, start);
	const name = html.slice(start, nameEnd).toLowerCase();
	const attributes = new Map<string, string>();
	let pos = nameEnd;
	for (;;) {
		while (pos < html.length && (isSpace(html[pos]) || html[pos] === '/')) pos++;
		if (pos >= html.length) return {};
		if (html[pos] === '>') return { token: { kind: 'open', name, attributes }, end: pos + 1 };

		const attributeStart = pos;
		pos++; // the first character belongs to the name even when it is '='
		while (pos < html.length && !isSpace(html[pos]) && !'=/>'.includes(html[pos])) pos++;
		const attribute = html.slice(attributeStart, pos).toLowerCase();
		while (pos < html.length && isSpace(html[pos])) pos++;
		let value = '';
		if (html[pos] === '=') {
			pos++;
			while (pos < html.length && isSpace(html[pos])) pos++;
			const quote = html[pos];
			if (quote === '"' || quote === "'") {
				const close = html.indexOf(quote, pos + 1);
				if (close < 0) return {};
				value = html.slice(pos + 1, close);
				pos = close + 1;
			} else {
				const valueStart = pos;
				while (pos < html.length && !isSpace(html[pos]) && html[pos] !== '>') pos++;
				value = html.slice(valueStart, pos);
			}
		}
		attributes.set(attribute, decodeEntities(value));
	}
}

/**
 * The markup starting at `html[start] === '<'`. No token with an end: skip it (comment, doctype). No end:
 * the input stopped inside it. A `<` that starts no markup (`a < b`, `</`` `) is returned as text.
 */
function scanMarkup(html: string, start: number): Scan<HtmlToken> {
	const next = html[start + 1];
	if (next === undefined) return {};
	if (html.startsWith('<!--', start)) {
		const close = html.indexOf('-->', start + 4);
		return close < 0 ? {} : { end: close + 3 };
	}
	if (next === '!' || next === '?') {
		const close = html.indexOf('>', start + 2);
		return close < 0 ? {} : { end: close + 1 };
	}
	if (next === '/') {
		if (start + 2 >= html.length) return {};
		if (!isLetter(html[start + 2])) return { token: { kind: 'text', text: '</' }, end: start + 2 };
		const nameEnd = readName(html, start + 2);
		const close = html.indexOf('>', nameEnd);
		if (close < 0) return {};
		return { token: { kind: 'close', name: html.slice(start + 2, nameEnd).toLowerCase() }, end: close + 1 };
	}
	if (isLetter(next)) return scanOpenTag(html, start + 1);
	return { token: { kind: 'text', text: '<' }, end: start + 1 };
}

/** Calls `onToken` for each token; returns false when the input ends inside a tag or comment. */
function tokenize(html: string, onToken: (token: HtmlToken) => void): boolean {
	let pos = 0;
	while (pos < html.length) {
		const open = html.indexOf('<', pos);
		if (open < 0) {
			onToken({ kind: 'text', text: html.slice(pos) });
			return true;
		}
		if (open > pos) onToken({ kind: 'text', text: html.slice(pos, open) });
		const scan = scanMarkup(html, open);
		if (scan.end === undefined) return false;
		if (scan.token) onToken(scan.token);
		pos = scan.end;
	}
	return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------------------------------------------

const NAMED_ENTITIES = new Map<string, string>([
	['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"],
	['nbsp', '\u00a0'], ['ensp', '\u2002'], ['emsp', '\u2003'], ['thinsp', '\u2009'], ['shy', '\u00ad'],
	['yen', '¥'], ['euro', '€'], ['pound', '£'], ['cent', '¢'], ['curren', '¤'],
	['copy', '©'], ['reg', '®'], ['trade', '™'], ['sect', '§'], ['para', '¶'], ['deg', '°'], ['micro', 'µ'],
	['times', '×'], ['divide', '÷'], ['plusmn', '±'], ['minus', '−'], ['middot', '·'], ['bull', '•'],
	['ndash', '–'], ['mdash', '—'], ['hellip', '…'], ['permil', '‰'], ['prime', '′'], ['Prime', '″'],
	['lsquo', '‘'], ['rsquo', '’'], ['sbquo', '‚'], ['ldquo', '“'], ['rdquo', '”'], ['bdquo', '„'],
	['laquo', '«'], ['raquo', '»'], ['iexcl', '¡'], ['iquest', '¿'],
	['le', '≤'], ['ge', '≥'], ['ne', '≠'], ['asymp', '≈'], ['infin', '∞'], ['radic', '√'], ['sum', '∑'],
	['sup1', '¹'], ['sup2', '²'], ['sup3', '³'], ['frac14', '¼'], ['frac12', '½'], ['frac34', '¾'],
	['larr', '←'], ['rarr', '→'], ['uarr', '↑'], ['darr', '↓'], ['harr', '↔'], ['check', '✓'],
]);

/** Bounded repetitions keep the scan linear. Unknown names are left as they are. */
const ENTITY = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

function fromCodePoint(code: number): string {
	const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
	return valid ? String.fromCodePoint(code) : '\ufffd';
}

function decodeEntities(text: string): string {
	if (!text.includes('&')) return text;
	return text.replace(ENTITY, (match, decimal?: string, hex?: string, name?: string) => {
		if (decimal !== undefined) return fromCodePoint(parseInt(decimal, 10));
		if (hex !== undefined) return fromCodePoint(parseInt(hex, 16));
		return NAMED_ENTITIES.get(name as string) ?? match;
	});
}

// ---------------------------------------------------------------------------------------------------------------
// Cell text
// ---------------------------------------------------------------------------------------------------------------

/** Collapsible whitespace, non-breaking spaces included (a cell's value is data, not layout). */
const COLLAPSIBLE_SPACE = /[ \t\n\r\f\u00a0]+/g;

/** A cell's text: whitespace collapsed, `<br>` kept as '\n', block elements on their own lines. */
class CellText {
	private raw = '';
	private hasText = false;
	private atLineStart = true;
	private cached?: string;

	append(text: string): void {
		const collapsed = decodeEntities(text).replace(COLLAPSIBLE_SPACE, ' ');
		this.raw += collapsed;
		if (collapsed.trim() !== '') {
			this.hasText = true;
			this.atLineStart = false;
		}
	}

	lineBreak(): void {
		this.raw += '\n';
		this.atLineStart = true;
	}

	/** A boundary of a block element: a new line unless the text is empty or already at a line start. */
	blockBreak(): void {
		if (this.hasText && !this.atLineStart) this.lineBreak();
	}

	/** Between cells of a flattened nested table. */
	separate(): void {
		this.raw += ' ';
	}

	value(): string {
		this.cached ??= trimNewlines(
			this.raw
				.split('\n')
				.map((line) => line.replace(/ {2,}/g, ' ').trim())
				.join('\n'),
		);
		return this.cached;
	}
}

/** Without a regex: `\n+$` backtracks quadratically over long runs of newlines. */
function trimNewlines(text: string): string {
	let start = 0;
	let end = text.length;
	while (start < end && text[start] === '\n') start++;
	while (end > start && text[end - 1] === '\n') end--;
	return text.slice(start, end);
}

// ---------------------------------------------------------------------------------------------------------------
// Grid: cell placement with row/column spans
// ---------------------------------------------------------------------------------------------------------------

interface RowSpan {
	column: number;
	width: number;
	remainingRows: number;
	cell: CellText;
}

class TableGrid {
	private readonly rows: Array<Array<CellText | undefined>> = [];
	private spans: RowSpan[] = [];
	private cursor = 0;
	private width = 0;
	private currentRowHasCell = false;
	/** Set when the table hit MAX_TABLE_CELLS; later rows and cells are ignored. */
	private overflowed = false;
	/** Set when a cell starting beyond MAX_COLUMNS was dropped. */
	private droppedCells = false;

	/** True when some of the table's content was left out at the size limits. */
	get lostContent(): boolean {
		return this.overflowed || this.droppedCells;
	}

	startRow(): void {
		if (this.overflowed) return;
		if ((this.rows.length + 1) * this.width > MAX_TABLE_CELLS) {
			this.overflowed = true;
			return;
		}
		const row: Array<CellText | undefined> = [];
		for (const span of this.spans) {
			for (let column = span.column; column < span.column + span.width; column++) row[column] = span.cell;
			span.remainingRows--;
		}
		this.spans = this.spans.filter((span) => span.remainingRows > 0);
		this.rows.push(row);
		this.cursor = 0;
		this.currentRowHasCell = false;
	}

	/** Places a cell in the first free slot of the current row; undefined when it falls outside the limits. */
	addCell(rowspan: number, colspan: number): CellText | undefined {
		const row = this.rows[this.rows.length - 1];
		if (this.overflowed || row === undefined) return undefined;
		while (row[this.cursor] !== undefined) this.cursor++;
		const width = Math.min(colspan, MAX_COLUMNS - this.cursor);
		if (width <= 0) {
			this.droppedCells = true;
			return undefined;
		}
		const newWidth = Math.max(this.width, this.cursor + width);
		if (this.rows.length * newWidth > MAX_TABLE_CELLS) {
			this.overflowed = true;
			return undefined;
		}

		const cell = new CellText();
		// Overlapping spans are a table error in HTML; the cell placed first keeps the slot.
		for (let column = this.cursor; column < this.cursor + width; column++) row[column] ??= cell;
		if (rowspan > 1) this.spans.push({ column: this.cursor, width, remainingRows: rowspan - 1, cell });
		this.cursor += width;
		this.width = newWidth;
		this.currentRowHasCell = true;
		return cell;
	}

	/** Rowspans end at a row group boundary. */
	endRowGroup(): void {
		this.spans = [];
	}

	/** Drops the last row when it was cut off before its first cell. */
	dropEmptyLastRow(): void {
		if (!this.overflowed && this.rows.length > 0 && !this.currentRowHasCell) this.rows.pop();
	}

	toRows(): string[][] {
		return this.rows.map((row) => Array.from({ length: this.width }, (_, column) => row[column]?.value() ?? ''));
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Table builder: the tag state machine
// ---------------------------------------------------------------------------------------------------------------

const ROW_GROUPS = new Set(['thead', 'tbody', 'tfoot']);
const CELLS = new Set(['td', 'th']);
const BLOCKS = new Set([
	'p', 'div', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr',
]);

function spanAttribute(attributes: Map<string, string>, name: string, max: number, zeroMeans: number): number {
	const value = parseInt(attributes.get(name) ?? '', 10);
	if (Number.isNaN(value) || value < 0) return 1;
	if (value === 0) return zeroMeans;
	return Math.min(value, max);
}

class TableBuilder {
	private readonly tables: ParsedTable[] = [];
	private grid?: TableGrid;
	private explicitTable = false;
	private rowOpen = false;
	private cell?: CellText;
	/** Depth of tables nested inside the current cell. */
	private nested = 0;
	private lostContent = false;

	handle(token: HtmlToken): void {
		if (this.grid === undefined) {
			this.handleOutsideTable(token);
		} else if (this.nested > 0 && this.cell !== undefined) {
			this.handleNested(token, this.cell);
		} else {
			this.handleInTable(token);
		}
	}

	/** True when no table, row or cell is left open (an implicit table may stay open between rows). */
	isClosed(): boolean {
		return this.grid === undefined || (!this.explicitTable && !this.rowOpen);
	}

	finish(): { tables: ParsedTable[]; lostContent: boolean } {
		if (this.grid !== undefined) {
			if (this.rowOpen) this.grid.dropEmptyLastRow();
			this.finishTable();
		}
		return { tables: this.tables, lostContent: this.lostContent };
	}

	private handleOutsideTable(token: HtmlToken): void {
		if (token.kind !== 'open') return;
		if (token.name === 'table') {
			this.startTable(true);
		} else if (token.name === 'tr' || CELLS.has(token.name)) {
			this.startTable(false);
			this.handleInTable(token);
		}
	}

	private handleInTable(token: HtmlToken): void {
		if (token.kind === 'text') {
			this.cell?.append(token.text);
			return;
		}
		const { name } = token;
		if (token.kind === 'open') {
			if (name === 'table') {
				if (this.cell !== undefined) {
					this.nested = 1;
					this.cell.blockBreak();
				} else {
					this.finishTable();
					this.startTable(true);
				}
			} else if (name === 'tr') {
				this.closeRow();
				this.openRow();
			} else if (CELLS.has(name)) {
				this.closeCell();
				if (!this.rowOpen) this.openRow();
				const rowspan = spanAttribute(token.attributes, 'rowspan', MAX_ROWSPAN, MAX_ROWSPAN);
				const colspan = spanAttribute(token.attributes, 'colspan', MAX_COLSPAN, 1);
				this.cell = this.grid?.addCell(rowspan, colspan);
			} else if (ROW_GROUPS.has(name)) {
				this.endRowGroup();
			} else {
				this.formatCell(name);
			}
			return;
		}
		if (name === 'table') {
			this.finishTable();
		} else if (name === 'tr') {
			this.closeRow();
		} else if (CELLS.has(name)) {
			this.closeCell();
		} else if (ROW_GROUPS.has(name)) {
			this.endRowGroup();
		} else if (BLOCKS.has(name)) {
			this.cell?.blockBreak();
		}
	}

	/** Inside a table nested in a cell: everything becomes text of the outer cell. */
	private handleNested(token: HtmlToken, cell: CellText): void {
		if (token.kind === 'text') {
			cell.append(token.text);
		} else if (token.name === 'table') {
			this.nested += token.kind === 'open' ? 1 : -1;
			cell.blockBreak();
		} else if (token.name === 'tr') {
			cell.blockBreak();
		} else if (CELLS.has(token.name)) {
			cell.separate();
		} else if (token.kind === 'open') {
			this.formatCell(token.name);
		} else if (BLOCKS.has(token.name)) {
			cell.blockBreak();
		}
	}

	/** Formatting inside a cell: `<br>` breaks the line, block elements start one; inline tags are dropped. */
	private formatCell(name: string): void {
		if (name === 'br') this.cell?.lineBreak();
		else if (BLOCKS.has(name)) this.cell?.blockBreak();
	}

	private startTable(explicit: boolean): void {
		this.grid = new TableGrid();
		this.explicitTable = explicit;
	}

	private openRow(): void {
		this.grid?.startRow();
		this.rowOpen = true;
	}

	private closeCell(): void {
		this.cell = undefined;
		this.nested = 0;
	}

	private closeRow(): void {
		this.closeCell();
		this.rowOpen = false;
	}

	private endRowGroup(): void {
		this.closeRow();
		this.grid?.endRowGroup();
	}

	private finishTable(): void {
		this.closeRow();
		if (this.grid === undefined) return;
		this.lostContent ||= this.grid.lostContent;
		this.tables.push({ rows: this.grid.toRows() });
		this.grid = undefined;
		this.explicitTable = false;
	}
}

/** Every table of the HTML as rectangular rows of cell text; see the module comment for the decisions. */
export function parseHtmlTables(html: string): { tables: ParsedTable[]; complete: boolean } {
	const builder = new TableBuilder();
	const endedOutsideTags = tokenize(html, (token) => builder.handle(token));
	const closed = builder.isClosed();
	const { tables, lostContent } = builder.finish();
	return { tables, complete: endedOutsideTags && closed && !lostContent };
}

// ---------------------------------------------------------------------------------------------------------------
// Rows to records
// ---------------------------------------------------------------------------------------------------------------

/**
 * True when a row can serve as the header: its cells are all non-empty and distinct, so it is as wide as the
 * table after spans. One empty top-left corner cell is allowed (row-header tables) when at least two named
 * cells follow. A title spanning the table (the same text copied) or a short first row padded with '' fails.
 */
function isFullWidthRow(row: string[]): boolean {
	const cells = row.map((cell) => cell.trim());
	const named = cells[0] === '' && cells.length > 2 ? cells.slice(1) : cells;
	return named.length > 0 && named.every((cell) => cell !== '') && new Set(named).size === named.length;
}

/**
 * The 0-based index of the header row. `headerRow` ≥ 1 is the user's 1-based row number (clamped to the table);
 * 0 detects it: the first full-width row (see isFullWidthRow), else the first row.
 */
export function pickHeaderRow(rows: string[][], headerRow: number): number {
	if (rows.length === 0) return 0;
	if (headerRow >= 1) return Math.min(Math.floor(headerRow), rows.length) - 1;
	const detected = rows.findIndex(isFullWidthRow);
	return detected < 0 ? 0 : detected;
}

/** Output keys from header cells: whitespace collapsed, empty → `column_<n>` (1-based), repeats → `_2`, `_3`…. */
function headerKeys(header: string[], width: number): string[] {
	const used = new Set<string>();
	const keys: string[] = [];
	for (let column = 0; column < width; column++) {
		const base = (header[column] ?? '').replace(/\s+/g, ' ').trim() || `column_${column + 1}`;
		let key = base;
		for (let suffix = 2; used.has(key); suffix++) key = `${base}_${suffix}`;
		used.add(key);
		keys.push(key);
	}
	return keys;
}

/** True when every cell of the row is empty. */
export function isEmptyRow(row: string[]): boolean {
	return row.every((cell) => cell.trim() === '');
}

/**
 * The rows after the header as records keyed by the header's cells; rows before the header are dropped, empty
 * rows are kept (filter them with isEmptyRow). `rowIndex` is the row's index in `rows`.
 */
export function rowsToObjects(
	rows: string[][],
	headerIndex: number,
): Array<{ rowIndex: number; values: Record<string, string> }> {
	const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
	const keys = headerKeys(rows[headerIndex] ?? [], width);
	const records: Array<{ rowIndex: number; values: Record<string, string> }> = [];
	for (let rowIndex = headerIndex + 1; rowIndex < rows.length; rowIndex++) {
		const row = rows[rowIndex];
		// fromEntries defines own properties, so a header cell such as `__proto__` stays an ordinary key.
		const values = Object.fromEntries(keys.map((key, column) => [key, row[column] ?? ''])) as Record<string, string>;
		records.push({ rowIndex, values });
	}
	return records;
}
