/**
 * The two checksums the formats here need: Adler-32 (zlib trailer, RFC 1950) and CRC-32 (PNG chunks).
 * Written out because the node may not import node:zlib.
 */
import { SLICE_UNITS, type Work } from './work';

/** adler32() of a large buffer as resumable work (see work.ts). */
export function* adler32Work(data: Uint8Array): Work<number> {
	let sum = 1;
	for (let at = 0; at < data.length; at += SLICE_UNITS) {
		if (at > 0) yield;
		sum = adler32(data.subarray(at, at + SLICE_UNITS), sum);
	}
	return sum;
}

/** crc32() of a large range as resumable work (see work.ts). */
export function* crc32Work(data: Uint8Array, start = 0, end = data.length): Work<number> {
	let crc = 0;
	for (let at = start; at < end; at += SLICE_UNITS) {
		if (at > start) yield;
		crc = crc32(data, at, Math.min(end, at + SLICE_UNITS), crc);
	}
	return crc;
}

/** Adler-32 of `data`, continuing from `start` (1 for a fresh sum). */
export function adler32(data: Uint8Array, start = 1): number {
	let a = start & 0xffff;
	let b = start >>> 16;
	let i = 0;
	const n = data.length;
	while (i < n) {
		// 5552 is the largest run for which b cannot overflow 2^32 before the modulo (zlib's NMAX).
		const end = Math.min(i + 5552, n);
		for (; i < end; i++) {
			a += data[i];
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return ((b << 16) | a) >>> 0;
}

let crcTable: Int32Array | undefined;

function getCrcTable(): Int32Array {
	if (!crcTable) {
		crcTable = new Int32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			crcTable[n] = c;
		}
	}
	return crcTable;
}

/** CRC-32 (ISO 3309, as PNG uses it) of `data[start..end)`, continuing from `crc` (0 for a fresh sum). */
export function crc32(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
	const table = getCrcTable();
	let c = ~crc;
	for (let i = start; i < end; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
	return ~c >>> 0;
}
