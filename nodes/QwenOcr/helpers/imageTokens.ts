/**
 * Image token estimate for Qwen-OCR, after the vendor's `smart_resize` sample ("手動估算映像 Token 的範例程式碼"
 * on the Qwen-OCR page): tokens = h_bar * w_bar / patch² + 2 (the two are <|vision_bos|> and <|vision_eos|>).
 * It is a budget estimate; the `usage.image_tokens` of the response is what is billed.
 */

export type PatchSize = 28 | 32;

export interface ResizedImage {
	height: number;
	width: number;
}

export interface ImageTokenOptions {
	model: string;
	/** Credential region: `intl` (Singapore), `us` (Virginia), `cn` (Beijing) or `custom`. */
	region: string;
	minPixels?: number;
	maxPixels?: number;
}

const STABLE_MODEL = 'qwen-vl-ocr';

/**
 * Snapshots built on Qwen2.5-VL, which use 28×28 patches. The page: "qwen-vl-ocr-2025-11-20、qwen-vl-ocr-latest
 * 固定為32*32 … 其他模型固定為28*28". The short names are the aliases the model table gives ("又稱qwen-vl-ocr-0828").
 */
const PATCH_28_MODELS = new Set([
	'qwen-vl-ocr-2025-08-28',
	'qwen-vl-ocr-0828',
	'qwen-vl-ocr-2025-04-13',
	'qwen-vl-ocr-0413',
	'qwen-vl-ocr-2024-10-28',
	'qwen-vl-ocr-1028',
]);

/**
 * What the stable name `qwen-vl-ocr` uses per region, from the model tables of the vendor page (updated 2026-01-15):
 * - `us` (全球/Virginia): "當前與qwen-vl-ocr-2025-11-20能力相同" → 32.
 * - `cn` (中國內地/Beijing): "當前與qwen-vl-ocr-2025-08-28能力相同" → 28.
 * - `intl` (國際/Singapore): no "same as" note, but its row (34,096 context, 4,096 output, $0.72) matches the
 *   2025-08-28 generation rather than 2025-11-20 (38,192 context, 8,192 output, $0.07/$0.16) → 28.
 *   The vendor's English page of Feb 2026 already says the Singapore stable name matches 2025-11-20: revisit then.
 * Any other region (a custom base URL may point anywhere) → 28, the larger of the two estimates.
 */
const STABLE_MODEL_PATCH_BY_REGION: Record<string, PatchSize> = { us: 32, cn: 28, intl: 28 };

/**
 * Default pixel bounds when the request sets none, from the vendor's Qwen-OCR API reference (the samples of the
 * page use the 32-patch values 3072 = 32*32*3 and 8388608 = 32*32*8192): the 28-patch models default to
 * 3136 = 28*28*4 and 6422528 = 28*28*8192.
 */
const DEFAULT_PIXELS: Record<PatchSize, { min: number; max: number }> = {
	28: { min: 28 * 28 * 4, max: 28 * 28 * 8192 },
	32: { min: 32 * 32 * 3, max: 32 * 32 * 8192 },
};

/**
 * Patch edge in pixels for a model in a region. `qwen-vl-ocr-2025-11-20` (alias `-1120`), `qwen-vl-ocr-latest`
 * and any model this list does not know (newer models such as `qwen3.5-ocr` are Qwen3-VL based or later) → 32.
 */
export function imagePatchSize(model: string, region: string): PatchSize {
	const name = model.trim().toLowerCase();
	if (name === STABLE_MODEL) {
		return STABLE_MODEL_PATCH_BY_REGION[region] ?? 28;
	}
	return PATCH_28_MODELS.has(name) ? 28 : 32;
}

/** Python 3's round(): halves go to the even neighbour (round(2.5) == 2). */
function roundHalfEven(value: number): number {
	const floor = Math.floor(value);
	const fraction = value - floor;
	if (fraction > 0.5) return floor + 1;
	if (fraction < 0.5) return floor;
	return floor % 2 === 0 ? floor : floor + 1;
}

function assertPositive(name: string, value: number): void {
	if (!Number.isFinite(value) || value <= 0) {
		throw new RangeError(`${name} must be a positive number, got ${value}`);
	}
}

/**
 * The vendor's `smart_resize`, step for step (same floating-point operations in the same order). Throws a
 * RangeError for sizes or bounds that are not positive numbers.
 */
export function smartResize(
	height: number,
	width: number,
	minPixels: number,
	maxPixels: number,
	patch: number,
): ResizedImage {
	assertPositive('height', height);
	assertPositive('width', width);
	assertPositive('minPixels', minPixels);
	assertPositive('maxPixels', maxPixels);
	assertPositive('patch', patch);

	let hBar = roundHalfEven(height / patch) * patch;
	let wBar = roundHalfEven(width / patch) * patch;
	if (hBar * wBar > maxPixels) {
		const beta = Math.sqrt((height * width) / maxPixels);
		hBar = Math.floor(height / beta / patch) * patch;
		wBar = Math.floor(width / beta / patch) * patch;
	} else if (hBar * wBar < minPixels) {
		const beta = Math.sqrt(minPixels / (height * width));
		hBar = Math.ceil((height * beta) / patch) * patch;
		wBar = Math.ceil((width * beta) / patch) * patch;
	}
	return { height: hBar, width: wBar };
}

/** Estimated image tokens for one image, with the model's default pixel bounds unless given. */
export function estimateImageTokens(width: number, height: number, options: ImageTokenOptions): number {
	const patch = imagePatchSize(options.model, options.region);
	const defaults = DEFAULT_PIXELS[patch];
	const resized = smartResize(
		height,
		width,
		options.minPixels ?? defaults.min,
		options.maxPixels ?? defaults.max,
		patch,
	);
	return Math.floor((resized.height * resized.width) / (patch * patch)) + 2;
}

/**
 * The pixel bounds a request is resized to: the Min/Max Pixels options, or the model's defaults, with its patch
 * size (the PDF reader scales pages above max_pixels exactly as smart_resize would).
 */
export function pixelBudget(options: ImageTokenOptions): { minPixels: number; maxPixels: number; patch: PatchSize } {
	const patch = imagePatchSize(options.model, options.region);
	const defaults = DEFAULT_PIXELS[patch];
	return { minPixels: options.minPixels ?? defaults.min, maxPixels: options.maxPixels ?? defaults.max, patch };
}
