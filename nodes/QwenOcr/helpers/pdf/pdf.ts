/**
 * Reading scanned PDFs for Qwen-OCR: open a PDF, count its pages, and get each page's scan as a JPEG (passed
 * through) or PNG (decoded and re-encoded). Pure TypeScript: n8n's community-node rules allow no imports.
 */
import { PdfError } from './errors';
import { indexOf } from './lexer';
import { type PageImage, type PageImageOptions, pageImageWork } from './pageImage';
import { type PageInfo, collectPages } from './pages';
import { runSliced, runSync, type Work } from './work';
import { PdfFile } from './xref';

export { PdfError, type PdfErrorCode } from './errors';
export { decodedBytes, MAX_IMAGE_PIXELS, MAX_PAGE_BYTES, MAX_PDF_PAGES, MAX_STREAM_BYTES, MAX_TREE_PAGES } from './limits';
export { DEFAULT_MAX_PIXELS, DOMINANT_COVERAGE, MAX_IMAGE_FILE_BYTES, MAX_PAINT_OPS, MAX_TEXT_BYTES, type PageImage, type PageImageOptions } from './pageImage';
export { parsePageRanges } from './pageRanges';

export interface PdfDocument {
	pageCount: number;
	/** The cross-reference table was damaged and was rebuilt by scanning the file. */
	repaired: boolean;
	/** The scan on page `pageNumber` (1-based); throws PdfError (with `page` set) when the page has none. */
	extractPageImage(pageNumber: number, options?: PageImageOptions): PageImage;
	/**
	 * The same, giving the thread back every `sliceMs` through `pause` (e.g. n8n-workflow's sleep(0)), so a
	 * 300-dpi page does not block n8n's event loop for its whole decoding and encoding.
	 */
	extractPageImageSliced(pageNumber: number, options: PageImageOptions, pause: () => Promise<void>, sliceMs?: number): Promise<PageImage>;
	/** The scans of `pageNumbers` one at a time, each extracted only when the iteration asks for it. */
	pageImages(pageNumbers: number[], options?: PageImageOptions): IterableIterator<PageImage>;
}

/** Whether the data is a PDF: "%PDF-" within the first 1024 bytes, as readers accept it. */
export function isPdf(data: Uint8Array): boolean {
	return indexOf(data, '%PDF-', 0, Math.min(data.length, 1024 + 5)) >= 0;
}

export function openPdf(data: Uint8Array): PdfDocument {
	if (!isPdf(data)) throw new PdfError('The file is not a PDF (no %PDF- header)', 'not-pdf');
	const { file, pages } = guard(undefined, () => {
		const f = new PdfFile(data);
		return { file: f, pages: collectPages(f) };
	});
	if (pages.length === 0) throw new PdfError('The PDF has no pages (it may be damaged)', 'no-pages');
	const work = (pageNumber: number, options: PageImageOptions): Work<PageImage> => {
		if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > pages.length) {
			throw new PdfError(`Page ${pageNumber} is out of range: the PDF has ${pages.length} pages`, 'page-range');
		}
		const page: PageInfo = pages[pageNumber - 1];
		return withWarnings(guardWork(pageNumber, pageImageWork(file, page, pageNumber, options)), file.repaired);
	};
	const document: PdfDocument = {
		pageCount: pages.length,
		repaired: file.repaired,
		extractPageImage: (pageNumber, options = {}) => runSync(work(pageNumber, options)),
		extractPageImageSliced: async (pageNumber, options, pause, sliceMs) => await runSliced(work(pageNumber, options), pause, sliceMs),
		*pageImages(pageNumbers, options = {}) {
			for (const pageNumber of pageNumbers) yield document.extractPageImage(pageNumber, options);
		},
	};
	return document;
}

/** A file whose xref had to be rebuilt may have lost or mixed up pages: every page says so. */
function* withWarnings(work: Work<PageImage>, repaired: boolean): Work<PageImage> {
	const image = yield* work;
	if (repaired) {
		image.warnings.unshift('The PDF is damaged (its cross-reference table was rebuilt by scanning the file): check that no page is missing.');
	}
	return image;
}

/** guard() for resumable work: each step runs under the same translation of stray errors. */
function* guardWork<T>(page: number, work: Work<T>): Work<T> {
	for (;;) {
		const step = guard(page, () => work.next());
		if (step.done) return step.value;
		yield;
	}
}

/** Anything but a PdfError (a damaged file tripping over an edge case) becomes a PdfError too. */
function guard<T>(page: number | undefined, run: () => T): T {
	let failure: unknown;
	try {
		return run();
	} catch (error) {
		failure = error;
	}
	if (failure instanceof PdfError) {
		// Errors of a stream or image on this page (a bomb in its content stream) get the page they concern.
		if (page === undefined || failure.page !== undefined) throw failure;
		throw new PdfError(`Page ${page}: ${failure.message}`, failure.code, page);
	}
	const detail = failure instanceof Error ? failure.message : String(failure);
	const where = page === undefined ? 'The PDF' : `Page ${page} of the PDF`;
	throw new PdfError(`${where} could not be read; the file may be damaged (${detail})`, 'corrupt', page);
}
