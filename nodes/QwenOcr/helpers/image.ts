/**
 * Images as Qwen-OCR receives them: the format and size are read from the bytes (a MIME type or file name can
 * lie, and the API rejects a data URL whose MIME type does not match the real format), checked against the API's
 * documented limits, and encoded as a data URL.
 */

export type ImageFormat = 'png' | 'jpeg' | 'bmp' | 'tiff' | 'webp' | 'heic' | 'gif';

export interface ImageInfo {
	format: ImageFormat;
	mimeType: string;
	/** Stored pixel size; undefined when the header is cut off or damaged. */
	width?: number;
	height?: number;
}

interface ImageSize {
	width: number;
	height: number;
}

const MIME_TYPES: Record<ImageFormat, string> = {
	png: 'image/png',
	jpeg: 'image/jpeg',
	bmp: 'image/bmp',
	tiff: 'image/tiff',
	webp: 'image/webp',
	heic: 'image/heic',
	gif: 'image/gif',
};

// ---------------------------------------------------------------------------------------------------------------
// API limits ("映像限制" on the vendor page)
// ---------------------------------------------------------------------------------------------------------------

/** "映像的寬度和高度均需大於 10 像素": both sides must be strictly greater than this. */
export const MIN_IMAGE_SIDE_EXCLUSIVE = 10;
/** "寬高比不應超過 200:1 或 1:200". */
export const MAX_ASPECT_RATIO = 200;
/** "以 Base 64 編碼傳入時:編碼後的字串不超過10MB": the whole data URL string, in characters. */
export const MAX_DATA_URL_LENGTH = 10_485_760;
/** "以公網 URL 和本地路徑傳入時:單個映像的大小不超過10MB". */
export const MAX_URL_IMAGE_BYTES = 10_485_760;
/** 4K as the page defines it (3840x2160); above it "僅支援 JPEG、JPG 、PNG 格式". */
export const FOUR_K_PIXELS = 3840 * 2160;

const ACCEPTED_FORMATS: readonly ImageFormat[] = ['bmp', 'jpeg', 'png', 'tiff', 'webp', 'heic'];
const ABOVE_4K_FORMATS: readonly ImageFormat[] = ['jpeg', 'png'];

function formatName(format: ImageFormat): string {
	return format.toUpperCase();
}

/**
 * The first documented limit the image breaks, as a sentence for the user (what is wrong and what to do), or
 * undefined. Size rules are skipped when the size is unknown. "Above 4K" is read as more pixels than
 * 3840×2160: a box-based reading would also reject long thin strips, which the API may well accept.
 */
export function checkImageLimits(info: ImageInfo): string | undefined {
	const name = formatName(info.format);
	if (!ACCEPTED_FORMATS.includes(info.format)) {
		return `${name} images are not accepted by Qwen-OCR (it takes BMP, JPEG, PNG, TIFF, WEBP and HEIC). Convert the image to PNG or JPEG first.`;
	}
	const { width, height } = info;
	if (width === undefined || height === undefined) return undefined;

	const size = `${width}×${height} px`;
	if (width <= MIN_IMAGE_SIDE_EXCLUSIVE || height <= MIN_IMAGE_SIDE_EXCLUSIVE) {
		return `The image is ${size}; Qwen-OCR needs both width and height above ${MIN_IMAGE_SIDE_EXCLUSIVE} px. Use a larger image or upscale it.`;
	}
	const ratio = Math.max(width, height) / Math.min(width, height);
	if (ratio > MAX_ASPECT_RATIO) {
		return `The image is ${size}, an aspect ratio of ${Math.round(ratio)}:1; Qwen-OCR accepts at most ${MAX_ASPECT_RATIO}:1. Crop it into shorter pieces first.`;
	}
	if (width * height > FOUR_K_PIXELS && !ABOVE_4K_FORMATS.includes(info.format)) {
		return `The image is a ${size} ${name}; above 4K (3840×2160) Qwen-OCR accepts only JPEG and PNG. Convert it to PNG or JPEG, or scale it down to 4K.`;
	}
	return undefined;
}


// ---------------------------------------------------------------------------------------------------------------
// Base64 and data URLs
// ---------------------------------------------------------------------------------------------------------------

const WHITESPACE = /\s+/g;
/** Standard or URL-safe alphabet (not mixed), then at most two padding characters. */
const BASE64_TEXT = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/**
 * True when the text (whitespace ignored) could be base64: only base64 characters, padding only at the end,
 * and a length that base64 can have. It says nothing about what the bytes are: sniff them afterwards.
 */
export function isLikelyBase64(value: string): boolean {
	const compact = value.replace(WHITESPACE, '');
	if (compact.length === 0 || compact.length % 4 === 1) return false;
	if (compact.endsWith('=') && compact.length % 4 !== 0) return false;
	return BASE64_TEXT.test(compact);
}

/**
 * Splits `data:<mime>[;param…];base64,<data>`; whitespace and newlines inside the data are removed. Undefined
 * for anything else, including data URLs that are not base64 (`data:text/plain,hello`).
 */
export function parseDataUrl(value: string): { mimeType: string; base64: string } | undefined {
	const text = value.trim();
	if (text.slice(0, 5).toLowerCase() !== 'data:') return undefined;
	const comma = text.indexOf(',');
	if (comma < 0) return undefined;

	const params = text.slice(5, comma).split(';').map((param) => param.trim());
	const mimeType = params[0].toLowerCase();
	if (params.length < 2 || params[params.length - 1].toLowerCase() !== 'base64' || mimeType === '') {
		return undefined;
	}
	const base64 = text.slice(comma + 1).replace(WHITESPACE, '');
	return isLikelyBase64(base64) ? { mimeType, base64 } : undefined;
}

/** `data:<MIME type of the sniffed format>;base64,<bytes>`. */
export function toDataUrl(data: Uint8Array, info: ImageInfo): string {
	const base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
	return `data:${info.mimeType};base64,${base64}`;
}

/** Base64 is written 48 KiB of input (a 64 KiB string) at a time: under V8's large-object size, so each
 * chunk string dies young instead of waiting in old space for a full collection. */
const BASE64_CHUNK = 3 * 16384;

/**
 * `before`, the data URL of `data`, then `after`, as UTF-8 bytes, the base64 written in chunks
 * straight into the result: the encoded image exists once (the bytes sent), not also as a data URL
 * string and a JSON string (each as large, in V8's old space until the next full collection).
 */
export function bytesWithDataUrl(before: string, data: Uint8Array, mimeType: string, after: string): Buffer {
	const head = Buffer.from(`${before}data:${mimeType};base64,`, 'utf8');
	const tail = Buffer.from(after, 'utf8');
	const out = Buffer.allocUnsafe(head.length + Math.ceil(data.byteLength / 3) * 4 + tail.length);
	let position = head.copy(out, 0);
	for (let start = 0; start < data.byteLength; start += BASE64_CHUNK) {
		const chunk = Buffer.from(data.buffer, data.byteOffset + start, Math.min(BASE64_CHUNK, data.byteLength - start));
		position += out.write(chunk.toString('base64'), position, 'latin1');
	}
	tail.copy(out, position);
	return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Sniffing: format from magic bytes, size from the headers. Every read is bounds-checked, so cut-off or
// garbage input yields no size (or no format) instead of an exception.
// ---------------------------------------------------------------------------------------------------------------

/** The image format and stored size, or undefined when the bytes are none of the known formats. */
export function sniffImage(data: Uint8Array): ImageInfo | undefined {
	const format = detectFormat(data);
	if (format === undefined) return undefined;
	const info: ImageInfo = { format, mimeType: MIME_TYPES[format] };
	const size = MEASURE[format](data);
	if (size !== undefined && isPixelCount(size.width) && isPixelCount(size.height)) {
		info.width = size.width;
		info.height = size.height;
	}
	return info;
}

function isPixelCount(value: number): boolean {
	return Number.isInteger(value) && value > 0;
}

function fits(data: Uint8Array, offset: number, count: number): boolean {
	return offset >= 0 && offset + count <= data.length;
}

function ascii(data: Uint8Array, offset: number, count: number): string {
	return String.fromCharCode(...data.subarray(offset, offset + count));
}

function u16be(data: Uint8Array, offset: number): number {
	return (data[offset] << 8) | data[offset + 1];
}

function u16le(data: Uint8Array, offset: number): number {
	return data[offset] | (data[offset + 1] << 8);
}

function u24le(data: Uint8Array, offset: number): number {
	return data[offset] | (data[offset + 1] << 8) | (data[offset + 2] << 16);
}

function u32be(data: Uint8Array, offset: number): number {
	return data[offset] * 0x1000000 + ((data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3]);
}

function u32le(data: Uint8Array, offset: number): number {
	return data[offset + 3] * 0x1000000 + ((data[offset + 2] << 16) | (data[offset + 1] << 8) | data[offset]);
}

function i32le(data: Uint8Array, offset: number): number {
	return u32le(data, offset) | 0;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function detectFormat(data: Uint8Array): ImageFormat | undefined {
	if (PNG_SIGNATURE.every((byte, index) => data[index] === byte)) return 'png';
	if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
	const head = ascii(data, 0, 12);
	if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'gif';
	if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'tiff';
	if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'webp';
	if (isBmp(data)) return 'bmp';
	if (isHeic(data)) return 'heic';
	return undefined;
}

// --- BMP ---

/** DIB header sizes: core (12), OS/2 v2 (16, 64), info (40) and its v2–v5 successors. */
const BMP_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

/** "BM" alone is two letters of text, so the DIB header size is checked too when it is there. */
function isBmp(data: Uint8Array): boolean {
	if (data[0] !== 0x42 || data[1] !== 0x4d) return false;
	return !fits(data, 14, 4) || BMP_HEADER_SIZES.has(u32le(data, 14));
}

function measureBmp(data: Uint8Array): ImageSize | undefined {
	if (!fits(data, 14, 4)) return undefined;
	if (u32le(data, 14) === 12) {
		return fits(data, 18, 4) ? { width: u16le(data, 18), height: u16le(data, 20) } : undefined;
	}
	if (!fits(data, 18, 8)) return undefined;
	// A negative height marks a top-down bitmap; a negative width is invalid and fails the size check.
	return { width: i32le(data, 18), height: Math.abs(i32le(data, 22)) };
}

// --- PNG, GIF, WEBP ---

function measurePng(data: Uint8Array): ImageSize | undefined {
	if (!fits(data, 12, 12) || ascii(data, 12, 4) !== 'IHDR') return undefined;
	return { width: u32be(data, 16), height: u32be(data, 20) };
}

function measureGif(data: Uint8Array): ImageSize | undefined {
	return fits(data, 6, 4) ? { width: u16le(data, 6), height: u16le(data, 8) } : undefined;
}

function measureWebp(data: Uint8Array): ImageSize | undefined {
	if (!fits(data, 12, 4)) return undefined;
	switch (ascii(data, 12, 4)) {
		case 'VP8 ': // lossy: key frame header, start code 9D 01 2A, then 14-bit sizes
			if (!fits(data, 20, 10) || data[23] !== 0x9d || data[24] !== 0x01 || data[25] !== 0x2a) return undefined;
			return { width: u16le(data, 26) & 0x3fff, height: u16le(data, 28) & 0x3fff };
		case 'VP8L': {
			// lossless: signature 0x2F, then width-1 and height-1 in 14 bits each
			if (!fits(data, 20, 5) || data[20] !== 0x2f) return undefined;
			const bits = u32le(data, 21);
			return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
		}
		case 'VP8X': // extended: canvas width-1 and height-1 in 24 bits each
			if (!fits(data, 24, 6)) return undefined;
			return { width: u24le(data, 24) + 1, height: u24le(data, 27) + 1 };
		default:
			return undefined;
	}
}

// --- TIFF (also the Exif block of JPEG) ---

const TIFF_IMAGE_WIDTH = 256;
const TIFF_IMAGE_LENGTH = 257;
const TIFF_ORIENTATION = 0x0112;
const TIFF_SHORT = 3;
const TIFF_LONG = 4;

/** The SHORT and LONG values of the first IFD of a TIFF structure starting at `base`, by tag. */
function readTiffIfd0(data: Uint8Array, base: number): Map<number, number> | undefined {
	if (!fits(data, base, 8)) return undefined;
	const order = ascii(data, base, 2);
	const littleEndian = order === 'II';
	if (!littleEndian && order !== 'MM') return undefined;
	const u16 = littleEndian ? u16le : u16be;
	const u32 = littleEndian ? u32le : u32be;
	if (u16(data, base + 2) !== 42) return undefined;

	const ifd = base + u32(data, base + 4);
	if (!fits(data, ifd, 2)) return undefined;
	const values = new Map<number, number>();
	const count = u16(data, ifd);
	for (let index = 0; index < count; index++) {
		const entry = ifd + 2 + index * 12;
		if (!fits(data, entry, 12)) break;
		const type = u16(data, entry + 2);
		// A single value sits left-aligned in the entry's 4-byte value field, in the file's byte order.
		if (type === TIFF_SHORT) values.set(u16(data, entry), u16(data, entry + 8));
		if (type === TIFF_LONG) values.set(u16(data, entry), u32(data, entry + 8));
	}
	return values;
}

function measureTiff(data: Uint8Array): ImageSize | undefined {
	const tags = readTiffIfd0(data, 0);
	const width = tags?.get(TIFF_IMAGE_WIDTH);
	const height = tags?.get(TIFF_IMAGE_LENGTH);
	return width === undefined || height === undefined ? undefined : { width, height };
}

// --- JPEG ---

interface JpegSegment {
	marker: number;
	/** First byte after the length field. */
	start: number;
	/** One past the segment's last byte (may lie beyond the data when it is cut off). */
	end: number;
}

/** Marker segments up to the first scan; fill bytes (FF FF…) and standalone markers (TEM, RSTn) are skipped. */
function* jpegSegments(data: Uint8Array): Generator<JpegSegment> {
	let offset = 2;
	while (offset < data.length) {
		if (data[offset] !== 0xff) {
			// Stray bytes between segments: decoders resynchronise on the next marker, so do the same.
			offset = data.indexOf(0xff, offset);
			if (offset < 0) return;
		}
		while (data[offset] === 0xff) offset++;
		if (offset >= data.length) return;
		const marker = data[offset++];
		if (marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) continue;
		// 00 is not a marker, D9 ends the image and DA starts entropy-coded data: no header follows.
		if (marker === 0x00 || marker === 0xd9 || marker === 0xda || !fits(data, offset, 2)) return;
		const length = u16be(data, offset);
		if (length < 2) return;
		yield { marker, start: offset + 2, end: offset + length };
		offset += length;
	}
}

/** SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG extension) and CC (DAC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** The stored frame size: an Exif orientation of 5–8 (rotated by 90°) is not applied. */
function measureJpeg(data: Uint8Array): ImageSize | undefined {
	for (const segment of jpegSegments(data)) {
		if (isStartOfFrame(segment.marker)) {
			// precision (1 byte), then height and width
			if (!fits(data, segment.start, 5) || segment.end < segment.start + 5) return undefined;
			return { width: u16be(data, segment.start + 3), height: u16be(data, segment.start + 1) };
		}
	}
	return undefined;
}

/**
 * The Exif orientation (1–8) of a JPEG, or undefined when there is none. 5–8 mean the picture is shown turned by
 * 90°, so its displayed width and height are the stored height and width.
 */
export function jpegOrientation(data: Uint8Array): number | undefined {
	if (detectFormat(data) !== 'jpeg') return undefined;
	for (const segment of jpegSegments(data)) {
		if (segment.marker === 0xe1 && fits(data, segment.start, 6) && ascii(data, segment.start, 6) === 'Exif\0\0') {
			const orientation = readTiffIfd0(data, segment.start + 6)?.get(TIFF_ORIENTATION);
			return orientation !== undefined && orientation >= 1 && orientation <= 8 ? orientation : undefined;
		}
	}
	return undefined;
}

// --- HEIC / HEIF (ISO base media file format boxes) ---

/** HEVC-coded HEIF brands. */
const HEVC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
/** Codec-neutral HEIF brands, also found in AVIF files. */
const GENERIC_HEIF_BRANDS = new Set(['mif1', 'msf1']);
/** AVIF is not among the API's formats, so an AVIF file is not reported as HEIC. */
const AVIF_BRANDS = new Set(['avif', 'avis']);

interface IsoBox {
	type: string;
	/** First byte after the box header. */
	start: number;
	/** One past the box's last byte, clamped to the enclosing range. */
	end: number;
}

function* isoBoxes(data: Uint8Array, from: number, to: number): Generator<IsoBox> {
	let offset = from;
	while (offset + 8 <= to && fits(data, offset, 8)) {
		let size = u32be(data, offset);
		let headerSize = 8;
		if (size === 1) {
			if (!fits(data, offset + 8, 8)) return;
			size = u32be(data, offset + 8) * 0x100000000 + u32be(data, offset + 12);
			headerSize = 16;
		} else if (size === 0) {
			size = to - offset; // the box runs to the end of its parent
		}
		if (size < headerSize) return;
		yield { type: ascii(data, offset + 4, 4), start: offset + headerSize, end: Math.min(offset + size, to) };
		offset += size;
	}
}

function ftypBrands(data: Uint8Array): string[] {
	const first = isoBoxes(data, 0, data.length).next();
	if (first.done || first.value.type !== 'ftyp') return [];
	const { start, end } = first.value;
	const brands = fits(data, start, 4) ? [ascii(data, start, 4)] : [];
	// after the major brand: minor version (4 bytes), then compatible brands
	for (let offset = start + 8; offset + 4 <= end && fits(data, offset, 4); offset += 4) {
		brands.push(ascii(data, offset, 4));
	}
	return brands;
}

function isHeic(data: Uint8Array): boolean {
	const brands = ftypBrands(data);
	if (brands.some((brand) => HEVC_BRANDS.has(brand))) return true;
	return brands.some((brand) => GENERIC_HEIF_BRANDS.has(brand)) && !brands.some((brand) => AVIF_BRANDS.has(brand));
}

function childBox(data: Uint8Array, parent: IsoBox, type: string, skip = 0): IsoBox | undefined {
	for (const box of isoBoxes(data, parent.start + skip, parent.end)) {
		if (box.type === type) return box;
	}
	return undefined;
}

/** `pitm`: the primary item's id (16 bits in version 0, else 32). */
function readPrimaryItemId(data: Uint8Array, pitm: IsoBox): number | undefined {
	if (!fits(data, pitm.start, 4)) return undefined;
	const wide = data[pitm.start] !== 0;
	const offset = pitm.start + 4;
	if (!fits(data, offset, wide ? 4 : 2)) return undefined;
	return wide ? u32be(data, offset) : u16be(data, offset);
}

/** `ipco`: the properties in order (1-based indexes in `ipma`); `ispe` sizes, undefined for other kinds. */
function readPropertySizes(data: Uint8Array, ipco: IsoBox): Array<ImageSize | undefined> {
	const sizes: Array<ImageSize | undefined> = [];
	for (const box of isoBoxes(data, ipco.start, ipco.end)) {
		// ispe: version and flags (4 bytes), then width and height
		const isSize = box.type === 'ispe' && fits(data, box.start, 12) && box.end >= box.start + 12;
		sizes.push(isSize ? { width: u32be(data, box.start + 4), height: u32be(data, box.start + 8) } : undefined);
	}
	return sizes;
}

/** `ipma`: for each item id, the 1-based indexes of its properties. */
function readPropertyAssociations(data: Uint8Array, ipma: IsoBox): Map<number, number[]> {
	const associations = new Map<number, number[]>();
	if (!fits(data, ipma.start, 8)) return associations;
	const version = data[ipma.start];
	const wideIndexes = (data[ipma.start + 3] & 1) === 1;
	const entryCount = u32be(data, ipma.start + 4);
	let offset = ipma.start + 8;
	for (let entry = 0; entry < entryCount; entry++) {
		const idSize = version < 1 ? 2 : 4;
		if (!fits(data, offset, idSize + 1)) break;
		const itemId = idSize === 2 ? u16be(data, offset) : u32be(data, offset);
		const count = data[offset + idSize];
		offset += idSize + 1;
		const indexes: number[] = [];
		for (let association = 0; association < count; association++) {
			// the top bit of each index marks the property as essential
			if (!fits(data, offset, wideIndexes ? 2 : 1)) break;
			indexes.push(wideIndexes ? u16be(data, offset) & 0x7fff : data[offset] & 0x7f);
			offset += wideIndexes ? 2 : 1;
		}
		associations.set(itemId, indexes);
	}
	return associations;
}

/**
 * The primary item's `ispe` (image spatial extent) from meta/pitm and meta/iprp/ipco+ipma. When the links are
 * missing, the largest `ispe` is taken: the primary image is normally the largest, and the smaller ones are
 * thumbnails or grid tiles (tiles can also be larger than a small grid image, hence the primary-item lookup
 * first). Like JPEG's Exif orientation, an `irot` rotation is not applied.
 */
function measureHeic(data: Uint8Array): ImageSize | undefined {
	const meta = [...isoBoxes(data, 0, data.length)].find((box) => box.type === 'meta');
	if (meta === undefined) return undefined;
	const iprp = childBox(data, meta, 'iprp', 4); // meta is a full box: skip version and flags
	const ipco = iprp && childBox(data, iprp, 'ipco');
	if (iprp === undefined || ipco === undefined) return undefined;
	const sizes = readPropertySizes(data, ipco);

	const pitm = childBox(data, meta, 'pitm', 4);
	const ipma = childBox(data, iprp, 'ipma');
	const primaryId = pitm && readPrimaryItemId(data, pitm);
	if (primaryId !== undefined && ipma !== undefined) {
		const indexes = readPropertyAssociations(data, ipma).get(primaryId) ?? [];
		const primarySize = indexes.map((index) => sizes[index - 1]).find((size) => size !== undefined);
		if (primarySize !== undefined) return primarySize;
	}
	return largestSize(sizes);
}

function largestSize(sizes: Array<ImageSize | undefined>): ImageSize | undefined {
	let largest: ImageSize | undefined;
	for (const size of sizes) {
		if (size !== undefined && (largest === undefined || size.width * size.height > largest.width * largest.height)) {
			largest = size;
		}
	}
	return largest;
}

const MEASURE: Record<ImageFormat, (data: Uint8Array) => ImageSize | undefined> = {
	png: measurePng,
	jpeg: measureJpeg,
	bmp: measureBmp,
	tiff: measureTiff,
	webp: measureWebp,
	heic: measureHeic,
	gif: measureGif,
};
