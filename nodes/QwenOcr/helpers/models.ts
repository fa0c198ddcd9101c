/**
 * The one table of Qwen-OCR models: where each model exists, its image token patch, its limits and its prices,
 * from the model tables of the vendor page ("支援的模型", /work/shared/reference/000_f2998f6b31b08f60.txt,
 * 更新時間 Jan 15, 2026). Everything the node knows about a model name comes from here: the Model field's
 * options, the token estimate, the prompt fallback for models without built-in tasks, and the cost per item.
 *
 * How the page's merged cells were read (the page is a table flattened to text: a value printed once for a
 * group of rows belongs to every row of the group until the next value in that column):
 * - 全球 (Virginia, `us`): `qwen-vl-ocr` and `qwen-vl-ocr-2025-11-20` share one 最大輸入 cell (30,000, 單圖最大
 *   30000) and one price cell ($0.07 in / $0.16 out); the snapshot has its own 上下文長度 38,192 and 最大輸出 8,192,
 *   the stable name 34,096 and 4,096 as printed, although it is "當前與qwen-vl-ocr-2025-11-20能力相同".
 * - 國際 (Singapore, `intl`): the stable name has its own row (34,096 / 30,000 / 4,096, $0.72 / $0.72); the
 *   2025-11-20 snapshot has its own context, output and prices (38,192 / 8,192, $0.07 / $0.16) and shares the
 *   30,000 最大輸入 cell and the free quota cell (1M tokens each for 90 days, not counted in the cost).
 * - 中國內地 (Beijing, `cn`): one 最大輸入 cell (30,000) spans every row. `qwen-vl-ocr-latest` and
 *   `qwen-vl-ocr-2025-11-20` share 38,192 / 8,192 / $0.043 / $0.072; `qwen-vl-ocr-2025-08-28`,
 *   `-2025-04-13` and `-2024-10-28` share 34,096 / 4,096 / $0.717 / $0.717, the same figures as the stable name,
 *   which is "當前與qwen-vl-ocr-2025-08-28能力相同".
 * All prices on the page are in US dollars per million tokens (總費用 = 輸入 Token 數 × 輸入單價 + 輸出 Token 數 ×
 * 輸出單價).
 *
 * Token patch: "qwen-vl-ocr-2025-11-20、qwen-vl-ocr-latest 固定為32*32 … 其他模型固定為28*28". The stable name
 * follows the snapshot it currently equals: 32 in Virginia (= 2025-11-20), 28 in Beijing (= 2025-08-28), and 28
 * in Singapore, whose row has no "same as" note but the older generation's context, output and price. (The
 * vendor's English page of Feb 2026 already says the Singapore stable name matches 2025-11-20: revisit then.)
 *
 * The emulator (test/emulator/lib/models.js) keeps its own copy of these rules on purpose: it is the server side.
 */

export type Region = 'intl' | 'us' | 'cn';
export type PatchSize = 28 | 32;

/** The date of the vendor page the prices were read from (its 更新時間). */
export const priceTableDate = '2026-01-15';

export const REGIONS: readonly Region[] = ['intl', 'us', 'cn'];

export const REGION_NAMES: Record<Region, string> = { intl: 'Singapore', us: 'Virginia', cn: 'Beijing' };

export interface ModelPrice {
	/** Price of one million input tokens (image and prompt). */
	inputPerMillion: number;
	/** Price of one million output tokens. */
	outputPerMillion: number;
	currency: string;
}

/** A model's row in one region's table. */
export interface RegionalModel {
	patchSize: PatchSize;
	/** 上下文長度 (tokens). */
	contextTokens: number;
	/** 最大輸入 (tokens; one image at most 30,000). */
	maxInputTokens: number;
	/** 最大輸出: also the default `max_tokens` (4,096 models may be raised to 8,192 only on request). */
	maxOutputTokens: number;
	price: ModelPrice;
	/** The snapshot this name currently equals in this region, when the page says so. */
	sameAs?: string;
}

export interface ModelInfo {
	name: string;
	/** Short names the page gives ("又稱qwen-vl-ocr-1120"). */
	aliases: string[];
	kind: 'stable' | 'latest' | 'snapshot';
	/** `ocr_options` tasks; qwen-vl-ocr-2024-10-28 predates them ("模型(除qwen-vl-ocr-2024-10-28外)內建了多種任務"). */
	builtInTasks: boolean;
	regions: Partial<Record<Region, RegionalModel>>;
}

const USD = 'USD';
const usd = (inputPerMillion: number, outputPerMillion: number): ModelPrice => ({ inputPerMillion, outputPerMillion, currency: USD });

/** Qwen3-VL generation (2025-11-20, latest): 32-pixel patches, 8,192 output tokens. */
const newGeneration = (price: ModelPrice): RegionalModel => ({
	patchSize: 32,
	contextTokens: 38192,
	maxInputTokens: 30000,
	maxOutputTokens: 8192,
	price,
});

/** Qwen2.5-VL generation (stable outside Virginia, 2025-08-28 and older): 28-pixel patches, 4,096 output tokens. */
const oldGeneration = (price: ModelPrice, patchSize: PatchSize = 28): RegionalModel => ({
	patchSize,
	contextTokens: 34096,
	maxInputTokens: 30000,
	maxOutputTokens: 4096,
	price,
});

const BEIJING_OLD = usd(0.717, 0.717);

export const MODEL_TABLE: readonly ModelInfo[] = [
	{
		name: 'qwen-vl-ocr',
		aliases: [],
		kind: 'stable',
		builtInTasks: true,
		regions: {
			intl: oldGeneration(usd(0.72, 0.72)),
			us: { ...oldGeneration(usd(0.07, 0.16), 32), sameAs: 'qwen-vl-ocr-2025-11-20' },
			cn: { ...oldGeneration(BEIJING_OLD), sameAs: 'qwen-vl-ocr-2025-08-28' },
		},
	},
	{
		name: 'qwen-vl-ocr-latest',
		aliases: [],
		kind: 'latest',
		builtInTasks: true,
		regions: { cn: newGeneration(usd(0.043, 0.072)) },
	},
	{
		name: 'qwen-vl-ocr-2025-11-20',
		aliases: ['qwen-vl-ocr-1120'],
		kind: 'snapshot',
		builtInTasks: true,
		regions: {
			intl: newGeneration(usd(0.07, 0.16)),
			us: newGeneration(usd(0.07, 0.16)),
			cn: newGeneration(usd(0.043, 0.072)),
		},
	},
	{
		name: 'qwen-vl-ocr-2025-08-28',
		aliases: ['qwen-vl-ocr-0828'],
		kind: 'snapshot',
		builtInTasks: true,
		regions: { cn: oldGeneration(BEIJING_OLD) },
	},
	{
		name: 'qwen-vl-ocr-2025-04-13',
		aliases: ['qwen-vl-ocr-0413'],
		kind: 'snapshot',
		builtInTasks: true,
		regions: { cn: oldGeneration(BEIJING_OLD) },
	},
	{
		name: 'qwen-vl-ocr-2024-10-28',
		aliases: ['qwen-vl-ocr-1028'],
		kind: 'snapshot',
		builtInTasks: false,
		regions: { cn: oldGeneration(BEIJING_OLD) },
	},
];

function isRegion(region: string): region is Region {
	return (REGIONS as readonly string[]).includes(region);
}

/** The table's entry for a model name or alias (case and surrounding spaces ignored). */
export function findModel(name: string): ModelInfo | undefined {
	const wanted = String(name ?? '').trim().toLowerCase();
	return MODEL_TABLE.find((model) => model.name === wanted || model.aliases.includes(wanted));
}

/** The model's row in a region's table, or undefined when the region does not list it (or is not a known region). */
export function regionalModel(name: string, region: string): RegionalModel | undefined {
	return isRegion(region) ? findModel(name)?.regions[region] : undefined;
}

/** The region's price of a model, or undefined when the table has no price for that model there. */
export function priceFor(model: string, region: string): ModelPrice | undefined {
	return regionalModel(model, region)?.price;
}

/**
 * Patch edge in pixels of a model in a region. Outside the regions that list it (a custom base URL may point
 * anywhere) the smallest patch the model has anywhere, which gives the larger token estimate; a model the table
 * does not know (newer models such as `qwen3.5-ocr` are Qwen3-VL based or later) → 32.
 */
export function patchSizeFor(model: string, region: string): PatchSize {
	const info = findModel(model);
	if (!info) return 32;
	const row = isRegion(region) ? info.regions[region] : undefined;
	if (row) return row.patchSize;
	return Math.min(...Object.values(info.regions).map((entry) => entry.patchSize)) as PatchSize;
}

/**
 * Default pixel bounds when the request sets none, by patch, from the vendor's Qwen-OCR API reference (the samples
 * of the page use the 32-patch values 3072 = 32*32*3 and 8388608 = 32*32*8192): the 28-patch models default to
 * 3136 = 28*28*4 and 6422528 = 28*28*8192.
 */
export const DEFAULT_PIXELS: Record<PatchSize, { min: number; max: number }> = {
	28: { min: 28 * 28 * 4, max: 28 * 28 * 8192 },
	32: { min: 32 * 32 * 3, max: 32 * 32 * 8192 },
};

/** Whether the model takes `ocr_options` tasks; names the table does not know are assumed to (newer models). */
export function supportsBuiltInTasks(model: string): boolean {
	return findModel(model)?.builtInTasks ?? true;
}

function money(value: number, currency: string): string {
	return currency === USD ? `$${value}` : `${value} ${currency}`;
}

function priceText(price: ModelPrice): string {
	return price.inputPerMillion === price.outputPerMillion
		? `${money(price.inputPerMillion, price.currency)}/M tokens`
		: `${money(price.inputPerMillion, price.currency)} in / ${money(price.outputPerMillion, price.currency)} out per M tokens`;
}

/** Cost of a typical page (1,000 input and 500 output tokens), to rank models by price. */
function typicalCost(price: ModelPrice): number {
	return price.inputPerMillion * 1000 + price.outputPerMillion * 500;
}

/** The cheapest model of a region (a snapshot before the moving `-latest` name at equal price). */
export function cheapestModel(region: Region): ModelInfo {
	const listed = MODEL_TABLE.filter((model) => model.regions[region]);
	const rank = (model: ModelInfo) => typicalCost(model.regions[region]!.price) + (model.kind === 'snapshot' ? 0 : 1e-9);
	return listed.reduce((best, model) => (rank(model) < rank(best) ? model : best));
}

const DATE_IN_NAME = /(\d{4}-\d{2}-\d{2})$/;

function regionList(regions: Region[]): string {
	const names = regions.map((region) => REGION_NAMES[region]);
	return names.length === REGIONS.length ? 'All Regions' : `${names.join(', ')} Only`;
}

/** Display name of a model for the Model field, e.g. "Qwen-VL-OCR 2025-08-28 (Beijing Only)". */
export function modelLabel(info: ModelInfo): string {
	const regions = regionList(REGIONS.filter((region) => info.regions[region]));
	const date = DATE_IN_NAME.exec(info.name)?.[1];
	const base = info.kind === 'latest' ? 'Qwen-VL-OCR Latest' : info.kind === 'stable' ? 'Qwen-VL-OCR' : `Qwen-VL-OCR ${date ?? info.name}`;
	const notes = [...(info.kind === 'stable' ? ['Stable'] : []), regions, ...(info.builtInTasks ? [] : ['No Built-in Tasks'])];
	return `${base} (${notes.join(', ')})`;
}

/** What the model is and costs in each region that lists it. */
export function modelDescription(info: ModelInfo): string {
	const parts = REGIONS.filter((region) => info.regions[region]).map((region) => {
		const row = info.regions[region]!;
		const same = row.sameAs ? `same as ${row.sameAs}, ` : '';
		return `${REGION_NAMES[region]}: ${same}${priceText(row.price)}`;
	});
	const extra = info.builtInTasks ? '' : '. No built-in tasks: the node sends each task\'s documented prompt instead';
	return `${parts.join('; ')}${extra}`;
}

export interface ModelOption {
	name: string;
	value: string;
	description: string;
}

/**
 * Options of the Model field. Without `names`: every model of the table. With `names` (e.g. the live model list
 * of a region): those names in their order, labelled from the table when it knows them, as given otherwise.
 */
export function modelOptions(names?: string[]): ModelOption[] {
	const option = (name: string): ModelOption => {
		const info = findModel(name);
		if (!info) return { name, value: name, description: 'Not in the built-in model table: no price or limits known' };
		const label = info.name === name.trim().toLowerCase() ? modelLabel(info) : `${modelLabel(info)} [${name.trim()}]`;
		return { name: label, value: name, description: modelDescription(info) };
	};
	return (names ?? MODEL_TABLE.map((model) => model.name)).map(option);
}

/** The Model field's description: the cheapest current model of each region, from the table. */
export function modelFieldDescription(): string {
	const byModel = new Map<string, Region[]>();
	for (const region of REGIONS) {
		const name = cheapestModel(region).name;
		byModel.set(name, [...(byModel.get(name) ?? []), region]);
	}
	const cheapest = [...byModel].map(([name, regions]) => {
		const prices = regions.map((region) => `${REGION_NAMES[region]} ${priceText(priceFor(name, region)!)}`).join(', ');
		return `${name} (${prices})`;
	});
	return `Cheapest current model: ${cheapest.join('; ')}. The stable name qwen-vl-ocr is not the newest snapshot everywhere (Singapore $0.72/M tokens). Prices from the vendor page of ${priceTableDate}. To use a model that is not listed, switch this field to Expression and type its name.`;
}
