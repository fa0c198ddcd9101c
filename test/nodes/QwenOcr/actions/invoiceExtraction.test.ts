/**
 * Invoice-grade extraction through the engine: typed and required fields, presets, the
 * "Needs Review" output and line items as items.
 */
import type { IDataObject } from 'n8n-workflow';

import { binaryItem, generationRequests, runQwenOcr, useEmulator } from '../../../engine/qwenOcr';

const emulator = useEmulator();

const kie = (extra: IDataObject) => ({ operation: 'keyInformationExtraction', ...extra });
const sentSchema = () => (generationRequests(emulator)[0].body.parameters as any).ocr_options.task_config.result_schema;
const rows = (...fields: Array<[string, string, boolean?]>) => ({ schemaFields: { fields: fields.map(([key, type, required]) => ({ key, description: '', type, required: required ?? false })) } });

/** A scripted model answer with this kv_result. */
function answer(kv: IDataObject) {
	emulator.enqueueFaults([{ answer: { text: '```json\n' + JSON.stringify(kv) + '\n```', ocrResult: { kv_result: kv } } }]);
}

describe('typed fields', () => {
	it('puts the type into the description sent and converts the answers', async () => {
		answer({ total: '1.234,50 €', refund: '(12.00)', paid_on: '2024年3月5日', due: '05/03/2024', pages: '3', paid: 'yes' });
		const { items, error } = await runQwenOcr(
			emulator,
			kie(rows(['total', 'amount'], ['refund', 'amount'], ['paid_on', 'date'], ['due', 'date'], ['pages', 'integer'], ['paid', 'boolean'])),
			[binaryItem('invoice.png')],
		);
		expect(error).toBeUndefined();
		expect(sentSchema().total).toMatch(/number without currency symbols/);
		expect(sentSchema().paid_on).toMatch(/YYYY-MM-DD/);
		const { _qwenOcr, ...json } = items[0].json;
		expect(json).toEqual({ total: 1234.5, refund: -12, paid_on: '2024-03-05', due: '2024-03-05', pages: 3, paid: true });
		expect((_qwenOcr as IDataObject).validation).toEqual({ valid: true, missing: [], invalid: [] });
	});

	it('dateOrder and decimalSeparator decide the ambiguous cases; what cannot be decided stays as text and is reported', async () => {
		const kv = { due: '05/03/2024', weight: '1.234' };
		answer(kv);
		const auto = await runQwenOcr(emulator, kie(rows(['due', 'date'], ['weight', 'number'])), [binaryItem('invoice.png')]);
		expect(auto.items[0].json.due).toBe('2024-03-05');
		expect(auto.items[0].json.weight).toBe('1.234');
		const validation = (auto.items[0].json._qwenOcr as IDataObject).validation as IDataObject;
		expect(validation.valid).toBe(false);
		expect(validation.invalid).toEqual([{ path: 'weight', value: '1.234', expected: 'number', reason: expect.stringMatching(/Decimal Separator/) }]);

		answer(kv);
		const us = await runQwenOcr(emulator, kie({ ...rows(['due', 'date'], ['weight', 'number']), options: { dateOrder: 'MDY', decimalSeparator: ',' } }), [binaryItem('invoice.png')]);
		expect(us.items[0].json).toMatchObject({ due: '2024-05-03', weight: 1234 });
	});

	it('required fields that are missing make the item invalid', async () => {
		answer({ invoice_number: null, total: '10.00', items: [{ amount: '4.00' }, { amount: null }] });
		const { items } = await runQwenOcr(emulator, kie(rows(['invoice_number', 'string', true], ['total', 'amount', true], ['items[].amount', 'amount', true])), [binaryItem('invoice.png')]);
		expect((items[0].json._qwenOcr as IDataObject).validation).toEqual({ valid: false, missing: ['invoice_number', 'items[1].amount'], invalid: [] });
		expect(items[0].json.total).toBe(10);
	});
});

describe('presets', () => {
	it('the receipt preset in Chinese sends the mainland receipt\'s fields with Chinese keys', async () => {
		await runQwenOcr(emulator, kie({ schemaSource: 'preset', schemaPreset: 'receipt', options: { presetLanguage: 'zh' } }), [binaryItem('receipt.jpg')]);
		const schema = sentSchema();
		expect(Object.keys(schema)).toEqual(expect.arrayContaining(['店名', '日期', '商品', '应收']));
		expect(schema.店名).toMatch(/商户或门店名称/);
		expect(schema.商品[0].金额).toMatch(/该行金额/);
	});

	it('the invoice preset returns typed values and validates required fields', async () => {
		const { items } = await runQwenOcr(emulator, kie({ schemaSource: 'preset', schemaPreset: 'invoice' }), [binaryItem('invoice.png')]);
		expect(items[0].json).toMatchObject({ invoice_number: 'INV-2024-0042', invoice_date: '2024-03-05', total_amount: 164.4 });
		expect(((items[0].json._qwenOcr as IDataObject).validation as IDataObject).valid).toBe(true);
	});
});

describe('the Needs Review output', () => {
	it('routes invalid and cut-off documents to the second output, in input order, with pairedItem', async () => {
		const schema = rows(['invoice_number', 'string', true], ['total', 'amount', true]);
		emulator.enqueueFaults([
			{ answer: { text: '', ocrResult: { kv_result: { invoice_number: 'A-1', total: '12.00' } } } },
			{ answer: { text: '', ocrResult: { kv_result: { invoice_number: null, total: '5.00' } } } },
			{ answer: { text: '```json\n{"invoice_number": "A-3", "total": "7', finishReason: 'length' } },
			{ answer: { text: '', ocrResult: { kv_result: { invoice_number: 'A-4', total: 'abc' } } } },
			{ answer: { text: '', ocrResult: { kv_result: { invoice_number: 'A-5', total: '1,00' } } } },
		]);
		const items = Array.from({ length: 5 }, () => binaryItem('invoice.png'));
		const { outputs, error } = await runQwenOcr(emulator, kie({ ...schema, options: { needsReviewOutput: true, concurrency: 1 } }), items);
		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(2);
		const [valid, review] = outputs;
		expect(valid.map((item) => item.json.invoice_number)).toEqual(['A-1', 'A-5']);
		expect(valid.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 4 }]);
		expect(review.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }, { item: 3 }]);
		expect((review[1].json._qwenOcr as IDataObject).truncated).toBe(true);
		expect(((review[2].json._qwenOcr as IDataObject).validation as IDataObject).invalid).toEqual([expect.objectContaining({ path: 'total', value: 'abc', expected: 'amount' })]);
	});

	it('without the option there is one output', async () => {
		const { outputs } = await runQwenOcr(emulator, kie({}), [binaryItem('invoice.png')]);
		expect(outputs).toHaveLength(1);
	});
});

describe('line items as items', () => {
	it('splitArrayField: one item per line item with the document fields alongside and the position in _qwenOcr', async () => {
		const { items } = await runQwenOcr(emulator, kie({ options: { splitArrayField: 'items', documentFieldsKey: 'invoice' } }), [binaryItem('invoice.png')]);
		expect(items).toHaveLength(3);
		expect(items.map((item) => item.json.description)).toEqual(['Blue Widget', 'Steel Bracket (pack of 10)', 'Installation Service']);
		expect(items[1].json).toMatchObject({ quantity: 3, unit_price: 9, amount: 27 });
		expect(items[2].json.invoice).toMatchObject({ invoice_number: 'INV-2024-0042', total_amount: 164.4, seller: { name: 'Acme Widgets Ltd' } });
		expect((items[2].json.invoice as IDataObject).items).toBeUndefined();
		expect(items.map((item) => (item.json._qwenOcr as IDataObject).arrayIndex)).toEqual([0, 1, 2]);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
	});

	it('a document without line items still gives one item', async () => {
		answer({ invoice_number: 'X-9', items: [] });
		const { items } = await runQwenOcr(emulator, kie({ ...rows(['invoice_number', 'string'], ['items[].amount', 'amount']), options: { splitArrayField: 'items' } }), [binaryItem('invoice.png')]);
		expect(items).toHaveLength(1);
		expect(items[0].json.document).toEqual({ invoice_number: 'X-9' });
		expect((items[0].json._qwenOcr as IDataObject).arrayIndex).toBeNull();
	});
});
