// @ts-check
'use strict';

/**
 * Format sniffing and header-only size reading for the formats the vendor accepts (BMP, JPEG, PNG, TIFF,
 * WEBP, HEIC) plus GIF, which is recognised only to be refused. No decoding: the real service rejects
 * data whose magic bytes say one thing and whose MIME type says another, and that is what we check.
 */

/** @typedef {'png'|'jpeg'|'bmp'|'tiff'|'webp'|'heic'|'gif'} ImageFormat */

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

/** @param {Buffer} buf @returns {ImageFormat | null} */
function sniffFormat(buf) {
	if (buf.length < 12) return null;
	if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
	if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
	if (buf.toString('latin1', 0, 2) === 'BM') return 'bmp';
	const tiffMagic = buf.toString('latin1', 0, 4);
	if (tiffMagic === 'II*\0' || tiffMagic === 'MM\0*') return 'tiff';
	if (buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
	if (buf.toString('latin1', 0, 4) === 'GIF8') return 'gif';
	if (buf.toString('latin1', 4, 8) === 'ftyp' && HEIC_BRANDS.has(buf.toString('latin1', 8, 12))) return 'heic';
	return null;
}

/** @param {Buffer} buf */
function pngSize(buf) {
	if (buf.length < 24 || buf.toString('latin1', 12, 16) !== 'IHDR') return null;
	return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Walks the JPEG marker segments up to the first SOFn (baseline, progressive, lossless...). */
function jpegSize(buf) {
	let i = 2;
	while (i + 4 <= buf.length) {
		if (buf[i] !== 0xff) return null;
		const marker = buf[i + 1];
		if (marker === 0xff) { i++; continue; } // fill byte
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; } // no length
		const len = buf.readUInt16BE(i + 2);
		const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isSof) {
			if (i + 9 > buf.length) return null;
			return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
		}
		i += 2 + len;
	}
	return null;
}

function bmpSize(buf) {
	if (buf.length < 26) return null;
	const headerSize = buf.readUInt32LE(14);
	if (headerSize === 12) return { width: buf.readUInt16LE(18), height: buf.readUInt16LE(20) }; // OS/2 BITMAPCOREHEADER
	return { width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)) }; // height < 0 = top-down
}

/** Reads ImageWidth (256) and ImageLength (257) from the first IFD. */
function tiffSize(buf) {
	const le = buf.toString('latin1', 0, 2) === 'II';
	const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
	const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
	const ifd = u32(4);
	if (ifd + 2 > buf.length) return null;
	const count = u16(ifd);
	let width = 0;
	let height = 0;
	for (let n = 0; n < count; n++) {
		const e = ifd + 2 + n * 12;
		if (e + 12 > buf.length) break;
		const tag = u16(e);
		const type = u16(e + 2);
		const value = type === 3 ? u16(e + 8) : u32(e + 8); // SHORT or LONG
		if (tag === 256) width = value;
		if (tag === 257) height = value;
	}
	return width && height ? { width, height } : null;
}

function webpSize(buf) {
	const chunk = buf.toString('latin1', 12, 16);
	if (chunk === 'VP8 ' && buf.length >= 30) {
		return { width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
	}
	if (chunk === 'VP8L' && buf.length >= 25) {
		const bits = buf.readUInt32LE(21);
		return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
	}
	if (chunk === 'VP8X' && buf.length >= 30) {
		return { width: buf.readUIntLE(24, 3) + 1, height: buf.readUIntLE(27, 3) + 1 };
	}
	return null;
}

function gifSize(buf) {
	return { width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
}

/** HEIC keeps the size in an 'ispe' property box; finding it by name is enough for a header check. */
function heicSize(buf) {
	const at = buf.indexOf('ispe', 0, 'latin1');
	if (at < 0 || at + 16 > buf.length) return null;
	return { width: buf.readUInt32BE(at + 8), height: buf.readUInt32BE(at + 12) };
}

const READERS = { png: pngSize, jpeg: jpegSize, bmp: bmpSize, tiff: tiffSize, webp: webpSize, gif: gifSize, heic: heicSize };

/**
 * @param {Buffer} buf
 * @param {ImageFormat} format
 * @returns {{ width: number, height: number } | null}
 */
function imageSize(buf, format) {
	try {
		return READERS[format](buf);
	} catch {
		return null; // truncated header
	}
}

/** MIME type the vendor lists for each accepted format. */
const MIME_BY_FORMAT = {
	png: 'image/png', jpeg: 'image/jpeg', bmp: 'image/bmp', tiff: 'image/tiff', webp: 'image/webp', heic: 'image/heic', gif: 'image/gif',
};

module.exports = { sniffFormat, imageSize, MIME_BY_FORMAT };
