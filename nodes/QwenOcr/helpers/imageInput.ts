import { createHash } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { inputError } from './errors';
import type { ImageSize } from './interfaces';
import type { ImageInfo } from './image';
import { checkImageLimits, detectFormat, isLikelyBase64, jpegOrientation, MAX_DATA_URL_LENGTH, MAX_URL_IMAGE_BYTES, parseDataUrl, sniffImage } from './image';
import type { PageImage, PageImageOptions, PdfDocument } from './pdf/pdf';
import { isPdf, MAX_PDF_PAGES, openPdf, parsePageRanges, PdfError } from './pdf/pdf';
import { itemParameter } from './parameters';

/** The image of one item, ready for the request's `image` entry. */
export interface ItemImage {
	/** The user's http(s) URL; empty for file bytes (`inline` or `upload`). */
	image: string;
	/** Sent inline as a base64 data URL, encoded straight into the request body for each attempt. */
	inline?: { mimeType: string; data: Uint8Array };
	/** Real pixel size, read from the image header; unknown for URL input. */
	size?: ImageSize;
	format?: ImageInfo['format'];
	/** Too large to send inline: the file goes through DashScope's temporary upload first. */
	upload?: { name: string; mimeType: string; data: Uint8Array };
	/**
	 * Clockwise degrees the image is still turned from upright (a PDF page's JPEG, passed through unchanged):
	 * its request asks DashScope to correct the rotation (enable_rotate).
	 */
	rotate?: number;
	/** What the PDF reader repaired or guessed for this page, for `_qwenOcr.warnings`. */
	warnings?: string[];
	/**
	 * The JPEG's Exif orientation turns it by 90° (5-8): whether DashScope's boxes use the stored or the turned
	 * frame is not documented, so boxes are not clamped to either.
	 */
	frameUncertain?: boolean;
}

/**
 * One image to read from an item: the item's image, one of several binary files, or one page of
 * a PDF. `load` reads and encodes it; the router calls it only while the image holds a request
 * slot, and again for a retry (the encoded form is not kept while waiting).
 */
export interface ImageUnit {
	/** Set when the item has several files (comma-separated names or `*`). */
	binaryPropertyName?: string;
	/** 1-based page and the PDF's page count, for PDF input. */
	page?: number;
	pageCount?: number;
	/** SHA-256 (hex) of the file's bytes, image or whole PDF; unknown for URL input. */
	inputSha256?: string;
	load(): Promise<ItemImage>;
}

/**
 * The images of one item, produced one at a time: `next` reads the next file (a PDF is opened
 * there, and its pages follow one per call), so nothing is read before a request slot is free for it.
 */
export interface ItemImages {
	/** Whether another image follows; known without reading anything. */
	readonly hasNext: boolean;
	next(): Promise<ImageUnit>;
}

export interface PdfSelection {
	/** Page ranges such as `1-3,5`; empty = all pages. */
	pages: string;
	/** The most pages read from one PDF (0 = no limit). */
	maxPages: number;
	/** The pixel budget of the request (max_pixels or the model's default): larger Flate pages are scaled to it. */
	pixels?: PageImageOptions;
}


/**
 * Images read and encoded for a request and not yet released: how many (and their encoded bytes)
 * exist now, and the most at once. Memory bounded by Concurrency means `peak` never passes it; the
 * engine tests read this, n8n never does.
 */
export const encodedImages = {
	alive: 0,
	peak: 0,
	aliveBytes: 0,
	peakBytes: 0,
	resetPeak(): void {
		this.peak = this.alive;
		this.peakBytes = this.aliveBytes;
	},
};

const tracked = new WeakMap<ItemImage, number>();

function trackEncoded(image: ItemImage): ItemImage {
	const bytes = image.upload ? image.upload.data.length : image.inline ? base64DataUrlLength(image.inline.data.length, image.inline.mimeType) : 0;
	tracked.set(image, bytes);
	encodedImages.alive++;
	encodedImages.aliveBytes += bytes;
	encodedImages.peak = Math.max(encodedImages.peak, encodedImages.alive);
	encodedImages.peakBytes = Math.max(encodedImages.peakBytes, encodedImages.aliveBytes);
	return image;
}

/** The image's request is done (or it waits to retry without it): its encoded form may be freed. */
export function releaseEncoded(image: ItemImage | undefined): void {
	const bytes = image && tracked.get(image);
	if (bytes === undefined || !image) return;
	tracked.delete(image);
	encodedImages.alive--;
	encodedImages.aliveBytes -= bytes;
}

/** Formats whose header always states the pixel size. */
const HEADER_SIZED_FORMATS = new Set<ImageInfo['format']>(['png', 'jpeg', 'bmp']);

function base64DataUrlLength(byteLength: number, mimeType: string): number {
	return `data:${mimeType};base64,`.length + Math.ceil(byteLength / 3) * 4;
}

/** Sniffs real bytes (never the declared MIME type or file name) and checks the API's limits. */
function fromBytes(this: IExecuteFunctions, itemIndex: number, data: Uint8Array, origin: string): ItemImage {
	if (data.length === 0) {
		throw inputError(this.getNode(), itemIndex, `The ${origin} is empty`, 'Pass an image file (PNG, JPEG, BMP, TIFF, WEBP or HEIC).');
	}
	const info = sniffImage(data);
	if (!info) {
		throw inputError(
			this.getNode(),
			itemIndex,
			`The ${origin} is not a supported image`,
			'Qwen OCR reads PNG, JPEG, BMP, TIFF, WEBP and HEIC images and scanned PDFs. Convert other files (GIF, office documents) to an image first.',
		);
	}
	const problem = checkImageLimits(info);
	if (problem) throw inputError(this.getNode(), itemIndex, problem);
	// PNG, JPEG and BMP state their size up front: without it the file is cut off or damaged, and
	// DashScope would only answer "Failed to decode the image".
	if (info.width === undefined && HEADER_SIZED_FORMATS.has(info.format)) {
		throw inputError(
			this.getNode(),
			itemIndex,
			`The ${origin} is a damaged ${info.format.toUpperCase()} file: its image size cannot be read`,
			'The file is probably cut off (an incomplete download or upload). Fetch or export it again.',
		);
	}
	const size = info.width !== undefined && info.height !== undefined ? { width: info.width, height: info.height } : undefined;
	if (data.length > MAX_URL_IMAGE_BYTES) {
		throw inputError(
			this.getNode(),
			itemIndex,
			`The image is ${(data.length / 1048576).toFixed(1)} MB; DashScope accepts at most 10 MB per image`,
			'Resize or recompress the image (e.g. JPEG at 85% quality) before this node.',
		);
	}
	// A base64 data URL is 4/3 of the file: from about 7 MB the inline string passes 10 MB.
	const frameUncertain = info.format === 'jpeg' && (jpegOrientation(data) ?? 1) >= 5 ? true : undefined;
	if (base64DataUrlLength(data.length, info.mimeType) > MAX_DATA_URL_LENGTH) {
		return trackEncoded({ image: '', size, format: info.format, frameUncertain, upload: { name: `image.${info.format === 'jpeg' ? 'jpg' : info.format}`, mimeType: info.mimeType, data } });
	}
	return trackEncoded({ image: '', inline: { mimeType: info.mimeType, data }, size, format: info.format, frameUncertain });
}

/** A PdfError as the user's error: the item, the page, and how to fix it. */
function pdfError(this: IExecuteFunctions, itemIndex: number, error: PdfError, origin: string): NodeOperationError {
	const where = error.page !== undefined && !error.message.startsWith('Page') ? `page ${error.page} of the PDF in ${origin}: ` : `the PDF in ${origin}: `;
	const advice: Partial<Record<PdfError['code'], string>> = {
		encrypted: 'Remove the password from the PDF (e.g. with qpdf --decrypt) before this node.',
		'born-digital': 'This page is not a scan. Convert the PDF to images first (e.g. a PDF-to-image step), or extract its text directly.',
		'unsupported-image': 'Convert the PDF to PNG or JPEG images first (e.g. a PDF-to-image step), or re-scan it as JPEG/PNG.',
		tiled: 'Convert the PDF to images first (e.g. a PDF-to-image step).',
		'page-range': 'Fix the Pages option, e.g. "1-3, 5" or "2-last".',
		'too-large':
			'Re-scan the page at 300 dpi or as JPEG, or convert the PDF to images first (e.g. a PDF-to-image step). A file that decompresses to far more than its pages need (a decompression bomb) is refused on purpose.',
		'too-many-pages': `Set the PDF Pages option (e.g. "1-${MAX_PDF_PAGES}") or PDF Max Pages to read at most ${MAX_PDF_PAGES.toLocaleString('en-US')} pages at once, or split the PDF.`,
	};
	return inputError(this.getNode(), itemIndex, `${where}${error.message}`, advice[error.code]);
}

/** The pages of a PDF as units, each decoded when its request holds a slot (one page per slot). */
function pdfUnits(
	this: IExecuteFunctions,
	itemIndex: number,
	data: Uint8Array,
	origin: string,
	selection: PdfSelection,
	binaryPropertyName: string | undefined,
): ImageUnit[] {
	let document: PdfDocument;
	let pages: number[];
	try {
		document = openPdf(data);
		pages = parsePageRanges(selection.pages, document.pageCount);
	} catch (error) {
		if (error instanceof PdfError) throw pdfError.call(this, itemIndex, error, origin);
		throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
	}
	if (selection.maxPages > 0) pages = pages.slice(0, selection.maxPages);
	if (pages.length > MAX_PDF_PAGES) {
		const error = new PdfError(
			`The PDF has ${document.pageCount.toLocaleString('en-US')} pages and ${pages.length.toLocaleString('en-US')} are selected; this node reads at most ${MAX_PDF_PAGES.toLocaleString('en-US')} pages of one PDF`,
			'too-many-pages',
		);
		throw pdfError.call(this, itemIndex, error, origin);
	}
	const pageCount = document.pageCount;
	return pages.map((page) => ({
		binaryPropertyName,
		page,
		pageCount,
		load: async () => {
			let image: PageImage;
			try {
				// In slices, giving n8n's event loop back between them: a 300-dpi page takes ~1 s of CPU.
				image = await document.extractPageImageSliced(page, selection.pixels ?? {}, async () => await sleep(0));
			} catch (error) {
				if (error instanceof PdfError) throw pdfError.call(this, itemIndex, error, origin);
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
			const item = fromBytes.call(this, itemIndex, image.data, `page ${page} of the PDF in ${origin}`);
			if (image.rotate) item.rotate = image.rotate;
			if (image.warnings.length) item.warnings = image.warnings;
			return item;
		},
	}));
}

/** `data`, `attachment_0, attachment_1` or `*` (every binary property, in the item's order). */
function selectedProperties(this: IExecuteFunctions, itemIndex: number, binary: Record<string, unknown>): { names: string[]; several: boolean } {
	const value = String(itemParameter(this, 'binaryPropertyName', itemIndex, 'data')).trim();
	const existing = Object.keys(binary);
	const hint = existing.length
		? `The item has these binary properties: ${existing.join(', ')}. Set Input Binary Field to one of them, several separated by commas, or * for all.`
		: 'The item has no binary data. Read the file first (e.g. with an HTTP Request or Read/Write Files from Disk node), or choose Image URL or Base64 input.';
	if (value === '*') {
		if (existing.length === 0) throw inputError(this.getNode(), itemIndex, 'The input item has no binary properties', hint);
		return { names: existing, several: true };
	}
	const names = value.split(',').map((name) => name.trim()).filter(Boolean);
	for (const name of names.length ? names : [value]) {
		if (!binary[name]) throw inputError(this.getNode(), itemIndex, `No binary property "${name}" on the input item`, hint);
	}
	return { names, several: names.length > 1 };
}

/** One file of an item, read when its turn comes (and again for a retry). */
interface ImageSource {
	origin: string;
	binaryPropertyName?: string;
	read(): Promise<Uint8Array>;
}

function binarySources(this: IExecuteFunctions, itemIndex: number): ImageSource[] {
	const binary = this.getInputData()[itemIndex]?.binary ?? {};
	const { names, several } = selectedProperties.call(this, itemIndex, binary);
	return names.map((name) => ({
		origin: `binary property "${name}"`,
		binaryPropertyName: several ? name : undefined,
		read: async () => await this.helpers.getBinaryDataBuffer(itemIndex, name),
	}));
}

function fromUrl(this: IExecuteFunctions, itemIndex: number): ItemImage {
	const value = String(itemParameter(this, 'imageUrl', itemIndex, '')).trim();
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw inputError(this.getNode(), itemIndex, `"${value.slice(0, 100)}" is not a valid URL`, 'Enter a full http(s) URL such as https://example.com/invoice.png.');
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw inputError(this.getNode(), itemIndex, `Image URLs must use http or https, not ${url.protocol}`, 'For file data use the Binary File or Base64 input type.');
	}
	return { image: url.toString() };
}

function base64Source(this: IExecuteFunctions, itemIndex: number): ImageSource {
	const value = String(itemParameter(this, 'base64Data', itemIndex, '')).trim();
	let base64 = value;
	if (value.startsWith('data:')) {
		const parsed = parseDataUrl(value);
		if (!parsed) {
			throw inputError(this.getNode(), itemIndex, 'The data URL is malformed', 'Use the form data:image/png;base64,<base64 data>, or pass the base64 data alone.');
		}
		base64 = parsed.base64;
	}
	if (!isLikelyBase64(base64)) {
		throw inputError(this.getNode(), itemIndex, 'The Base64 Data field does not contain base64 data', 'Pass the image encoded as base64, or use the Binary File input type.');
	}
	return { origin: 'base64 data', read: async () => Buffer.from(base64.replace(/\s+/g, ''), 'base64') };
}

/**
 * The images of one item, from its binary properties, URL or base64 field; PDFs become their
 * selected pages. Input errors that need no reading (missing property, malformed base64 or URL)
 * are thrown here; a file that cannot be opened (an encrypted PDF) fails in `next`, one image or
 * page when its unit is loaded.
 */
export function itemImages(this: IExecuteFunctions, itemIndex: number, selection: PdfSelection): ItemImages {
	const inputType = itemParameter(this, 'inputType', itemIndex, 'binary') as string;
	if (inputType === 'url') {
		const image = fromUrl.call(this, itemIndex);
		return imagesOf.call(this, itemIndex, [], selection, [{ load: async () => image }]);
	}
	const sources = inputType === 'base64' ? [base64Source.call(this, itemIndex)] : binarySources.call(this, itemIndex);
	return imagesOf.call(this, itemIndex, sources, selection, []);
}

function imagesOf(this: IExecuteFunctions, itemIndex: number, sources: ImageSource[], selection: PdfSelection, ready: ImageUnit[]): ItemImages {
	let nextSource = 0;
	// The units still to come of the file read last: the rest of a PDF's pages (the open document
	// stays in memory until the item is done).
	let pending = ready;
	return {
		get hasNext() {
			return pending.length > 0 || nextSource < sources.length;
		},
		next: async () => {
			if (pending.length === 0) {
				const source = sources[nextSource++];
				let data: Uint8Array | undefined = await source.read();
				// Lets workflows skip files they already read (a re-sent e-mail, a re-run after a crash).
				const inputSha256 = createHash('sha256').update(data).digest('hex');
				// An image signature rules a PDF out without scanning the first KB for its header.
				if (data.length > 0 && detectFormat(data) === undefined && isPdf(data)) {
					pending = pdfUnits
						.call(this, itemIndex, data, source.origin, selection, source.binaryPropertyName)
						.map((unit) => ({ ...unit, inputSha256 }));
				} else {
					const load = async () => {
						// The bytes just read serve the first attempt; a retry reads the file again.
						const bytes = data ?? (await source.read());
						data = undefined;
						return fromBytes.call(this, itemIndex, bytes, source.origin);
					};
					pending = [{ binaryPropertyName: source.binaryPropertyName, inputSha256, load }];
				}
			}
			return pending.shift() as ImageUnit;
		},
	};
}
