/**
 * Reading scanned PDFs for Qwen-OCR: open a PDF, count its pages, and get each page's scan as a JPEG (passed
 * through) or PNG (decoded and re-encoded). Pure TypeScript: n8n's community-node rules allow no imports.
 */
import { PdfError } from './errors';
import { indexOf } from './lexer';
import { type PageImage, extractPageImage } from './pageImage';
import { type PageInfo, collectPages } from './pages';
import { PdfFile } from './xref';

export { PdfError, type PdfErrorCode } from './errors';
export { DOMINANT_COVERAGE, MAX_PAINT_OPS, MAX_TEXT_BYTES, type PageImage } from './pageImage';
export { parsePageRanges } from './pageRanges';

export interface PdfDocument {
	pageCount: number;
	/** The cross-reference table was damaged and was rebuilt by scanning the file. */
	repaired: boolean;
	/** The scan on page `pageNumber` (1-based); throws PdfError (with `page` set) when the page has none. */
	extractPageImage(pageNumber: number): PageImage;
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
	return {
		pageCount: pages.length,
		repaired: file.repaired,
		extractPageImage(pageNumber: number): PageImage {
			if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > pages.length) {
				throw new PdfError(`Page ${pageNumber} is out of range: the PDF has ${pages.length} pages`, 'page-range');
			}
			const page: PageInfo = pages[pageNumber - 1];
			return guard(pageNumber, () => extractPageImage(file, page, pageNumber));
		},
	};
}

/** Anything but a PdfError (a damaged file tripping over an edge case) becomes a PdfError too. */
function guard<T>(page: number | undefined, run: () => T): T {
	let failure: unknown;
	try {
		return run();
	} catch (error) {
		failure = error;
	}
	if (failure instanceof PdfError) throw failure;
	const detail = failure instanceof Error ? failure.message : String(failure);
	const where = page === undefined ? 'The PDF' : `Page ${page} of the PDF`;
	throw new PdfError(`${where} could not be read; the file may be damaged (${detail})`, 'corrupt', page);
}
