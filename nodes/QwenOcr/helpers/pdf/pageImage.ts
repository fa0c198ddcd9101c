/**
 * Decides what a page is and extracts its image. A page is a scan when one image covers at least
 * DOMINANT_COVERAGE of the visible page and little else is visible; strips of one scan stacked top to bottom
 * are joined into one raster; anything with real text or drawings is a born-digital page and is refused.
 */
import { smartResize } from '../imageTokens';
import { type ContentSummary, type PlacedImage, scanContent } from './content';
import { PdfError } from './errors';
import { CONVERT_ADVICE, type DecodedImage, decodeImageWork, isOpaque } from './image';
import { DecodeBudget, MAX_PAGE_BYTES, MAX_STREAM_BYTES, mb } from './limits';
import { boxArea, imageRotation, intersect, unitSquareBounds } from './matrix';
import type { Box, PageInfo } from './pages';
import { encodePngWork } from './png';
import type { Raster } from './raster';
import { rotateRaster, scaleRaster } from './transform';
import { runSync, type Work } from './work';
import type { PdfFile } from './xref';

export interface PageImage {
	/** 'jpeg': the PDF's own JPEG data, unchanged; 'png': decoded and re-encoded losslessly. */
	format: 'jpeg' | 'png';
	data: Uint8Array;
	width: number;
	height: number;
	/** 1-based page number. */
	page: number;
	/**
	 * Clockwise degrees (0, 90, 180, 270) still to turn the image to see it as the page shows it: PNG pages are
	 * already turned upright (0); a JPEG page, passed through, keeps its page's turn.
	 */
	rotate: number;
	/** Clockwise degrees the raster was turned before encoding (PNG pages). */
	turned: number;
	/** The raster's size in the PDF when it was scaled down to the pixel budget. */
	scaledFrom?: { width: number; height: number };
	/** The image data was cut short; the missing part is blank (PNG) or left to the JPEG decoder. */
	truncated: boolean;
	/** How many images were joined (1 unless the scan was stored as strips). */
	tiles: number;
	/** What the reader repaired or guessed on this page (damaged data, cut-off image, a reduced size). */
	warnings: string[];
}

/**
 * The pixel budget a page is scaled to: the request's max_pixels (or the model's default) and the patch size
 * of the model, so the raster is scaled exactly as the vendor's smart_resize would (one resampling, not two).
 */
export interface PageImageOptions {
	maxPixels?: number;
	minPixels?: number;
	patch?: number;
}

/** The largest default budget (the 32-pixel-patch models: 32 × 32 × 8192 = 8,388,608 pixels). */
export const DEFAULT_MAX_PIXELS = 32 * 32 * 8192;
/** DashScope's size limit for one image file: 10 MB (10,485,760 bytes). */
export const MAX_IMAGE_FILE_BYTES = 10_485_760;

/** Share of the visible page an image must cover to be "the page". */
export const DOMINANT_COVERAGE = 0.85;
/** More visible text than this (bytes shown, whitespace excluded) makes a page born-digital. */
export const MAX_TEXT_BYTES = 40;
/** More painted paths than this make a page born-digital. */
export const MAX_PAINT_OPS = 20;
/** Images smaller than this share of the page (logos, stamps) are ignored when looking for tiles. */
const MIN_TILE_COVERAGE = 0.02;

interface Candidate extends PlacedImage {
	bounds: Box;
	coverage: number;
	/** Paint order on the page (later is on top). */
	order: number;
}

export function extractPageImage(file: PdfFile, page: PageInfo, pageNumber: number, options: PageImageOptions = {}): PageImage {
	return runSync(pageImageWork(file, page, pageNumber, options));
}

/** The page's image as resumable work (see work.ts): decoding, scaling, turning and encoding yield often. */
export function* pageImageWork(file: PdfFile, page: PageInfo, pageNumber: number, options: PageImageOptions = {}): Work<PageImage> {
	const budget = new DecodeBudget(MAX_PAGE_BYTES, 'page');
	const summary = scanContent(file, page.dict.get('Contents'), page.resources, budget);
	const found = yield* locate(file, page, pageNumber, summary, options);
	if (summary.damaged) found.warnings.push(`Page ${pageNumber}: part of the page's content is damaged and was skipped; the scan was still found.`);
	return found;
}

function* locate(file: PdfFile, page: PageInfo, pageNumber: number, summary: ContentSummary, options: PageImageOptions): Work<PageImage> {
	const pageBox = page.visibleBox;
	const pageArea = boxArea(pageBox);
	const candidates: Candidate[] = summary.images.map((image, order) => {
		const bounds = unitSquareBounds(image.matrix);
		return { ...image, bounds, coverage: boxArea(intersect(bounds, pageBox)) / pageArea, order };
	});
	candidates.sort((a, b) => b.coverage - a.coverage || a.order - b.order);
	const largest = candidates[0];

	const dominant = candidates.filter((c) => c.coverage >= DOMINANT_COVERAGE).sort((a, b) => a.order - b.order);
	if (dominant.length > 0) {
		// Several full-page layers (MRC scans: a picture background under a 1-bit text mask): the topmost
		// layer that is opaque or a stencil mask carries the text. The lowest opaque one hides what is under it.
		const layers = [...dominant].reverse();
		const topmost = layers.find((c) => isOpaque(file, c.stream) || isStencil(file, c)) ?? layers[0];
		checkNotBornDigital(summary, dominant.find((c) => isOpaque(file, c.stream)), pageNumber);
		return yield* single(file, topmost, page, pageNumber, summary.budget, options);
	}
	const tiles = candidates.filter((c) => c.coverage >= MIN_TILE_COVERAGE);
	const tileCoverage = tiles.reduce((sum, c) => sum + c.coverage, 0);
	if (tiles.length > 1 && tileCoverage >= DOMINANT_COVERAGE) {
		const first = tiles.reduce((a, b) => (a.order <= b.order ? a : b));
		checkNotBornDigital(summary, tiles.every((t) => isOpaque(file, t.stream)) ? first : undefined, pageNumber);
		return yield* joinTiles(file, tiles, page, pageNumber, summary.budget, options);
	}
	checkNotBornDigital(summary, undefined, pageNumber);
	if (tiles.length === 1 || (tiles.length === 0 && candidates.length === 1)) {
		// A lone image on an otherwise empty page (a small scan centered on a large page) is still the page.
		return yield* single(file, largest, page, pageNumber, summary.budget, options);
	}
	if (candidates.length === 0) {
		// A little text or a few lines and no image: still not a scan.
		if (summary.textBytes > 0) throw bornDigital(pageNumber, 'text');
		if (summary.paintOps > 0) throw bornDigital(pageNumber, 'vector drawings');
		if (summary.damaged) throw new PdfError(`Page ${pageNumber} could not be read: its content is damaged`, 'corrupt', pageNumber);
		throw new PdfError(`Page ${pageNumber} has no image: it looks blank`, 'no-image', pageNumber);
	}
	throw new PdfError(
		`Page ${pageNumber} holds ${candidates.length} separate images and none of them fills the page. ${CONVERT_ADVICE}`,
		'tiled',
		pageNumber,
	);
}

function isStencil(file: PdfFile, image: PlacedImage): boolean {
	return file.get(image.stream.dict, 'ImageMask') === true;
}

/** Refuses pages whose visible text or drawings are more than incidental; content under an opaque image is hidden. */
function checkNotBornDigital(summary: ContentSummary, cover: PlacedImage | undefined, pageNumber: number): void {
	const text = summary.textBytes - (cover?.textBefore ?? 0);
	const paint = summary.paintOps - (cover?.paintBefore ?? 0);
	if (text > MAX_TEXT_BYTES) throw bornDigital(pageNumber, 'text');
	if (paint > MAX_PAINT_OPS) throw bornDigital(pageNumber, 'vector drawings');
}

function bornDigital(pageNumber: number, what: string): PdfError {
	return new PdfError(
		`Page ${pageNumber} is not a scanned image: it contains ${what} (a born-digital page). ` +
			'Its text can be read directly with a PDF text-extraction step, or convert the pages to PNG or ' +
			'JPEG images first (for example with a PDF-to-image step) to run OCR on them.',
		'born-digital',
		pageNumber,
	);
}

function* decodeForPage(file: PdfFile, image: PlacedImage, pageNumber: number, budget: DecodeBudget): Work<DecodedImage> {
	let failure: unknown;
	try {
		return yield* decodeImageWork(file, image.stream, image.resources, budget);
	} catch (error) {
		failure = error;
	}
	// Errors about the image get the page they concern.
	if (failure instanceof PdfError && failure.page === undefined) {
		throw new PdfError(`Page ${pageNumber}: ${failure.message}`, failure.code, pageNumber);
	}
	throw failure;
}

function* single(
	file: PdfFile,
	image: Candidate,
	page: PageInfo,
	pageNumber: number,
	budget: DecodeBudget,
	options: PageImageOptions,
): Work<PageImage> {
	const decoded = yield* decodeForPage(file, image, pageNumber, budget);
	const rotate = (page.rotate + imageRotation(image.matrix)) % 360;
	const warnings: string[] = [];
	if (decoded.kind === 'jpeg') {
		const { data, width, height, truncated } = decoded;
		if (truncated) {
			warnings.push(`Page ${pageNumber}: the JPEG data of the scan is cut short (the PDF is damaged or incomplete); the bottom of the page may be missing.`);
		}
		return { format: 'jpeg', data, width, height, page: pageNumber, rotate, turned: 0, truncated, tiles: 1, warnings };
	}
	if (decoded.truncated) warnings.push(cutShort(pageNumber));
	const png = yield* encodePage(decoded.raster, rotate, pageNumber, options, warnings);
	return { ...png, page: pageNumber, truncated: decoded.truncated, tiles: 1, warnings };
}

function cutShort(pageNumber: number): string {
	return `Page ${pageNumber}: the image data of the scan is cut short (the PDF is damaged or incomplete); the missing rows are blank.`;
}

/**
 * Scales the raster to the pixel budget, turns it upright and encodes it as PNG. The worst case fits
 * DashScope's 10 MB: a gray, bilevel or palette page at the largest budget (8,388,608 px) is at most
 * 8,388,608 + one filter byte per row + 5 bytes per 64 KB stored block ≈ 8.4 MB even if it does not compress at
 * all. An RGB page could reach 3 × 8,388,608 ≈ 25.2 MB if incompressible (real scans compress 3-10×): when its
 * PNG passes 10 MB it is scaled further until it fits, at the latest when its raw samples alone fit.
 */
function* encodePage(
	raster: Raster,
	rotate: number,
	pageNumber: number,
	options: PageImageOptions,
	warnings: string[],
): Work<{ format: 'png'; data: Uint8Array; width: number; height: number; rotate: number; turned: number; scaledFrom?: { width: number; height: number } }> {
	const original = { width: raster.width, height: raster.height };
	let scaled = raster;
	// Bilevel scans stay 1 bit at full size (a 300-dpi A4 page is ~0.4 MB as PNG): scaling would turn them into
	// 8-bit gray, a bigger PNG for 15 times the CPU, and DashScope resizes them anyway.
	const bilevel = raster.bitDepth === 1 && raster.channels === 1 && !raster.palette;
	const target = bilevel ? undefined : budgetSize(raster.width, raster.height, options);
	if (target) scaled = yield* scaleRaster(raster, target.width, target.height);
	let upright = yield* rotateRaster(scaled, rotate);
	let data = yield* encodePngWork(upright);
	for (let attempt = 0; data.length > MAX_IMAGE_FILE_BYTES && attempt < 3; attempt++) {
		const pixels = upright.width * upright.height;
		const bytesPerPixel = (upright.channels * upright.bitDepth) / 8;
		// First by the ratio the PNG is over (with 10 % margin), finally so the raw samples alone fit.
		const fit = attempt < 2 ? (pixels * MAX_IMAGE_FILE_BYTES * 0.9) / data.length : (MAX_IMAGE_FILE_BYTES - 65536) / (bytesPerPixel * 1.001);
		const factor = Math.sqrt(fit / pixels);
		const width = Math.max(1, Math.floor(upright.width * factor));
		const height = Math.max(1, Math.floor(upright.height * factor));
		const before = mb(data.length);
		upright = yield* scaleRaster(upright, width, height);
		data = yield* encodePngWork(upright);
		warnings.push(`Page ${pageNumber}: its PNG was ${before}, over DashScope's 10 MB limit; it was scaled down to ${width} × ${height} pixels.`);
	}
	const scaledFrom = upright.width * upright.height !== original.width * original.height ? original : undefined;
	return { format: 'png', data, width: upright.width, height: upright.height, rotate: 0, turned: rotate, scaledFrom };
}

/** The size the model would resize the raster to when it is over the pixel budget; undefined when it is not. */
function budgetSize(width: number, height: number, options: PageImageOptions): { width: number; height: number } | undefined {
	const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
	if (width * height <= maxPixels) return undefined;
	const patch = options.patch ?? 32;
	const resized = smartResize(height, width, Math.min(options.minPixels ?? patch * patch * 3, maxPixels), maxPixels, patch);
	if (resized.width >= 1 && resized.height >= 1 && resized.width <= width && resized.height <= height) return resized;
	// Extreme aspect ratios round a side to 0 patches: keep the aspect and the budget without patch rounding.
	const factor = Math.sqrt(maxPixels / (width * height));
	return { width: Math.max(1, Math.floor(width * factor)), height: Math.max(1, Math.floor(height * factor)) };
}

/**
 * Joins strips of one scan: upright images of the same pixel width and format, aligned left and right, each
 * starting where the one above ends. JPEG strips cannot be joined without decoding JPEG, so they are refused.
 */
function* joinTiles(
	file: PdfFile,
	tiles: Candidate[],
	page: PageInfo,
	pageNumber: number,
	budget: DecodeBudget,
	options: PageImageOptions,
): Work<PageImage> {
	const refuse = (why: string): never => {
		throw new PdfError(
			`Page ${pageNumber} is stored as ${tiles.length} image strips that cannot be joined into one (${why}). ${CONVERT_ADVICE}`,
			'tiled',
			pageNumber,
		);
	};
	const [px0, py0, px1, py1] = page.visibleBox;
	const toleranceX = 0.01 * (px1 - px0) + 1;
	const toleranceY = 0.01 * (py1 - py0) + 1;
	const ordered = [...tiles].sort((a, b) => b.bounds[3] - a.bounds[3]);
	for (let i = 0; i < ordered.length; i++) {
		const [a, b, c, d] = ordered[i].matrix;
		if (a <= 0 || d <= 0 || Math.abs(b) > 1e-6 * a || Math.abs(c) > 1e-6 * d) refuse('some are rotated or flipped');
		const bounds = ordered[i].bounds;
		if (Math.abs(bounds[0] - ordered[0].bounds[0]) > toleranceX || Math.abs(bounds[2] - ordered[0].bounds[2]) > toleranceX) {
			refuse('they are not stacked in one column');
		}
		if (i > 0 && Math.abs(ordered[i - 1].bounds[1] - bounds[3]) > toleranceY) refuse('they do not meet edge to edge');
	}
	const rasters: Raster[] = [];
	let truncated = false;
	for (const tile of ordered) {
		const decoded = yield* decodeForPage(file, tile, pageNumber, budget);
		if (decoded.kind !== 'raster') return refuse('they are JPEG images');
		rasters.push(decoded.raster);
		truncated ||= decoded.truncated;
	}
	const first = rasters[0];
	for (const r of rasters) {
		const samePalette =
			(!r.palette && !first.palette) ||
			(r.palette !== undefined && first.palette !== undefined && r.palette.every((v, i) => v === first.palette![i]));
		if (r.width !== first.width || r.channels !== first.channels || r.bitDepth !== first.bitDepth || !samePalette) {
			refuse('their pixel widths or color formats differ');
		}
	}
	const height = rasters.reduce((sum, r) => sum + r.height, 0);
	const size = rasters.reduce((sum, r) => sum + r.data.length, 0);
	if (size > MAX_STREAM_BYTES) {
		throw new PdfError(`Page ${pageNumber}: its image strips join to ${mb(size)}, more than the ${mb(MAX_STREAM_BYTES)} this node reads per page`, 'too-large', pageNumber);
	}
	const data = new Uint8Array(size);
	let at = 0;
	for (const r of rasters) {
		data.set(r.data, at);
		at += r.data.length;
	}
	const joined: Raster = { ...first, height, data };
	const warnings = truncated ? [cutShort(pageNumber)] : [];
	const png = yield* encodePage(joined, page.rotate, pageNumber, options, warnings);
	return { ...png, page: pageNumber, truncated, tiles: rasters.length, warnings };
}
