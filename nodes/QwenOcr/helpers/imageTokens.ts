/**
 * Image token estimate for Qwen-OCR, after the vendor's `smart_resize` sample ("手動估算映像 Token 的範例程式碼"
 * on the Qwen-OCR page): tokens = h_bar * w_bar / patch² + 2 (the two are <|vision_bos|> and <|vision_eos|>).
 * It is a budget estimate; the `usage.image_tokens` of the response is what is billed.
 */
import type { PatchSize } from './models';
import { DEFAULT_PIXELS, patchSizeFor } from './models';

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

/** Patch edge in pixels for a model in a region (the model table's rule). */
export const imagePatchSize = patchSizeFor;

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
	const patch = patchSizeFor(options.model, options.region);
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
