/**
 * What the output items account for, through n8n's engine: every input item gives at least one
 * item (Table Rows on an image without a table too), one request's tokens are counted once however
 * many items it became, and each item names the file it came from by its SHA-256.
 */
import { createHash } from 'crypto';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryItem, fixture, generationRequests, runQwenOcr, useEmulator } from '../../engine/qwenOcr';
import { bytesItem } from '../../engine/images';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { makeJpegPdf } = require('../../engine/pdf') as { makeJpegPdf: (jpeg: Buffer, width: number, height: number, pages: number) => Buffer };

const emulator = useEmulator();

const meta = (item: INodeExecutionData) => item.json._qwenOcr as IDataObject;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const TOKEN_KEYS = ['input_tokens', 'output_tokens', 'total_tokens', 'image_tokens'];

/** Token counts summed over output items, and over the answers the emulator sent. */
function usageSums(items: INodeExecutionData[]) {
	const sum = (usages: Array<IDataObject | null | undefined>) =>
		Object.fromEntries(TOKEN_KEYS.map((key) => [key, usages.reduce((total, usage) => total + Number(usage?.[key] ?? 0), 0)]));
	return {
		items: sum(items.map((item) => meta(item)?.usage as IDataObject | null)),
		answers: sum(generationRequests(emulator).map((request) => request.usage as IDataObject | undefined)),
	};
}

describe('Table Rows: no input item vanishes', () => {
	it('an image without a table gives one item with its pairedItem, between the rows of the others', async () => {
		emulator.enqueueFaults([{}, { answer: { text: 'Thank you for your purchase!' } }, {}]);
		const items = [binaryItem('table.png'), binaryItem('receipt.jpg'), binaryItem('table.png')];
		const { items: out, error } = await runQwenOcr(emulator, { operation: 'tableParsing', options: { tableOutput: 'rows', concurrency: 1 } }, items);
		expect(error).toBeUndefined();
		expect(out.map((item) => item.pairedItem)).toEqual([0, 0, 0, 1, 2, 2, 2].map((item) => ({ item })));
		const empty = out[3];
		expect({ ...empty.json, _qwenOcr: undefined }).toEqual({ _qwenOcr: undefined });
		expect(meta(empty)).toMatchObject({ tableIndex: null, rowIndex: null, tableCount: 0, usage: expect.objectContaining({ total_tokens: expect.any(Number) }) });
	});

	it('a table with a header and no body rows gives one item too', async () => {
		emulator.enqueueFaults([{ answer: { text: '<table><tr><td>Name</td><td>Qty</td></tr></table>' } }]);
		const { items: out } = await runQwenOcr(emulator, { operation: 'tableParsing', options: { tableOutput: 'rows' } }, [binaryItem('table.png')]);
		expect(out).toHaveLength(1);
		expect(meta(out[0])).toMatchObject({ tableIndex: null, rowIndex: null, tableCount: 1 });
	});
});

describe('usage and estimatedImageTokens once per request', () => {
	it('table rows: the first row carries the answer\'s usage, the others null with the same requestId', async () => {
		const { items: out } = await runQwenOcr(emulator, { operation: 'tableParsing', options: { tableOutput: 'rows' } }, [binaryItem('table.png'), binaryItem('table.png')]);
		expect(out).toHaveLength(6);
		for (const rows of [out.slice(0, 3), out.slice(3)]) {
			expect(meta(rows[0]).usage).toEqual(expect.objectContaining({ total_tokens: expect.any(Number) }));
			expect(meta(rows[0]).estimatedImageTokens).toEqual(expect.any(Number));
			for (const row of rows.slice(1)) {
				expect(meta(row).usage).toBeNull();
				expect(meta(row).estimatedImageTokens).toBeNull();
				expect(meta(row).requestId).toBe(meta(rows[0]).requestId);
			}
		}
		const { items, answers } = usageSums(out);
		expect(items).toEqual(answers);
		expect(answers.total_tokens).toBeGreaterThan(0);
	});

	it('line items as items: usage on the first line item only; the sum equals the answers\'', async () => {
		const { items: out } = await runQwenOcr(emulator, { operation: 'keyInformationExtraction', options: { splitArrayField: 'items' } }, [binaryItem('invoice.png')]);
		expect(out).toHaveLength(3);
		expect(out.map((item) => meta(item).usage === null)).toEqual([false, true, true]);
		expect(new Set(out.map((item) => meta(item).requestId)).size).toBe(1);
		const { items, answers } = usageSums(out);
		expect(items).toEqual(answers);
	});

	it('a PDF per document whose pages give several rows: each page\'s first row carries that page\'s usage', async () => {
		const scan = makeJpegPdf(fixture('receipt.jpg'), 320, 370, 2);
		const table = '<table><tr><td>Name</td><td>Qty</td></tr><tr><td>Bolt</td><td>4</td></tr><tr><td>Nut</td><td>9</td></tr></table>';
		emulator.enqueueFaults([{ answer: { text: table } }, { answer: { text: table } }]);
		const { items: out } = await runQwenOcr(
			emulator,
			{ operation: 'tableParsing', options: { tableOutput: 'rows', pdfOutput: 'perDocument', concurrency: 1 } },
			[bytesItem(scan, 'scan.pdf', 'application/pdf')],
		);
		expect(out).toHaveLength(4);
		expect(out.map((item) => meta(item).usage === null)).toEqual([false, true, false, true]);
		const { items, answers } = usageSums(out);
		expect(items).toEqual(answers);
	});
});

describe('_qwenOcr.inputSha256', () => {
	it('is the SHA-256 of the image bytes, the same for the same file, and of the whole PDF for its pages', async () => {
		const scan = makeJpegPdf(fixture('receipt.jpg'), 320, 370, 2);
		const { items: out } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { concurrency: 1 } }, [
			binaryItem('receipt.jpg'),
			binaryItem('invoice.png'),
			binaryItem('receipt.jpg'),
			bytesItem(scan, 'scan.pdf', 'application/pdf'),
		]);
		expect(out.map((item) => meta(item).inputSha256)).toEqual([
			sha256(fixture('receipt.jpg')),
			sha256(fixture('invoice.png')),
			sha256(fixture('receipt.jpg')),
			sha256(scan),
			sha256(scan),
		]);
	});

	it('base64 input hashes the decoded bytes; URL input has none (the node never holds the file)', async () => {
		const base64 = await runQwenOcr(emulator, { operation: 'textRecognition', inputType: 'base64', base64Data: fixture('invoice.png').toString('base64') });
		expect(meta(base64.items[0]).inputSha256).toBe(sha256(fixture('invoice.png')));
		const url = await runQwenOcr(emulator, { operation: 'textRecognition', inputType: 'url', imageUrl: `${emulator.baseUrl}/fixtures/invoice.png` });
		expect(meta(url.items[0]).inputSha256).toBeNull();
	});
});
