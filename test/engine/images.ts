/** Real image files made in tests (PNG via zlib, BMP headers), for sizes the fixtures do not cover. */
import { randomFillSync } from 'crypto';
import { deflateSync } from 'zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(data: Buffer): number {
	let crc = ~0;
	for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
	return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** An RGB PNG; `noise` fills it with random pixels so it does not compress (large files). */
export function makePng(width: number, height: number, options: { noise?: boolean } = {}): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // RGB
	const row = width * 3 + 1;
	const raw = Buffer.alloc(row * height, 0xff);
	if (options.noise) randomFillSync(raw);
	for (let y = 0; y < height; y++) raw[y * row] = 0; // filter: none
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(raw, { level: options.noise ? 0 : 6 })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** A 24-bit BMP of the given size (white). */
export function makeBmp(width: number, height: number): Buffer {
	const rowBytes = Math.ceil((width * 3) / 4) * 4;
	const pixels = Buffer.alloc(rowBytes * height, 0xff);
	const header = Buffer.alloc(54);
	header.write('BM', 0, 'ascii');
	header.writeUInt32LE(54 + pixels.length, 2);
	header.writeUInt32LE(54, 10);
	header.writeUInt32LE(40, 14);
	header.writeInt32LE(width, 18);
	header.writeInt32LE(height, 22);
	header.writeUInt16LE(1, 26);
	header.writeUInt16LE(24, 28);
	header.writeUInt32LE(pixels.length, 34);
	return Buffer.concat([header, pixels]);
}

export function bytesItem(data: Buffer, fileName: string, mimeType: string, property = 'data') {
	return { json: { fileName }, binary: { [property]: { data: data.toString('base64'), mimeType, fileName } } };
}

// Baseline JPEG (ITU T.81 Annex K luminance Huffman tables).
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
// prettier-ignore
const AC_VALUES = [
	0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
	0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
	0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
	0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
	0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
	0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
	0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];

/** Canonical Huffman codes (symbol -> [code, length]) from a DHT bits/values pair. */
function huffmanCodes(bits: number[], values: number[]): Map<number, [number, number]> {
	const codes = new Map<number, [number, number]>();
	let code = 0;
	let k = 0;
	for (let length = 1; length <= 16; length++) {
		for (let i = 0; i < bits[length - 1]; i++) codes.set(values[k++], [code++, length]);
		code <<= 1;
	}
	return codes;
}

function segment(marker: number, body: number[]): Buffer {
	return Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body]);
}

/**
 * A baseline grayscale JPEG of `width`×`height` whose blocks hold random DCT coefficients at quality
 * 100: it decodes (to noise) with any JPEG decoder and does not compress, so sizes of several MB are
 * quick to make without an image library (about 1.5 bytes a pixel; fewer `coefficients` per block,
 * ended by EOB, make smaller files). Deterministic for a given size.
 */
export function makeJpeg(width: number, height: number, options: { coefficients?: number } = {}): Buffer {
	const coefficients = Math.min(63, options.coefficients ?? 63);
	// Locals, not globals: jest's sandbox makes every global lookup in a hot loop slow.
	const { abs, clz32, round, ceil } = Math;
	const dc = huffmanCodes(DC_BITS, DC_VALUES);
	const ac = huffmanCodes(AC_BITS, AC_VALUES);
	const blocks = ceil(width / 8) * ceil(height / 8);
	const out = new Uint8Array(blocks * 64 * 6 + 16); // at most 27 bits per coefficient, doubled by stuffing
	let position = 0;
	let accumulator = 0;
	let count = 0;
	const write = (code: number, length: number) => {
		accumulator = (accumulator << length) | code;
		count += length;
		while (count >= 8) {
			const byte = (accumulator >>> (count - 8)) & 0xff;
			out[position++] = byte;
			if (byte === 0xff) out[position++] = 0; // byte stuffing
			count -= 8;
		}
		accumulator &= (1 << count) - 1;
	};
	const writeValue = (codes: Map<number, [number, number]>, runSize: number, value: number) => {
		const size = value === 0 ? 0 : 32 - clz32(abs(value));
		const [code, length] = codes.get((runSize << 4) | size)!;
		write(code, length);
		if (size > 0) write(value > 0 ? value : value + (1 << size) - 1, size);
	};
	let seed = (width * 31 + height) >>> 0;
	const random = () => {
		seed = (seed * 1664525 + 1013904223) >>> 0;
		return seed / 4294967296;
	};
	for (let block = 0; block < blocks; block++) {
		writeValue(dc, 0, round((random() - 0.5) * 20)); // DC difference
		for (let k = 1; k <= coefficients; k++) {
			const value = round((random() - 0.5) * 250) || 1;
			writeValue(ac, 0, value);
		}
		if (coefficients < 63) write(...ac.get(0x00)!); // EOB
	}
	if (count > 0) write((1 << (8 - count)) - 1, 8 - count); // pad the last byte with 1 bits
	const dht = (tableClass: number, bits: number[], values: number[]) => [(tableClass << 4) | 0, ...bits, ...values];
	return Buffer.concat([
		Buffer.from([0xff, 0xd8]),
		segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
		segment(0xdb, [0, ...new Array(64).fill(1)]),
		segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
		segment(0xc4, [...dht(0, DC_BITS, DC_VALUES), ...dht(1, AC_BITS, AC_VALUES)]),
		segment(0xda, [1, 1, 0x00, 0, 63, 0]),
		out.subarray(0, position),
		Buffer.from([0xff, 0xd9]),
	]);
}
