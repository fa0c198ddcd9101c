import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import {
	bytesWithDataUrl,
	checkImageLimits,
	isLikelyBase64,
	jpegOrientation,
	parseDataUrl,
	sniffImage,
	toDataUrl,
} from '../../../../nodes/QwenOcr/helpers/image';
import type { ImageInfo } from '../../../../nodes/QwenOcr/helpers/image';
import { be32, bmpCore, bmpInfo, bytes, ftyp, gif, heicWithGrid, heicWithoutPrimary, jpeg, png, sof, tiffBig, tiffLittle, webpExtended, webpLossless, webpLossy } from '../../../engine/imageHeaders';

// --- sniffImage --------------------------------------------------------------------------------------------------

describe('sniffImage', () => {
	it.each<[string, Uint8Array, Partial<ImageInfo>]>([
		['PNG', png(640, 480), { format: 'png', mimeType: 'image/png', width: 640, height: 480 }],
		['JPEG (SOF2 after DHT, JPG, DAC, fill bytes, TEM, RST)', jpeg(1024, 768), { format: 'jpeg', mimeType: 'image/jpeg', width: 1024, height: 768 }],
		['JPEG baseline', bytes([0xff, 0xd8], sof(0xc0, 33, 44)), { format: 'jpeg', width: 33, height: 44 }],
		['BMP BITMAPINFOHEADER, top-down', bmpInfo(300, -200), { format: 'bmp', mimeType: 'image/bmp', width: 300, height: 200 }],
		['BMP BITMAPINFOHEADER, bottom-up', bmpInfo(300, 200), { format: 'bmp', width: 300, height: 200 }],
		['BMP BITMAPCOREHEADER', bmpCore(120, 90), { format: 'bmp', width: 120, height: 90 }],
		['TIFF little-endian', tiffLittle(2480, 3508), { format: 'tiff', mimeType: 'image/tiff', width: 2480, height: 3508 }],
		['TIFF big-endian', tiffBig(70000, 1234), { format: 'tiff', width: 70000, height: 1234 }],
		['WEBP lossy', webpLossy(1920, 1080), { format: 'webp', mimeType: 'image/webp', width: 1920, height: 1080 }],
		['WEBP lossless', webpLossless(16383, 2), { format: 'webp', width: 16383, height: 2 }],
		['WEBP extended', webpExtended(16777216, 300), { format: 'webp', width: 16777216, height: 300 }],
		['GIF', gif(500, 400), { format: 'gif', mimeType: 'image/gif', width: 500, height: 400 }],
		['HEIC primary item', heicWithGrid(), { format: 'heic', mimeType: 'image/heic', width: 37, height: 23 }],
		['HEIC without item links: largest ispe', heicWithoutPrimary(), { format: 'heic', width: 4032, height: 3024 }],
	])('%s', (_name, data, expected) => {
		expect(sniffImage(data)).toMatchObject(expected);
	});

	it('reads the stored JPEG size even when Exif says the picture is turned', () => {
		const data = jpeg(4000, 3000, 6);
		expect(sniffImage(data)).toMatchObject({ width: 4000, height: 3000 });
		expect(jpegOrientation(data)).toBe(6);
		expect(jpegOrientation(jpeg(10, 10, 1))).toBe(1);
		expect(jpegOrientation(bytes([0xff, 0xd8], sof(0xc0, 33, 44)))).toBeUndefined();
		expect(jpegOrientation(png(1, 1))).toBeUndefined();
	});

	it('recognises HEIF brands but not AVIF', () => {
		for (const brand of ['heic', 'heix', 'hevc', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']) {
			expect(sniffImage(ftyp(brand, 'mif1'))?.format).toBe('heic');
		}
		expect(sniffImage(ftyp('avif', 'avif', 'mif1', 'miaf'))).toBeUndefined();
		expect(sniffImage(ftyp('mif1', 'mif1', 'avif'))).toBeUndefined();
		expect(sniffImage(ftyp('isom', 'isom', 'mp41'))).toBeUndefined();
	});

	it('gives the format without a size for cut-off headers', () => {
		expect(sniffImage(png(640, 480).subarray(0, 20))).toEqual({ format: 'png', mimeType: 'image/png' });
		expect(sniffImage(jpeg(10, 10).subarray(0, 40))).toEqual({ format: 'jpeg', mimeType: 'image/jpeg' });
		expect(sniffImage(bmpInfo(30, 20).subarray(0, 22))).toEqual({ format: 'bmp', mimeType: 'image/bmp' });
		expect(sniffImage(tiffLittle(30, 20).subarray(0, 30))).toEqual({ format: 'tiff', mimeType: 'image/tiff' });
		expect(sniffImage(webpLossy(30, 20).subarray(0, 27))).toEqual({ format: 'webp', mimeType: 'image/webp' });
		expect(sniffImage(gif(30, 20).subarray(0, 8))).toEqual({ format: 'gif', mimeType: 'image/gif' });
		expect(sniffImage(heicWithGrid().subarray(0, 120))).toEqual({ format: 'heic', mimeType: 'image/heic' });
	});

	it('never throws on any prefix of any sample', () => {
		const samples = [png(9, 9), jpeg(9, 9), bmpInfo(9, 9), bmpCore(9, 9), tiffLittle(9, 9), tiffBig(9, 9), webpLossy(9, 9), webpLossless(9, 9), webpExtended(9, 9), gif(9, 9), heicWithGrid(), heicWithoutPrimary()];
		for (const sample of samples) {
			for (let length = 0; length <= sample.length; length++) {
				expect(() => sniffImage(sample.subarray(0, length))).not.toThrow();
				expect(() => jpegOrientation(sample.subarray(0, length))).not.toThrow();
			}
		}
	});

	it('never throws on garbage after a valid signature', () => {
		let seed = 42;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			return seed & 0xff;
		};
		const signatures = [png(1, 1).subarray(0, 16), [0xff, 0xd8, 0xff], 'BM', 'II*\0', 'MM\0*', 'RIFF\0\0\0\0WEBPVP8 ', 'RIFF\0\0\0\0WEBPVP8X', 'GIF89a', bytes(be32(24), 'ftypheic')];
		for (const signature of signatures) {
			for (let run = 0; run < 200; run++) {
				const noise = Array.from({ length: run % 97 }, random);
				const data = bytes(signature, noise);
				expect(() => sniffImage(data)).not.toThrow();
				expect(() => jpegOrientation(data)).not.toThrow();
			}
		}
	});

	it('rejects what is not an image', () => {
		expect(sniffImage(new Uint8Array())).toBeUndefined();
		expect(sniffImage(bytes('%PDF-1.7\n'))).toBeUndefined();
		expect(sniffImage(bytes('BMW is a car brand, not a bitmap'))).toBeUndefined();
		expect(sniffImage(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
	});

	it('drops impossible sizes', () => {
		expect(sniffImage(png(0, 480))).toEqual({ format: 'png', mimeType: 'image/png' });
		expect(sniffImage(bmpInfo(-5, 10))).toEqual({ format: 'bmp', mimeType: 'image/bmp' });
	});
});

// --- real files, when ImageMagick is installed -------------------------------------------------------------------

/** The real binary only: a shell-script stand-in does not write every format. */
function realImageMagick(): string | undefined {
	const candidate = '/usr/bin/convert';
	if (!existsSync(candidate)) return undefined;
	const head = readFileSync(realpathSync(candidate)).subarray(0, 2).toString('latin1');
	return head === '#!' ? undefined : candidate;
}

const convert = realImageMagick();
// Never skipped: `bash test/scripts/run.sh test` installs ImageMagick when it is missing.
describe('sniffImage on files written by ImageMagick', () => {
	let directory: string;
	beforeAll(() => {
		if (!convert) throw new Error('ImageMagick (/usr/bin/convert) is missing: run the tests with bash test/scripts/run.sh test, which installs it');
		directory = mkdtempSync(join(tmpdir(), 'qwen-ocr-image-'));
	});
	afterAll(() => rmSync(directory, { recursive: true, force: true }));

	it.each<[string, string[], ImageInfo['format']]>([
		['png', [], 'png'],
		['jpg', [], 'jpeg'],
		['jpg', ['-interlace', 'Plane'], 'jpeg'],
		['bmp', [], 'bmp'],
		['bmp2', [], 'bmp'],
		['tiff', [], 'tiff'],
		['tiff', ['-endian', 'MSB'], 'tiff'],
		['webp', [], 'webp'],
		['webp', ['-define', 'webp:lossless=true'], 'webp'],
		['gif', [], 'gif'],
		['heic', [], 'heic'],
	])('%s %j', (extension, options, format) => {
		const file = join(directory, `sample-${extension}-${options.length}.${extension === 'bmp2' ? 'bmp' : extension}`);
		const target = extension === 'bmp2' ? `BMP2:${file}` : file;
		execFileSync(convert as string, ['-size', '37x23', 'xc:red', ...options, target], { stdio: 'ignore' });
		expect(sniffImage(readFileSync(file))).toMatchObject({ format, width: 37, height: 23 });
	});
});

// --- limits ------------------------------------------------------------------------------------------------------

describe('checkImageLimits', () => {
	const info = (format: ImageInfo['format'], width?: number, height?: number): ImageInfo => ({ format, mimeType: `image/${format}`, width, height });

	it('accepts ordinary images and unknown sizes', () => {
		expect(checkImageLimits(info('png', 800, 600))).toBeUndefined();
		expect(checkImageLimits(info('tiff'))).toBeUndefined();
		expect(checkImageLimits(info('heic', 11, 11))).toBeUndefined();
		expect(checkImageLimits(info('jpeg', 11, 2200))).toBeUndefined(); // exactly 200:1
	});

	it('rejects GIF with what to do', () => {
		expect(checkImageLimits(info('gif', 100, 100))).toMatch(/GIF images are not accepted.*Convert the image to PNG or JPEG/);
	});

	it('rejects sides of 10 px or less', () => {
		expect(checkImageLimits(info('png', 10, 500))).toMatch(/10×500 px.*above 10 px/);
		expect(checkImageLimits(info('png', 500, 3))).toMatch(/500×3 px/);
	});

	it('rejects aspect ratios over 200:1', () => {
		expect(checkImageLimits(info('png', 11, 2300))).toMatch(/aspect ratio of 209:1.*at most 200:1/);
	});

	it('allows only JPEG and PNG above 4K', () => {
		expect(checkImageLimits(info('webp', 3840, 2160))).toBeUndefined();
		expect(checkImageLimits(info('webp', 3841, 2160))).toMatch(/3841×2160 px WEBP; above 4K.*only JPEG and PNG/);
		expect(checkImageLimits(info('tiff', 3000, 3000))).toMatch(/TIFF/);
		expect(checkImageLimits(info('png', 7680, 4320))).toBeUndefined();
		expect(checkImageLimits(info('jpeg', 9000, 6000))).toBeUndefined();
	});
});

// --- base64 and data URLs ------------------------------------------------------------------------------------------

describe('isLikelyBase64', () => {
	it.each([
		['iVBORw0KGgo=', true],
		['iVBORw0K\nGgoAAAAN SUhEUg==', true],
		['-_-_', true],
		['abc', true], // unpadded
		['', false],
		['abcde', false], // impossible length
		['abc=d', false],
		['ab=', false],
		['ab+_', false], // mixed alphabets
		['not base64!', false],
		['data:image/png;base64,AAAA', false],
	])('%j → %s', (value, expected) => {
		expect(isLikelyBase64(value)).toBe(expected);
	});
});

describe('parseDataUrl', () => {
	it('splits a base64 data URL and removes whitespace from the data', () => {
		expect(parseDataUrl(' data:image/PNG;base64,iVBO\r\nRw0K GgoA\n')).toEqual({ mimeType: 'image/png', base64: 'iVBORw0KGgoA' });
		expect(parseDataUrl('DATA:image/jpeg;name=a.jpg;BASE64,/9j/4AAQ')).toEqual({ mimeType: 'image/jpeg', base64: '/9j/4AAQ' });
	});

	it('rejects anything else', () => {
		expect(parseDataUrl('data:text/plain,hello')).toBeUndefined();
		expect(parseDataUrl('data:;base64,AAAA')).toBeUndefined();
		expect(parseDataUrl('data:image/png;base64')).toBeUndefined();
		expect(parseDataUrl('data:image/png;base64,%%%')).toBeUndefined();
		expect(parseDataUrl('https://example.com/a.png')).toBeUndefined();
		expect(parseDataUrl('iVBORw0KGgo=')).toBeUndefined();
	});
});

describe('toDataUrl', () => {
	it('uses the MIME type of the sniffed format and round-trips the bytes', () => {
		const data = png(64, 32);
		const info = sniffImage(data) as ImageInfo;
		const url = toDataUrl(data, info);
		expect(url.startsWith('data:image/png;base64,')).toBe(true);
		const parsed = parseDataUrl(url);
		expect(Uint8Array.from(Buffer.from(parsed?.base64 ?? '', 'base64'))).toEqual(data);
	});

	it('encodes only the view, not the whole underlying buffer', () => {
		const backing = bytes('xxxx', png(20, 20), 'yyyy');
		const view = backing.subarray(4, backing.length - 4);
		const info = sniffImage(view) as ImageInfo;
		expect(toDataUrl(view, info)).toBe(`data:image/png;base64,${Buffer.from(png(20, 20)).toString('base64')}`);
	});
});

describe('bytesWithDataUrl', () => {
	it('writes the same bytes as the data URL string would be, across chunk boundaries and at every length mod 3', () => {
		for (const length of [0, 1, 2, 3, 49_151, 49_152, 49_153, 1_000_001]) {
			const backing = new Uint8Array(length + 4).map((_, index) => (index * 7919) % 256);
			const view = backing.subarray(2, 2 + length); // a view: only it is encoded
			const data = Buffer.from(view);
			const expected = `{"image":"data:image/png;base64,${Buffer.from(data).toString('base64')}","text":"é"}`;
			expect(bytesWithDataUrl('{"image":"', view, 'image/png', '","text":"é"}').toString('utf8')).toBe(expected);
		}
	});
});
