import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import {
	checkImageLimits,
	isLikelyBase64,
	jpegOrientation,
	parseDataUrl,
	sniffImage,
	toDataUrl,
} from '../../../../nodes/QwenOcr/helpers/image';
import type { ImageInfo } from '../../../../nodes/QwenOcr/helpers/image';

// --- byte builders ---------------------------------------------------------------------------------------------

type Part = number[] | string | Uint8Array;

function bytes(...parts: Part[]): Uint8Array {
	const out: number[] = [];
	for (const part of parts) {
		if (typeof part === 'string') out.push(...Array.from(part, (char) => char.charCodeAt(0)));
		else out.push(...part);
	}
	return Uint8Array.from(out);
}

const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const le24 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];

function png(width: number, height: number): Uint8Array {
	return bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), 'IHDR', be32(width), be32(height), [8, 2, 0, 0, 0], be32(0));
}

function jpegSegment(marker: number, payload: Part): Uint8Array {
	const body = bytes(payload);
	return bytes([0xff, marker], be16(body.length + 2), body);
}

function exifOrientation(orientation: number): Uint8Array {
	// Exif\0\0 + big-endian TIFF header + IFD0 with one SHORT entry 0x0112
	return bytes('Exif\0\0', 'MM', be16(42), be32(8), be16(1), be16(0x0112), be16(3), be32(1), be16(orientation), [0, 0], be32(0));
}

function sof(marker: number, width: number, height: number): Uint8Array {
	return jpegSegment(marker, bytes([8], be16(height), be16(width), [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]));
}

/** A JPEG header with everything a segment walker can trip over before the frame header. */
function jpeg(width: number, height: number, orientation = 6): Uint8Array {
	return bytes(
		[0xff, 0xd8],
		jpegSegment(0xe0, bytes('JFIF\0', [1, 1, 0], be16(72), be16(72), [0, 0])),
		jpegSegment(0xe1, exifOrientation(orientation)),
		[0xff, 0xff, 0xff], // fill bytes before the next marker
		jpegSegment(0xc4, bytes([0x00], be16(999), be16(999))), // DHT: in the SOF range, no size
		jpegSegment(0xc8, bytes([0x08], be16(777), be16(777))), // JPG extension: no size
		jpegSegment(0xcc, bytes([0x00, 0x01])), // DAC: no size
		[0xff, 0x01], // TEM, standalone
		[0xff, 0xd3], // RST3, standalone
		[0x00, 0x00], // stray bytes a decoder skips
		sof(0xc2, width, height), // progressive frame
		jpegSegment(0xda, bytes([1, 1, 0, 0, 0x3f, 0])),
		[0x12, 0x34, 0xff, 0xd9],
	);
}

function bmpInfo(width: number, height: number): Uint8Array {
	return bytes('BM', le32(70), le32(0), le32(54), le32(40), le32(width), le32(height), le16(1), le16(24), le32(0), le32(16), le32(2835), le32(2835), le32(0), le32(0));
}

function bmpCore(width: number, height: number): Uint8Array {
	return bytes('BM', le32(32), le32(0), le32(26), le32(12), le16(width), le16(height), le16(1), le16(24));
}

function tiffLittle(width: number, height: number): Uint8Array {
	// IFD0 at 8: ImageWidth SHORT, ImageLength LONG, and an unrelated tag between
	return bytes('II', le16(42), le32(8), le16(3), le16(256), le16(3), le32(1), le16(width), [0, 0], le16(258), le16(3), le32(1), le16(8), [0, 0], le16(257), le16(4), le32(1), le32(height), le32(0));
}

function tiffBig(width: number, height: number): Uint8Array {
	return bytes('MM', be16(42), be32(8), be16(2), be16(256), be16(4), be32(1), be32(width), be16(257), be16(3), be32(1), be16(height), [0, 0], be32(0));
}

function riff(chunk: string, payload: Uint8Array): Uint8Array {
	return bytes('RIFF', le32(4 + 8 + payload.length), 'WEBP', chunk, le32(payload.length), payload);
}

const webpLossy = (width: number, height: number) => riff('VP8 ', bytes([0x50, 0x03, 0x00, 0x9d, 0x01, 0x2a], le16(width), le16(height), [0, 0]));
const webpLossless = (width: number, height: number) => riff('VP8L', bytes([0x2f], le32((width - 1) | ((height - 1) << 14)), [0]));
const webpExtended = (width: number, height: number) => riff('VP8X', bytes([0x10, 0, 0, 0], le24(width - 1), le24(height - 1)));
const gif = (width: number, height: number) => bytes('GIF89a', le16(width), le16(height), [0xf7, 0, 0]);

function box(type: string, ...content: Part[]): Uint8Array {
	const body = bytes(...content);
	return bytes(be32(body.length + 8), type, body);
}

const fullBox = (type: string, version: number, ...content: Part[]) => box(type, [version, 0, 0, 0], ...content);
const ispe = (width: number, height: number) => fullBox('ispe', 0, be32(width), be32(height));

function ftyp(major: string, ...compatible: string[]): Uint8Array {
	return box('ftyp', major, be32(0), ...compatible);
}

/**
 * HEIC like the ones libheif writes for small images: a grid item (id 1, primary) of 37×23 made of 64×64
 * tiles, so the largest `ispe` is not the image's size.
 */
function heicWithGrid(): Uint8Array {
	const ipco = box('ipco', box('hvcC', [1, 2, 3]), ispe(64, 64), ispe(37, 23));
	// version 0, flags 0: item 1 → property 3 (ispe 37×23); item 2 → properties 1 (essential) and 2
	const ipma = fullBox('ipma', 0, be32(2), be16(1), [1, 3], be16(2), [2, 0x81, 2]);
	const meta = fullBox('meta', 0, fullBox('hdlr', 0, be32(0), 'pict', be32(0), be32(0), be32(0), [0]), fullBox('pitm', 0, be16(1)), box('iprp', ipco, ipma));
	return bytes(ftyp('heic', 'mif1', 'heic'), meta, box('mdat', [0, 0, 0, 0]));
}

function heicWithoutPrimary(): Uint8Array {
	const meta = fullBox('meta', 0, box('iprp', box('ipco', ispe(160, 120), ispe(4032, 3024), ispe(320, 240))));
	return bytes(ftyp('mif1', 'mif1', 'heic'), meta);
}

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
(convert ? describe : describe.skip)('sniffImage on files written by ImageMagick', () => {
	let directory: string;
	beforeAll(() => {
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
