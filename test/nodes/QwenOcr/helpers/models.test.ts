/**
 * The model table against the vendor page's model tables (更新時間 Jan 15, 2026), the emulator's server-side
 * rules, and the node's Model field.
 */
import type { INodeProperties } from 'n8n-workflow';

import {
	cheapestModel,
	findModel,
	MODEL_TABLE,
	modelOptions,
	patchSizeFor,
	priceFor,
	priceTableDate,
	REGIONS,
	regionalModel,
	supportsBuiltInTasks,
} from '../../../../nodes/QwenOcr/helpers/models';
import { QwenOcr } from '../../../../nodes/QwenOcr/QwenOcr.node';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emulatorModels = require('../../../emulator/lib/models');

describe('prices and limits as printed on the vendor page', () => {
	it.each([
		// model, region, input $/M, output $/M
		['qwen-vl-ocr', 'intl', 0.72, 0.72],
		['qwen-vl-ocr-2025-11-20', 'intl', 0.07, 0.16],
		['qwen-vl-ocr', 'us', 0.07, 0.16],
		['qwen-vl-ocr-2025-11-20', 'us', 0.07, 0.16],
		['qwen-vl-ocr', 'cn', 0.717, 0.717],
		['qwen-vl-ocr-latest', 'cn', 0.043, 0.072],
		['qwen-vl-ocr-2025-11-20', 'cn', 0.043, 0.072],
		['qwen-vl-ocr-2025-08-28', 'cn', 0.717, 0.717],
		['qwen-vl-ocr-2025-04-13', 'cn', 0.717, 0.717],
		['qwen-vl-ocr-2024-10-28', 'cn', 0.717, 0.717],
	])('%s in %s: $%d in, $%d out', (model, region, input, output) => {
		expect(priceFor(model, region)).toEqual({ inputPerMillion: input, outputPerMillion: output, currency: 'USD' });
	});

	it('has no price where the page lists no row, nor for a custom base URL', () => {
		expect(priceFor('qwen-vl-ocr-latest', 'intl')).toBeUndefined();
		expect(priceFor('qwen-vl-ocr-2025-08-28', 'us')).toBeUndefined();
		expect(priceFor('qwen-vl-ocr', 'custom')).toBeUndefined();
		expect(priceFor('qwen3.5-ocr', 'intl')).toBeUndefined();
		expect(priceTableDate).toBe('2026-01-15');
	});

	it('reads aliases and stray case', () => {
		expect(findModel(' QWEN-VL-OCR-1120 ')?.name).toBe('qwen-vl-ocr-2025-11-20');
		expect(findModel('qwen-vl-ocr-0828')?.name).toBe('qwen-vl-ocr-2025-08-28');
		expect(priceFor('qwen-vl-ocr-1028', 'cn')?.inputPerMillion).toBe(0.717);
	});

	it('output limits: 8,192 for the Qwen3-VL generation, 4,096 for the others', () => {
		expect(regionalModel('qwen-vl-ocr-2025-11-20', 'intl')?.maxOutputTokens).toBe(8192);
		expect(regionalModel('qwen-vl-ocr-latest', 'cn')?.maxOutputTokens).toBe(8192);
		expect(regionalModel('qwen-vl-ocr', 'intl')?.maxOutputTokens).toBe(4096);
		expect(regionalModel('qwen-vl-ocr-2025-04-13', 'cn')?.contextTokens).toBe(34096);
		expect(regionalModel('qwen-vl-ocr-2025-11-20', 'cn')?.maxInputTokens).toBe(30000);
	});

	it('only 2024-10-28 lacks built-in tasks; unknown (newer) names are assumed to have them', () => {
		expect(MODEL_TABLE.filter((model) => !supportsBuiltInTasks(model.name)).map((model) => model.name)).toEqual(['qwen-vl-ocr-2024-10-28']);
		expect(supportsBuiltInTasks('qwen-vl-ocr-1028')).toBe(false);
		expect(supportsBuiltInTasks('qwen3.5-ocr')).toBe(true);
	});

	it('the cheapest model is qwen-vl-ocr-2025-11-20 in every region (never the stable name in Singapore)', () => {
		expect(REGIONS.map((region) => cheapestModel(region).name)).toEqual(['qwen-vl-ocr-2025-11-20', 'qwen-vl-ocr-2025-11-20', 'qwen-vl-ocr-2025-11-20']);
	});
});

describe('the emulator (server side) keeps the same rules', () => {
	it.each(REGIONS.flatMap((region) => MODEL_TABLE.map((model) => [model.name, region] as const)))('%s in %s', (name, region) => {
		const row = regionalModel(name, region);
		// The emulator is lenient about where older snapshots exist (only -latest is refused outside Beijing).
		expect(emulatorModels.modelExists(name, region)).toBe(name === 'qwen-vl-ocr-latest' ? region === 'cn' : true);
		expect(emulatorModels.patchSize(name, region)).toBe(patchSizeFor(name, region));
		expect(emulatorModels.supportsBuiltInTasks(name)).toBe(supportsBuiltInTasks(name));
		if (row) expect(emulatorModels.maxOutputTokens(name)).toBe(row.maxOutputTokens);
	});
});

describe('the Model field', () => {
	const field = new QwenOcr().description.properties.find((property) => property.name === 'model') as INodeProperties;

	it('lists the table\'s models with labels saying where they exist', () => {
		// The field loads the credential's list (methods/loadOptions.ts), labelled from the table; the
		// table's own list is what it offers when DashScope cannot be asked.
		expect(field.typeOptions?.loadOptionsMethod).toBe('getModels');
		const labels = Object.fromEntries((modelOptions() as Array<{ name: string; value: string }>).map((option) => [option.value, option.name]));
		expect(labels['qwen-vl-ocr-2025-08-28']).toMatch(/Beijing Only/);
		expect(labels['qwen-vl-ocr-2025-04-13']).toMatch(/Beijing Only/);
		expect(labels['qwen-vl-ocr-2024-10-28']).toMatch(/Beijing Only.*No Built-in Tasks/);
		expect(labels['qwen-vl-ocr-2025-11-20']).toMatch(/All Regions/);
		expect(field.default).toBe('qwen-vl-ocr');
	});

	it('never claims the stable name is the newest snapshot everywhere, and says what it is per region', () => {
		const stable = (modelOptions() as Array<{ value: string; description?: string }>).find((option) => option.value === 'qwen-vl-ocr');
		expect(stable?.description).not.toMatch(/newest/);
		expect(stable?.description).toMatch(/Singapore: \$0\.72\/M tokens/);
		expect(stable?.description).toMatch(/Beijing: same as qwen-vl-ocr-2025-08-28/);
		expect(stable?.description).toMatch(/Virginia: same as qwen-vl-ocr-2025-11-20/);
	});

	it('recommends the cheapest current model with its prices', () => {
		expect(field.hint).toMatch(/Cheapest current model: qwen-vl-ocr-2025-11-20 \(Singapore \$0\.07 in \/ \$0\.16 out/);
		expect(field.hint).toMatch(/Beijing \$0\.043 in \/ \$0\.072 out/);
	});

	it('the no-built-in-tasks hint shows for the table\'s models without tasks and their aliases', () => {
		const hint = new QwenOcr().description.hints?.find((entry) => entry.message.includes('no built-in tasks'));
		expect(hint?.displayCondition).toContain('["qwen-vl-ocr-2024-10-28","qwen-vl-ocr-1028"].includes($parameter["model"])');
	});

	it('labels a live list from the table, unknown names as given', () => {
		expect(modelOptions(['qwen-vl-ocr-latest', 'qwen3.5-ocr']).map((option) => option.name)).toEqual(['Qwen-VL-OCR Latest (Beijing Only)', 'qwen3.5-ocr']);
	});
});
