// @ts-check
/**
 * Hostile PDFs, built in memory from their compressed form only (a bomb that decodes to 2 GiB is ~2 MB here;
 * nothing ever holds its decoded data): decompression bombs (Flate, LZW), a 100,000-page tree, deep and cyclic
 * references, an xref pointing into itself, a cut-off image stream, absurd image dimensions. Used by the
 * engine suite (test/nodes/QwenOcr/helpers/pdfHostile.test.ts) and the real-n8n e2e (test/e2e/run.sh).
 */
const { assemble, scanPixels } = require('./pdf');

const TWO_GIB = 2 ** 31;

/** LSB-first bit writer (DEFLATE); `huffman` writes a code MSB-first as DEFLATE packs Huffman codes. */
class DeflateBits {
	constructor() {
		/** @type {number[]} */
		this.bytes = [];
		this.acc = 0;
		this.count = 0;
	}
	/** @param {number} value @param {number} n */
	bits(value, n) {
		for (let i = 0; i < n; i++) this.bit((value >> i) & 1);
	}
	/** @param {number} code @param {number} length */
	huffman(code, length) {
		for (let i = length - 1; i >= 0; i--) this.bit((code >> i) & 1);
	}
	/** @param {number} b */
	bit(b) {
		this.acc |= b << this.count;
		if (++this.count === 8) this.flush();
	}
	flush() {
		this.bytes.push(this.acc);
		this.acc = 0;
		this.count = 0;
	}
}

/**
 * zlib data that inflates to `bytes` zero bytes (≥ 2 GiB by default): one dynamic-Huffman block whose length
 * code 258 and distance code 1 are 1 bit each, so every 258 output bytes cost 2 bits (a ratio of 1032:1).
 * @param {number} bytes
 * @returns {Buffer}
 */
function flateBomb(bytes = TWO_GIB) {
	const w = new DeflateBits();
	w.bits(1, 1); // BFINAL
	w.bits(2, 2); // dynamic Huffman
	w.bits(286 - 257, 5); // HLIT: literal/length codes 0..285
	w.bits(1 - 1, 5); // HDIST: one distance code
	w.bits(18 - 4, 4); // HCLEN: code-length codes up to order index 17 (the code length 1)
	// Code-length code: 18 (zero run) → 1 bit "0", 1 → "10", 2 → "11".
	const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
	const clLength = { 18: 1, 1: 2, 2: 2 };
	for (const symbol of order) w.bits(clLength[symbol] ?? 0, 3);
	const cl = { 18: [0, 1], 1: [2, 2], 2: [3, 2] };
	const zeros = (n) => {
		while (n > 0) {
			const run = Math.min(138, n);
			w.huffman(...cl[18]);
			w.bits(run - 11, 7);
			n -= run;
		}
	};
	// Literal/length lengths: 0 → 2, 1..255 → 0, 256 → 2, 257..284 → 0, 285 → 1; distance 0 → 1.
	w.huffman(...cl[2]);
	zeros(255);
	w.huffman(...cl[2]);
	zeros(28);
	w.huffman(...cl[1]);
	w.huffman(...cl[1]);
	// Canonical codes: 285 → "0", literal 0 → "10", end of block → "11"; distance 1 → "0".
	w.huffman(2, 2); // literal 0
	const pairs = Math.ceil((bytes - 1) / 258);
	// Each (258, distance 1) pair is two 0 bits: whole zero bytes once the writer is byte-aligned.
	let left = pairs;
	while (left > 0 && w.count !== 0) {
		w.bits(0, 2);
		left--;
	}
	const head = Buffer.from(w.bytes);
	const middle = Buffer.alloc(Math.floor(left / 4));
	w.bytes = [];
	for (let i = 0; i < left % 4; i++) w.bits(0, 2);
	w.huffman(3, 2); // end of block
	if (w.count) w.flush();
	return Buffer.concat([Buffer.from([0x78, 0x9c]), head, middle, Buffer.from(w.bytes)]);
}

/**
 * LZWDecode data (EarlyChange 1) that decodes to `bytes` (≥ 2 GiB) 'a' bytes: codes 97, 258, 259, … 4095 grow
 * the dictionary to a 3,839-byte string, which 12-bit codes then repeat (2,559 bytes per input byte).
 * @param {number} bytes
 * @returns {Buffer}
 */
function lzwBomb(bytes = TWO_GIB) {
	/** @type {number[]} */
	const out = [];
	let acc = 0;
	let count = 0;
	let width = 9;
	let next = 258;
	let previous = -1;
	let produced = 0;
	let length = 0;
	const emit = (code) => {
		acc = (acc << width) | code;
		count += width;
		while (count >= 8) {
			out.push((acc >> (count - 8)) & 0xff);
			count -= 8;
		}
		acc &= (1 << count) - 1;
	};
	// The decoder's bookkeeping, so codes are written at the widths it reads them with.
	const step = (code) => {
		emit(code);
		length = code < 256 ? 1 : length + (code === next ? 1 : 0);
		produced += length;
		if (previous >= 0 && next < 4096) {
			next++;
			if (next + 1 >= 1 << width && width < 12) width++;
		}
		previous = code;
	};
	emit(256);
	step(97);
	for (let code = 258; code < 4096; code++) step(code);
	const longest = length;
	while (produced < bytes) {
		emit(4095);
		produced += longest;
	}
	emit(257);
	if (count) out.push((acc << (8 - count)) & 0xff);
	return Buffer.from(out);
}

/** @param {string} text */
const latin1 = (text) => Buffer.from(text, 'latin1');
/** @param {string} dict @param {Buffer} data */
const stream = (dict, data) => Buffer.concat([latin1(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, latin1('\nendstream')]);

const PAGE_CONTENT = 'q 595 0 0 842 0 0 cm /Im0 Do Q';

/**
 * A one-page scan whose image is `imageDict` + `data` (objects: 1 catalog, 2 pages, 3 page, 4 content, 5 image).
 * @param {string} imageDict @param {Buffer} data @param {{ content?: Buffer, contentDict?: string }} [options]
 */
function onePage(imageDict, data, options = {}) {
	return assemble([
		latin1('<< /Type /Catalog /Pages 2 0 R >>'),
		latin1('<< /Type /Pages /Count 1 /Kids [3 0 R] >>'),
		latin1('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>'),
		stream(options.contentDict ?? '', options.content ?? latin1(PAGE_CONTENT)),
		stream(`/Type /XObject /Subtype /Image ${imageDict}`, data),
	]);
}

/** A 300-dpi gray A4 page whose Flate image stream inflates to 2 GiB (it declares /DL 2147483648). */
function flateBombPdf(bytes = TWO_GIB) {
	return onePage(`/Width 2480 /Height 3508 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /DL ${bytes}`, flateBomb(bytes));
}

/** A page whose content stream is an LZW bomb of 2 GiB (the image is a small, good one). */
function lzwBombPdf(bytes = TWO_GIB) {
	const image = require('zlib').deflateSync(scanPixels(200, 280, 'gray'));
	return onePage('/Width 200 /Height 280 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode', image, {
		contentDict: `/Filter /LZWDecode /DL ${bytes}`,
		content: lzwBomb(bytes),
	});
}

/**
 * A page tree of `pages` pages (100,000 by default), every page showing the same small scan: objects 1
 * catalog, 2 pages, 3 image, 4 content, 5… pages.
 */
function hugeTreePdf(pages = 100_000) {
	const image = require('zlib').deflateSync(scanPixels(200, 280, 'gray'));
	const objects = [
		latin1('<< /Type /Catalog /Pages 2 0 R >>'),
		latin1(`<< /Type /Pages /Count ${pages} /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 3 0 R >> >> /Kids [${Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(' ')}] >>`),
		stream('/Type /XObject /Subtype /Image /Width 200 /Height 280 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode', image),
		stream('', latin1(PAGE_CONTENT)),
	];
	const page = latin1('<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>');
	for (let i = 0; i < pages; i++) objects.push(page);
	return assemble(objects);
}

const SMALL_IMAGE = '/Width 200 /Height 280 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode';

/**
 * References 20,000 deep: the page's /Contents is a chain of `n 0 R` objects; with `nesting`, the page
 * dictionary also holds an array nested that many levels deep.
 */
function deepReferencesPdf(depth = 20_000, nesting = 0) {
	const image = require('zlib').deflateSync(scanPixels(200, 280, 'gray'));
	const objects = [
		latin1('<< /Type /Catalog /Pages 2 0 R >>'),
		latin1('<< /Type /Pages /Count 1 /Kids [3 0 R] >>'),
		latin1(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 6 0 R${nesting ? ` /Junk ${'['.repeat(nesting)}${']'.repeat(nesting)}` : ''} >>`),
		stream('', latin1(PAGE_CONTENT)),
		stream(`/Type /XObject /Subtype /Image ${SMALL_IMAGE}`, image),
	];
	for (let i = 0; i < depth; i++) objects.push(latin1(i === depth - 1 ? '4 0 R' : `${7 + i} 0 R`));
	return assemble(objects);
}

/** A page dictionary holding an array nested 20,000 levels deep. */
function deepNestingPdf() {
	return deepReferencesPdf(10, 20_000);
}

/** /Resources and /Contents that refer to each other in a loop, and a Form XObject that draws itself. */
function cyclicReferencesPdf() {
	return assemble([
		latin1('<< /Type /Catalog /Pages 2 0 R >>'),
		latin1('<< /Type /Pages /Count 1 /Kids [3 0 R] >>'),
		latin1('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources 6 0 R /Contents [4 0 R 7 0 R] >>'),
		stream('', latin1('q 595 0 0 842 0 0 cm /Fm0 Do Q')),
		stream('/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources 6 0 R', latin1('/Fm0 Do')),
		latin1('<< /XObject << /Fm0 5 0 R >> /Self 6 0 R >>'),
		latin1('8 0 R'),
		latin1('7 0 R'),
	]);
}

/** A good one-page scan whose xref table lists every object at the offset of the xref table itself. */
function selfPointingXrefPdf() {
	const image = require('zlib').deflateSync(scanPixels(200, 280, 'gray'));
	const good = onePage(SMALL_IMAGE, image);
	const text = good.toString('latin1');
	const xrefAt = text.lastIndexOf('\nxref\n') + 1;
	const offset = String(xrefAt).padStart(10, '0');
	const table = text.slice(xrefAt).replace(/^\d{10} 00000 n $/gm, `${offset} 00000 n `);
	return Buffer.concat([good.subarray(0, xrefAt), latin1(table)]);
}

/** A one-page gray scan whose file ends in the middle of its image stream (a download cut short). */
function truncatedStreamPdf() {
	const pixels = scanPixels(400, 560, 'gray');
	const image = require('zlib').deflateSync(pixels);
	const whole = onePage('/Width 400 /Height 560 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode', image);
	const cut = whole.indexOf(image) + Math.floor(image.length / 2);
	return whole.subarray(0, cut);
}

/** An image that declares 2,000,000,000 × 2,000,000,000 pixels in a few bytes. */
function absurdDimensionsPdf() {
	const data = require('zlib').deflateSync(Buffer.alloc(1024, 0xff));
	return onePage('/Width 2000000000 /Height 2000000000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode', data);
}

module.exports = {
	TWO_GIB,
	flateBomb,
	lzwBomb,
	flateBombPdf,
	lzwBombPdf,
	hugeTreePdf,
	deepReferencesPdf,
	deepNestingPdf,
	cyclicReferencesPdf,
	selfPointingXrefPdf,
	truncatedStreamPdf,
	absurdDimensionsPdf,
};
