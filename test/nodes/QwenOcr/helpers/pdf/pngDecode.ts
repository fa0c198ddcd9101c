/**
 * A small PNG decoder for tests, built on node:zlib (the oracle for our own inflate/deflate): checks the
 * signature and every CRC, undoes the row filters and expands any layout to 8-bit RGB.
 */
import * as zlib from 'zlib';

export interface DecodedPng {
	width: number;
	height: number;
	bitDepth: number;
	colorType: number;
	palette?: Buffer;
	/** Row filter types used. */
	filters: number[];
	/** 8-bit RGB, alpha dropped. */
	rgb: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function decodePng(bytes: Uint8Array): DecodedPng {
	const data = Buffer.from(bytes);
	if (!data.subarray(0, 8).equals(SIGNATURE)) throw new Error('bad PNG signature');
	let pos = 8;
	let header: Buffer | undefined;
	let palette: Buffer | undefined;
	const idat: Buffer[] = [];
	let ended = false;
	while (pos < data.length) {
		const length = data.readUInt32BE(pos);
		const type = data.toString('latin1', pos + 4, pos + 8);
		const body = data.subarray(pos + 8, pos + 8 + length);
		const crc = data.readUInt32BE(pos + 8 + length);
		if (zlib.crc32(data.subarray(pos + 4, pos + 8 + length)) !== crc) throw new Error(`bad CRC in ${type}`);
		if (type === 'IHDR') header = body;
		else if (type === 'PLTE') palette = body;
		else if (type === 'IDAT') idat.push(body);
		else if (type === 'IEND') ended = true;
		pos += 12 + length;
	}
	if (!header || !ended || pos !== data.length) throw new Error('missing IHDR/IEND or trailing bytes');
	const width = header.readUInt32BE(0);
	const height = header.readUInt32BE(4);
	const bitDepth = header[8];
	const colorType = header[9];
	if (header[10] !== 0 || header[11] !== 0 || header[12] !== 0) throw new Error('unexpected compression/filter/interlace');
	const channels = CHANNELS[colorType];
	const bitsPerPixel = channels * bitDepth;
	const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
	const bpp = Math.max(1, bitsPerPixel >> 3);
	const raw = zlib.inflateSync(Buffer.concat(idat));
	if (raw.length !== height * (rowBytes + 1)) throw new Error(`IDAT holds ${raw.length} bytes, expected ${height * (rowBytes + 1)}`);
	const pixels = Buffer.alloc(height * rowBytes);
	const filters: number[] = [];
	for (let y = 0; y < height; y++) {
		const type = raw[y * (rowBytes + 1)];
		filters.push(type);
		for (let i = 0; i < rowBytes; i++) {
			const x = raw[y * (rowBytes + 1) + 1 + i];
			const a = i >= bpp ? pixels[y * rowBytes + i - bpp] : 0;
			const b = y > 0 ? pixels[(y - 1) * rowBytes + i] : 0;
			const c = y > 0 && i >= bpp ? pixels[(y - 1) * rowBytes + i - bpp] : 0;
			let v: number;
			if (type === 0) v = x;
			else if (type === 1) v = x + a;
			else if (type === 2) v = x + b;
			else if (type === 3) v = x + ((a + b) >> 1);
			else if (type === 4) {
				const p = a + b - c;
				const pa = p > a ? p - a : a - p;
				const pb = p > b ? p - b : b - p;
				const pc = p > c ? p - c : c - p;
				v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
			} else throw new Error(`bad filter type ${type}`);
			pixels[y * rowBytes + i] = v & 0xff;
		}
	}
	const rgb = Buffer.alloc(width * height * 3);
	const max = (1 << bitDepth) - 1;
	// Gray levels scaled to 8 bits, and the palette checked once (no Math.* per pixel: jest's vm is slow at globals).
	const scale = new Uint8Array(max + 1).map((_, v) => Math.round((v * 255) / max));
	for (let y = 0; y < height; y++) {
		const row = y * rowBytes;
		for (let x = 0; x < width; x++) {
			const bit = x * channels * bitDepth;
			const first = bitDepth === 8 ? pixels[row + (bit >> 3)] : (pixels[row + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & max;
			const o = (y * width + x) * 3;
			if (colorType === 3) {
				if (!palette || first * 3 + 2 >= palette.length) throw new Error(`palette index ${first} out of range`);
				rgb[o] = palette[first * 3];
				rgb[o + 1] = palette[first * 3 + 1];
				rgb[o + 2] = palette[first * 3 + 2];
			} else if (colorType === 0 || colorType === 4) {
				rgb[o] = rgb[o + 1] = rgb[o + 2] = scale[first];
			} else {
				const at = row + x * channels;
				rgb[o] = pixels[at];
				rgb[o + 1] = pixels[at + 1];
				rgb[o + 2] = pixels[at + 2];
			}
		}
	}
	return { width, height, bitDepth, colorType, palette, filters, rgb };
}
