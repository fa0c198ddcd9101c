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
