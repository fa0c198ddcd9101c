/** The reader against synthetic PDFs covering structures and encodings the fixtures don't. */
import { readFileSync } from 'fs';
import path from 'path';
import * as zlib from 'zlib';

import { PdfError, isPdf, openPdf } from '../../../../../nodes/QwenOcr/helpers/pdf/pdf';
import { lzwEncode, ascii85Encode, runLengthEncode } from './encoders';
import { PdfBuilder, addPages, grayPixels, grayToRgb } from './pdfBuilder';
import { decodePng } from './pngDecode';

const W = 40;
const H = 30;
const GRAY = grayPixels(W, H);
const FULL_PAGE = 'q 200 0 0 100 0 0 cm /Im0 Do Q';

function caught(run: () => unknown): PdfError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(PdfError);
		return error as PdfError;
	}
	throw new Error('expected a PdfError');
}

/** A one-page PDF whose page shows image `imageDict`+`data` with `content` (full page by default). */
function onePage(imageDict: string, data: Buffer, options: { content?: string; xref?: 'table' | 'stream' | 'hybrid' | 'none'; extra?: string } = {}): Buffer {
	const b = new PdfBuilder();
	const image = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image ${imageDict}`, data));
	const root = addPages(b, [{ content: options.content ?? FULL_PAGE, images: { Im0: image }, extra: options.extra }]);
	return b.build(root, options.xref ?? 'table');
}

const grayDict = `/Width ${W} /Height ${H} /ColorSpace /DeviceGray /BitsPerComponent 8`;

function rgbOf(pdf: Buffer, page = 1): Buffer {
	const image = openPdf(pdf).extractPageImage(page);
	expect(image.format).toBe('png');
	return decodePng(image.data).rgb;
}

describe('file structure', () => {
	it.each(['table', 'stream', 'hybrid'] as const)('reads a %s xref with the page dictionaries in an object stream', (xref) => {
		const b = new PdfBuilder();
		const image = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image ${grayDict} /Filter /FlateDecode`, zlib.deflateSync(GRAY)));
		const root = addPages(b, [{ content: FULL_PAGE, images: { Im0: image } }]);
		// Page tree, page and catalog go into the object stream (streams themselves cannot).
		if (xref !== 'table') for (const num of [2, 4, root]) b.compressed.add(num);
		const pdf = b.build(root, xref);
		if (xref === 'hybrid') expect(pdf.toString('latin1')).toMatch(/\/XRefStm \d+/);
		const doc = openPdf(pdf);
		expect(doc.repaired).toBe(false);
		expect(rgbOf(pdf).equals(grayToRgb(GRAY))).toBe(true);
	});

	it('rebuilds a missing xref and trailer by scanning for objects and the catalog', () => {
		const pdf = onePage(grayDict, GRAY, { xref: 'none' });
		const doc = openPdf(pdf);
		expect(doc.repaired).toBe(true);
		expect(rgbOf(pdf).equals(grayToRgb(GRAY))).toBe(true);
		// Without any trailer, the /Type /Catalog object is found by scanning.
		const bare = pdf.subarray(0, pdf.lastIndexOf('trailer'));
		expect(openPdf(bare).pageCount).toBe(1);
	});

	it('reads files with junk before the header whose offsets count from %PDF-', () => {
		const pdf = Buffer.concat([Buffer.from('garbage from a mail gateway\n'.repeat(4)), onePage(grayDict, GRAY)]);
		expect(isPdf(pdf)).toBe(true);
		const doc = openPdf(pdf);
		expect(doc.repaired).toBe(false);
		expect(rgbOf(pdf).equals(grayToRgb(GRAY))).toBe(true);
	});

	it('takes the newest object and trailer along /Prev chains', () => {
		const b = new PdfBuilder();
		const image = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image ${grayDict}`, GRAY));
		const root = addPages(b, [{ content: FULL_PAGE, images: { Im0: image } }]);
		const base = b.build(root);
		const startxref = Number(/startxref\n(\d+)/.exec(base.toString('latin1'))![1]);
		const inverted = Buffer.from(GRAY.map((v) => 255 - v));
		const update1 = Buffer.concat([Buffer.from(`${image} 0 obj\n`), PdfBuilder.stream(`/Type /XObject /Subtype /Image ${grayDict}`, inverted), Buffer.from('\nendobj\n')]);
		const objectOffset = base.length;
		const xrefOffset = objectOffset + update1.length;
		const tail = `xref\n${image} 1\n${String(objectOffset).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${image + 10} /Root ${root} 0 R /Prev ${startxref} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
		const pdf = Buffer.concat([base, update1, Buffer.from(tail)]);
		expect(rgbOf(pdf).equals(grayToRgb(inverted))).toBe(true);
		expect(openPdf(pdf).repaired).toBe(false);
	});

	it('refuses encrypted files, whatever the xref kind', () => {
		const b = new PdfBuilder();
		const root = addPages(b, [{ content: '' }]);
		const enc = b.add('<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>');
		for (const xref of ['table', 'stream', 'none'] as const) {
			const error = caught(() => openPdf(b.build(root, xref, `/Encrypt ${enc} 0 R`)));
			expect(error.code).toBe('encrypted');
			expect(error.message).toBe('The PDF is encrypted (password-protected); remove the password first');
		}
	});

	it('rejects non-PDFs and PDFs without pages', () => {
		expect(isPdf(Buffer.from('hello'))).toBe(false);
		expect(caught(() => openPdf(Buffer.from('GIF89a...'))).code).toBe('not-pdf');
		expect(caught(() => openPdf(Buffer.from('%PDF-1.4\n%%EOF\n'))).code).toBe('no-pages');
		// %PDF- may come after up to 1 KB of junk, not later.
		expect(isPdf(Buffer.concat([Buffer.alloc(2000, 0x20), Buffer.from('%PDF-1.4')]))).toBe(false);
	});

	it('inherits Resources, MediaBox and Rotate from the page tree and survives a cyclic tree', () => {
		const b = new PdfBuilder();
		const image = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image ${grayDict}`, GRAY));
		const content = b.add(PdfBuilder.stream('', Buffer.from('q 300 0 0 300 0 0 cm /Im0 Do Q')));
		const tree = b.reserve();
		const mid = b.reserve();
		const page = b.add(`<< /Type /Page /Parent ${mid} 0 R /Contents ${content} 0 R >>`);
		// The middle node lists itself and the root as kids too: both must be skipped.
		b.set(mid, `<< /Type /Pages /Parent ${tree} 0 R /Kids [${page} 0 R ${mid} 0 R ${tree} 0 R] /Count 1 /Rotate 90 >>`);
		b.set(tree, `<< /Type /Pages /Kids [${mid} 0 R] /Count 1 /MediaBox [0 0 300 300] /Resources << /XObject << /Im0 ${image} 0 R >> >> >>`);
		const root = b.add(`<< /Type /Catalog /Pages ${tree} 0 R >>`);
		const doc = openPdf(b.build(root));
		expect(doc.pageCount).toBe(1);
		// The page is shown turned 90 degrees: the PNG is turned upright (width and height swap).
		expect(doc.extractPageImage(1)).toMatchObject({ format: 'png', rotate: 0, turned: 90, width: H, height: W });
		expect(caught(() => doc.extractPageImage(2)).code).toBe('page-range');
	});

	it('reads indirect, wrong and missing stream lengths', () => {
		const b = new PdfBuilder();
		const length = b.add(String(GRAY.length));
		const image = b.add(Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image ${grayDict} /Length ${length} 0 R >>\nstream\n`), GRAY, Buffer.from('\nendstream')]));
		const wrong = b.add(Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image ${grayDict} /Length 17 >>\nstream\r\n`), GRAY, Buffer.from('\r\nendstream')]));
		const root = addPages(b, [
			{ content: FULL_PAGE, images: { Im0: image } },
			{ content: FULL_PAGE, images: { Im0: wrong } },
		]);
		const pdf = b.build(root);
		expect(rgbOf(pdf, 1).equals(grayToRgb(GRAY))).toBe(true);
		expect(rgbOf(pdf, 2).equals(grayToRgb(GRAY))).toBe(true);
	});
});

describe('image encodings', () => {
	it('decodes filter chains: ASCII85 + Flate, LZW, RunLength, ASCIIHex', () => {
		const cases: [string, Buffer][] = [
			['/Filter [/ASCII85Decode /FlateDecode]', ascii85Encode(zlib.deflateSync(GRAY))],
			['/Filter /LZWDecode', lzwEncode(GRAY)],
			['/Filter /LZWDecode /DecodeParms << /EarlyChange 1 >>', lzwEncode(GRAY)],
			['/Filter /RunLengthDecode', runLengthEncode(GRAY)],
			['/Filter /ASCIIHexDecode', Buffer.from(GRAY.toString('hex').toUpperCase() + '>')],
			['/Filter [/FlateDecode] /DecodeParms [null]', zlib.deflateSync(GRAY)],
			// Raw DEFLATE without the zlib header, which some writers produce.
			['/Filter /FlateDecode', zlib.deflateRawSync(GRAY)],
		];
		for (const [filter, data] of cases) {
			expect(rgbOf(onePage(`${grayDict} ${filter}`, data)).equals(grayToRgb(GRAY))).toBe(true);
		}
	});

	it('undoes TIFF predictor 2 on RGB and 16-bit RGB samples', () => {
		const rgb = Buffer.alloc(W * H * 3);
		for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 13) & 0xff;
		const diff = Buffer.alloc(rgb.length);
		for (let y = 0; y < H; y++) {
			for (let i = 0; i < W * 3; i++) {
				const at = y * W * 3 + i;
				diff[at] = i < 3 ? rgb[at] : (rgb[at] - rgb[at - 3]) & 0xff;
			}
		}
		const dict = `/Width ${W} /Height ${H} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 2 /Colors 3 /Columns ${W} >>`;
		expect(rgbOf(onePage(dict, zlib.deflateSync(diff))).equals(rgb)).toBe(true);
		// 16 bits: the high byte of each sample is kept.
		const wide = Buffer.alloc(W * H * 6);
		for (let i = 0; i < rgb.length; i++) wide.writeUInt16BE(rgb[i] * 257, i * 2);
		const dict16 = `/Width ${W} /Height ${H} /ColorSpace /DeviceRGB /BitsPerComponent 16`;
		expect(rgbOf(onePage(dict16, wide)).equals(rgb)).toBe(true);
	});

	it('converts CMYK, ICCBased, Separation and inverted gray (/Decode [1 0])', () => {
		const cmyk = Buffer.from([0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 0, 128, 255, 0]);
		const cmykRgb = decodePng(openPdf(onePage('/Width 4 /Height 1 /ColorSpace /DeviceCMYK /BitsPerComponent 8', cmyk)).extractPageImage(1).data).rgb;
		expect([...cmykRgb]).toEqual([255, 255, 255, 0, 255, 255, 0, 0, 0, 255, 127, 0]);

		const b = new PdfBuilder();
		const icc = b.add(PdfBuilder.stream('/N 1 /Alternate /DeviceGray', Buffer.from('not a real profile')));
		const image = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image /Width ${W} /Height ${H} /ColorSpace [/ICCBased ${icc} 0 R] /BitsPerComponent 8`, GRAY));
		expect(rgbOf(b.build(addPages(b, [{ content: FULL_PAGE, images: { Im0: image } }]))).equals(grayToRgb(GRAY))).toBe(true);

		const inverted = grayToRgb(Buffer.from(GRAY.map((v) => 255 - v)));
		expect(rgbOf(onePage(`${grayDict} /Decode [1 0]`, GRAY)).equals(inverted)).toBe(true);
		const separation = `/Width ${W} /Height ${H} /ColorSpace [/Separation /Black /DeviceGray null] /BitsPerComponent 8`;
		expect(rgbOf(onePage(separation, GRAY)).equals(inverted)).toBe(true);
	});

	it('makes indexed PNGs from /Indexed images with a lookup stream and 4-bit indexes', () => {
		const b = new PdfBuilder();
		const palette = Buffer.from([255, 255, 255, 200, 0, 0, 0, 0, 200, 0, 0, 0]);
		const lookup = b.add(PdfBuilder.stream('/Filter /FlateDecode', zlib.deflateSync(palette)));
		const rowBytes = Math.ceil(W / 2);
		const data = Buffer.alloc(rowBytes * H);
		const expected = Buffer.alloc(W * H * 3);
		for (let y = 0; y < H; y++) {
			for (let x = 0; x < W; x++) {
				const index = (x + y) % 4;
				data[y * rowBytes + (x >> 1)] |= index << (x & 1 ? 0 : 4);
				palette.copy(expected, (y * W + x) * 3, index * 3, index * 3 + 3);
			}
		}
		const image = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image /Width ${W} /Height ${H} /ColorSpace [/Indexed /DeviceRGB 3 ${lookup} 0 R] /BitsPerComponent 4`, data));
		const pdf = b.build(addPages(b, [{ content: FULL_PAGE, images: { Im0: image } }]));
		const png = decodePng(openPdf(pdf).extractPageImage(1).data);
		expect(png).toMatchObject({ colorType: 3, bitDepth: 4 });
		expect(png.rgb.equals(expected)).toBe(true);
	});

	it('keeps image masks and 1-bit gray as 1-bit PNGs (0 = black), honouring /Decode', () => {
		const rowBytes = Math.ceil(W / 8);
		const bits = Buffer.alloc(rowBytes * H);
		for (let i = 0; i < bits.length; i++) bits[i] = i % 3 ? 0xf0 : 0x0f;
		const expectBits = (rgb: Buffer, invert: boolean): void => {
			for (let y = 0; y < H; y++) {
				for (let x = 0; x < W; x++) {
					const bit = (bits[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
					expect(rgb[(y * W + x) * 3]).toBe((bit ^ (invert ? 1 : 0)) * 255);
				}
			}
		};
		const mask = `/Width ${W} /Height ${H} /ImageMask true`;
		expectBits(rgbOf(onePage(mask, bits)), false);
		expectBits(rgbOf(onePage(`${mask} /Decode [1 0]`, bits)), true);
		const gray1 = `/Width ${W} /Height ${H} /ColorSpace /DeviceGray /BitsPerComponent 1`;
		expectBits(rgbOf(onePage(gray1, bits)), false);
		expect(decodePng(openPdf(onePage(gray1, bits)).extractPageImage(1).data).bitDepth).toBe(1);
	});

	it('pads a truncated image with white and says so; refuses corrupt data with the page number', () => {
		const cut = zlib.deflateSync(GRAY).subarray(0, 200);
		const image = openPdf(onePage(`${grayDict} /Filter /FlateDecode`, cut)).extractPageImage(1);
		expect(image.truncated).toBe(true);
		const rgb = decodePng(image.data).rgb;
		expect(rgb[rgb.length - 1]).toBe(255);
		const corrupt = Buffer.from(zlib.deflateSync(GRAY));
		corrupt.fill(0xff, 10, 30);
		const error = caught(() => openPdf(onePage(`${grayDict} /Filter /FlateDecode`, corrupt)).extractPageImage(1));
		expect(error).toMatchObject({ code: 'corrupt', page: 1 });
		expect(error.message).toMatch(/^Page 1: Damaged compressed data/);
	});

	it('passes DCT images through even after another filter', () => {
		const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 30, 0, 40, 1, 1, 0x11, 0, 0xff, 0xd9]);
		const image = openPdf(onePage(`${grayDict} /Filter [/ASCIIHexDecode /DCTDecode]`, Buffer.from(jpeg.toString('hex') + '>'))).extractPageImage(1);
		expect(image).toMatchObject({ format: 'jpeg', width: 40, height: 30 });
		expect(Buffer.from(image.data).equals(jpeg)).toBe(true);
	});
});

describe('which pages are scans', () => {
	it('reads inline images (BI ... ID ... EI) with abbreviated keys', () => {
		const hex = GRAY.toString('hex');
		const content = `q 200 0 0 100 0 0 cm BI /W ${W} /H ${H} /CS /G /BPC 8 /F /AHx ID ${hex}> EI Q`;
		expect(rgbOf(onePage(grayDict, Buffer.alloc(0), { content: content })).equals(grayToRgb(GRAY))).toBe(true);
		// Unfiltered inline data may contain "EI": its length is known from the dictionary.
		const tricky = Buffer.from(GRAY);
		tricky.write(' EI ', 100, 'latin1');
		const pdf = (() => {
			const b = new PdfBuilder();
			const stream = Buffer.concat([Buffer.from(`q 200 0 0 100 0 0 cm BI /W ${W} /H ${H} /CS /G /BPC 8 ID `), tricky, Buffer.from(' EI Q')]);
			const contentNum = b.add(PdfBuilder.stream('', stream));
			const tree = b.reserve();
			const page = b.add(`<< /Type /Page /Parent ${tree} 0 R /MediaBox [0 0 200 100] /Contents ${contentNum} 0 R >>`);
			b.set(tree, `<< /Type /Pages /Kids [${page} 0 R] /Count 1 >>`);
			return b.build(b.add(`<< /Type /Catalog /Pages ${tree} 0 R >>`));
		})();
		expect(rgbOf(pdf).equals(grayToRgb(tricky))).toBe(true);
	});

	it('follows Form XObjects with their /Matrix, two levels deep', () => {
		const b = new PdfBuilder();
		const image = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image ${grayDict}`, GRAY));
		const inner = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /Im0 ${image} 0 R >> >>`, Buffer.from('/Im0 Do')));
		const outer = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Form /BBox [0 0 200 100] /Matrix [200 0 0 100 0 0] /Resources << /XObject << /Fm1 ${inner} 0 R >> >>`, Buffer.from('q /Fm1 Do Q')));
		const pdf = b.build(addPages(b, [{ content: 'q /Fm0 Do Q', images: { Fm0: outer } }]));
		expect(rgbOf(pdf).equals(grayToRgb(GRAY))).toBe(true);
	});

	it('turns a rotated page upright before encoding (image matrix and /Rotate), pixel for pixel', () => {
		// Image drawn turned: its top edge faces right on the page (90 degrees clockwise).
		const turned = 'q 0 -200 100 0 0 200 cm /Im0 Do Q';
		const image = openPdf(onePage(grayDict, GRAY, { content: turned, extra: '/MediaBox [0 0 100 200]' })).extractPageImage(1);
		expect(image).toMatchObject({ rotate: 0, turned: 90, width: H, height: W, warnings: [] });
		// Turned 90 degrees clockwise: output (x, y) is source (y, H - 1 - x).
		const expected90 = Buffer.alloc(W * H);
		for (let y = 0; y < W; y++) for (let x = 0; x < H; x++) expected90[y * H + x] = GRAY[(H - 1 - x) * W + y];
		expect(decodePng(Buffer.from(image.data)).rgb.equals(grayToRgb(expected90))).toBe(true);
		const upsideDown = 'q -200 0 0 -100 200 100 cm /Im0 Do Q';
		const turned270 = openPdf(onePage(grayDict, GRAY, { content: upsideDown, extra: '/Rotate 90' })).extractPageImage(1);
		expect(turned270).toMatchObject({ rotate: 0, turned: 270, width: H, height: W });
		const expected270 = Buffer.alloc(W * H);
		for (let y = 0; y < W; y++) for (let x = 0; x < H; x++) expected270[y * H + x] = GRAY[x * W + (W - 1 - y)];
		expect(decodePng(Buffer.from(turned270.data)).rgb.equals(grayToRgb(expected270))).toBe(true);
		const half = openPdf(onePage(grayDict, GRAY, { extra: '/Rotate 180' })).extractPageImage(1);
		expect(decodePng(Buffer.from(half.data)).rgb.equals(grayToRgb(Buffer.from(GRAY).reverse()))).toBe(true);
	});

	it('keeps the turn of a JPEG page (passed through) for the request to correct', () => {
		const jpeg = readFileSync(path.join(__dirname, '../../../../fixtures/images/receipt.jpg'));
		const dict = '/Width 320 /Height 370 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode';
		const image = openPdf(onePage(dict, jpeg, { extra: '/Rotate 270' })).extractPageImage(1);
		expect(image).toMatchObject({ format: 'jpeg', rotate: 270, turned: 0 });
		expect(Buffer.from(image.data).equals(jpeg)).toBe(true);
	});

	it('refuses visible text over the image, allows a few characters and text hidden under it', () => {
		const text = (s: string): string => `BT /F1 12 Tf 10 10 Td (${s}) Tj ET`;
		const long = 'This line is real text drawn on top of the scanned image.';
		const over = onePage(grayDict, GRAY, { content: `${FULL_PAGE} ${text(long)}` });
		expect(caught(() => openPdf(over).extractPageImage(1))).toMatchObject({ code: 'born-digital', page: 1 });
		expect(openPdf(onePage(grayDict, GRAY, { content: `${FULL_PAGE} ${text('Page 12')}` })).extractPageImage(1).format).toBe('png');
		// Text painted before an opaque full-page image is hidden by it (old "image over text" searchable PDFs).
		expect(openPdf(onePage(grayDict, GRAY, { content: `${text(long)} ${FULL_PAGE}` })).extractPageImage(1).format).toBe('png');
		// TJ arrays count too; invisible text (3 Tr) does not.
		const tj = `BT [(${long}) -250 (${long})] TJ ET`;
		expect(caught(() => openPdf(onePage(grayDict, GRAY, { content: `${FULL_PAGE} ${tj}` })).extractPageImage(1)).code).toBe('born-digital');
		expect(openPdf(onePage(grayDict, GRAY, { content: `${FULL_PAGE} BT 3 Tr ${tj.slice(3)}` })).extractPageImage(1).format).toBe('png');
	});

	it('refuses pages with many vector paths, and says blank pages have no image', () => {
		const paths = Array.from({ length: 30 }, (_, i) => `${i} 0 m ${i} 50 l S`).join(' ');
		expect(caught(() => openPdf(onePage(grayDict, GRAY, { content: `${FULL_PAGE} ${paths}` })).extractPageImage(1)).message).toMatch(
			/vector drawings/,
		);
		const blank = caught(() => openPdf(onePage(grayDict, GRAY, { content: '' })).extractPageImage(1));
		expect(blank).toMatchObject({ code: 'no-image', page: 1 });
		// A content stream that cannot be decoded is damage, not a blank page.
		const b = new PdfBuilder();
		const content = b.add(PdfBuilder.stream('/Filter /FlateDecode', Buffer.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff])));
		const tree = b.reserve();
		const page = b.add(`<< /Type /Page /Parent ${tree} 0 R /Contents ${content} 0 R >>`);
		b.set(tree, `<< /Type /Pages /Kids [${page} 0 R] /Count 1 >>`);
		const damaged = caught(() => openPdf(b.build(b.add(`<< /Type /Catalog /Pages ${tree} 0 R >>`))).extractPageImage(1));
		expect(damaged).toMatchObject({ code: 'corrupt', page: 1 });
		// A short line of text and no image is not blank: it is born-digital.
		const short = caught(() => openPdf(onePage(grayDict, GRAY, { content: 'BT (Draft v2) Tj ET' })).extractPageImage(1));
		expect(short).toMatchObject({ code: 'born-digital', page: 1 });
	});

	it('uses a lone image that does not fill the page, but refuses several loose images', () => {
		const small = 'q 60 0 0 40 70 30 cm /Im0 Do Q';
		expect(openPdf(onePage(grayDict, GRAY, { content: small })).extractPageImage(1).format).toBe('png');
		const b = new PdfBuilder();
		const a = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image ${grayDict}`, GRAY));
		const c = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image ${grayDict}`, GRAY));
		// Side by side: together they cover the page, but they are not one column of strips.
		const content = 'q 100 0 0 100 0 0 cm /A Do Q q 100 0 0 100 100 0 cm /B Do Q';
		const pdf = b.build(addPages(b, [{ content, images: { A: a, B: c } }]));
		expect(caught(() => openPdf(pdf).extractPageImage(1))).toMatchObject({ code: 'tiled' });
	});

	it('takes the text mask of layered (MRC) pages: a picture background under a 1-bit stencil', () => {
		const b = new PdfBuilder();
		const background = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image ${grayDict}`, GRAY));
		const bits = Buffer.alloc(Math.ceil(W / 8) * H, 0x0f);
		const mask = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image /Width ${W} /Height ${H} /ImageMask true`, bits));
		const content = `${FULL_PAGE.replace('Im0', 'Bg')} 0 g q 200 0 0 100 0 0 cm /Fg Do Q`;
		const image = openPdf(b.build(addPages(b, [{ content, images: { Bg: background, Fg: mask } }]))).extractPageImage(1);
		expect(decodePng(image.data)).toMatchObject({ bitDepth: 1, colorType: 0 });
	});

	it('joins vertical strips top to bottom whatever their drawing order', () => {
		const b = new PdfBuilder();
		const strips = [0, 1, 2].map((k) => b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image /Width ${W} /Height 10 /ColorSpace /DeviceGray /BitsPerComponent 8`, GRAY.subarray(k * W * 10, (k + 1) * W * 10))));
		// Bottom strip first.
		const content = 'q 200 0 0 33.4 0 0 cm /S2 Do Q q 200 0 0 33.3 0 66.7 cm /S0 Do Q q 200 0 0 33.3 0 33.4 cm /S1 Do Q';
		const pdf = b.build(addPages(b, [{ content, images: { S0: strips[0], S1: strips[1], S2: strips[2] } }]));
		const image = openPdf(pdf).extractPageImage(1);
		expect(image).toMatchObject({ tiles: 3, width: W, height: H });
		expect(decodePng(image.data).rgb.equals(grayToRgb(GRAY))).toBe(true);
	});
});
