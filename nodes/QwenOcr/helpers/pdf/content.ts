/**
 * Reads a page's content stream just enough to tell a scanned page from a born-digital one: where each image is
 * painted (`cm` matrices, `q`/`Q`, `Do` of image XObjects, inline images, Form XObjects followed a few levels
 * deep), how much visible text is shown (`Tj TJ ' "`, except in the invisible render modes 3 and 7 that OCR
 * text layers use), and how many paths are painted.
 */
import { PdfError } from './errors';
import { Lexer, Parser, Token, indexOf, isWhitespace } from './lexer';
import { DecodeBudget, MAX_PAGE_BYTES } from './limits';
import { IDENTITY, type Matrix, multiply } from './matrix';
import { PdfDict, PdfStream, PdfString, type PdfValue, dictOf, isName, isNumber } from './objects';
import type { PdfFile } from './xref';

export interface PlacedImage {
	/** The image XObject; for an inline image, a stream made of its dictionary (keys spelled out) and data. */
	stream: PdfStream;
	/** CTM when painted: maps the unit square to the page. */
	matrix: Matrix;
	/** Resources in force (named color spaces of inline images live there). */
	resources?: PdfDict;
	/** Visible text bytes and painted paths before this image: painted over by an opaque full-page image. */
	textBefore: number;
	paintBefore: number;
}

export interface ContentSummary {
	images: PlacedImage[];
	/** Bytes of text shown in visible render modes (whitespace not counted). */
	textBytes: number;
	/** Bytes of text shown invisibly (render mode 3 or 7): an OCR text layer over a scan. */
	hiddenTextBytes: number;
	/** Path-painting and shading operators. */
	paintOps: number;
	/** A content stream could not be decoded (and was read as empty). */
	damaged: boolean;
	/** The page's decoded-bytes budget, which its content streams and forms are charged to. */
	budget: DecodeBudget;
}

/** Form XObjects inside forms are followed this deep (scanners and converters wrap pages one or two levels). */
const MAX_FORM_DEPTH = 3;
const PAINT_OPERATORS = new Set(['S', 's', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'sh']);
/** Inline-image keys and names in their abbreviated forms (§8.9.7). */
const INLINE_KEYS: Record<string, string> = {
	BPC: 'BitsPerComponent',
	CS: 'ColorSpace',
	D: 'Decode',
	DP: 'DecodeParms',
	F: 'Filter',
	H: 'Height',
	IM: 'ImageMask',
	I: 'Interpolate',
	W: 'Width',
};
const INLINE_NAMES: Record<string, string> = { G: 'DeviceGray', RGB: 'DeviceRGB', CMYK: 'DeviceCMYK', I: 'Indexed' };

interface GraphicsState {
	ctm: Matrix;
	textRender: number;
}

export function scanContent(
	file: PdfFile,
	contents: PdfValue | undefined,
	resources: PdfDict | undefined,
	budget: DecodeBudget = new DecodeBudget(MAX_PAGE_BYTES, 'page'),
): ContentSummary {
	const summary: ContentSummary = { images: [], textBytes: 0, hiddenTextBytes: 0, paintOps: 0, damaged: false, budget };
	const value = file.resolve(contents);
	const streams = (Array.isArray(value) ? value.map((v) => file.resolve(v)) : [value]).filter(
		(v): v is PdfStream => v instanceof PdfStream,
	);
	// A page's content may be split across streams anywhere (even inside a token's whitespace): join them.
	const parts = streams.map((s) => decodeContent(file, s, summary));
	const total = parts.reduce((n, p) => n + p.length + 1, 0);
	const joined = new Uint8Array(total);
	let at = 0;
	for (const part of parts) {
		joined.set(part, at);
		joined[at + part.length] = 0x0a;
		at += part.length + 1;
	}
	scan(file, joined, resources, IDENTITY, 0, new Set(), summary);
	return summary;
}

function decodeContent(file: PdfFile, stream: PdfStream, summary: ContentSummary): Uint8Array {
	let failure: unknown;
	try {
		return file.decode(stream, summary.budget);
	} catch (error) {
		failure = error;
	}
	// A damaged content stream shows nothing, as in other readers; an encrypted one or a bomb is a real stop.
	if (failure instanceof PdfError && failure.code !== 'encrypted' && failure.code !== 'too-large') {
		summary.damaged = true;
		return new Uint8Array(0);
	}
	throw failure;
}

function scan(
	file: PdfFile,
	data: Uint8Array,
	resources: PdfDict | undefined,
	base: Matrix,
	depth: number,
	activeForms: Set<PdfStream>,
	summary: ContentSummary,
): void {
	const lexer = new Lexer(data);
	const parser = new Parser(lexer, { refs: false });
	const stack: GraphicsState[] = [];
	let state: GraphicsState = { ctm: base, textRender: 0 };
	const operands: PdfValue[] = [];
	for (;;) {
		const token = lexer.next();
		if (token === Token.EOF) break;
		if (token !== Token.Keyword || ['true', 'false', 'null'].includes(lexer.text)) {
			const value = parser.valueFrom(token);
			// Operators take at most a handful of operands; don't let junk pile up.
			if (operands.length < 32) operands.push(value);
			continue;
		}
		const op = lexer.text;
		switch (op) {
			case 'q':
				stack.push(state);
				state = { ...state };
				break;
			case 'Q':
				state = stack.pop() ?? state;
				break;
			case 'cm': {
				const m = operands.slice(-6);
				if (m.length === 6 && m.every(isNumber)) state.ctm = multiply(m as Matrix, state.ctm);
				break;
			}
			case 'Tr': {
				const mode = operands[operands.length - 1];
				if (isNumber(mode)) state.textRender = mode;
				break;
			}
			case 'Tj':
			case "'":
				countText(operands[operands.length - 1], state, summary);
				break;
			case '"':
				countText(operands[operands.length - 1], state, summary);
				break;
			case 'TJ': {
				const items = operands[operands.length - 1];
				if (Array.isArray(items)) for (const item of items) countText(item, state, summary);
				break;
			}
			case 'Do': {
				const name = operands[operands.length - 1];
				if (isName(name)) paintXObject(file, name, resources, state.ctm, depth, activeForms, summary);
				break;
			}
			case 'BI':
				readInlineImage(lexer, parser, resources, state.ctm, summary);
				break;
			default:
				if (PAINT_OPERATORS.has(op)) summary.paintOps++;
		}
		operands.length = 0;
	}
}

function countText(value: PdfValue | undefined, state: GraphicsState, summary: ContentSummary): void {
	if (!(value instanceof PdfString)) return;
	let count = 0;
	for (const byte of value.bytes) if (byte !== 0 && !isWhitespace(byte)) count++;
	if (state.textRender === 3 || state.textRender === 7) summary.hiddenTextBytes += count;
	else summary.textBytes += count;
}

function paintXObject(
	file: PdfFile,
	name: string,
	resources: PdfDict | undefined,
	ctm: Matrix,
	depth: number,
	activeForms: Set<PdfStream>,
	summary: ContentSummary,
): void {
	const xobjects = dictOf(file.get(resources, 'XObject'));
	const xobject = file.get(xobjects, name);
	if (!(xobject instanceof PdfStream)) return;
	const subtype = file.get(xobject.dict, 'Subtype');
	if (isName(subtype, 'Image')) {
		summary.images.push({ stream: xobject, matrix: ctm, resources, textBefore: summary.textBytes, paintBefore: summary.paintOps });
		return;
	}
	if (!isName(subtype, 'Form') || depth >= MAX_FORM_DEPTH || activeForms.has(xobject)) return;
	const matrixValue = file.get(xobject.dict, 'Matrix');
	const formMatrix =
		Array.isArray(matrixValue) && matrixValue.length === 6 && matrixValue.every(isNumber) ? (matrixValue as Matrix) : IDENTITY;
	const formResources = dictOf(file.get(xobject.dict, 'Resources')) ?? resources;
	activeForms.add(xobject);
	scan(file, decodeContent(file, xobject, summary), formResources, multiply(formMatrix, ctm), depth + 1, activeForms, summary);
	activeForms.delete(xobject);
}

/** Parses `BI <dict> ID <data> EI`, leaving the lexer after EI, and records the image. */
function readInlineImage(
	lexer: Lexer,
	parser: Parser,
	resources: PdfDict | undefined,
	ctm: Matrix,
	summary: ContentSummary,
): void {
	const dict = new PdfDict();
	for (;;) {
		const token = lexer.next();
		if (token === Token.EOF) return;
		if (token === Token.Keyword && lexer.text === 'ID') break;
		if (token !== Token.Name) continue;
		const key = lexer.text;
		let value = parser.parseValue();
		if (typeof value === 'string') value = INLINE_NAMES[value] ?? value;
		if (Array.isArray(value)) value = value.map((v) => (typeof v === 'string' ? (INLINE_NAMES[v] ?? v) : v));
		dict.set(INLINE_KEYS[key] ?? key, value);
	}
	const data = lexer.buf;
	// One whitespace byte separates ID from the data.
	const start = lexer.pos + 1;
	let end = -1;
	const width = dict.get('Width');
	const height = dict.get('Height');
	const bpc = dict.get('ImageMask') === true ? 1 : dict.get('BitsPerComponent');
	const cs = dict.get('ColorSpace');
	const components = cs === 'DeviceRGB' ? 3 : cs === 'DeviceCMYK' ? 4 : 1;
	if (!dict.has('Filter') && isNumber(width) && isNumber(height) && isNumber(bpc) && (cs === undefined || typeof cs === 'string')) {
		// Unfiltered data has a known size, which is safer than looking for "EI" in binary data.
		end = start + Math.ceil((width * components * bpc) / 8) * height;
	} else {
		for (let p = indexOf(data, 'EI', start); p >= 0; p = indexOf(data, 'EI', p + 2)) {
			if (isWhitespace(data[p - 1]) && (p + 2 >= data.length || isWhitespace(data[p + 2]))) {
				end = p - 1;
				break;
			}
		}
	}
	if (end < 0 || end > data.length) end = data.length;
	const after = indexOf(data, 'EI', end);
	lexer.pos = after < 0 ? data.length : after + 2;
	summary.images.push({
		stream: new PdfStream(dict, data.subarray(start, end)),
		matrix: ctm,
		resources,
		textBefore: summary.textBytes,
		paintBefore: summary.paintOps,
	});
}
