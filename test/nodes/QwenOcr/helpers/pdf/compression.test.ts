import * as zlib from 'zlib';

import { adler32, crc32 } from '../../../../../nodes/QwenOcr/helpers/pdf/checksum';
import { deflate, zlibCompress } from '../../../../../nodes/QwenOcr/helpers/pdf/deflate';
import {
	InflateError,
	inflate,
	inflateRaw,
	zlibDecompress,
} from '../../../../../nodes/QwenOcr/helpers/pdf/inflate';
import { scanLikePage, seededRandom } from './testData';

function sample(name: string): Uint8Array {
	const random = seededRandom(42);
	switch (name) {
		case 'empty':
			return new Uint8Array(0);
		case 'one byte':
			return Uint8Array.of(0x41);
		case 'random 100 KB': {
			const data = new Uint8Array(100_000);
			for (let i = 0; i < data.length; i++) data[i] = random() * 256;
			return data;
		}
		case 'text':
			return new TextEncoder().encode(
				Array.from({ length: 3000 }, (_, i) => `Line ${i}: the quick brown fox ${i % 7} jumps over ${i * 31}\n`).join(''),
			);
		case 'repetitive':
			return new Uint8Array(300_000).fill(0xff).map((v, i) => (i % 1000 < 3 ? i & 0xff : v));
		case 'short runs': {
			const data = new Uint8Array(70_000);
			for (let i = 0; i < data.length; i++) data[i] = [1, 2, 3, 1, 2, 4][i % 6] + (random() < 0.01 ? 9 : 0);
			return data;
		}
		default:
			throw new Error(name);
	}
}

const SAMPLES = ['empty', 'one byte', 'random 100 KB', 'text', 'repetitive', 'short runs'];

describe('checksums', () => {
	it('match zlib', () => {
		const data = sample('random 100 KB');
		// A zlib stream ends with the Adler-32 of its content.
		expect(adler32(data)).toBe(zlib.deflateSync(data).readUInt32BE(zlib.deflateSync(data).length - 4));
		expect(crc32(data)).toBe(zlib.crc32(data));
		expect(crc32(new Uint8Array(0))).toBe(0);
		expect(adler32(new Uint8Array(0))).toBe(1);
		// Continuing a sum equals summing the concatenation.
		expect(crc32(data.subarray(500), 0, undefined, crc32(data.subarray(0, 500)))).toBe(crc32(data));
	});
});

describe('inflate (oracle: node zlib)', () => {
	it.each(SAMPLES)('decodes zlib output of %s at every level and strategy', (name) => {
		const data = sample(name);
		const variants: zlib.ZlibOptions[] = [
			{ level: 0 }, // stored blocks
			{ level: 1 },
			{ level: 6 },
			{ level: 9 },
			{ strategy: zlib.constants.Z_FIXED }, // fixed Huffman blocks
			{ strategy: zlib.constants.Z_HUFFMAN_ONLY },
			{ strategy: zlib.constants.Z_RLE },
		];
		for (const options of variants) {
			const raw = zlib.deflateRawSync(data, options);
			expect(Buffer.from(inflate(raw)).equals(Buffer.from(data))).toBe(true);
			const wrapped = zlib.deflateSync(data, options);
			const result = zlibDecompress(wrapped);
			expect(result.truncated).toBe(false);
			expect(result.checksumValid).toBe(true);
			expect(Buffer.from(result.data).equals(Buffer.from(data))).toBe(true);
		}
	});

	it('decodes streams made of many blocks (5 MB)', () => {
		const data = scanLikePage(1250, 4000, 7);
		const wrapped = zlib.deflateSync(data, { level: 6 });
		const result = zlibDecompress(wrapped);
		expect(Buffer.from(result.data).equals(Buffer.from(data))).toBe(true);
	});

	it('checks the first block type bits of stored, fixed and dynamic output', () => {
		const text = sample('text');
		expect(zlib.deflateRawSync(text, { level: 0 })[0] & 6).toBe(0);
		expect(zlib.deflateRawSync(text, { strategy: zlib.constants.Z_FIXED })[0] & 6).toBe(2);
		expect(zlib.deflateRawSync(text, { level: 9 })[0] & 6).toBe(4);
	});

	it('returns what was decoded from a truncated stream and reports it', () => {
		const data = sample('text');
		const wrapped = zlib.deflateSync(data);
		for (const cut of [3, 100, Math.floor(wrapped.length / 2), wrapped.length - 5]) {
			const result = zlibDecompress(wrapped.subarray(0, cut));
			expect(result.truncated).toBe(true);
			expect(result.checksumValid).toBeUndefined();
			expect(result.data.length).toBeLessThanOrEqual(data.length);
			expect(Buffer.from(result.data).equals(Buffer.from(data.subarray(0, result.data.length)))).toBe(true);
		}
		// Half the stream gives a good part of the text, not nothing.
		expect(zlibDecompress(wrapped.subarray(0, wrapped.length >> 1)).data.length).toBeGreaterThan(data.length / 4);
		// A stored block cut in the middle keeps its first part.
		const stored = zlib.deflateSync(data, { level: 0 });
		expect(zlibDecompress(stored.subarray(0, 1000)).data.length).toBe(1000 - 2 - 5);
		expect(() => inflate(zlib.deflateRawSync(data).subarray(0, 50))).toThrow(/truncated/);
	});

	it('tolerates a missing or wrong Adler-32 trailer', () => {
		const data = sample('text');
		const wrapped = Buffer.from(zlib.deflateSync(data));
		const missing = zlibDecompress(wrapped.subarray(0, wrapped.length - 4));
		expect(missing).toMatchObject({ truncated: false, checksumValid: undefined });
		expect(missing.data.length).toBe(data.length);
		const wrong = Buffer.from(wrapped);
		wrong[wrong.length - 1] ^= 0xff;
		const result = zlibDecompress(wrong);
		expect(result).toMatchObject({ truncated: false, checksumValid: false });
		expect(Buffer.from(result.data).equals(Buffer.from(data))).toBe(true);
	});

	it('throws InflateError on corrupt data', () => {
		expect(() => zlibDecompress(Uint8Array.of(0x12, 0x34, 0, 0))).toThrow(/invalid header/);
		expect(() => zlibDecompress(Uint8Array.of(0x78))).toThrow(InflateError);
		// Block type 3 is reserved.
		expect(() => inflate(Uint8Array.of(0x07, 0, 0, 0))).toThrow(/invalid block type/);
		// A stored block whose length check does not match.
		expect(() => inflate(Uint8Array.of(0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5))).toThrow(/length check/);
		// A distance pointing before the start of the output (fixed block: match of 3 at distance 1 first).
		expect(() => inflate(Uint8Array.of(0x03, 0x02, 0x00))).toThrow(InflateError);
		// Flip bits inside a dynamic block until the decoder notices; it must throw InflateError, not loop or crash.
		const good = zlib.deflateRawSync(sample('text'), { level: 9 });
		let errors = 0;
		for (let i = 0; i < 40; i++) {
			const bad = Buffer.from(good);
			bad[2 + i] ^= 0x5a;
			try {
				inflateRaw(bad);
			} catch (error) {
				expect(error).toBeInstanceOf(InflateError);
				errors++;
			}
		}
		expect(errors).toBeGreaterThan(0);
	});
});

describe('deflate (oracle: node zlib)', () => {
	it.each(SAMPLES)('round-trips %s through zlib.inflateSync at levels 0-9', (name) => {
		const data = sample(name);
		for (let level = 0; level <= 9; level++) {
			const compressed = zlibCompress(data, level);
			expect(Buffer.from(zlib.inflateSync(compressed)).equals(Buffer.from(data))).toBe(true);
			expect(Buffer.from(zlib.inflateRawSync(deflate(data, level))).equals(Buffer.from(data))).toBe(true);
			expect(Buffer.from(inflate(deflate(data, level))).equals(Buffer.from(data))).toBe(true);
		}
	});

	it('picks stored, fixed or dynamic Huffman blocks, whichever is smallest', () => {
		// BTYPE is in bits 1-2 of the first byte.
		expect(deflate(sample('random 100 KB'))[0] & 6).toBe(0);
		expect(deflate(new TextEncoder().encode('abcabcabcabc'))[0] & 6).toBe(2);
		expect(deflate(sample('text'))[0] & 6).toBe(4);
	});

	it('writes real Huffman blocks: close to zlib on text and repetitive data, stored for random data', () => {
		for (const name of ['text', 'repetitive', 'short runs']) {
			const data = sample(name);
			const ours = zlibCompress(data).length;
			const theirs = zlib.deflateSync(data, { level: 6 }).length;
			expect(ours).toBeLessThan(theirs * 1.1 + 16);
		}
		const random = sample('random 100 KB');
		expect(zlibCompress(random).length).toBeLessThan(random.length + 100);
	});

	it('compresses a 2500x3500 grayscale scan-like page near zlib level 6', () => {
		const page = scanLikePage(2500, 3500, 1);
		// Its speed is the benchmark's to measure (test/benchmark/pdf-pages.js), not a timed test's.
		const compressed = zlibCompress(page, 6);
		const reference = zlib.deflateSync(page, { level: 6 }).length;
		expect(Buffer.from(zlib.inflateSync(compressed)).equals(Buffer.from(page))).toBe(true);
		expect(compressed.length).toBeLessThan(reference * 1.15);
	});
});
