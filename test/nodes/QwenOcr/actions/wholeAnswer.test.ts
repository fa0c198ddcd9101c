/**
 * The answer as the model gave it, through n8n-core's engine and the emulator told what to answer: whole text
 * (fences removed only when the whole answer is one fenced block), `data` only when the answer is JSON, and
 * `truncated` only when something is left open at the very end — checked on every sample of the vendor page.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { IDataObject } from 'n8n-workflow';

import { binaryItem, generationRequests, runQwenOcr, useEmulator } from '../../../engine/qwenOcr';

const emulator = useEmulator();

interface ScriptedAnswer {
	text: string;
	ocrResult?: IDataObject;
	finishReason?: string;
}

/** Runs one operation on a receipt photo whose answer is `answer`; returns the item's JSON. */
async function answerAs(operation: string, answer: ScriptedAnswer, extra: IDataObject = {}): Promise<IDataObject> {
	emulator.enqueueFaults([{ answer: answer as unknown as IDataObject }]);
	const result = await runQwenOcr(emulator, { operation, ...extra }, [binaryItem('receipt.jpg')]);
	if (result.error) throw result.error;
	expect(result.items).toHaveLength(1);
	return result.items[0].json;
}

const meta = (json: IDataObject) => json._qwenOcr as IDataObject;

/** A screenshot of a README: a heading, prose, a code block and more prose. */
const README_SCREENSHOT = [
	'Quick start',
	'',
	'Install the package in your n8n folder, then restart n8n:',
	'',
	'```bash',
	'cd ~/.n8n/nodes',
	'npm install n8n-nodes-qwen-ocr',
	'```',
	'',
	'Open the editor, add the Qwen OCR node and pick an operation.',
].join('\n');

describe('whole text: Recognize Text, Multi-Language and Custom Prompt keep the whole answer', () => {
	it.each([
		['textRecognition', {}],
		['multiLanguage', {}],
		['customPrompt', { prompt: 'Transcribe this screenshot as Markdown.' }],
	])('%s: prose around a code block is kept exactly, fences included', async (operation, extra) => {
		const json = await answerAs(operation, { text: README_SCREENSHOT }, extra);
		expect(json.text).toBe(README_SCREENSHOT);
		expect(json.data).toBeUndefined();
		expect(meta(json)).toMatchObject({ truncated: false, finishReason: 'stop' });
		expect(meta(json).rawText).toBeUndefined();
	});

	it.each(['textRecognition', 'multiLanguage', 'customPrompt'])('%s: an answer that is one fenced block loses only its fences', async (operation) => {
		const json = await answerAs(operation, { text: '```text\nCORNER MARKET\n  221 Baker Street\nTOTAL GBP 11.99\n```' }, { prompt: 'Read it.' });
		expect(json.text).toBe('CORNER MARKET\n  221 Baker Street\nTOTAL GBP 11.99');
		expect(meta(json).truncated).toBe(false);
	});

	it('a code block left open at the end is a cut: the text is kept as it came and flagged', async () => {
		const text = 'Install it:\n\n```bash\nnpm install n8n-nodes-qw';
		const json = await answerAs('textRecognition', { text });
		expect(json.text).toBe(text);
		expect(meta(json)).toMatchObject({ truncated: true, rawText: text });
	});
});

describe('custom prompt: data only when the answer is JSON', () => {
	const prompt = { prompt: 'List the products and prices on this shelf label as JSON.' };

	it('JSON in a fenced block with prose around it becomes data; the text keeps the prose', async () => {
		const text =
			'Here is the JSON you asked for:\n\n```json\n{\n  "product": "Oat Milk 1L",\n  "price": 2.49,\n  "unit_price": "2.49 €/l"\n}\n```\n\nThe label also shows a "2 for 4.50" offer [not included].';
		const json = await answerAs('customPrompt', { text }, prompt);
		expect(json.data).toEqual({ product: 'Oat Milk 1L', price: 2.49, unit_price: '2.49 €/l' });
		expect(json.text).toBe(text);
		expect(meta(json).truncated).toBe(false);
	});

	it('a whole JSON answer without a fence becomes data', async () => {
		const json = await answerAs('customPrompt', { text: '[{"product": "Bolt M6", "qty": 40}, {"product": "Nut M6", "qty": 40}]\n' }, prompt);
		expect(json.data).toEqual([{ product: 'Bolt M6', qty: 40 }, { product: 'Nut M6', qty: 40 }]);
		expect(meta(json).truncated).toBe(false);
	});

	it.each([
		'The allergens are listed on the back (see [1]): milk, soy, oats.',
		'Qty [3 pcs] of M6 bolts, delivered 2024-03-05 to {site B}.',
		'[1] Introduction\nThe device starts when the button is held for 3 s.',
		'Two readings:\n```json\n{"price": 2.49}\n```\nor, with the offer:\n```json\n{"price": 2.25}\n```',
	])('brackets in prose are no JSON: %j gives no data and no truncation', async (text) => {
		const json = await answerAs('customPrompt', { text }, prompt);
		expect(json.data).toBeUndefined();
		expect(json.text).toBe(text);
		expect(meta(json).truncated).toBe(false);
	});

	it('a JSON answer cut off at max_tokens is parsed as far as it goes and flagged', async () => {
		const text = '```json\n{"items": [{"product": "Bolt M6", "qty": 40}, {"product": "Nut M6", "qty"';
		const json = await answerAs('customPrompt', { text, finishReason: 'length' }, prompt);
		expect(json.data).toEqual({ items: [{ product: 'Bolt M6', qty: 40 }, { product: 'Nut M6' }] });
		expect(meta(json)).toMatchObject({ truncated: true, finishReason: 'length', rawText: text });
	});

	it('an HTML table left open at the end is a cut even with finish_reason stop', async () => {
		const text = 'Here is the table:\n<table>\n<tr><th>Product</th><th>Price</th></tr>\n<tr><td>Oat Milk</td><td>2.4';
		const json = await answerAs('customPrompt', { text }, { prompt: 'Give the table as HTML.' });
		expect(json.data).toBeUndefined();
		expect(meta(json)).toMatchObject({ truncated: true, finishReason: 'stop' });
	});
});

/** A sample response of the vendor page (test/fixtures/vendor), as the scripted answer of the emulator. */
function vendorAnswer(name: string): ScriptedAnswer {
	const body = JSON.parse(readFileSync(path.join(__dirname, '../../../fixtures/vendor', `${name}.json`), 'utf8')) as IDataObject;
	if (body.output === undefined) {
		// OpenAI-compatible samples: the same answer text in choices[0].message.content.
		const choice = (body.choices as IDataObject[])[0];
		return { text: (choice.message as IDataObject).content as string, finishReason: choice.finish_reason as string };
	}
	const choice = ((body.output as IDataObject).choices as IDataObject[])[0];
	const [content] = (choice.message as IDataObject).content as IDataObject[];
	return { text: content.text as string, ocrResult: content.ocr_result as IDataObject | undefined, finishReason: choice.finish_reason as string };
}

describe('truncated means cut off: every sample answer of the vendor page', () => {
	// [sample, operation, extra parameters, truncated]. Only the table sample is cut (it ends inside `</`).
	const SAMPLES: Array<[string, string, IDataObject, boolean]> = [
		['text_recognition', 'textRecognition', {}, false],
		['multi_lan', 'multiLanguage', {}, false],
		['advanced_recognition', 'advancedRecognition', {}, false],
		['key_information_extraction', 'keyInformationExtraction', { schemaSource: 'allFields' }, false],
		['table_parsing', 'tableParsing', {}, true],
		['document_parsing', 'documentParsing', {}, false],
		['formula_recognition', 'formulaRecognition', {}, false],
		['quickstart_prompt', 'customPrompt', { prompt: '請提取車票圖像中的發票號碼、車次、起始站、終點站、發車日期和時間點、座位號、席別類型、票價、身份證號碼、購票人姓名。要求準確無誤的提取上述關鍵信息、不要遺漏和捏造虛假信息，模糊或者強光遮擋的單個文字可以用英文問號?代替。返回數據格式以json方式輸出，格式為：{...}' }, false],
		['compatible_quickstart_prompt', 'customPrompt', { prompt: 'Extract the ticket fields as JSON.' }, false],
		['compatible_key_information_extraction', 'customPrompt', { prompt: 'Extract the invoice fields as JSON.' }, false],
	];

	it.each(SAMPLES)('%s as %s', async (sample, operation, extra, truncated) => {
		const answer = vendorAnswer(sample);
		expect(answer.finishReason).toBe('stop');
		const json = await answerAs(operation, answer, extra);
		expect(meta(json)).toMatchObject({ truncated, finishReason: 'stop' });
		// The raw answer comes along exactly when the parse is best effort.
		expect(meta(json).rawText).toBe(truncated ? answer.text : undefined);
	});

	it('the document sample keeps its LaTeX and is not advised to raise Max Tokens', async () => {
		const json = await answerAs('documentParsing', vendorAnswer('document_parsing'));
		expect((json.latex as string).startsWith('\\documentclass{article}')).toBe(true);
		expect((json.latex as string).endsWith('Chen et al., 2023b;')).toBe(true);
		expect(meta(json).truncated).toBe(false);
	});

	it('the custom prompt samples give their JSON as data', async () => {
		const json = await answerAs('customPrompt', vendorAnswer('quickstart_prompt'), { prompt: 'Extract the ticket as JSON.' });
		expect(json.data).toMatchObject({ 發票號碼: '24329116804000', 車次: 'G1948', 票價: '¥337.50', 購票人姓名: '讀小光' });
	});
});

describe('Recognize Text With Positions on a model without built-in tasks', () => {
	it('qwen-vl-ocr-2024-10-28 (the task sent as its prompt, no words_info): the model\'s text in text, lines empty, not truncated', async () => {
		const result = await runQwenOcr(emulator, { operation: 'advancedRecognition', model: 'qwen-vl-ocr-2024-10-28' }, [binaryItem('receipt.jpg')]);
		if (result.error) throw result.error;
		const [item] = result.items;
		const request = generationRequests(emulator).slice(-1)[0];
		expect(request.body.parameters).toEqual({});
		// The emulator answers as the model does: rotated rectangles with their text, in a json fence.
		const text = item.json.text as string;
		expect(text.startsWith('[{"pos_list": [{"rotate_rect": [')).toBe(true);
		expect(text).toContain('"text": "CORNER MARKET"');
		expect(text).not.toContain('```');
		expect(item.json.lines).toEqual([]);
		expect(meta(item.json)).toMatchObject({ truncated: false, finishReason: 'stop', model: 'qwen-vl-ocr-2024-10-28' });
	});

	it('a plain-text answer is kept as it is', async () => {
		const json = await answerAs('advancedRecognition', { text: 'CORNER MARKET\n221 Baker Street, London\nTOTAL GBP 11.99' }, { model: 'qwen-vl-ocr-2024-10-28' });
		expect(json.text).toBe('CORNER MARKET\n221 Baker Street, London\nTOTAL GBP 11.99');
		expect(json.lines).toEqual([]);
		expect(meta(json).truncated).toBe(false);
	});
});
