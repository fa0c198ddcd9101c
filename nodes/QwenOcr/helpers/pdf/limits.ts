/**
 * What the PDF reader is willing to decode, so a small hostile file (a decompression bomb, an absurd image
 * size, a huge page tree) fails with a clear error instead of exhausting n8n's memory.
 *
 * The caps derive from the largest scans this node accepts: an A3 page (11.69 × 16.54 in) at 300 dpi in 8-bit
 * RGB, an A4 page (8.27 × 11.69 in) at 300 dpi in 16-bit RGB, CMYK or at 600 dpi in 8-bit gray:
 *   A3 300 dpi RGB:     3508 × 4961 px × 3 bytes = 52,208,364 bytes (49.8 MiB)
 *   A4 300 dpi RGB 16:  2480 × 3508 px × 6 bytes = 52,199,040 bytes (49.8 MiB)
 *   A4 600 dpi gray:    4961 × 7016 px × 1 byte  = 34,806,376 bytes (33.2 MiB)
 *   A4 300 dpi CMYK:    2480 × 3508 px × 4 bytes = 34,799,360 bytes (33.2 MiB)
 * so one decoded stream may hold MAX_STREAM_BYTES = 64 MiB = 67,108,864 bytes (the largest above plus 28 %
 * headroom for PNG predictor bytes and padding). A page's decoded streams (content streams, its image or image
 * strips, palettes) together may hold MAX_PAGE_BYTES = 64 MiB too: a scan page is one image plus a few hundred
 * bytes of content. Bigger rasters (A4 at 600 dpi in colour: 104 MB) are refused with advice to re-scan at 300
 * dpi or as JPEG (JPEG pages are never decoded, so they have no such cap).
 *
 * Decoders stop when their output would pass the cap and never allocate beyond it (their buffers grow by
 * doubling but are clamped to the cap). Peak memory of one page being read is therefore bounded: the PDF file
 * itself + 64 MiB decoded samples + at most 64 MiB for a converted raster (CMYK → RGB, /Decode arrays) + the
 * scaled raster, PNG filter buffer and PNG output, each ≤ 3 × 8,388,608 = 25,165,824 bytes (24 MiB) — about
 * 200 MiB in the very worst case, about 60 MiB for a 300-dpi A4 colour scan.
 */

/** Decoded bytes one stream may produce: 64 MiB. */
export const MAX_STREAM_BYTES = 64 * 1024 * 1024;
/** Decoded bytes all streams read for one page may produce together: 64 MiB. */
export const MAX_PAGE_BYTES = 64 * 1024 * 1024;
/**
 * Decoded bytes of the file's own structure (object streams and cross-reference streams, which stay cached
 * while the PDF is open): 64 MiB. A real file's structure is a few hundred KB even at thousands of pages.
 */
export const MAX_STRUCTURE_BYTES = 64 * 1024 * 1024;
/**
 * Pixels of one image: 2^26 = 67,108,864 (a 1-bit A4 scan at 600 dpi is 34,806,376 px; bilevel images stay
 * 1 bit per pixel, so 8 MiB). An image converted to 8-bit samples must also stay within MAX_STREAM_BYTES.
 */
export const MAX_IMAGE_PIXELS = 1 << 26;
/**
 * Pages read from one PDF at most, unless PDF Pages / PDF Max Pages select fewer: 1,000 pages are 1,000
 * requests (at Concurrency 5 and ~3 s per answer, 10 minutes of one execution, ~1.5 M image tokens at the
 * model's default resolution). Longer documents are split or read in page ranges.
 */
export const MAX_PDF_PAGES = 1000;
/**
 * Leaves the page-tree walk visits before giving up: a page tree cannot list more pages than bytes in the file
 * allow, but a few MB of `n 0 R` references can list millions. 1,000,000 leaves take ~100 MB of bookkeeping at
 * most; no real document comes close.
 */
export const MAX_TREE_PAGES = 1_000_000;

/** Decoded-bytes counters, so tests can assert that no decoder passed its cap (never reset by the reader). */
export const decodedBytes = {
	/** The most bytes one stream decoded to. */
	largestStream: 0,
	/** The most bytes the streams of one page decoded to together. */
	largestPage: 0,
	/** The largest buffer a decoder allocated. */
	largestBuffer: 0,
	reset(): void {
		this.largestStream = 0;
		this.largestPage = 0;
		this.largestBuffer = 0;
	},
};

/** Records a decoder's buffer allocation (for the counters). */
export function noteBuffer(bytes: number): void {
	if (bytes > decodedBytes.largestBuffer) decodedBytes.largestBuffer = bytes;
}

/** Thrown by a decoder whose output would pass its cap; turned into a PdfError ('too-large') by the reader. */
export class DecodeLimitError extends Error {
	constructor(readonly limit: number) {
		super(`decoded data would pass ${limit} bytes`);
		this.name = 'DecodeLimitError';
	}
}

/** Decoded bytes still allowed for one page (or for the file's structure), charged as streams decode. */
export class DecodeBudget {
	used = 0;

	constructor(
		readonly total: number,
		/** What the budget is for, in error messages: "this page", "the file's structure". */
		readonly scope: 'page' | 'structure' | 'stream',
	) {}

	/** The most the next stream may decode to. */
	get streamLimit(): number {
		return Math.min(MAX_STREAM_BYTES, this.total - this.used);
	}

	charge(bytes: number): void {
		this.used += bytes;
		if (this.scope === 'page' && this.used > decodedBytes.largestPage) decodedBytes.largestPage = this.used;
	}
}

/** Megabytes with one decimal, for messages. */
export function mb(bytes: number): string {
	return `${(bytes / 1048576).toFixed(1)} MB`;
}
