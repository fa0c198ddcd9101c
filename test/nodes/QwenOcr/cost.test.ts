/**
 * Cost per item (`_qwenOcr.cost`) through the engine: the request's token usage priced with the model table for
 * the credential's region, or with `options.customPrices`. The figures below are worked out by hand from the
 * vendor page's prices (USD per million tokens, 2026-01-15):
 *   Singapore qwen-vl-ocr            0.72 / 0.72    Beijing qwen-vl-ocr             0.717 / 0.717
 *   Singapore qwen-vl-ocr-2025-11-20 0.07 / 0.16    Beijing qwen-vl-ocr-2025-11-20  0.043 / 0.072
 *                                                   Beijing qwen-vl-ocr-latest      0.043 / 0.072
 * The emulator reports fixed token counts: 1,180 image + 20 prompt = 1,200 input tokens, 300 output tokens.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { REGION_BASE_URLS } from '../../../nodes/QwenOcr/transport';
import type { Emulator } from '../../engine/qwenOcr';
import { binaryItem, runQwenOcr, useEmulator } from '../../engine/qwenOcr';
import { bytesItem } from '../../engine/images';

const singapore = useEmulator({ region: 'intl' });
const beijing = useEmulator({ region: 'cn' });

const ORIGINAL_URLS = { ...REGION_BASE_URLS };
afterEach(() => Object.assign(REGION_BASE_URLS, ORIGINAL_URLS));

const TOKENS = { imageTokens: 1180, textTokens: 20, outputTokens: 300 };
const meta = (item: INodeExecutionData) => item.json._qwenOcr as IDataObject;

/** Runs the node with the emulator as the credential's custom base URL (not a DashScope host: region unknown). */
async function runCustom(parameters: IDataObject) {
	Object.assign(REGION_BASE_URLS, ORIGINAL_URLS);
	singapore.addFaultRule('"model"', { tokens: TOKENS });
	const result = await runQwenOcr(singapore, parameters, [binaryItem('invoice.png')]);
	expect(result.error).toBeUndefined();
	return result.items;
}

/** Runs the node with a credential of `region`, whose DashScope base URL is pointed at the emulator. */
async function runIn(region: 'intl' | 'cn', emulator: Emulator, parameters: IDataObject, items: INodeExecutionData[] = [binaryItem('invoice.png')]) {
	REGION_BASE_URLS[region] = emulator.baseUrl;
	emulator.addFaultRule('"model"', { tokens: TOKENS });
	const result = await runQwenOcr(emulator, parameters, items, { region });
	expect(result.error).toBeUndefined();
	return result.items;
}

describe('cost from the price table', () => {
	it.each([
		// region, model, hand-computed USD: (1200 × in + 300 × out) / 1,000,000
		['intl', 'qwen-vl-ocr', 0.00108], // 1500 × 0.72 = 1080
		['intl', 'qwen-vl-ocr-2025-11-20', 0.000132], // 1200 × 0.07 + 300 × 0.16 = 84 + 48
		['cn', 'qwen-vl-ocr', 0.0010755], // 1500 × 0.717 = 1075.5
		['cn', 'qwen-vl-ocr-2025-11-20', 0.0000732], // 1200 × 0.043 + 300 × 0.072 = 51.6 + 21.6
		['cn', 'qwen-vl-ocr-latest', 0.0000732],
	] as const)('%s %s costs $%d', async (region, model, amount) => {
		const [item] = await runIn(region, region === 'intl' ? singapore : beijing, { operation: 'textRecognition', model });
		expect(meta(item).usage).toMatchObject({ input_tokens: 1200, output_tokens: 300 });
		expect(meta(item).cost).toEqual({ amount, currency: 'USD', model, region, priceTableDate: '2026-01-15' });
		expect(meta(item).costNote).toBeUndefined();
	});

	it('a model the region does not list, an unknown model and a custom base URL: null with a note saying why', async () => {
		const [notListed] = await runIn('intl', singapore, { operation: 'textRecognition', model: 'qwen-vl-ocr-2025-08-28' });
		expect(meta(notListed).cost).toBeNull();
		expect(meta(notListed).costNote).toMatch(/no price for qwen-vl-ocr-2025-08-28 in Singapore.*Custom Prices/);

		const [unknown] = await runIn('intl', singapore, { operation: 'textRecognition', model: 'qwen3.5-ocr' });
		expect(meta(unknown).cost).toBeNull();
		expect(meta(unknown).costNote).toMatch(/"qwen3.5-ocr" is not in the built-in price table/);

		const [custom] = await runCustom({ operation: 'textRecognition' });
		expect(meta(custom).cost).toBeNull();
		expect(meta(custom).costNote).toMatch(/custom base URL, so the region .* is unknown/);
	});
});

describe('options.customPrices', () => {
	it('overrides the table, and prices a custom base URL', async () => {
		const customPrices = { inputPerMillion: 2, outputPerMillion: 6, currency: 'CNY' };
		// (1200 × 2 + 300 × 6) / 1e6 = 4200 / 1e6
		const [table] = await runIn('intl', singapore, { operation: 'textRecognition', model: 'qwen-vl-ocr', options: { customPrices } });
		expect(meta(table).cost).toEqual({ amount: 0.0042, currency: 'CNY', model: 'qwen-vl-ocr', region: 'intl', priceTableDate: null });

		const [custom] = await runCustom({ operation: 'textRecognition', model: 'qwen3.5-ocr', options: { customPrices } });
		expect(meta(custom).cost).toEqual({ amount: 0.0042, currency: 'CNY', model: 'qwen3.5-ocr', region: 'custom', priceTableDate: null });
	});

	it('needs both prices; the currency defaults to USD', async () => {
		const [half] = await runIn('intl', singapore, { operation: 'textRecognition', options: { customPrices: { inputPerMillion: 1 } } });
		expect(meta(half).cost).toBeNull();
		expect(meta(half).costNote).toMatch(/needs both the input and the output price/);
		const [usd] = await runIn('intl', singapore, { operation: 'textRecognition', options: { customPrices: { inputPerMillion: 1, outputPerMillion: 0 } } });
		expect(meta(usd).cost).toMatchObject({ amount: 0.0012, currency: 'USD' });
	});
});

describe('on every operation, once per request like usage', () => {
	const operations: Array<[string, IDataObject, string]> = [
		['textRecognition', {}, 'invoice.png'],
		['advancedRecognition', {}, 'invoice.png'],
		['keyInformationExtraction', {}, 'invoice.png'],
		['keyInformationExtraction', { options: { splitArrayField: 'items' } }, 'invoice.png'],
		['tableParsing', {}, 'table.png'],
		['tableParsing', { options: { tableOutput: 'rows' } }, 'table.png'],
		['documentParsing', {}, 'document.png'],
		['formulaRecognition', {}, 'formula.png'],
		['multiLanguage', {}, 'multilang.png'],
		['customPrompt', { prompt: 'Read the text' }, 'invoice.png'],
	];

	it.each(operations)('%s %j', async (operation, extra, image) => {
		const items = await runIn('intl', singapore, { operation, model: 'qwen-vl-ocr-2025-11-20', ...extra }, [binaryItem(image), binaryItem(image)]);
		expect(items.length).toBeGreaterThanOrEqual(2);
		for (const item of items) {
			// cost sits wherever usage sits (the first item of a request; null on the others)
			expect(meta(item).cost === null).toBe(meta(item).usage === null);
		}
		const perRequest = new Map<string, IDataObject>();
		for (const item of items) if (meta(item).cost) perRequest.set(String(meta(item).requestId), meta(item).cost as IDataObject);
		expect(perRequest.size).toBe(2);
		for (const cost of perRequest.values()) expect(cost).toEqual({ amount: 0.000132, currency: 'USD', model: 'qwen-vl-ocr-2025-11-20', region: 'intl', priceTableDate: '2026-01-15' });
	});

	it('one item per PDF: the pages\' usage added up and priced once', async () => {
		const pdf = readFileSync(path.join(__dirname, '../../fixtures/pdf/multipage.pdf'));
		const [item, ...rest] = await runIn('cn', beijing, { operation: 'textRecognition', options: { pdfOutput: 'perDocument' } }, [bytesItem(pdf, 'three.pdf', 'application/pdf')]);
		expect(rest).toHaveLength(0);
		expect(meta(item).usage).toMatchObject({ input_tokens: 3600, output_tokens: 900 });
		// 4500 × 0.717 / 1e6
		expect(meta(item).cost).toEqual({ amount: 0.0032265, currency: 'USD', model: 'qwen-vl-ocr', region: 'cn', priceTableDate: '2026-01-15' });
	});
});
