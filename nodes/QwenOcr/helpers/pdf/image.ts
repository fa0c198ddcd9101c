/**
 * Turns one image XObject (or inline image) into something Qwen-OCR accepts: JPEG data passes through as it is
 * (no re-encoding loss), everything this reader can decode becomes a Raster for the PNG encoder, and JPEG 2000,
 * CCITT fax and JBIG2 are refused with advice, since decoding them would take a codec each.
 */
import { parseColorSpace } from './colorSpace';
import { PdfError } from './errors';
import { decodeFiltersWork, filterChain } from './filters';
import { readJpegInfo } from './jpeg';
import { PdfDict, PdfStream, isNumber } from './objects';
import { DecodeBudget, MAX_IMAGE_PIXELS, MAX_PAGE_BYTES, MAX_STREAM_BYTES, mb } from './limits';
import { type Raster, samplesToRaster } from './raster';
import { runSync, type Work } from './work';
import type { PdfFile } from './xref';

export type DecodedImage =
	| { kind: 'jpeg'; data: Uint8Array; width: number; height: number; components: number; truncated: boolean }
	| { kind: 'raster'; raster: Raster; truncated: boolean };

const IMAGE_CODEC_NAMES = new Set(['DCTDecode', 'JPXDecode', 'CCITTFaxDecode', 'JBIG2Decode']);

const CODEC_NAMES: Record<string, string> = {
	JPXDecode: 'JPEG 2000 (JPXDecode)',
	CCITTFaxDecode: 'CCITT fax (CCITTFaxDecode)',
	JBIG2Decode: 'JBIG2 (JBIG2Decode)',
};

export const CONVERT_ADVICE =
	'Convert the PDF pages to PNG or JPEG images first (for example with a PDF-to-image step), or scan the document again as JPEG or PNG.';

export function decodeImage(
	file: PdfFile,
	stream: PdfStream,
	resources: PdfDict | undefined,
	budget: DecodeBudget = new DecodeBudget(MAX_PAGE_BYTES, 'page'),
): DecodedImage {
	return runSync(decodeImageWork(file, stream, resources, budget));
}

/** decodeImage() as resumable work (see work.ts). */
export function* decodeImageWork(
	file: PdfFile,
	stream: PdfStream,
	resources: PdfDict | undefined,
	budget: DecodeBudget = new DecodeBudget(MAX_PAGE_BYTES, 'page'),
): Work<DecodedImage> {
	const dict = stream.dict;
	const resolve = (v: Parameters<PdfFile['resolve']>[0]) => file.resolve(v);
	const width = file.get(dict, 'Width');
	const height = file.get(dict, 'Height');
	if (!isNumber(width) || !isNumber(height) || width < 1 || height < 1) {
		throw new PdfError('The image has no valid /Width and /Height', 'corrupt');
	}
	const chain = filterChain(dict, resolve);
	const codec = chain.length > 0 && IMAGE_CODEC_NAMES.has(chain[chain.length - 1].name);
	const imageMask = file.get(dict, 'ImageMask') === true;
	// Read before decoding (its component count sizes the samples); codec images are not decoded here.
	const colorSpace = codec || imageMask ? undefined : parseColorSpace(file, dict.get('ColorSpace') ?? 'DeviceGray', resources);
	const expected = codec ? 0 : checkRasterSize(file, dict, width, height, colorSpace?.components ?? 1);
	const decoded = yield* decodeFiltersWork(stream.raw, chain, resolve, budget.streamLimit, expected);
	budget.charge(decoded.data.length);
	if (decoded.codec) {
		if (decoded.codec.name === 'DCTDecode') {
			const info = readJpegInfo(decoded.data);
			return {
				kind: 'jpeg',
				// A copy: unfiltered JPEG data is a view into the whole PDF, which callers should not keep alive.
				data: decoded.data.slice(),
				width: info?.width || width,
				height: info?.height || height,
				components: info?.components ?? 0,
				truncated: decoded.truncated,
			};
		}
		const name = CODEC_NAMES[decoded.codec.name] ?? decoded.codec.name;
		throw new PdfError(
			`The scanned image is compressed as ${name}, which this node cannot decode. ${CONVERT_ADVICE}`,
			'unsupported-image',
		);
	}
	const bpc = file.get(dict, 'BitsPerComponent');
	const decodeValue = file.get(dict, 'Decode');
	const decode = Array.isArray(decodeValue) ? decodeValue.map((v) => file.resolve(v)) : undefined;
	const { raster, truncated } = samplesToRaster(decoded.data, {
		width: Math.floor(width),
		height: Math.floor(height),
		bitsPerComponent: imageMask ? 1 : isNumber(bpc) ? bpc : 8,
		// Images without a color space (invalid, but seen) are read as gray.
		colorSpace: colorSpace ?? 'mask',
		decode: decode?.every(isNumber) ? (decode as number[]) : undefined,
	});
	// Truncated means pixels are missing; a cut-off stream that still held every row lost nothing.
	return { kind: 'raster', raster, truncated };
}

/**
 * Refuses an image whose declared size is beyond the caps (limits.ts) before anything is decoded or allocated:
 * an absurd /Width × /Height would otherwise make the reader allocate its blank rows.
 */
function checkRasterSize(file: PdfFile, dict: PdfDict, width: number, height: number, components: number): number {
	const bpc = file.get(dict, 'BitsPerComponent');
	const mask = file.get(dict, 'ImageMask') === true;
	const bits = mask ? 1 : isNumber(bpc) ? bpc : 8;
	const pixels = Math.floor(width) * Math.floor(height);
	const bytes = Math.ceil((Math.floor(width) * components * bits) / 8) * Math.floor(height);
	if (pixels > MAX_IMAGE_PIXELS || bytes > MAX_STREAM_BYTES) {
		throw new PdfError(
			`The scanned image is ${Math.floor(width)} × ${Math.floor(height)} pixels, more than this node reads ` +
				`(${MAX_IMAGE_PIXELS.toLocaleString('en-US')} pixels and ${mb(MAX_STREAM_BYTES)} of samples per image). ` +
				'Scan at 300 dpi or as JPEG, or convert the pages to images first.',
			'too-large',
		);
	}
	// PNG predictors add a byte per row.
	return bytes + Math.floor(height);
}

/** Whether the image hides what is painted under it (stencil masks and soft masks let it show through). */
export function isOpaque(file: PdfFile, stream: PdfStream): boolean {
	return file.get(stream.dict, 'ImageMask') !== true && !stream.dict.has('SMask') && !stream.dict.has('Mask');
}
