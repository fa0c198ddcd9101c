/**
 * Image samples as PDF stores them (§8.9.5: rows padded to whole bytes, 1-16 bits per component, /Decode
 * ranges) turned into the smallest faithful PNG layout: 1/2/4/8-bit gray and palette images keep their depth
 * (bilevel scans stay 1-bit, 8x smaller than 8-bit), 16-bit samples keep their high byte, CMYK becomes RGB.
 */
import { type ColorSpace, toRgb } from './colorSpace';
import { PdfError } from './errors';
import { MAX_STREAM_BYTES, mb } from './limits';

export interface Raster {
	width: number;
	height: number;
	channels: 1 | 3;
	bitDepth: 1 | 2 | 4 | 8;
	/** RGB triplets: the samples are palette indexes. */
	palette?: Uint8Array;
	data: Uint8Array;
}

export interface SampleLayout {
	width: number;
	height: number;
	bitsPerComponent: number;
	/** 'mask' for /ImageMask stencils: 1 bit, 0 paints (black) unless /Decode is [1 0]. */
	colorSpace: ColorSpace | 'mask';
	decode?: number[];
}

export function samplesToRaster(samples: Uint8Array, layout: SampleLayout): { raster: Raster; truncated: boolean } {
	const { width, height, colorSpace } = layout;
	const mask = colorSpace === 'mask';
	const bpc = mask ? 1 : layout.bitsPerComponent;
	if (![1, 2, 4, 8, 16].includes(bpc)) {
		throw new PdfError(`The image has ${bpc} bits per component, which is not valid`, 'unsupported-image');
	}
	const components = mask ? 1 : colorSpace.components;
	const rowBytes = Math.ceil((width * components * bpc) / 8);
	const size = rowBytes * height;
	const decode = layout.decode;
	const pairs = Array.from({ length: components }, (_, c) =>
		decode && decode.length >= 2 * (c + 1) ? [decode[2 * c], decode[2 * c + 1]] : undefined,
	);
	const indexed = !mask && colorSpace.kind === 'indexed';
	const inverted = !indexed && pairs.every((p) => p !== undefined && p[0] > p[1]);
	const standard = indexed || pairs.every((p) => p === undefined || (p[0] === 0 && p[1] === 1));
	let data = samples;
	const truncated = samples.length < size;
	if (truncated) {
		// Missing rows (a cut-off stream) are shown as paper: the byte that decodes to white.
		data = new Uint8Array(size).fill(whiteByte(colorSpace, inverted));
		data.set(samples);
	} else if (samples.length > size) {
		data = samples.subarray(0, size);
	}
	const done = (raster: Raster): { raster: Raster; truncated: boolean } => ({ raster, truncated });

	if (mask) {
		return done({ width, height, channels: 1, bitDepth: 1, data: inverted ? invert(data) : data });
	}
	if (colorSpace.kind === 'indexed') {
		if (bpc === 16) throw new PdfError('The image is a 16-bit palette image, which is not valid', 'unsupported-image');
		// Pad the palette to every index the depth can hold, so stray indexes still decode.
		const palette = new Uint8Array(3 * Math.min(256, 1 << bpc));
		palette.set(colorSpace.palette!.subarray(0, palette.length));
		return done({ width, height, channels: 1, bitDepth: bpc as 1 | 2 | 4 | 8, palette, data });
	}
	const grayLike = colorSpace.kind === 'gray' || colorSpace.kind === 'ink';
	if (grayLike && bpc <= 8 && (standard || inverted)) {
		// Ink amounts are the reverse of gray levels.
		const flip = inverted !== (colorSpace.kind === 'ink');
		return done({ width, height, channels: 1, bitDepth: bpc as 1 | 2 | 4 | 8, data: flip ? invert(data) : data });
	}
	if (colorSpace.kind === 'rgb' && bpc === 8 && standard) {
		return done({ width, height, channels: 3, bitDepth: 8, data });
	}
	return done(convertGeneric(data, layout, colorSpace, pairs, rowBytes));
}

/** Any depth and /Decode: every component to 8 bits through a lookup table, then to gray or RGB. */
function convertGeneric(
	data: Uint8Array,
	layout: SampleLayout,
	colorSpace: ColorSpace,
	pairs: (number[] | undefined)[],
	rowBytes: number,
): Raster {
	const { width, height } = layout;
	const bpc = layout.bitsPerComponent;
	const components = colorSpace.components;
	// 16-bit samples are read by their high byte, so tables have at most 256 entries.
	const depth = Math.min(bpc, 8);
	const max = (1 << depth) - 1;
	const tables = pairs.map((pair) => {
		const [low, high] = pair ?? [0, 1];
		const table = new Uint8Array(max + 1);
		for (let v = 0; v <= max; v++) table[v] = Math.round(Math.max(0, Math.min(1, low + (v * (high - low)) / max)) * 255);
		return table;
	});
	const channels = colorSpace.kind === 'gray' || colorSpace.kind === 'ink' ? 1 : 3;
	if (width * height * channels > MAX_STREAM_BYTES) {
		throw new PdfError(
			`The scanned image is ${width} × ${height} pixels; converted to 8-bit ${channels === 1 ? 'gray' : 'RGB'} it would pass ` +
				`${mb(MAX_STREAM_BYTES)}, the most this node decodes per page. Scan at 300 dpi or as JPEG.`,
			'too-large',
		);
	}
	const out = new Uint8Array(width * height * channels);
	const pixel = new Uint8Array(components);
	let o = 0;
	for (let y = 0; y < height; y++) {
		const row = y * rowBytes;
		for (let x = 0; x < width; x++) {
			for (let c = 0; c < components; c++) {
				const k = x * components + c;
				let v: number;
				if (bpc === 8) v = data[row + k];
				else if (bpc === 16) v = data[row + 2 * k];
				else v = (data[row + ((k * bpc) >> 3)] >> (8 - bpc - ((k * bpc) & 7))) & max;
				pixel[c] = tables[c][v];
			}
			if (channels === 1) {
				out[o++] = colorSpace.kind === 'ink' ? 255 - pixel[0] : pixel[0];
			} else {
				const [r, g, b] = toRgb(colorSpace, pixel, 0);
				out[o++] = r;
				out[o++] = g;
				out[o++] = b;
			}
		}
	}
	return { width, height, channels, bitDepth: 8, data: out };
}

function whiteByte(colorSpace: ColorSpace | 'mask', inverted: boolean): number {
	if (colorSpace === 'mask' || colorSpace.kind === 'gray' || colorSpace.kind === 'rgb') return inverted ? 0 : 0xff;
	if (colorSpace.kind === 'indexed') return 0;
	return inverted ? 0xff : 0;
}

function invert(data: Uint8Array): Uint8Array {
	const out = new Uint8Array(data.length);
	for (let i = 0; i < data.length; i++) out[i] = ~data[i];
	return out;
}
