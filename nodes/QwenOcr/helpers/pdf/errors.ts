/** The one error type the PDF reader throws, with a code the node can branch on and the page it concerns. */

export type PdfErrorCode =
	/** No %PDF- header. */
	| 'not-pdf'
	/** /Encrypt in the trailer. */
	| 'encrypted'
	/** No page could be found. */
	| 'no-pages'
	/** Damaged beyond what the reader repairs. */
	| 'corrupt'
	/** A page range the user typed does not parse or is out of bounds. */
	| 'page-range'
	/** The page has text or vector drawings, not one scanned image. */
	| 'born-digital'
	/** The page shows no image at all (blank page). */
	| 'no-image'
	/** The image uses a codec or color space this reader cannot turn into PNG/JPEG. */
	| 'unsupported-image'
	/** The page is several images that cannot be joined into one. */
	| 'tiled'
	/** Decoded data or an image larger than the reader's caps (limits.ts): a decompression bomb or a huge scan. */
	| 'too-large'
	/** More pages than MAX_PDF_PAGES selected. */
	| 'too-many-pages';

export class PdfError extends Error {
	constructor(
		message: string,
		readonly code: PdfErrorCode = 'corrupt',
		/** 1-based page number, when the error concerns one page. */
		readonly page?: number,
	) {
		super(message);
		this.name = 'PdfError';
	}
}
