import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as zlib from 'zlib';

import { encodePng } from '../../../../../nodes/QwenOcr/helpers/pdf/png';
import { decodePng } from './pngDecode';
import { scanLikePage, seededRandom } from './testData';

/**
 * ImageMagick as a second, independent PNG reader; never skipped: `bash test/scripts/run.sh test`
 * installs it when it is missing.
 */
function imageMagickRgb(png: Uint8Array): Buffer {
	if (!fs.existsSync('/usr/bin/convert')) throw new Error('ImageMagick (/usr/bin/convert) is missing: run the tests with bash test/scripts/run.sh test, which installs it');
	return execFileSync('convert', ['png:-', '-depth', '8', 'rgb:-'], { input: png, maxBuffer: 1 << 26 });
}

function randomBytes(n: number, seed: number): Uint8Array {
	const random = seededRandom(seed);
	return Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
}

describe('encodePng', () => {
	it('encodes 8-bit RGB with per-row filters that decode back exactly', () => {
		const width = 97;
		const height = 61;
		const data = new Uint8Array(width * height * 3);
		for (let y = 0; y < height; y++) {
			for (let x = 0; x < width; x++) {
				const o = (y * width + x) * 3;
				// Gradients favour Sub/Up/Paeth, noise favours None.
				data[o] = (x * 3) & 0xff;
				data[o + 1] = (y * 4) & 0xff;
				data[o + 2] = y > 40 ? randomBytes(1, x * 131 + y)[0] : (x + y) & 0xff;
			}
		}
		const decoded = decodePng(encodePng({ width, height, channels: 3, data }));
		expect(decoded).toMatchObject({ width, height, bitDepth: 8, colorType: 2 });
		expect(decoded.rgb.equals(Buffer.from(data))).toBe(true);
		expect(new Set(decoded.filters).size).toBeGreaterThan(1);
		expect(imageMagickRgb(encodePng({ width, height, channels: 3, data })).equals(Buffer.from(data))).toBe(true);
	});

	it('encodes gray at 1, 2, 4 and 8 bits', () => {
		const width = 37;
		const height = 9;
		for (const bitDepth of [1, 2, 4, 8] as const) {
			const rowBytes = Math.ceil((width * bitDepth) / 8);
			const data = randomBytes(rowBytes * height, bitDepth);
			const png = encodePng({ width, height, channels: 1, bitDepth, data });
			const decoded = decodePng(png);
			expect(decoded).toMatchObject({ width, height, bitDepth, colorType: 0 });
			const max = (1 << bitDepth) - 1;
			for (let y = 0; y < height; y++) {
				for (let x = 0; x < width; x++) {
					const bit = x * bitDepth;
					const sample = (data[y * rowBytes + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & max;
					expect(decoded.rgb[(y * width + x) * 3]).toBe(Math.round((sample * 255) / max));
				}
			}
			expect(imageMagickRgb(png).equals(decoded.rgb)).toBe(true);
		}
	});

	it('encodes indexed color with a palette (PLTE), including sub-byte indexes', () => {
		const palette = Uint8Array.from([255, 255, 255, 0, 0, 0, 200, 30, 30, 30, 200, 30]);
		const width = 13;
		const height = 5;
		for (const bitDepth of [2, 8] as const) {
			const rowBytes = Math.ceil((width * bitDepth) / 8);
			const data = new Uint8Array(rowBytes * height);
			const indexes: number[] = [];
			for (let y = 0; y < height; y++) {
				for (let x = 0; x < width; x++) {
					const index = (x + y) % 4;
					indexes.push(index);
					const bit = x * bitDepth;
					data[y * rowBytes + (bit >> 3)] |= index << (8 - bitDepth - (bit & 7));
				}
			}
			const png = encodePng({ width, height, channels: 1, bitDepth, palette, data });
			const decoded = decodePng(png);
			expect(decoded.colorType).toBe(3);
			expect(decoded.filters.every((f) => f === 0)).toBe(true);
			const expected = Buffer.concat(indexes.map((i) => Buffer.from(palette.subarray(i * 3, i * 3 + 3))));
			expect(decoded.rgb.equals(expected)).toBe(true);
			expect(imageMagickRgb(png).equals(expected)).toBe(true);
		}
	});

	it('encodes gray+alpha and RGBA', () => {
		const data = randomBytes(4 * 5 * 4, 9);
		const rgba = decodePng(encodePng({ width: 4, height: 5, channels: 4, data }));
		expect(rgba.colorType).toBe(6);
		for (let i = 0; i < 20; i++) expect([...rgba.rgb.subarray(i * 3, i * 3 + 3)]).toEqual([...data.subarray(i * 4, i * 4 + 3)]);
		const ga = decodePng(encodePng({ width: 4, height: 5, channels: 2, data: data.subarray(0, 40) }));
		expect(ga.colorType).toBe(4);
		expect(ga.rgb[3]).toBe(data[2]);
	});

	it('compresses 2500x3500 grayscale scan pages about as well as zlib', () => {
		const width = 2500;
		const height = 3500;
		for (const paper of ['clean', 'noisy'] as const) {
			const page = scanLikePage(width, height, 3, paper);
			// Its speed is the benchmark's to measure (test/benchmark/pdf-pages.js), not a timed test's.
			const png = encodePng({ width, height, channels: 1, data: page });
			const decoded = decodePng(png);
			expect(decoded.rgb.length).toBe(width * height * 3);
			for (let i = 0; i < page.length; i += 997) expect(decoded.rgb[i * 3]).toBe(page[i]);
			// Within 5% of zlib level 6 on the unfiltered samples (scanned paper compresses best unfiltered).
			expect(png.length).toBeLessThan(zlib.deflateSync(page, { level: 6 }).length * 1.05);
		}
	});

	it('still filters rows where it pays: smooth gradients', () => {
		const width = 300;
		const height = 200;
		const data = new Uint8Array(width * height);
		for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x * 0.7 + y * 0.4 + ((x * y) % 3)) & 0xff;
		const png = encodePng({ width, height, channels: 1, data });
		expect(decodePng(png).filters.some((f) => f !== 0)).toBe(true);
		expect(png.length).toBeLessThan(zlib.deflateSync(data, { level: 6 }).length);
	});

	it('rejects inconsistent input', () => {
		expect(() => encodePng({ width: 0, height: 1, channels: 1, data: new Uint8Array(1) })).toThrow(/positive/);
		expect(() => encodePng({ width: 4, height: 4, channels: 3, data: new Uint8Array(10) })).toThrow(/too short/);
		expect(() => encodePng({ width: 4, height: 1, channels: 3, bitDepth: 1, data: new Uint8Array(12) })).toThrow(/single channel/);
		expect(() => encodePng({ width: 1, height: 1, channels: 1, palette: new Uint8Array(4), data: new Uint8Array(1) })).toThrow(
			/palette/,
		);
	});
});
