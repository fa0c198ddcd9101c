/**
 * Every operation through n8n-core's engine against the DashScope emulator: the request each one
 * sends and the exact output shape of NODE-CONTRACT.md.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryItem, fixture, generationRequests, runQwenOcr, truth, useEmulator } from '../../../engine/qwenOcr';

const emulator = useEmulator();

type InputType = 'binary' | 'url' | 'base64';

function input(type: InputType, file: string): { parameters: IDataObject; items: INodeExecutionData[] } {
	if (type === 'url') return { parameters: { inputType: 'url', imageUrl: `${emulator.baseUrl}/fixtures/${file}` }, items: [{ json: {} }] };
	if (type === 'base64') return { parameters: { inputType: 'base64', base64Data: fixture(file).toString('base64') }, items: [{ json: {} }] };
	return { parameters: { inputType: 'binary' }, items: [binaryItem(file)] };
}

async function run(operation: string, type: InputType, file: string, extra: IDataObject = {}) {
	const { parameters, items } = input(type, file);
	const result = await runQwenOcr(emulator, { operation, ...parameters, ...extra }, items);
	if (result.error) throw result.error;
	return result.items;
}

const lastRequest = () => generationRequests(emulator).slice(-1)[0];

const INPUTS: InputType[] = ['binary', 'url', 'base64'];

describe.each(INPUTS)('every operation with %s input', (type) => {
	it('textRecognition → { text }', async () => {
		const [item] = await run('textRecognition', type, 'receipt.jpg');
		expect(item.json.text).toBe(truth('receipt.jpg').text);
		expect(lastRequest().body.parameters).toEqual({ ocr_options: { task: 'text_recognition' } });
	});

	it('multiLanguage → { text }', async () => {
		const [item] = await run('multiLanguage', type, 'multilang.png');
		expect(item.json.text).toBe(truth('multilang.png').multi_lan_text);
		expect((lastRequest().body.parameters as IDataObject).ocr_options).toEqual({ task: 'multi_lan' });
	});

	it('advancedRecognition → { text, lines[{ text, location, rotateRect }] }', async () => {
		const [item] = await run('advancedRecognition', type, 'invoice.png');
		const lines = item.json.lines as Array<{ text: string; location: number[]; rotateRect: number[] }>;
		const expected = truth('invoice.png').lines as Array<{ text: string; location: number[]; rotate_rect: number[] }>;
		expect(lines).toHaveLength(expected.length);
		expect(lines[0]).toEqual({ text: expected[0].text, location: expected[0].location, rotateRect: expected[0].rotate_rect });
		expect(item.json.text).toBe(expected.map((line) => line.text).join('\n'));
		const outside = expected.findIndex((line) => line.location[0] < 0);
		// Binary and base64 know the image size: the box the API reports at x = -8 is clamped to 0.
		// A URL image's size is unknown to the node: the box stays as given.
		expect(lines[outside].location[0]).toBe(type === 'url' ? expected[outside].location[0] : 0);
	});

	it('keyInformationExtraction → the fields at the top level', async () => {
		const [item] = await run('keyInformationExtraction', type, 'invoice.png');
		const fields = truth('invoice.png').fields as IDataObject;
		const { _qwenOcr, ...json } = item.json;
		// The default rows are the typed invoice preset: amounts and quantities come back as numbers.
		expect(json).toEqual({
			invoice_number: fields.invoice_number,
			invoice_date: fields.invoice_date,
			seller: fields.seller,
			buyer: { ...(fields.buyer as IDataObject), tax_id: null },
			currency: 'USD',
			subtotal: 137,
			tax_amount: 27.4,
			total_amount: 164.4,
			items: [
				{ description: 'Blue Widget', quantity: 2, unit_price: 12.5, amount: 25 },
				{ description: 'Steel Bracket (pack of 10)', quantity: 3, unit_price: 9, amount: 27 },
				{ description: 'Installation Service', quantity: 1, unit_price: 85, amount: 85 },
			],
		});
		expect(_qwenOcr).toMatchObject({ task: 'key_information_extraction', truncated: false, validation: { valid: true, missing: [], invalid: [] } });
	});

	it('tableParsing → { tables[{ rows }], html } with spans expanded', async () => {
		const [item] = await run('tableParsing', type, 'table.png');
		expect(item.json.tables).toEqual([
			{
				rows: [
					['Regional Sales 2024', 'Regional Sales 2024', 'Regional Sales 2024', 'Regional Sales 2024'],
					['Region', 'Sales (kUSD)', 'Sales (kUSD)', 'Sales (kUSD)'],
					['Region', 'Q1', 'Q2', 'Q3'],
					['North', '120', '135', '150'],
					['South', '98', '110', '125'],
					['East', '143', '151', '160'],
				],
			},
		]);
		expect(item.json.html).toBe(truth('table.png').table_html);
	});

	it('documentParsing → { latex }', async () => {
		const [item] = await run('documentParsing', type, 'document.png');
		expect(item.json.latex).toBe(truth('document.png').latex);
	});

	it('formulaRecognition → { latex } without $$', async () => {
		const [item] = await run('formulaRecognition', type, 'formula.png');
		expect(item.json.latex).toBe(truth('formula.png').latex);
	});

	it('customPrompt → { text } with the prompt sent and no built-in task', async () => {
		const [item] = await run('customPrompt', type, 'receipt.jpg', { prompt: 'Read the receipt.' });
		expect(item.json.text).toBe(truth('receipt.jpg').text);
		const request = lastRequest();
		expect(request.body.parameters).toEqual({});
		expect((request.body.input as any).messages[0].content[1]).toEqual({ text: 'Read the receipt.' });
	});
});

describe('key information extraction: the schema builder', () => {
	const sentSchema = () => ((lastRequest().body.parameters as any).ocr_options.task_config ?? {}).result_schema;

	it('rows compile into a nested result_schema with arrays; missing keys come back as null', async () => {
		const [item] = await run('keyInformationExtraction', 'binary', 'invoice.png', {
			schemaFields: {
				fields: [
					{ key: 'invoice_number', description: 'Invoice number' },
					{ key: 'seller.name', description: 'Seller' },
					{ key: 'seller.iban', description: 'Seller IBAN' },
					{ key: 'items[].description', description: 'Item' },
					{ key: 'items[].amount', description: 'Line total' },
					{ key: 'purchase_order', description: 'PO number' },
				],
			},
		});
		expect(sentSchema()).toEqual({
			invoice_number: 'Invoice number',
			seller: { name: 'Seller', iban: 'Seller IBAN' },
			items: [{ description: 'Item', amount: 'Line total' }],
			purchase_order: 'PO number',
		});
		const { _qwenOcr, ...json } = item.json;
		expect(json).toEqual({
			invoice_number: 'INV-2024-0042',
			seller: { name: 'Acme Widgets Ltd', iban: null },
			items: [
				{ description: 'Blue Widget', amount: '25.00' },
				{ description: 'Steel Bracket (pack of 10)', amount: '27.00' },
				{ description: 'Installation Service', amount: '85.00' },
			],
			purchase_order: null,
		});
	});

	it.each([
		[[{ key: 'a.b.c.d', description: '' }], /Row 1.*a\.b\.c\.d/],
		[[{ key: 'seller', description: '' }, { key: 'seller.name', description: '' }], /Row 2.*seller\.name/],
		[[{ key: 'total', description: '' }, { key: 'total', description: '' }], /Row 2.*total/],
		[[{ key: 'items[].x', description: '' }, { key: 'items.y', description: '' }], /Row 2.*items\.y/],
	])('rejects a bad field list before any request: %j', async (fields, message) => {
		const result = await runQwenOcr(emulator, { operation: 'keyInformationExtraction', schemaFields: { fields } }, [binaryItem('invoice.png')]);
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(message);
		expect(result.error?.message).toMatch(/^Item 0: /);
		expect(generationRequests(emulator)).toHaveLength(0);
	});

	it('a JSON schema is validated and sent as given', async () => {
		const resultSchema = JSON.stringify({ invoice_number: 'Invoice number', buyer: { name: 'Buyer' } });
		const [item] = await run('keyInformationExtraction', 'binary', 'invoice.png', { schemaSource: 'json', resultSchema });
		expect(sentSchema()).toEqual({ invoice_number: 'Invoice number', buyer: { name: 'Buyer' } });
		expect(item.json.buyer).toEqual({ name: 'Globex Corporation' });

		const tooDeep = JSON.stringify({ a: { b: { c: { d: 'x' } } } });
		const bad = await runQwenOcr(emulator, { operation: 'keyInformationExtraction', schemaSource: 'json', resultSchema: tooDeep }, [binaryItem('invoice.png')]);
		expect(bad.error?.message).toMatch(/Item 0: .*a\.b\.c\.d.*4 levels deep.*at most 3/);
	});

	it('allFields sends no result_schema and returns everything found', async () => {
		const [item] = await run('keyInformationExtraction', 'binary', 'receipt.jpg', { schemaSource: 'allFields' });
		expect((lastRequest().body.parameters as any).ocr_options).toEqual({ task: 'key_information_extraction' });
		const { _qwenOcr, ...json } = item.json;
		expect(json).toEqual(truth('receipt.jpg').fields);
	});

	it('falls back to the fenced JSON of the text when kv_result is missing', async () => {
		emulator.enqueueFaults([{ omitOcrResult: true }]);
		const [item] = await run('keyInformationExtraction', 'binary', 'invoice.png', {
			schemaFields: { fields: [{ key: 'invoice_number', description: '' }, { key: 'total_amount', description: '' }] },
		});
		expect(item.json).toMatchObject({ invoice_number: 'INV-2024-0042', total_amount: '164.40' });
		expect((item.json._qwenOcr as IDataObject).truncated).toBe(false);
	});

	it('truncated JSON: best-effort fields, nulls for the rest, truncated flag and raw text', async () => {
		const text = '```json\n{\n    "invoice_number": "INV-2024-0042",\n    "items": [{"description": "Blue Widget", "amount": "25.00"}, {"description": "Steel Br';
		emulator.enqueueFaults([{ answer: { text, finishReason: 'length' } }]);
		const [item] = await run('keyInformationExtraction', 'binary', 'invoice.png', {
			schemaFields: { fields: [{ key: 'invoice_number', description: '' }, { key: 'items[].description', description: '' }, { key: 'items[].amount', description: '' }, { key: 'total_amount', description: '' }] },
		});
		expect(item.json.invoice_number).toBe('INV-2024-0042');
		expect(item.json.total_amount).toBeNull();
		expect((item.json.items as IDataObject[])[0]).toEqual({ description: 'Blue Widget', amount: '25.00' });
		expect(item.json._qwenOcr).toMatchObject({ truncated: true, finishReason: 'length', rawText: text });
	});
});

describe('table parsing', () => {
	const twoTables =
		'```html\n<table><tr><th>Name</th><th>Qty</th></tr><tr><td>Bolt</td><td>4</td></tr></table>\n<p>Notes</p>\n' +
		'<table><tr><td colspan="2">Totals</td></tr><tr><td>Net</td><td>10&nbsp;&euro;</td></tr><tr><td>Note</td><td>paid<br>in full</td></tr></table>\n```';

	it('keeps several tables apart and decodes entities and <br>', async () => {
		emulator.enqueueFaults([{ answer: { text: twoTables } }]);
		const [item] = await run('tableParsing', 'binary', 'table.png');
		expect(item.json.tables).toEqual([
			{ rows: [['Name', 'Qty'], ['Bolt', '4']] },
			{ rows: [['Totals', 'Totals'], ['Net', '10 €'], ['Note', 'paid\nin full']] },
		]);
		expect((item.json._qwenOcr as IDataObject).truncated).toBe(false);
	});

	it('rows mode: one item per body row keyed by the detected header, with table and row index', async () => {
		const out = await run('tableParsing', 'binary', 'table.png', { options: { tableOutput: 'rows' } });
		expect(out.map((item) => ({ ...item.json, _qwenOcr: undefined }))).toEqual([
			{ Region: 'North', Q1: '120', Q2: '135', Q3: '150', _qwenOcr: undefined },
			{ Region: 'South', Q1: '98', Q2: '110', Q3: '125', _qwenOcr: undefined },
			{ Region: 'East', Q1: '143', Q2: '151', Q3: '160', _qwenOcr: undefined },
		]);
		expect(out.map((item) => [(item.json._qwenOcr as IDataObject).tableIndex, (item.json._qwenOcr as IDataObject).rowIndex])).toEqual([[0, 3], [0, 4], [0, 5]]);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
	});

	it('rows mode over two tables, with an explicit header row and metadata off', async () => {
		emulator.enqueueFaults([{ answer: { text: twoTables } }]);
		const out = await run('tableParsing', 'binary', 'table.png', { options: { tableOutput: 'rows', headerRow: 1, includeMetadata: false } });
		expect(out.map((item) => item.json)).toEqual([
			{ Name: 'Bolt', Qty: '4', _qwenOcr: { tableIndex: 0, rowIndex: 1 } },
			{ Totals: 'Net', Totals_2: '10 €', _qwenOcr: { tableIndex: 1, rowIndex: 1 } },
			{ Totals: 'Note', Totals_2: 'paid\nin full', _qwenOcr: { tableIndex: 1, rowIndex: 2 } },
		]);
	});

	it('truncated HTML: the rows so far, flagged truncated with the raw text', async () => {
		emulator.enqueueFaults([{ truncate: true }]);
		const [item] = await run('tableParsing', 'binary', 'table.png');
		const rows = (item.json.tables as Array<{ rows: string[][] }>)[0].rows;
		expect(rows.length).toBeGreaterThan(0);
		expect(rows.every((row) => row.length === rows[0].length)).toBe(true);
		expect(item.json._qwenOcr).toMatchObject({ truncated: true, finishReason: 'length' });
		expect(typeof (item.json._qwenOcr as IDataObject).rawText).toBe('string');
	});
});

describe('image sizes from the headers', () => {
	it('PNG and JPEG sizes drive the token estimate and the clamping', async () => {
		const boxes = { words_info: [{ text: 'edge', location: [-30, -5, 400, -5, 400, 420, -30, 420], rotate_rect: [500, 500, 10, 10, 0] }] };
		emulator.enqueueFaults([{ answer: { text: '', ocrResult: boxes } }]);
		const [jpeg] = await run('advancedRecognition', 'binary', 'receipt.jpg');
		// receipt.jpg is 320 x 370.
		expect((jpeg.json.lines as IDataObject[])[0]).toEqual({ text: 'edge', location: [0, 0, 320, 0, 320, 370, 0, 370], rotateRect: [320, 370, 10, 10, 0] });
		expect((jpeg.json._qwenOcr as IDataObject).estimatedImageTokens).toBe((jpeg.json._qwenOcr as any).usage.image_tokens);

		const [png] = await run('textRecognition', 'binary', 'table.png');
		expect((png.json._qwenOcr as IDataObject).estimatedImageTokens).toBe((png.json._qwenOcr as any).usage.image_tokens);
	});
});

describe('models without built-in tasks', () => {
	it('qwen-vl-ocr-2024-10-28 gets the vendor task prompt as text instead of ocr_options, and KIE is read from the text', async () => {
		const [item] = await run('keyInformationExtraction', 'binary', 'invoice.png', {
			model: 'qwen-vl-ocr-2024-10-28',
			schemaFields: { fields: [{ key: 'invoice_number', description: 'Invoice number' }, { key: 'buyer.name', description: 'Buyer' }] },
		});
		const request = lastRequest();
		expect(request.body.parameters).toEqual({});
		const prompt = (request.body.input as any).messages[0].content[1].text as string;
		expect(prompt.startsWith('假設你是一名資訊提取專家')).toBe(true);
		expect(prompt.endsWith(JSON.stringify({ invoice_number: 'Invoice number', buyer: { name: 'Buyer' } }))).toBe(true);
		expect(item.json).toMatchObject({ invoice_number: 'INV-2024-0042', buyer: { name: 'Globex Corporation' } });
	});

	it('the model can be any name typed as an expression', async () => {
		await run('textRecognition', 'binary', 'receipt.jpg', { model: '={{ "qwen-vl-ocr-2025-11-20" }}' });
		expect(lastRequest().body.model).toBe('qwen-vl-ocr-2025-11-20');
	});
});
