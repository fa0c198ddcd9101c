// @ts-check
'use strict';

/**
 * A ~2 MB PNG for the memory runs, generated once (deterministic noise, so it does not compress and
 * every run sends the same bytes). It is no fixture: the emulator answers it with its deterministic
 * "unknown image" text, `(unrecognised image WxH)`.
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const WIDTH = 1000;
const HEIGHT = 700;

/** CRC-32 as PNG chunks need it. */
const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

/** @param {Buffer} buf */
function crc32(buf) {
	let c = 0xffffffff;
	for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typed));
	return Buffer.concat([length, typed, crc]);
}

/** RGB noise from a fixed xorshift seed; about WIDTH * HEIGHT * 3 bytes once deflated. */
function makePng(width = WIDTH, height = HEIGHT) {
	const stride = width * 3 + 1;
	const raw = Buffer.alloc(stride * height);
	let x = 0x9e3779b9;
	for (let row = 0; row < height; row++) {
		raw[row * stride] = 0; // filter: none
		for (let i = 1; i < stride; i++) {
			x ^= x << 13;
			x ^= x >>> 17;
			x ^= x << 5;
			raw[row * stride + i] = x & 0xff;
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // truecolour
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', zlib.deflateSync(raw, { level: 1 })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/**
 * The image's path (written once per machine) and what the emulator answers for it: 1000x700 is
 * the 2 MB PNG, 1640x1640 the 8 MB one (over the 10 MB inline limit once base64-encoded: uploaded).
 */
function bigImage(width = WIDTH, height = HEIGHT) {
	const file = path.join(os.tmpdir(), `qwen-ocr-bench-${width}x${height}.png`);
	if (!fs.existsSync(file)) {
		const tmp = `${file}.${process.pid}`;
		fs.writeFileSync(tmp, makePng(width, height));
		fs.renameSync(tmp, file);
	}
	const bytes = fs.statSync(file).size;
	return {
		file,
		fileName: `noise-${Math.round(bytes / 1e6)}mb.png`,
		mimeType: 'image/png',
		bytes,
		expectedText: `(unrecognised image ${width}x${height})`,
	};
}

module.exports = { bigImage, makePng };
