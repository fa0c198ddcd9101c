/**
 * A PNG encoder (no interlacing, one IDAT) for rasters extracted from PDFs: Qwen-OCR takes PNG or JPEG, never
 * raw samples.
 */
import { crc32Work } from './checksum';
import { zlibCompressWork } from './deflate';
import { runSync, SLICE_UNITS, type Work } from './work';

export interface PngImage {
	width: number;
	height: number;
	/** Samples per pixel: 1 gray (or palette index), 2 gray + alpha, 3 RGB, 4 RGBA. */
	channels: 1 | 2 | 3 | 4;
	/** Bits per sample, 8 by default; 1, 2 and 4 only with one channel (gray or indexed). */
	bitDepth?: 1 | 2 | 4 | 8;
	/** RGB triplets: makes an indexed-color PNG whose samples are palette indexes (channels must be 1). */
	palette?: Uint8Array;
	/** Rows top to bottom, each ceil(width * channels * bitDepth / 8) bytes, no padding between rows. */
	data: Uint8Array;
	/** zlib level, 6 by default. */
	level?: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOR_TYPES: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/** Bytes per row (without the filter byte). */
function pngRowBytes(width: number, channels: number, bitDepth: number): number {
	return Math.ceil((width * channels * bitDepth) / 8);
}

function chunk(type: string, body: Uint8Array): Uint8Array {
	return runSync(chunkWork(type, body));
}

function* chunkWork(type: string, body: Uint8Array): Work<Uint8Array> {
	const out = new Uint8Array(body.length + 12);
	const view = new DataView(out.buffer);
	view.setUint32(0, body.length);
	for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
	out.set(body, 8);
	view.setUint32(8 + body.length, yield* crc32Work(out, 4, 8 + body.length));
	return out;
}

/**
 * Prefixes each row with a filter byte. Rows of 8-bit truecolor/gray samples get the filter whose output has the
 * smallest sum of absolute (signed) values, the heuristic libpng uses; palette and sub-byte images get None, as
 * the PNG specification recommends for them.
 */
/** filterRows in slices; the per-row work is a plain function, which V8 optimizes (see deflate.ts compress). */
function* filterRowsWork(data: Uint8Array, height: number, rowBytes: number, bpp: number, adaptive: boolean): Work<Uint8Array> {
	const out = new Uint8Array(height * (rowBytes + 1));
	const candidates = adaptive ? [new Uint8Array(rowBytes), new Uint8Array(rowBytes), new Uint8Array(rowBytes)] : [];
	const zero = new Uint8Array(rowBytes);
	const rowsPerSlice = Math.max(1, Math.floor(SLICE_UNITS / Math.max(1, rowBytes)));
	for (let y = 0; y < height; y += rowsPerSlice) {
		if (y > 0) yield;
		for (let row = y; row < Math.min(height, y + rowsPerSlice); row++) filterRow(data, row, rowBytes, bpp, adaptive, out, candidates, zero);
	}
	return out;
}

function filterRow(
	data: Uint8Array,
	y: number,
	rowBytes: number,
	bpp: number,
	adaptive: boolean,
	out: Uint8Array,
	candidates: Uint8Array[],
	zero: Uint8Array,
): void {
	const row = data.subarray(y * rowBytes, (y + 1) * rowBytes);
	const target = y * (rowBytes + 1);
	if (!adaptive) {
		out.set(row, target + 1);
		return;
	}
	const up = y > 0 ? data.subarray((y - 1) * rowBytes, y * rowBytes) : zero;
	const [sub, upRow, paeth] = candidates;
	let bestType = 0;
	let bestSum = sumAbs(row);
	let best = row;
	for (let i = 0; i < rowBytes; i++) {
		const left = i >= bpp ? row[i - bpp] : 0;
		const above = up[i];
		const upperLeft = i >= bpp ? up[i - bpp] : 0;
		sub[i] = row[i] - left;
		upRow[i] = row[i] - above;
		// Paeth predictor; abs() inlined since this runs for every byte.
		const p = left + above - upperLeft;
		const pa = p > left ? p - left : left - p;
		const pb = p > above ? p - above : above - p;
		const pc = p > upperLeft ? p - upperLeft : upperLeft - p;
		paeth[i] = row[i] - (pa <= pb && pa <= pc ? left : pb <= pc ? above : upperLeft);
	}
	const types = [1, 2, 4];
	for (let k = 0; k < 3; k++) {
		const sum = sumAbs(candidates[k]);
		if (sum < bestSum) {
			bestSum = sum;
			bestType = types[k];
			best = candidates[k];
		}
	}
	out[target] = bestType;
	out.set(best, target + 1);
}

/**
 * The per-row heuristic helps smooth images (photos, gradients) but hurts noisy or flat ones such as scanned
 * paper, where unfiltered rows compress better. Compressing a sample of rows both ways (fast level) decides.
 */
function* adaptiveFilteringPays(data: Uint8Array, height: number, rowBytes: number, bpp: number): Work<boolean> {
	const blocks = 16;
	const blockRows = 8;
	let rows: Uint8Array;
	let sampleHeight: number;
	if (height <= blocks * blockRows * 2) {
		rows = data.subarray(0, height * rowBytes);
		sampleHeight = height;
	} else {
		sampleHeight = blocks * blockRows;
		rows = new Uint8Array(sampleHeight * rowBytes);
		for (let k = 0; k < blocks; k++) {
			const start = Math.floor((k * (height - blockRows)) / (blocks - 1));
			rows.set(data.subarray(start * rowBytes, (start + blockRows) * rowBytes), k * blockRows * rowBytes);
		}
	}
	const filtered = (yield* zlibCompressWork(yield* filterRowsWork(rows, sampleHeight, rowBytes, bpp, true), 1)).length;
	const plain = (yield* zlibCompressWork(yield* filterRowsWork(rows, sampleHeight, rowBytes, bpp, false), 1)).length;
	return filtered < plain;
}

/** Sum of the bytes read as signed values' magnitudes (0 and 255 both count as small). */
function sumAbs(row: Uint8Array): number {
	let sum = 0;
	for (let i = 0; i < row.length; i++) sum += row[i] < 128 ? row[i] : 256 - row[i];
	return sum;
}

export function encodePng(image: PngImage): Uint8Array {
	return runSync(encodePngWork(image));
}

/** encodePng() as resumable work (see work.ts). */
export function* encodePngWork(image: PngImage): Work<Uint8Array> {
	const { width, height, channels, palette } = image;
	const bitDepth = image.bitDepth ?? 8;
	if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
		throw new Error(`PNG size must be positive integers, got ${width}x${height}`);
	}
	if (bitDepth !== 8 && channels !== 1) throw new Error('PNG bit depths below 8 need a single channel');
	if (palette && channels !== 1) throw new Error('An indexed-color PNG has one channel (the palette index)');
	if (palette && (palette.length % 3 !== 0 || palette.length < 3 || palette.length > 768)) {
		throw new Error('A PNG palette holds 1 to 256 RGB triplets');
	}
	const rowBytes = pngRowBytes(width, channels, bitDepth);
	if (image.data.length < rowBytes * height) {
		throw new Error(`PNG data too short: ${image.data.length} bytes for ${height} rows of ${rowBytes}`);
	}
	const header = new Uint8Array(13);
	const view = new DataView(header.buffer);
	view.setUint32(0, width);
	view.setUint32(4, height);
	header[8] = bitDepth;
	header[9] = palette ? 3 : COLOR_TYPES[channels];
	// Bytes 10-12: compression 0 (deflate), filter method 0 (adaptive), interlace 0 (none).
	const bpp = Math.max(1, (channels * bitDepth) >> 3);
	const adaptive = !palette && bitDepth === 8 && (yield* adaptiveFilteringPays(image.data, height, rowBytes, bpp));
	yield;
	const filtered = yield* filterRowsWork(image.data, height, rowBytes, bpp, adaptive);
	const chunks = [Uint8Array.from(SIGNATURE), chunk('IHDR', header)];
	if (palette) chunks.push(chunk('PLTE', palette));
	const compressed = yield* zlibCompressWork(filtered, image.level ?? 6);
	yield;
	chunks.push(yield* chunkWork('IDAT', compressed), chunk('IEND', new Uint8Array(0)));
	let total = 0;
	for (const c of chunks) total += c.length;
	const out = new Uint8Array(total);
	let pos = 0;
	for (const c of chunks) {
		out.set(c, pos);
		pos += c.length;
	}
	return out;
}
