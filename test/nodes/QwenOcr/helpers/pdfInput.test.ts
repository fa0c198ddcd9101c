/** Scanned PDFs and several files per item, through the engine against the emulator. */
import { readFileSync } from 'fs';
import path from 'path';
import type { IDataObject } from 'n8n-workflow';

import { binaryItem, fixture, generationRequests, runQwenOcr, truth, useEmulator } from '../../../engine/qwenOcr';
import { bytesItem } from '../../../engine/images';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { makeJpegPdf } = require('../../../engine/pdf') as { makeJpegPdf: (jpeg: Buffer, width: number, height: number, pages: number) => Buffer };

const emulator = useEmulator();

const pdf = (name: string) => readFileSync(path.join(__dirname, '../../../fixtures/pdf', name));
const pdfItem = (name: string) => bytesItem(pdf(name), name, 'application/pdf');
const meta = (item: { json: IDataObject }) => item.json._qwenOcr as IDataObject;

describe('PDF input', () => {
	it('perPage: one item per page with page and pageCount, each page sent as its real image format', async () => {
		const { items, error } = await runQwenOcr(emulator, { operation: 'textRecognition' }, [pdfItem('multipage.pdf')]);
		expect(error).toBeUndefined();
		expect(items.map((item) => [item.json.page, item.json.pageCount])).toEqual([[1, 3], [2, 3], [3, 3]]);
		expect(items.map((item) => item.json.text)).toEqual([truth('invoice.png').text, truth('table.png').text, truth('receipt.jpg').text]);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		expect(items.map((item) => meta(item).page)).toEqual([1, 2, 3]);
		const sent = generationRequests(emulator).map((request) => request.images?.[0]);
		expect(sent.map((image) => image?.sniffedFormat).sort()).toEqual(['jpeg', 'png', 'png']);
		// The JPEG page is the scan's own bytes, passed through unchanged.
		const jpegRequest = generationRequests(emulator).find((request) => request.images?.[0]?.sniffedFormat === 'jpeg');
		const dataUrl = (jpegRequest?.body.input as any).messages[0].content[0].image as string;
		expect(Buffer.from(dataUrl.split(',')[1], 'base64').equals(fixture('receipt.jpg'))).toBe(true);
	});

	it('a 20-page scan runs in page order with the right page numbers, each page its own request', async () => {
		const scan = makeJpegPdf(fixture('receipt.jpg'), 320, 370, 20);
		const { items, error } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { concurrency: 4 } }, [bytesItem(scan, 'scan.pdf', 'application/pdf')]);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.page)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
		expect(items.every((item) => item.json.pageCount === 20 && item.json.text === truth('receipt.jpg').text)).toBe(true);
		expect(generationRequests(emulator)).toHaveLength(20);
		expect(emulator.stats.maxInFlight).toBeLessThanOrEqual(4);
	});

	it('pages and maxPages select pages', async () => {
		const some = await runQwenOcr(emulator, { operation: 'textRecognition', options: { pages: '3, 1' } }, [pdfItem('multipage.pdf')]);
		expect(some.items.map((item) => item.json.page)).toEqual([3, 1]);
		const capped = await runQwenOcr(emulator, { operation: 'textRecognition', options: { maxPages: 2 } }, [pdfItem('multipage.pdf')]);
		expect(capped.items.map((item) => item.json.page)).toEqual([1, 2]);
		const bad = await runQwenOcr(emulator, { operation: 'textRecognition', options: { pages: '7' } }, [pdfItem('multipage.pdf')]);
		expect(bad.error?.message).toMatch(/^Item 0: .*Page 7 is out of range: the PDF has 3 pages/);
		expect(bad.error?.description).toMatch(/Pages option/);
	});

	it('perDocument: one item, text joined, pages kept, usage added up', async () => {
		const { items } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { pdfOutput: 'perDocument' } }, [pdfItem('multipage.pdf')]);
		expect(items).toHaveLength(1);
		const json = items[0].json;
		expect(json.text).toBe([truth('invoice.png').text, truth('table.png').text, truth('receipt.jpg').text].join('\n\n'));
		expect((json.pages as IDataObject[]).map((page) => page.page)).toEqual([1, 2, 3]);
		expect(json.pageCount).toBe(3);
		expect(meta(items[0]).pages).toEqual([1, 2, 3]);
		expect((meta(items[0]).requestId as string[]).length).toBe(3);
		const usage = meta(items[0]).usage as IDataObject;
		const perRequest = emulator.requests.filter((request) => request.status === 200).length;
		expect(perRequest).toBe(3);
		expect(usage.image_tokens).toBe(meta(items[0]).estimatedImageTokens);
	});

	it('perDocument KIE: first non-null per field, line items concatenated, validated once', async () => {
		emulator.enqueueFaults([
			{ answer: { text: '', ocrResult: { kv_result: { invoice_number: 'INV-7', total: null, items: [{ amount: '1.00' }] } } } },
			{ answer: { text: '', ocrResult: { kv_result: { invoice_number: 'INV-7', total: null, items: [{ amount: '2.00' }] } } } },
			{ answer: { text: '', ocrResult: { kv_result: { invoice_number: null, total: '3.00', items: [] } } } },
		]);
		const schemaFields = { fields: [{ key: 'invoice_number', description: '', type: 'string', required: true }, { key: 'total', description: '', type: 'amount', required: true }, { key: 'items[].amount', description: '', type: 'amount' }] };
		const { items } = await runQwenOcr(emulator, { operation: 'keyInformationExtraction', schemaFields, options: { pdfOutput: 'perDocument', concurrency: 1 } }, [pdfItem('multipage.pdf')]);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ invoice_number: 'INV-7', total: 3, items: [{ amount: 1 }, { amount: 2 }], pageCount: 3 });
		expect(meta(items[0]).validation).toEqual({ valid: true, missing: [], invalid: [] });
	});

	it('a born-digital page is a clear per-page error; continueOnFail keeps the scanned page', async () => {
		const failed = await runQwenOcr(emulator, { operation: 'textRecognition' }, [pdfItem('mixed.pdf')]);
		expect(failed.error?.message).toMatch(/^Item 0: the PDF in binary property "data": Page 2 is not a scanned image/);
		expect(failed.error?.description).toMatch(/PDF-to-image/);
		const kept = await runQwenOcr(emulator, { operation: 'textRecognition' }, [pdfItem('mixed.pdf')], { continueOnFail: true });
		expect(kept.items).toHaveLength(2);
		expect(kept.items[0].json.text).toBe(truth('receipt.jpg').text);
		expect(kept.items[1].json).toEqual({ error: expect.objectContaining({ message: expect.stringMatching(/Page 2/), page: 2, pageCount: 2 }) });
	});

	it('continueOnFail: a page that fails at DashScope stays in its place among the pages', async () => {
		emulator.enqueueFaults([{}, { status: 400, code: 'DataInspectionFailed', message: 'Input data may contain inappropriate content.' }]);
		const { items } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { concurrency: 1 } }, [pdfItem('multipage.pdf')], { continueOnFail: true });
		expect(items).toHaveLength(3);
		expect(items[0].json.page).toBe(1);
		expect(items[1].json).toEqual({ error: expect.objectContaining({ code: 'DataInspectionFailed', page: 2, pageCount: 3 }) });
		expect(items[2].json.page).toBe(3);
	});

	it('an encrypted PDF, JPEG 2000 and CCITT pages say what to do', async () => {
		const encrypted = await runQwenOcr(emulator, { operation: 'textRecognition' }, [pdfItem('encrypted.pdf')]);
		expect(encrypted.error?.message).toMatch(/encrypted/i);
		expect(encrypted.error?.description).toMatch(/password/);
		const jpx = await runQwenOcr(emulator, { operation: 'textRecognition' }, [pdfItem('jpx.pdf')]);
		expect(jpx.error?.message).toMatch(/JPXDecode/);
		const ccitt = await runQwenOcr(emulator, { operation: 'textRecognition' }, [pdfItem('ccitt.pdf')]);
		expect(ccitt.error?.message).toMatch(/CCITTFaxDecode/);
		expect(generationRequests(emulator)).toHaveLength(0);
	});

	it('base64 input can be a PDF too', async () => {
		const { items } = await runQwenOcr(emulator, { operation: 'textRecognition', inputType: 'base64', base64Data: pdf('scan-jpeg.pdf').toString('base64') });
		expect(items[0].json).toMatchObject({ text: truth('receipt.jpg').text, page: 1, pageCount: 1 });
	});
});

describe('several files per item', () => {
	it('comma-separated names: one item per file, in the order given, each naming its property', async () => {
		const item = { json: {}, binary: { ...binaryItem('receipt.jpg', 'attachment_0').binary, ...binaryItem('table.png', 'attachment_1').binary } };
		const { items } = await runQwenOcr(emulator, { operation: 'textRecognition', binaryPropertyName: 'attachment_1, attachment_0' }, [item]);
		expect(items.map((out) => meta(out).binaryPropertyName)).toEqual(['attachment_1', 'attachment_0']);
		expect(items.map((out) => out.json.text)).toEqual([truth('table.png').text, truth('receipt.jpg').text]);
		expect(items.map((out) => out.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
	});

	it('* reads every binary property, PDFs page by page', async () => {
		const item = { json: {}, binary: { ...binaryItem('invoice.png', 'a').binary, ...pdfItem('multipage.pdf').binary } };
		const { items } = await runQwenOcr(emulator, { operation: 'textRecognition', binaryPropertyName: '*' }, [item]);
		expect(items.map((out) => [meta(out).binaryPropertyName, out.json.page ?? null])).toEqual([['a', null], ['data', 1], ['data', 2], ['data', 3]]);
	});

	it('a missing name among several is reported with the ones that exist', async () => {
		const { error } = await runQwenOcr(emulator, { operation: 'textRecognition', binaryPropertyName: 'data, invoice' }, [binaryItem('receipt.jpg')]);
		expect(error?.message).toMatch(/No binary property "invoice"/);
		expect(error?.description).toMatch(/data/);
	});
});

describe('large and turned PDF pages', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { makeFlatePdf } = require('../../../engine/pdf') as { makeFlatePdf: (spec: { width: number; height: number; pages: number; kind: string; rotate?: number }) => Buffer };
	const sentImages = () => generationRequests(emulator).map((request) => request.images![0]);
	const imageEntry = (index: number) => (generationRequests(emulator)[index].body.input as any).messages[0].content[0] as IDataObject;

	it('a Flate page above Max Pixels is scaled to what smart_resize gives before encoding (one resampling)', async () => {
		const scan = makeFlatePdf({ width: 1654, height: 2339, pages: 1, kind: 'gray' }); // A4 at 200 dpi
		const { items, error } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { maxPixels: 1_000_000 } }, [bytesItem(scan, 'a4.pdf', 'application/pdf')]);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		// smart_resize(2339, 1654, 3136, 1,000,000, 28) = 1176 × 840: DashScope will not resize it again.
		expect(sentImages()[0]).toMatchObject({ sniffedFormat: 'png', width: 840, height: 1176 });
		expect(imageEntry(0).max_pixels).toBe(1_000_000);
	}, 300_000);

	it('without Max Pixels, the model default of the region bounds the page (28-pixel patches: 6,422,528)', async () => {
		const scan = makeFlatePdf({ width: 2480, height: 3508, pages: 1, kind: 'gray' }); // A4 at 300 dpi, 8.7 MP
		await runQwenOcr(emulator, { operation: 'textRecognition' }, [bytesItem(scan, 'a4.pdf', 'application/pdf')]);
		const sent = sentImages()[0] as { width: number; height: number };
		expect(sent.width * sent.height).toBeLessThanOrEqual(28 * 28 * 8192);
		expect([sent.width % 28, sent.height % 28]).toEqual([0, 0]);
		// A bilevel scan stays 1 bit at full size: DashScope resizes it, at a fraction of the work and bytes.
		emulator.reset();
		await runQwenOcr(emulator, { operation: 'textRecognition' }, [bytesItem(makeFlatePdf({ width: 2480, height: 3508, pages: 1, kind: 'bilevel' }), 'a4.pdf', 'application/pdf')]);
		expect(sentImages()[0]).toMatchObject({ width: 2480, height: 3508 });
	}, 300_000);

	it('a colour page whose PNG would pass 10 MB is scaled until it fits, with a warning, instead of being refused', async () => {
		// Photo-like noise does not compress: 1800 × 2000 RGB is 10.8 MB of samples.
		const width = 1800;
		const height = 2000;
		const noise = Buffer.alloc(width * height * 3);
		let state = 7;
		for (let i = 0; i < noise.length; i++) noise[i] = (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
		const { PdfBuilder, addPages } = await import('./pdf/pdfBuilder');
		const b = new PdfBuilder();
		const image = b.add(PdfBuilder.stream(`/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode`, zlibDeflate(noise)));
		const scan = b.build(addPages(b, [{ content: 'q 200 0 0 100 0 0 cm /Im0 Do Q', images: { Im0: image } }]));
		const { items, error } = await runQwenOcr(emulator, { operation: 'textRecognition' }, [bytesItem(scan, 'photo.pdf', 'application/pdf')]);
		expect(error).toBeUndefined();
		const sent = sentImages()[0];
		expect(sent.bytes).toBeLessThanOrEqual(10_485_760);
		expect(sent.width).toBeLessThan(width);
		expect((items[0].json._qwenOcr as IDataObject).warnings).toEqual([expect.stringMatching(/Page 1: its PNG was 1\d\.\d MB, over DashScope's 10 MB limit; it was scaled down to \d+ × \d+ pixels/)]);
	}, 300_000);

	it('a page shown turned (/Rotate 90) is sent upright; a turned JPEG page asks DashScope to straighten it', async () => {
		const turned = makeFlatePdf({ width: 300, height: 200, pages: 1, kind: 'gray', rotate: 90 });
		await runQwenOcr(emulator, { operation: 'textRecognition' }, [bytesItem(turned, 'turned.pdf', 'application/pdf')]);
		expect(sentImages()[0]).toMatchObject({ sniffedFormat: 'png', width: 200, height: 300 });
		expect(imageEntry(0).enable_rotate).toBeUndefined();
		emulator.reset();
		const jpegPage = pdf('scan-jpeg.pdf').toString('latin1').replace('/Type /Page ', '/Type /Page /Rotate 270 ');
		const { items } = await runQwenOcr(emulator, { operation: 'textRecognition' }, [bytesItem(Buffer.from(jpegPage, 'latin1'), 'turned.pdf', 'application/pdf')]);
		expect(items[0].json.text).toBe(truth('receipt.jpg').text);
		expect(imageEntry(0).enable_rotate).toBe(true);
	});
});

function zlibDeflate(data: Buffer): Buffer {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return (require('zlib') as typeof import('zlib')).deflateSync(data, { level: 1 });
}
