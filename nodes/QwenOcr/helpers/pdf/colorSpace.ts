/**
 * Image color spaces (§8.6) reduced to what a PNG can show: gray, RGB, CMYK (converted to RGB), Indexed
 * (a PNG palette), and single-colorant Separation/DeviceN (shown as ink on white). ICC profiles are read only
 * for their component count: OCR needs legible pixels, not exact color.
 */
import { PdfError } from './errors';
import { PdfDict, PdfStream, PdfString, type PdfValue, dictOf, isNumber } from './objects';
import type { PdfFile } from './xref';
import { DecodeBudget } from './limits';

/** A palette holds at most 256 entries of 4 components: a larger lookup stream is refused (a bomb). */
const MAX_LOOKUP_BYTES = 64 * 1024;

export interface ColorSpace {
	kind: 'gray' | 'rgb' | 'cmyk' | 'indexed' | 'ink';
	/** Components per sample in the image data. */
	components: number;
	/** Indexed: the palette's color space, highest index and RGB palette (3 bytes per entry). */
	base?: ColorSpace;
	hival?: number;
	palette?: Uint8Array;
}

const GRAY: ColorSpace = { kind: 'gray', components: 1 };
const RGB: ColorSpace = { kind: 'rgb', components: 3 };
const CMYK: ColorSpace = { kind: 'cmyk', components: 4 };
const INK: ColorSpace = { kind: 'ink', components: 1 };

const NAMED: Record<string, ColorSpace> = {
	DeviceGray: GRAY,
	G: GRAY,
	CalGray: GRAY,
	DeviceRGB: RGB,
	RGB: RGB,
	CalRGB: RGB,
	DeviceCMYK: CMYK,
	CMYK: CMYK,
};

/** Throws for color spaces without a sensible PNG form (Lab, Pattern, multi-ink DeviceN). */
export function parseColorSpace(file: PdfFile, value: PdfValue | undefined, resources: PdfDict | undefined, depth = 0): ColorSpace {
	const cs = file.resolve(value);
	if (depth > 8) throw unsupported('a color space that refers to itself');
	if (typeof cs === 'string') {
		if (NAMED[cs]) return NAMED[cs];
		// Otherwise a name from the page's /ColorSpace resources (inline images use these).
		const named = file.get(dictOf(file.get(resources, 'ColorSpace')), cs);
		if (named !== null) return parseColorSpace(file, named, resources, depth + 1);
		throw unsupported(`the color space /${cs}`);
	}
	if (!Array.isArray(cs) || cs.length === 0) throw unsupported('a missing or invalid color space');
	const family = file.resolve(cs[0]);
	switch (family) {
		case 'ICCBased': {
			const stream = file.resolve(cs[1]);
			const dict = stream instanceof PdfStream ? stream.dict : undefined;
			const n = file.get(dict, 'N');
			if (n === 1) return GRAY;
			if (n === 3) return RGB;
			if (n === 4) return CMYK;
			const alternate = file.get(dict, 'Alternate');
			if (alternate !== null) return parseColorSpace(file, alternate, resources, depth + 1);
			throw unsupported('an ICC color space without a component count');
		}
		case 'Indexed':
		case 'I':
			return parseIndexed(file, cs, resources, depth);
		case 'Separation':
			return INK;
		case 'DeviceN': {
			const names = file.resolve(cs[1]);
			if (Array.isArray(names) && names.length === 1) return INK;
			throw unsupported('a DeviceN color space with several inks');
		}
		case 'Lab':
			throw unsupported('the Lab color space');
		case 'Pattern':
			throw unsupported('a Pattern color space');
		default:
			if (typeof family === 'string' && NAMED[family]) return NAMED[family];
			throw unsupported(`the color space ${typeof family === 'string' ? '/' + family : '(invalid)'}`);
	}
}

function parseIndexed(file: PdfFile, cs: PdfValue[], resources: PdfDict | undefined, depth: number): ColorSpace {
	const base = parseColorSpace(file, cs[1], resources, depth + 1);
	if (base.kind === 'indexed') throw unsupported('an Indexed color space based on another Indexed one');
	const hivalValue = file.resolve(cs[2]);
	const hival = isNumber(hivalValue) ? Math.max(0, Math.min(255, Math.floor(hivalValue))) : 255;
	const lookupValue = file.resolve(cs[3]);
	const lookup =
		lookupValue instanceof PdfString
			? lookupValue.bytes
			: lookupValue instanceof PdfStream
				? file.decode(lookupValue, new DecodeBudget(MAX_LOOKUP_BYTES, 'stream'))
				: new Uint8Array(0);
	// Entries missing from a short lookup table read as 0 in every component.
	const palette = new Uint8Array((hival + 1) * 3);
	const sample = new Uint8Array(base.components);
	for (let i = 0; i <= hival; i++) {
		for (let c = 0; c < base.components; c++) sample[c] = lookup[i * base.components + c] ?? 0;
		const rgb = toRgb(base, sample, 0);
		palette.set(rgb, i * 3);
	}
	return { kind: 'indexed', components: 1, base, hival, palette };
}

/** One pixel of 8-bit components in color space `cs` (not Indexed) as RGB. */
export function toRgb(cs: ColorSpace, samples: Uint8Array, at: number): [number, number, number] {
	switch (cs.kind) {
		case 'gray':
			return [samples[at], samples[at], samples[at]];
		case 'ink':
			return [255 - samples[at], 255 - samples[at], 255 - samples[at]];
		case 'rgb':
			return [samples[at], samples[at + 1], samples[at + 2]];
		default: {
			// Plain CMYK without a profile: good enough for legibility.
			const k = 255 - samples[at + 3];
			return [
				(((255 - samples[at]) * k) / 255 + 0.5) | 0,
				(((255 - samples[at + 1]) * k) / 255 + 0.5) | 0,
				(((255 - samples[at + 2]) * k) / 255 + 0.5) | 0,
			];
		}
	}
}

function unsupported(what: string): PdfError {
	return new PdfError(`The image uses ${what}, which this reader cannot convert`, 'unsupported-image');
}
