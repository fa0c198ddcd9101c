/**
 * The reader against PDFs made by real tools (test/fixtures/pdf, see make-fixtures.sh). The oracle in
 * expected.json was computed from the source images independently of the reader: the SHA-256 of the JPEG file
 * img2pdf embedded, or of the source image's pixels decoded by ImageMagick to 8-bit RGB.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { scanContent } from '../../../../../nodes/QwenOcr/helpers/pdf/content';
import { collectPages } from '../../../../../nodes/QwenOcr/helpers/pdf/pages';
import { MAX_TEXT_BYTES, PdfError, isPdf, openPdf } from '../../../../../nodes/QwenOcr/helpers/pdf/pdf';
import { PdfFile } from '../../../../../nodes/QwenOcr/helpers/pdf/xref';
import { decodePng } from './pngDecode';

const FIXTURES = path.join(__dirname, '../../../../fixtures/pdf');
const IMAGES = path.join(__dirname, '../../../../fixtures/images');

interface ExpectedPage {
	format?: 'jpeg' | 'png';
	width?: number;
	height?: number;
	sha256?: string;
	rgbSha256?: string;
	tiles?: number;
	error?: string;
	mentions?: string;
}
interface ExpectedFile {
	error?: string;
	repaired?: boolean;
	pages?: ExpectedPage[];
}

const expected: Record<string, ExpectedFile> = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));
const read = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const sha256 = (data: Uint8Array): string => crypto.createHash('sha256').update(data).digest('hex');

function caught(run: () => unknown): PdfError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(PdfError);
		return error as PdfError;
	}
	throw new Error('expected a PdfError');
}

describe('PDF fixtures made with img2pdf, qpdf, Ghostscript and Pillow', () => {
	it('has every fixture small and listed', () => {
		const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.pdf'));
		expect(files.sort()).toEqual(Object.keys(expected).sort());
		let total = 0;
		for (const file of files) {
			const size = fs.statSync(path.join(FIXTURES, file)).size;
			expect(size).toBeLessThan(100_000);
			total += size;
		}
		expect(total).toBeLessThan(600_000);
	});

	describe.each(Object.entries(expected))('%s', (name, file) => {
		it('is recognised as a PDF', () => {
			expect(isPdf(read(name))).toBe(true);
		});

		if (file.error) {
			it(`fails to open with ${file.error}`, () => {
				expect(caught(() => openPdf(read(name))).code).toBe(file.error);
			});
			return;
		}

		it(`has ${file.pages!.length} page(s)${file.repaired ? ' after repair' : ''}`, () => {
			const doc = openPdf(read(name));
			expect(doc.pageCount).toBe(file.pages!.length);
			expect(doc.repaired).toBe(file.repaired ?? false);
		});

		file.pages!.forEach((page, index) => {
			const number = index + 1;
			if (page.error) {
				it(`page ${number} is refused with ${page.error}`, () => {
					const error = caught(() => openPdf(read(name)).extractPageImage(number));
					expect(error.code).toBe(page.error);
					expect(error.page).toBe(number);
					expect(error.message).toContain(`Page ${number}`);
					if (page.mentions) expect(error.message).toContain(page.mentions);
				});
				return;
			}
			it(`page ${number} gives the original ${page.format === 'jpeg' ? 'JPEG bytes' : 'pixels'}`, () => {
				const image = openPdf(read(name)).extractPageImage(number);
				expect(image).toMatchObject({ format: page.format, width: page.width, height: page.height, page: number, truncated: false });
				expect(image.tiles).toBe(page.tiles ?? 1);
				if (page.format === 'jpeg') {
					expect(sha256(image.data)).toBe(page.sha256);
				} else {
					const png = decodePng(image.data);
					expect([png.width, png.height]).toEqual([page.width, page.height]);
					expect(sha256(png.rgb)).toBe(page.rgbSha256);
				}
			});
		});
	});
});

describe('what the fixtures show about the reader', () => {
	it('passes img2pdf JPEG pages through byte for byte', () => {
		const image = openPdf(read('scan-jpeg.pdf')).extractPageImage(1);
		expect(Buffer.from(image.data).equals(fs.readFileSync(path.join(IMAGES, 'receipt.jpg')))).toBe(true);
		expect(image.rotate).toBe(0);
	});

	it('keeps palette images as indexed PNGs and bilevel images as 1-bit PNGs', () => {
		const invoice = decodePng(openPdf(read('multipage.pdf')).extractPageImage(1).data);
		expect(invoice).toMatchObject({ colorType: 3, bitDepth: 8 });
		const bilevel = decodePng(openPdf(read('bilevel.pdf')).extractPageImage(1).data);
		expect(bilevel).toMatchObject({ colorType: 0, bitDepth: 1 });
		const gray16 = decodePng(openPdf(read('gray16.pdf')).extractPageImage(1).data);
		expect(gray16).toMatchObject({ colorType: 0, bitDepth: 8 });
	});

	it('reads object streams and cross-reference streams (qpdf --object-streams=generate)', () => {
		const text = Buffer.from(read('objstm.pdf')).toString('latin1');
		expect(text).toContain('/Type /XRef');
		expect(text).toContain('/Type /ObjStm');
		expect(text).not.toMatch(/^xref/m);
		expect(openPdf(read('objstm.pdf')).pageCount).toBe(3);
	});

	it('refuses encrypted files with a clear message', () => {
		const error = caught(() => openPdf(read('encrypted.pdf')));
		expect(error.message).toBe('The PDF is encrypted (password-protected); remove the password first');
		expect(error.code).toBe('encrypted');
	});

	it('refuses born-digital pages with advice, page by page', () => {
		const doc = openPdf(read('mixed.pdf'));
		expect(doc.extractPageImage(1).format).toBe('jpeg');
		const error = caught(() => doc.extractPageImage(2));
		expect(error).toMatchObject({ code: 'born-digital', page: 2 });
		expect(error.message).toMatch(/Page 2 is not a scanned image: it contains text/);
		expect(error.message).toMatch(/PDF-to-image/);
	});

	it('treats a scan with an invisible OCR text layer (render mode 3) as a scan', () => {
		const file = new PdfFile(read('ocr-layer.pdf'));
		const [page] = collectPages(file);
		// The text layer is there (more than the born-digital limit), but drawn invisibly.
		const summary = scanContent(file, page.dict.get('Contents'), page.resources);
		expect(summary.images).toHaveLength(1);
		expect(summary.textBytes).toBe(0);
		expect(summary.hiddenTextBytes).toBeGreaterThan(MAX_TEXT_BYTES);
		expect(openPdf(read('ocr-layer.pdf')).extractPageImage(1).format).toBe('png');
	});

	it('joins Flate strips into one image and refuses JPEG strips', () => {
		expect(openPdf(read('strips.pdf')).extractPageImage(1)).toMatchObject({ tiles: 3, width: 800, height: 600 });
		const error = caught(() => openPdf(read('jpeg-strips.pdf')).extractPageImage(1));
		expect(error.message).toMatch(/3 image strips that cannot be joined into one \(they are JPEG images\)/);
	});

	it('names the codec and the page for JPEG 2000 and CCITT images', () => {
		expect(caught(() => openPdf(read('jpx.pdf')).extractPageImage(1)).message).toMatch(
			/^Page 1: The scanned image is compressed as JPEG 2000 \(JPXDecode\).*PNG or JPEG/,
		);
		expect(caught(() => openPdf(read('ccitt.pdf')).extractPageImage(1)).message).toMatch(/CCITT fax \(CCITTFaxDecode\)/);
	});

	it('passes CMYK JPEGs through unchanged', () => {
		const image = openPdf(read('cmyk-jpeg.pdf')).extractPageImage(1);
		expect(image.format).toBe('jpeg');
		expect(image.data[0]).toBe(0xff);
	});

	it('recovers from a broken xref by scanning for objects', () => {
		expect(openPdf(read('gray-flate.pdf')).repaired).toBe(false);
		const doc = openPdf(read('broken-xref.pdf'));
		expect(doc.repaired).toBe(true);
		expect(sha256(decodePng(doc.extractPageImage(1).data).rgb)).toBe(expected['gray-flate.pdf'].pages![0].rgbSha256);
	});

	it('takes the newest definition from an incremental update', () => {
		const updated = read('incremental.pdf');
		const image = openPdf(updated).extractPageImage(1);
		expect(image.format).toBe('jpeg');
		expect(openPdf(updated).repaired).toBe(false);
		// Cut back to the original revision, the old image is there.
		const original = read('gray-flate.pdf');
		expect(Buffer.from(updated.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
		expect(openPdf(updated.subarray(0, original.length)).extractPageImage(1).format).toBe('png');
	});

	it('reads a palette image whose lookup table is shorter than its /hival (as Pillow writes it)', () => {
		const text = Buffer.from(read('indexed-hex.pdf')).toString('latin1');
		expect(text).toContain('/ASCIIHexDecode');
		expect(text).toMatch(/\/Indexed \/DeviceRGB 255 <[0-9A-F]{60}>/);
	});
});
