/**
 * Failed items through n8n's engine: a failed item's JSON is exactly `{ error: { … } }` (where the
 * image came from inside `error`), so n8n's "Continue (using error output)" moves it to the error
 * output, and with the Needs Review output and "Continue (regular output)" it lands on Needs Review,
 * never on Valid. All four combinations of On Error × Needs Review Output.
 */
import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { binaryItem, fixture, runQwenOcr, useEmulator } from '../../engine/qwenOcr';
import { bytesItem } from '../../engine/images';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { makeJpegPdf } = require('../../engine/pdf') as { makeJpegPdf: (jpeg: Buffer, width: number, height: number, pages: number) => Buffer };

const emulator = useEmulator();

const REJECTED = { status: 400, code: 'DataInspectionFailed', message: 'Input data may contain inappropriate content.' };

/** Item 0 valid, item 1 cut off (needs review), item 2 rejected by DashScope. */
function scriptThreeDocuments() {
	emulator.enqueueFaults([
		{ answer: { text: '', ocrResult: { kv_result: { invoice_number: 'A-1', total: '12.00' } } } },
		{ answer: { text: '```json\n{"invoice_number": "A-2", "total": "7', finishReason: 'length' } },
		REJECTED,
	]);
}

const kie = (needsReviewOutput: boolean) => ({
	operation: 'keyInformationExtraction',
	schemaFields: { fields: [{ key: 'invoice_number', description: '', type: 'string', required: true }, { key: 'total', description: '', type: 'amount', required: true }] },
	options: { needsReviewOutput, concurrency: 1 },
});

/**
 * The keys the node put on an item. On the error output n8n adds the input item's JSON to each
 * failed item (its own keys are then the ones the input did not have).
 */
const nodeKeys = (item: INodeExecutionData, input: INodeExecutionData) => Object.keys(item.json).filter((key) => !(key in input.json));

/** Which input items each output holds, by pairedItem. */
const routing = (outputs: INodeExecutionData[][]) => outputs.map((output) => output.map((item) => (item.pairedItem as IPairedItemData).item));

describe('error routing: On Error × Needs Review Output', () => {
	const cases: Array<[string, 'continueRegularOutput' | 'continueErrorOutput', boolean, number[][]]> = [
		['Continue (regular output), Needs Review off', 'continueRegularOutput', false, [[0, 1, 2]]],
		['Continue (regular output), Needs Review on', 'continueRegularOutput', true, [[0], [1, 2]]],
		['Continue (using error output), Needs Review off', 'continueErrorOutput', false, [[0, 1], [2]]],
		['Continue (using error output), Needs Review on', 'continueErrorOutput', true, [[0], [1], [2]]],
	];
	it.each(cases)('%s', async (_label, onError, needsReview, expected) => {
		scriptThreeDocuments();
		const items = Array.from({ length: 3 }, () => binaryItem('invoice.png'));
		const { outputs, error } = await runQwenOcr(emulator, kie(needsReview), items, { onError });
		expect(error).toBeUndefined();
		expect(routing(outputs)).toEqual(expected);
		process.stdout.write(`routing ${onError} needsReview=${needsReview}: ${JSON.stringify(routing(outputs))}\n`);
		const failed = outputs.flat().find((item) => (item.pairedItem as IPairedItemData).item === 2)!;
		expect(nodeKeys(failed, items[2])).toEqual(['error']);
		expect(failed.json.error).toEqual(expect.objectContaining({ code: 'DataInspectionFailed', httpStatus: 400, requestId: expect.any(String) }));
	});
});

describe('the error item of one page or one file', () => {
	it('a failed PDF page is { error: { …, page, pageCount } } and goes to the error output; the other pages stay', async () => {
		const scan = makeJpegPdf(fixture('receipt.jpg'), 320, 370, 3);
		emulator.enqueueFaults([{}, REJECTED, {}]);
		const input = bytesItem(scan, 'scan.pdf', 'application/pdf');
		const { outputs, error } = await runQwenOcr(
			emulator,
			{ operation: 'textRecognition', options: { concurrency: 1 } },
			[input],
			{ onError: 'continueErrorOutput' },
		);
		expect(error).toBeUndefined();
		const [success, failed] = outputs;
		expect(success.map((item) => item.json.page)).toEqual([1, 3]);
		expect(failed).toHaveLength(1);
		expect(failed[0].json.error).toEqual(expect.objectContaining({ code: 'DataInspectionFailed', httpStatus: 400, page: 2, pageCount: 3 }));
		expect(nodeKeys(failed[0], input)).toEqual(['error']);
		expect(failed[0].pairedItem).toEqual({ item: 0 });
	});

	it('one of several files: binaryPropertyName inside error, nothing else on the item', async () => {
		emulator.enqueueFaults([{}, REJECTED]);
		const item = binaryItem('receipt.jpg', 'first');
		item.binary = { ...item.binary, ...binaryItem('invoice.png', 'second').binary };
		const { outputs, error } = await runQwenOcr(
			emulator,
			{ operation: 'textRecognition', binaryPropertyName: 'first, second', options: { concurrency: 1 } },
			[item],
			{ onError: 'continueErrorOutput' },
		);
		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(1);
		expect(outputs[1]).toHaveLength(1);
		expect(outputs[1][0].json.error).toEqual(expect.objectContaining({ code: 'DataInspectionFailed', binaryPropertyName: 'second' }));
		expect(nodeKeys(outputs[1][0], item)).toEqual(['error']);
	});

	it('pages merged per document: the failed page goes to the error output, the merged item to the first', async () => {
		const scan = makeJpegPdf(fixture('receipt.jpg'), 320, 370, 3);
		emulator.enqueueFaults([{}, {}, REJECTED]);
		const input = bytesItem(scan, 'scan.pdf', 'application/pdf');
		const { outputs } = await runQwenOcr(
			emulator,
			{ operation: 'textRecognition', options: { concurrency: 1, pdfOutput: 'perDocument' } },
			[input],
			{ onError: 'continueErrorOutput' },
		);
		expect(outputs[0].map((item) => (item.json._qwenOcr as IDataObject).pages)).toEqual([[1, 2]]);
		expect(outputs[1]).toHaveLength(1);
		expect(outputs[1][0].json.error).toEqual(expect.objectContaining({ page: 3, pageCount: 3 }));
		expect(nodeKeys(outputs[1][0], input)).toEqual(['error']);
	});
});
