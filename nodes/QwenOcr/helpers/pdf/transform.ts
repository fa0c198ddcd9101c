/**
 * Raster work done before PNG encoding: scaling down to the pixel budget the model reads at (DashScope resizes
 * anything above max_pixels anyway, so larger rasters only cost memory, CPU and upload), and turning the page
 * upright (/Rotate and a rotated image matrix).
 */
import type { Raster } from './raster';
import { SLICE_UNITS, type Work } from './work';

/** 8-bit samples of row `y`, one (gray) or three (RGB) per pixel, into `out`. */
function readRow(raster: Raster, y: number, channels: 1 | 3, out: Uint8Array): void {
	const { width, bitDepth, palette, data } = raster;
	const rowBytes = Math.ceil((width * raster.channels * bitDepth) / 8);
	const row = y * rowBytes;
	if (bitDepth === 8 && !palette) {
		if (raster.channels === channels) {
			out.set(data.subarray(row, row + rowBytes));
			return;
		}
		// Gray shown as RGB never happens (channels follow the raster), so this is RGB → RGB only.
	}
	const max = (1 << bitDepth) - 1;
	for (let x = 0; x < width; x++) {
		let v: number;
		if (bitDepth === 8) v = data[row + x];
		else v = (data[row + ((x * bitDepth) >> 3)] >> (8 - bitDepth - ((x * bitDepth) & 7))) & max;
		if (palette) {
			if (channels === 1) out[x] = palette[3 * v];
			else {
				out[3 * x] = palette[3 * v];
				out[3 * x + 1] = palette[3 * v + 1];
				out[3 * x + 2] = palette[3 * v + 2];
			}
		} else {
			out[x] = bitDepth === 8 ? v : Math.round((v * 255) / max);
		}
	}
}

/** Whether every palette entry is a gray (r = g = b): such images scale to gray, not RGB. */
function grayPalette(palette: Uint8Array): boolean {
	for (let i = 0; i < palette.length; i += 3) if (palette[i] !== palette[i + 1] || palette[i] !== palette[i + 2]) return false;
	return true;
}

/**
 * `raster` scaled down to width × height (both no larger than the raster's) by averaging the source pixels
 * each output pixel covers (a box filter: what keeps thin strokes of text legible when shrinking). The result
 * is 8-bit gray or RGB (a palette or bilevel scan becomes gray levels, which read better than dropped pixels).
 */
export function* scaleRaster(raster: Raster, width: number, height: number): Work<Raster> {
	const channels: 1 | 3 = raster.channels === 3 || (raster.palette !== undefined && !grayPalette(raster.palette)) ? 3 : 1;
	const sw = raster.width;
	const sh = raster.height;
	// Each source column and row belongs to exactly one output column and row (downscaling only).
	const columnOf = new Uint32Array(sw);
	const columnCount = new Uint32Array(width);
	for (let x = 0; x < sw; x++) {
		const tx = Math.min(width - 1, Math.floor((x * width) / sw));
		columnOf[x] = tx;
		columnCount[tx]++;
	}
	const row = new Uint8Array(sw * channels);
	const sums = new Uint32Array(width * channels);
	const out = new Uint8Array(width * height * channels);
	const state = { ty: 0, rowsInSum: 0 };
	const rowsPerSlice = Math.max(1, Math.floor(SLICE_UNITS / (sw * channels)));
	// The loops are plain functions called from here: V8 does not optimize long loops inside a generator.
	for (let y = 0; y < sh; y += rowsPerSlice) {
		if (y > 0) yield;
		for (let r = y; r < Math.min(sh, y + rowsPerSlice); r++) {
			readRow(raster, r, channels, row);
			addRow(row, sw, channels, columnOf, sums);
			state.rowsInSum++;
			const nextTy = r + 1 < sh ? Math.min(height - 1, Math.floor(((r + 1) * height) / sh)) : height;
			if (nextTy !== state.ty) {
				emitRow(sums, columnCount, state.rowsInSum, width, channels, out, state.ty * width * channels);
				sums.fill(0);
				state.rowsInSum = 0;
				state.ty = nextTy;
			}
		}
	}
	return { width, height, channels, bitDepth: 8, data: out };
}

function addRow(row: Uint8Array, sw: number, channels: number, columnOf: Uint32Array, sums: Uint32Array): void {
	if (channels === 1) {
		for (let x = 0; x < sw; x++) sums[columnOf[x]] += row[x];
		return;
	}
	for (let x = 0; x < sw; x++) {
		const t = columnOf[x] * 3;
		sums[t] += row[3 * x];
		sums[t + 1] += row[3 * x + 1];
		sums[t + 2] += row[3 * x + 2];
	}
}

function emitRow(sums: Uint32Array, columnCount: Uint32Array, rows: number, width: number, channels: number, out: Uint8Array, base: number): void {
	for (let tx = 0; tx < width; tx++) {
		const count = columnCount[tx] * rows;
		for (let c = 0; c < channels; c++) {
			const k = tx * channels + c;
			out[base + k] = (sums[k] + (count >> 1)) / count;
		}
	}
}

/** `raster` turned clockwise by 90, 180 or 270 degrees (any bit depth; the palette is kept). */
export function* rotateRaster(raster: Raster, degrees: number): Work<Raster> {
	const turn = ((degrees % 360) + 360) % 360;
	if (turn === 0) return raster;
	const { width: w, height: h, channels, bitDepth } = raster;
	const quarter = turn === 90 || turn === 270;
	const ow = quarter ? h : w;
	const oh = quarter ? w : h;
	// Sub-byte depths only occur with one channel.
	const bitsPerPixel = channels * bitDepth;
	const inRow = Math.ceil((w * bitsPerPixel) / 8);
	const outRow = Math.ceil((ow * bitsPerPixel) / 8);
	const out = new Uint8Array(outRow * oh);
	// Output pixel (ox, oy) comes from source (sx, sy): clockwise 90 → (oy, h-1-ox); 180 → (w-1-ox, h-1-oy);
	// 270 → (w-1-oy, ox). Along an output row the source moves by a fixed step.
	const rowsPerSlice = Math.max(1, Math.floor(SLICE_UNITS / ow));
	for (let y = 0; y < oh; y += rowsPerSlice) {
		if (y > 0) yield;
		for (let oy = y; oy < Math.min(oh, y + rowsPerSlice); oy++) rotateRow(raster, turn, oy, ow, inRow, outRow, out);
	}
	return { ...raster, width: ow, height: oh, data: out };
}

/** Output row `oy` of the turned raster (see rotateRaster). */
function rotateRow(raster: Raster, turn: number, oy: number, ow: number, inRow: number, outRow: number, out: Uint8Array): void {
	const { width: w, height: h, channels, bitDepth, data } = raster;
	const [sx0, sy0, dx, dy] = turn === 90 ? [oy, h - 1, 0, -1] : turn === 180 ? [w - 1, h - 1 - oy, -1, 0] : [w - 1 - oy, 0, 0, 1];
	const o = oy * outRow;
	if (bitDepth === 8) {
		let s = sy0 * inRow + sx0 * channels;
		const step = dy * inRow + dx * channels;
		if (channels === 1) {
			for (let ox = 0; ox < ow; ox++, s += step) out[o + ox] = data[s];
		} else {
			for (let ox = 0; ox < ow; ox++, s += step) {
				out[o + 3 * ox] = data[s];
				out[o + 3 * ox + 1] = data[s + 1];
				out[o + 3 * ox + 2] = data[s + 2];
			}
		}
		return;
	}
	const max = (1 << bitDepth) - 1;
	for (let ox = 0, sx = sx0, sy = sy0; ox < ow; ox++, sx += dx, sy += dy) {
		const bit = sx * bitDepth;
		const v = (data[sy * inRow + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & max;
		const obit = ox * bitDepth;
		out[o + (obit >> 3)] |= v << (8 - bitDepth - (obit & 7));
	}
}
