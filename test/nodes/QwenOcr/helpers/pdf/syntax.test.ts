/** Lexer, object parser, stream filters, predictors and page ranges. */
import * as zlib from 'zlib';

import { ascii85Decode, asciiHexDecode, runLengthDecode } from '../../../../../nodes/QwenOcr/helpers/pdf/filters';
import { Lexer, Parser, parseIndirectObject } from '../../../../../nodes/QwenOcr/helpers/pdf/lexer';
import { lzwDecode } from '../../../../../nodes/QwenOcr/helpers/pdf/lzw';
import { PdfDict, PdfRef, PdfStream, PdfString, type PdfValue } from '../../../../../nodes/QwenOcr/helpers/pdf/objects';
import { PdfError, parsePageRanges } from '../../../../../nodes/QwenOcr/helpers/pdf/pdf';
import { encodePng } from '../../../../../nodes/QwenOcr/helpers/pdf/png';
import { applyPredictor } from '../../../../../nodes/QwenOcr/helpers/pdf/predictor';
import { ascii85Encode, lzwEncode, runLengthEncode } from './encoders';
import { seededRandom } from './testData';

const parse = (text: string): PdfValue => new Parser(new Lexer(Buffer.from(text, 'latin1'))).parseValue();
const text = (value: PdfValue): string => Buffer.from((value as PdfString).bytes).toString('latin1');

describe('lexer and parser', () => {
	it('reads numbers, names with #xx, booleans, null and references', () => {
		expect(parse('42')).toBe(42);
		expect(parse('-3.5')).toBe(-3.5);
		expect(parse('.25')).toBe(0.25);
		expect(parse('+7')).toBe(7);
		expect(parse('--4')).toBe(-4);
		expect(parse('/A#20B#2fC')).toBe('A B/C');
		expect(parse('true')).toBe(true);
		expect(parse('null')).toBeNull();
		expect(parse('12 0 R')).toEqual(new PdfRef(12, 0));
		expect(parse('[1 2 R 3 4 5]')).toEqual([new PdfRef(1, 2), 3, 4, 5]);
	});

	it('reads literal strings with escapes, nesting and line endings, and hex strings', () => {
		expect(text(parse('(a\\(b\\)c (nested) \\\\ \\n\\t\\101\\0501)'))).toBe('a(b)c (nested) \\ \n\tA(1');
		expect(text(parse('(line\\\r\ncontinued\r\nnext)'))).toBe('linecontinued\nnext');
		expect(text(parse('<48 65 6c6C 6f 2>'))).toBe('Hello ');
	});

	it('reads dictionaries and arrays, skipping comments, and stops at a missing >> before endobj', () => {
		const dict = parse('<< /Type /Page % a comment\n /Kids [1 0 R 2 0 R] /Sub << /N 1 >> /Empty null >>') as PdfDict;
		expect(dict).toBeInstanceOf(PdfDict);
		expect(dict.get('Type')).toBe('Page');
		expect(dict.get('Kids')).toEqual([new PdfRef(1, 0), new PdfRef(2, 0)]);
		expect((dict.get('Sub') as PdfDict).get('N')).toBe(1);
		expect(dict.has('Empty')).toBe(false);
		const object = parseIndirectObject(Buffer.from('7 0 obj << /A 1 /B [2 3 endobj'), 0, () => null);
		expect(object?.num).toBe(7);
		expect((object?.value as PdfDict).get('B')).toEqual([2, 3]);
	});

	it('reads streams by /Length and falls back to endstream when the length is wrong', () => {
		const good = parseIndirectObject(Buffer.from('1 0 obj << /Length 5 >>\nstream\r\nabcde\r\nendstream endobj'), 0, () => null);
		expect(Buffer.from((good?.value as PdfStream).raw).toString()).toBe('abcde');
		for (const length of ['999', '2', '-1', '/Bad']) {
			const bad = parseIndirectObject(Buffer.from(`1 0 obj << /Length ${length} >>\nstream\nabc\ndef\nendstream endobj`), 0, () => null);
			expect(Buffer.from((bad?.value as PdfStream).raw).toString()).toBe('abc\ndef');
		}
		expect(parseIndirectObject(Buffer.from('not an object'), 0, () => null)).toBeUndefined();
	});
});

describe('filters', () => {
	it('decodes the LZW example of the PDF specification and round-trips long data', () => {
		const example = lzwDecode(Buffer.from([0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01]));
		expect([...example.data]).toEqual([45, 45, 45, 45, 45, 65, 45, 45, 45, 66]);
		expect(example.truncated).toBe(false);
		const random = seededRandom(5);
		const data = Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i % 97 < 50 ? 65 + (i % 7) : Math.floor(random() * 256))));
		expect(Buffer.from(lzwDecode(lzwEncode(data)).data).equals(data)).toBe(true);
		expect(lzwDecode(lzwEncode(data).subarray(0, 1000)).truncated).toBe(true);
	});

	it('decodes ASCII85 (spec example, z groups, partial groups, missing ~>)', () => {
		expect(Buffer.from(ascii85Decode(Buffer.from('<~9jqo^BlbD-BleB1DJ+*+F(f,q/0JhKF<GL>Cj@.4Gp$d7F!,L7@<6@)/0JDEF<G%<+EV:2F!,O<DJ+*.@<*K0@<6L(Df-\\0Ec5e;DffZ(EZee.Bl.9pF"AGXBPCsi+DGm>@3BB/F*&OCAfu2/AKYi(DIb:@FD,*)+C]U=@3BN#EcYf8ATD3s@q?d$AftVqCh[NqF<G:8+EV:.+Cf>-FD5W8ARlolDIal(DId<j@<?3r@:F%a+D58\'ATD4$Bl@l3De:,-DJs`8ARoFb/0JMK@qB4^F!,R<AKZ&-DfTqBG%G>uD.RTpAKYo\'+CT/5+Cei#DII?(E,9)oF*2M7/c~>')).data).toString()).toBe(
			'Man is distinguished, not only by his reason, but by this singular passion from other animals, which is a lust of the mind, that by a perseverance of delight in the continued and indefatigable generation of knowledge, exceeds the short vehemence of any carnal pleasure.',
		);
		const data = Buffer.from([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]);
		expect(Buffer.from(ascii85Decode(ascii85Encode(data)).data).equals(data)).toBe(true);
		expect(Buffer.from(ascii85Decode(Buffer.from('9jqo^')).data).toString()).toBe('Man ');
	});

	it('decodes ASCIIHex and RunLength', () => {
		expect(Buffer.from(asciiHexDecode(Buffer.from('48 65\n6C6c 6F7>junk')).data).toString()).toBe('Hellop');
		const data = Buffer.from('aaaaaaaaaabcdefggggggggggggggggggggggggggggggggggggggggggh');
		expect(Buffer.from(runLengthDecode(runLengthEncode(data)).data).equals(data)).toBe(true);
		expect(runLengthDecode(Buffer.from([5, 1, 2])).truncated).toBe(true);
	});

	it('undoes PNG predictors (None, Sub, Up, Average, Paeth), including a cut-off last row', () => {
		const width = 50;
		const height = 40;
		const rgb = Buffer.alloc(width * height * 3);
		const random = seededRandom(3);
		for (let i = 0; i < rgb.length; i++) rgb[i] = (i % 150) + Math.floor(random() * 20);
		// Our PNG encoder picks a filter per row; its IDAT is exactly predictor-15 data.
		const png = Buffer.from(encodePng({ width, height, channels: 3, data: rgb, level: 1 }));
		const idat = png.subarray(png.indexOf('IDAT') + 4, png.indexOf('IEND') - 8);
		const filtered = zlib.inflateSync(idat);
		const types = new Set(Array.from({ length: height }, (_, y) => filtered[y * (width * 3 + 1)]));
		expect(types.size).toBeGreaterThan(1);
		const params = { predictor: 15, colors: 3, bitsPerComponent: 8, columns: width };
		expect(Buffer.from(applyPredictor(filtered, params)).equals(rgb)).toBe(true);
		// Average (3) is never chosen by the encoder: check it on a hand-made row.
		const average = applyPredictor(Uint8Array.from([3, 10, 20, 30, 3, 1, 2, 3]), { predictor: 15, colors: 1, bitsPerComponent: 8, columns: 3 });
		expect([...average]).toEqual([10, 25, 42, 6, 17, 32]);
		const cut = applyPredictor(filtered.subarray(0, filtered.length - 10), params);
		expect(cut.length).toBe(rgb.length - 10);
	});
});

describe('parsePageRanges', () => {
	it.each([
		['', 5, [1, 2, 3, 4, 5]],
		['all', 3, [1, 2, 3]],
		['1-3, 5', 6, [1, 2, 3, 5]],
		['2-', 4, [2, 3, 4]],
		['-2', 4, [1, 2]],
		['last', 7, [7]],
		['3-last', 5, [3, 4, 5]],
		['5, 1-2, 2', 5, [5, 1, 2]],
		['1 \u2013 2; 4', 4, [1, 2, 4]],
	])('"%s" of %i pages → %j', (spec, count, pages) => {
		expect(parsePageRanges(spec as string, count as number)).toEqual(pages);
	});

	it.each([
		['0', /numbered from 1/],
		['9', /Page 9 is out of range: the PDF has 5 pages/],
		['4-2', /runs backwards; write 2-4/],
		['a-b', /Invalid page range "a-b"/],
		['1-2-3', /Invalid page range/],
		['-', /Invalid page range "-"/],
		[',', /selects no page/],
	])('refuses "%s"', (spec, message) => {
		try {
			parsePageRanges(spec as string, 5);
			throw new Error('no error');
		} catch (error) {
			expect(error).toBeInstanceOf(PdfError);
			expect((error as PdfError).code).toBe('page-range');
			expect((error as Error).message).toMatch(message as RegExp);
		}
	});
});
