/**
 * Image headers built byte by byte: just enough of each format (PNG, JPEG, BMP, TIFF, WEBP, GIF,
 * HEIC) for the size and format checks, which read no pixels.
 */

export type Part = number[] | string | Uint8Array;

export function bytes(...parts: Part[]): Uint8Array {
	const out: number[] = [];
	for (const part of parts) {
		if (typeof part === 'string') out.push(...Array.from(part, (char) => char.charCodeAt(0)));
		else out.push(...part);
	}
	return Uint8Array.from(out);
}

export const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
export const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
export const be32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
export const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
export const le24 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];

export function png(width: number, height: number): Uint8Array {
	return bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), 'IHDR', be32(width), be32(height), [8, 2, 0, 0, 0], be32(0));
}

export function jpegSegment(marker: number, payload: Part): Uint8Array {
	const body = bytes(payload);
	return bytes([0xff, marker], be16(body.length + 2), body);
}

export function exifOrientation(orientation: number): Uint8Array {
	// Exif\0\0 + big-endian TIFF header + IFD0 with one SHORT entry 0x0112
	return bytes('Exif\0\0', 'MM', be16(42), be32(8), be16(1), be16(0x0112), be16(3), be32(1), be16(orientation), [0, 0], be32(0));
}

export function sof(marker: number, width: number, height: number): Uint8Array {
	return jpegSegment(marker, bytes([8], be16(height), be16(width), [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]));
}

/** A JPEG header with everything a segment walker can trip over before the frame header. */
export function jpeg(width: number, height: number, orientation = 6): Uint8Array {
	return bytes(
		[0xff, 0xd8],
		jpegSegment(0xe0, bytes('JFIF\0', [1, 1, 0], be16(72), be16(72), [0, 0])),
		jpegSegment(0xe1, exifOrientation(orientation)),
		[0xff, 0xff, 0xff], // fill bytes before the next marker
		jpegSegment(0xc4, bytes([0x00], be16(999), be16(999))), // DHT: in the SOF range, no size
		jpegSegment(0xc8, bytes([0x08], be16(777), be16(777))), // JPG extension: no size
		jpegSegment(0xcc, bytes([0x00, 0x01])), // DAC: no size
		[0xff, 0x01], // TEM, standalone
		[0xff, 0xd3], // RST3, standalone
		[0x00, 0x00], // stray bytes a decoder skips
		sof(0xc2, width, height), // progressive frame
		jpegSegment(0xda, bytes([1, 1, 0, 0, 0x3f, 0])),
		[0x12, 0x34, 0xff, 0xd9],
	);
}

export function bmpInfo(width: number, height: number): Uint8Array {
	return bytes('BM', le32(70), le32(0), le32(54), le32(40), le32(width), le32(height), le16(1), le16(24), le32(0), le32(16), le32(2835), le32(2835), le32(0), le32(0));
}

export function bmpCore(width: number, height: number): Uint8Array {
	return bytes('BM', le32(32), le32(0), le32(26), le32(12), le16(width), le16(height), le16(1), le16(24));
}

export function tiffLittle(width: number, height: number): Uint8Array {
	// IFD0 at 8: ImageWidth SHORT, ImageLength LONG, and an unrelated tag between
	return bytes('II', le16(42), le32(8), le16(3), le16(256), le16(3), le32(1), le16(width), [0, 0], le16(258), le16(3), le32(1), le16(8), [0, 0], le16(257), le16(4), le32(1), le32(height), le32(0));
}

export function tiffBig(width: number, height: number): Uint8Array {
	return bytes('MM', be16(42), be32(8), be16(2), be16(256), be16(4), be32(1), be32(width), be16(257), be16(3), be32(1), be16(height), [0, 0], be32(0));
}

export function riff(chunk: string, payload: Uint8Array): Uint8Array {
	return bytes('RIFF', le32(4 + 8 + payload.length), 'WEBP', chunk, le32(payload.length), payload);
}

export const webpLossy = (width: number, height: number) => riff('VP8 ', bytes([0x50, 0x03, 0x00, 0x9d, 0x01, 0x2a], le16(width), le16(height), [0, 0]));
export const webpLossless = (width: number, height: number) => riff('VP8L', bytes([0x2f], le32((width - 1) | ((height - 1) << 14)), [0]));
export const webpExtended = (width: number, height: number) => riff('VP8X', bytes([0x10, 0, 0, 0], le24(width - 1), le24(height - 1)));
export const gif = (width: number, height: number) => bytes('GIF89a', le16(width), le16(height), [0xf7, 0, 0]);

export function box(type: string, ...content: Part[]): Uint8Array {
	const body = bytes(...content);
	return bytes(be32(body.length + 8), type, body);
}

export const fullBox = (type: string, version: number, ...content: Part[]) => box(type, [version, 0, 0, 0], ...content);
export const ispe = (width: number, height: number) => fullBox('ispe', 0, be32(width), be32(height));

export function ftyp(major: string, ...compatible: string[]): Uint8Array {
	return box('ftyp', major, be32(0), ...compatible);
}

/**
 * HEIC like the ones libheif writes for small images: a grid item (id 1, primary) of 37×23 made of 64×64
 * tiles, so the largest `ispe` is not the image's size.
 */
export function heicWithGrid(): Uint8Array {
	const ipco = box('ipco', box('hvcC', [1, 2, 3]), ispe(64, 64), ispe(37, 23));
	// version 0, flags 0: item 1 → property 3 (ispe 37×23); item 2 → properties 1 (essential) and 2
	const ipma = fullBox('ipma', 0, be32(2), be16(1), [1, 3], be16(2), [2, 0x81, 2]);
	const meta = fullBox('meta', 0, fullBox('hdlr', 0, be32(0), 'pict', be32(0), be32(0), be32(0), [0]), fullBox('pitm', 0, be16(1)), box('iprp', ipco, ipma));
	return bytes(ftyp('heic', 'mif1', 'heic'), meta, box('mdat', [0, 0, 0, 0]));
}

export function heicWithoutPrimary(): Uint8Array {
	const meta = fullBox('meta', 0, box('iprp', box('ipco', ispe(160, 120), ispe(4032, 3024), ispe(320, 240))));
	return bytes(ftyp('mif1', 'mif1', 'heic'), meta);
}
