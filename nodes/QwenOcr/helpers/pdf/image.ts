/**
 * Turns one image XObject (or inline image) into something Qwen-OCR accepts: JPEG data passes through as it is
 * (no re-encoding loss), everything this reader can decode becomes a Raster for the PNG encoder, and JPEG 2000,
 * CCITT fax and JBIG2 are refused with advice, since decoding them would take a codec each.
 */
import { parseColorSpace } from './colorSpace';
import { PdfError } from './errors';
import { decodeFilters, filterChain } from './filters';
import { readJpegInfo } from './jpeg';
import { PdfDict, PdfStream, isNumber } from './objects';
import { type Raster, samplesToRaster } from './raster';
import type { PdfFile } from './xref';

export type DecodedImage =
	| { kind: 'jpeg'; data: Uint8Array; width: number; height: number; components: number; truncated: boolean }
	| { kind: 'raster'; raster: Raster; truncated: boolean };

const CODEC_NAMES: Record<string, string> = {
	JPXDecode: 'JPEG 2000 (JPXDecode)',
	CCITTFaxDecode: 'CCITT fax (CCITTFaxDecode)',
	JBIG2Decode: 'JBIG2 (JBIG2Decode)',
};

export const CONVERT_ADVICE =
	'Convert the PDF pages to PNG or JPEG images first (for example with a PDF-to-image step), or scan the document again as JPEG or PNG.';

export function decodeImage(file: PdfFile, stream: PdfStream, resources: PdfDict | undefined): DecodedImage {
	const dict = stream.dict;
	const resolve = (v: Parameters<PdfFile['resolve']>[0]) => file.resolve(v);
	const width = file.get(dict, 'Width');
	const height = file.get(dict, 'Height');
	if (!isNumber(width) || !isNumber(height) || width < 1 || height < 1) {
		throw new PdfError('The image has no valid /Width and /Height', 'corrupt');
	}
	const decoded = decodeFilters(stream.raw, filterChain(dict, resolve), resolve);
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
	const imageMask = file.get(dict, 'ImageMask') === true;
	const bpc = file.get(dict, 'BitsPerComponent');
	const decodeValue = file.get(dict, 'Decode');
	const decode = Array.isArray(decodeValue) ? decodeValue.map((v) => file.resolve(v)) : undefined;
	const { raster, truncated } = samplesToRaster(decoded.data, {
		width: Math.floor(width),
		height: Math.floor(height),
		bitsPerComponent: imageMask ? 1 : isNumber(bpc) ? bpc : 8,
		// Images without a color space (invalid, but seen) are read as gray.
		colorSpace: imageMask ? 'mask' : parseColorSpace(file, dict.get('ColorSpace') ?? 'DeviceGray', resources),
		decode: decode?.every(isNumber) ? (decode as number[]) : undefined,
	});
	// Truncated means pixels are missing; a cut-off stream that still held every row lost nothing.
	return { kind: 'raster', raster, truncated };
}

/** Whether the image hides what is painted under it (stencil masks and soft masks let it show through). */
export function isOpaque(file: PdfFile, stream: PdfStream): boolean {
	return file.get(stream.dict, 'ImageMask') !== true && !stream.dict.has('SMask') && !stream.dict.has('Mask');
}
