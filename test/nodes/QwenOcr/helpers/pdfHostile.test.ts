/**
 * Hostile PDFs through the engine against the emulator: each one, between two good items, gives its clear error
 * (or is read with a warning), the decoders' counters never pass the caps, and the good items succeed.
 * The PDFs are built from their compressed form (test/engine/hostilePdf.js): the 2 GiB bombs are ~2 MB here.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryItem, runQwenOcr, truth, useEmulator } from '../../../engine/qwenOcr';
import { bytesItem } from '../../../engine/images';
import { decodedBytes, MAX_PAGE_BYTES, MAX_PDF_PAGES, MAX_STREAM_BYTES, openPdf } from '../../../../nodes/QwenOcr/helpers/pdf/pdf';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hostile = require('../../../engine/hostilePdf') as Record<string, (...args: number[]) => Buffer> & { TWO_GIB: number };

const emulator = useEmulator();
const goodPdf = () => bytesItem(readFileSync(path.join(__dirname, '../../../fixtures/pdf/gray-flate.pdf')), 'good.pdf', 'application/pdf');
const pdfItem = (data: Buffer) => bytesItem(data, 'hostile.pdf', 'application/pdf');
const errorOf = (item: INodeExecutionData) => item.json.error as IDataObject | undefined;
const meta = (item: INodeExecutionData) => item.json._qwenOcr as IDataObject;

/** Runs good PDF, `data`, good PNG with continueOnFail and returns the three outputs, counters checked. */
async function between(data: Buffer, options: IDataObject = {}): Promise<INodeExecutionData[]> {
	decodedBytes.reset();
	const { items, error } = await runQwenOcr(emulator, { operation: 'textRecognition', options }, [goodPdf(), pdfItem(data), binaryItem('invoice.png')], {
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	// The good items on both sides are read.
	expect(errorOf(items[0])).toBeUndefined();
	expect(typeof items[0].json.text).toBe('string');
	expect(items[items.length - 1].json.text).toBe(truth('invoice.png').text);
	expect(items.map((item) => (item.pairedItem as unknown as IDataObject).item)).toEqual([0, ...items.slice(1, -1).map(() => 1), 2]);
	// No decoder passed its cap: not one stream, not one page, not one buffer.
	expect(decodedBytes.largestStream).toBeLessThanOrEqual(MAX_STREAM_BYTES);
	expect(decodedBytes.largestPage).toBeLessThanOrEqual(MAX_PAGE_BYTES);
	expect(decodedBytes.largestBuffer).toBeLessThanOrEqual(MAX_STREAM_BYTES);
	return items;
}

describe('hostile PDFs', () => {
	it('a Flate bomb (2 GiB from 2 MB, declared /DL 2147483648) stops at the 64 MiB cap with a per-page error', async () => {
		const bomb = hostile.flateBombPdf();
		expect(bomb.length).toBeLessThan(3 * 1024 * 1024);
		const items = await between(bomb);
		expect(items).toHaveLength(3);
		expect(errorOf(items[1])?.message).toMatch(/^Item 1: the PDF in binary property "data": Page 1: A FlateDecode stream decodes to more than 64\.0 MB/);
		// The decoder really ran into the cap (the counter counts), and stopped there.
		expect(decodedBytes.largestBuffer).toBeGreaterThan(MAX_STREAM_BYTES - 1024);
	}, 300_000);

	it('an LZW bomb (2 GiB from 0.8 MB) in a content stream stops at the cap too', async () => {
		const items = await between(hostile.lzwBombPdf());
		expect(errorOf(items[1])?.message).toMatch(/Page 1: A LZWDecode stream decodes to more than 64\.0 MB/);
		expect(decodedBytes.largestBuffer).toBeGreaterThan(MAX_STREAM_BYTES - 1024);
	}, 300_000);

	it('without continueOnFail, the bomb stops the node with an error naming the item, the page and what to do', async () => {
		const { error } = await runQwenOcr(emulator, { operation: 'textRecognition' }, [binaryItem('invoice.png'), pdfItem(hostile.flateBombPdf())]);
		expect(error?.message).toMatch(/^Item 1: .*Page 1: A FlateDecode stream decodes to more than 64\.0 MB/);
		expect(String(error?.description)).toMatch(/300 dpi or as JPEG.*decompression bomb/);
	}, 300_000);

	it('a 100,000-page tree is refused unless PDF Pages / PDF Max Pages select at most 1,000 pages', async () => {
		const tree = hostile.hugeTreePdf(100_000);
		const items = await between(tree);
		expect(errorOf(items[1])?.message).toMatch(/The PDF has 100,000 pages and 100,000 are selected; this node reads at most 1,000 pages of one PDF/);
		const { items: some, error } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { maxPages: 2 } }, [pdfItem(tree)]);
		expect(error).toBeUndefined();
		expect(some.map((item) => [item.json.page, item.json.pageCount])).toEqual([[1, 100_000], [2, 100_000]]);
		const ranged = await runQwenOcr(emulator, { operation: 'textRecognition', options: { pages: `99999-last` } }, [pdfItem(tree)]);
		expect(ranged.items.map((item) => item.json.page)).toEqual([99_999, 100_000]);
		expect(MAX_PDF_PAGES).toBe(1000);
	}, 300_000);

	it('references 20,000 deep and arrays nested 20,000 deep give clear errors, no stack overflow', async () => {
		const deep = await between(hostile.deepReferencesPdf());
		expect(errorOf(deep[1])?.message).toMatch(/Page 1 has no image: it looks blank/);
		const nested = await between(hostile.deepNestingPdf());
		expect(errorOf(nested[1])?.message).toMatch(/nests arrays or dictionaries more than 256 levels deep/);
		expect(errorOf(nested[1])?.message).not.toMatch(/call stack/);
	});

	it('cyclic references (contents, resources, a form drawing itself) end, with a clear error', async () => {
		const items = await between(hostile.cyclicReferencesPdf());
		expect(errorOf(items[1])?.message).toMatch(/Page 1 has no image: it looks blank/);
	});

	it('an xref pointing into itself is rebuilt: the page is read and carries a warning', async () => {
		const items = await between(hostile.selfPointingXrefPdf());
		expect(errorOf(items[1])).toBeUndefined();
		expect(meta(items[1]).warnings).toEqual([expect.stringMatching(/cross-reference table was rebuilt/)]);
		// Good pages carry no warnings at all.
		expect(meta(items[0]).warnings).toBeUndefined();
	});

	it('a stream cut short is read with its missing rows blank, and says so in _qwenOcr.warnings', async () => {
		const items = await between(hostile.truncatedStreamPdf());
		expect(errorOf(items[1])).toBeUndefined();
		expect(meta(items[1]).warnings).toEqual(expect.arrayContaining([expect.stringMatching(/Page 1: the image data of the scan is cut short/)]));
	});

	it('absurd image dimensions are refused before anything is decoded or allocated', async () => {
		const items = await between(hostile.absurdDimensionsPdf());
		expect(errorOf(items[1])?.message).toMatch(/Page 1: The scanned image is 2000000000 × 2000000000 pixels, more than this node reads/);
		// Alone, the page allocates no decoding buffer at all.
		decodedBytes.reset();
		expect(() => openPdf(hostile.absurdDimensionsPdf()).extractPageImage(1)).toThrow(/2000000000 × 2000000000/);
		expect(decodedBytes.largestBuffer).toBe(0);
	});

	it('the bomb generators really decode to 2 GiB (checked on their first bytes and their declared size)', () => {
		// Flate: zlib inflates a 10 MB version exactly; the full one is the same block, longer.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const zlib = require('zlib') as typeof import('zlib');
		const small = hostile.flateBomb(10_000_000);
		// The bomb has no Adler-32 trailer (nothing could compute it without the 2 GiB): flush what inflates.
		const inflated = zlib.inflateSync(small, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
		expect(inflated.length).toBeGreaterThanOrEqual(10_000_000);
		expect(inflated.every((byte) => byte === 0)).toBe(true);
		expect(hostile.flateBomb().length).toBeGreaterThan((hostile.TWO_GIB / 258 / 4) * 0.99);
		// LZW: our decoder, capped at 100 MB, runs into the cap on the 2 GiB bomb (and the bomb decodes cleanly below it).
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { lzwDecode } = require('../../../../nodes/QwenOcr/helpers/pdf/lzw') as typeof import('../../../../nodes/QwenOcr/helpers/pdf/lzw');
		const lzwSmall = lzwDecode(hostile.lzwBomb(10_000_000));
		expect(lzwSmall.truncated).toBe(false);
		expect(lzwSmall.data.length).toBeGreaterThanOrEqual(10_000_000);
		expect(() => lzwDecode(hostile.lzwBomb(), 1, 100_000_000)).toThrow(/would pass 100000000 bytes/);
	}, 300_000);
});
