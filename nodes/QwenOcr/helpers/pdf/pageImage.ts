/**
 * Decides what a page is and extracts its image. A page is a scan when one image covers at least
 * DOMINANT_COVERAGE of the visible page and little else is visible; strips of one scan stacked top to bottom
 * are joined into one raster; anything with real text or drawings is a born-digital page and is refused.
 */
import { type ContentSummary, type PlacedImage, scanContent } from './content';
import { PdfError } from './errors';
import { CONVERT_ADVICE, type DecodedImage, decodeImage, isOpaque } from './image';
import { boxArea, imageRotation, intersect, unitSquareBounds } from './matrix';
import type { Box, PageInfo } from './pages';
import { encodePng } from './png';
import type { Raster } from './raster';
import type { PdfFile } from './xref';

export interface PageImage {
	/** 'jpeg': the PDF's own JPEG data, unchanged; 'png': decoded and re-encoded losslessly. */
	format: 'jpeg' | 'png';
	data: Uint8Array;
	width: number;
	height: number;
	/** 1-based page number. */
	page: number;
	/** Clockwise degrees (0, 90, 180, 270) to turn the image to see it as the page shows it. */
	rotate: number;
	/** The image data was cut short; the missing part is blank (PNG) or left to the JPEG decoder. */
	truncated: boolean;
	/** How many images were joined (1 unless the scan was stored as strips). */
	tiles: number;
}

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

export function extractPageImage(file: PdfFile, page: PageInfo, pageNumber: number): PageImage {
	const summary = scanContent(file, page.dict.get('Contents'), page.resources);
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
		return single(file, topmost, page, pageNumber);
	}
	const tiles = candidates.filter((c) => c.coverage >= MIN_TILE_COVERAGE);
	const tileCoverage = tiles.reduce((sum, c) => sum + c.coverage, 0);
	if (tiles.length > 1 && tileCoverage >= DOMINANT_COVERAGE) {
		const first = tiles.reduce((a, b) => (a.order <= b.order ? a : b));
		checkNotBornDigital(summary, tiles.every((t) => isOpaque(file, t.stream)) ? first : undefined, pageNumber);
		return joinTiles(file, tiles, page, pageNumber);
	}
	checkNotBornDigital(summary, undefined, pageNumber);
	if (tiles.length === 1 || (tiles.length === 0 && candidates.length === 1)) {
		// A lone image on an otherwise empty page (a small scan centered on a large page) is still the page.
		return single(file, largest, page, pageNumber);
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

function decodeForPage(file: PdfFile, image: PlacedImage, pageNumber: number): DecodedImage {
	let failure: unknown;
	try {
		return decodeImage(file, image.stream, image.resources);
	} catch (error) {
		failure = error;
	}
	// Errors about the image get the page they concern.
	if (failure instanceof PdfError && failure.page === undefined) {
		throw new PdfError(`Page ${pageNumber}: ${failure.message}`, failure.code, pageNumber);
	}
	throw failure;
}

function single(file: PdfFile, image: Candidate, page: PageInfo, pageNumber: number): PageImage {
	const decoded = decodeForPage(file, image, pageNumber);
	const rotate = (page.rotate + imageRotation(image.matrix)) % 360;
	if (decoded.kind === 'jpeg') {
		const { data, width, height, truncated } = decoded;
		return { format: 'jpeg', data, width, height, page: pageNumber, rotate, truncated, tiles: 1 };
	}
	return { ...pngOf(decoded.raster), page: pageNumber, rotate, truncated: decoded.truncated, tiles: 1 };
}

function pngOf(raster: Raster): { format: 'png'; data: Uint8Array; width: number; height: number } {
	return { format: 'png', data: encodePng(raster), width: raster.width, height: raster.height };
}

/**
 * Joins strips of one scan: upright images of the same pixel width and format, aligned left and right, each
 * starting where the one above ends. JPEG strips cannot be joined without decoding JPEG, so they are refused.
 */
function joinTiles(file: PdfFile, tiles: Candidate[], page: PageInfo, pageNumber: number): PageImage {
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
		const decoded = decodeForPage(file, tile, pageNumber);
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
	const data = new Uint8Array(rasters.reduce((sum, r) => sum + r.data.length, 0));
	let at = 0;
	for (const r of rasters) {
		data.set(r.data, at);
		at += r.data.length;
	}
	const joined: Raster = { ...first, height, data };
	return { ...pngOf(joined), page: pageNumber, rotate: page.rotate, truncated, tiles: rasters.length };
}
