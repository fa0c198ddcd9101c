// @ts-check
/**
 * A real multi-page scanned PDF made in tests and the benchmark: one JPEG (DCTDecode) image filling
 * each page.
 * @param {Buffer} jpeg @param {number} width @param {number} height @param {number} pages @returns {Buffer}
 */
function makeJpegPdf(jpeg, width, height, pages) {
	const objects = [];
	const add = (body) => objects.push(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
	const pageIds = Array.from({ length: pages }, (_, i) => 3 + i * 3);
	add('<< /Type /Catalog /Pages 2 0 R >>');
	add(`<< /Type /Pages /Count ${pages} /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] >>`);
	for (let i = 0; i < pages; i++) {
		const id = 3 + i * 3;
		const content = `q ${width} 0 0 ${height} 0 0 cm /Im0 Do Q`;
		add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Resources << /XObject << /Im0 ${id + 2} 0 R >> >> /Contents ${id + 1} 0 R >>`);
		add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
		add(Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`, 'latin1'), jpeg, Buffer.from('\nendstream', 'latin1')]));
	}
	return assemble(objects);
}

/**
 * A scan-like raster: white paper with slight noise and lines of dark "words", as a 300-dpi scanner
 * gives it. kind 'gray' (8-bit), 'rgb' (8-bit, faint yellow paper, blue ink) or 'bilevel' (1 bit, 0 = black).
 * @param {number} width @param {number} height @param {'gray'|'rgb'|'bilevel'} kind @param {number} seed
 * @returns {Buffer}
 */
function scanPixels(width, height, kind, seed = 1) {
	let state = seed >>> 0 || 1;
	const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
	const ink = new Uint8Array(width * height);
	const line = Math.max(8, Math.round(height / 60));
	for (let top = Math.round(height * 0.08); top + line < height * 0.92; top += Math.round(line * 1.8)) {
		let x = Math.round(width * 0.1);
		while (x < width * 0.9) {
			const word = Math.round(line * (1 + random() * 4));
			for (let y = top; y < top + line; y++) for (let dx = 0; dx < word && x + dx < width; dx++) if (random() < 0.45) ink[y * width + x + dx] = 1;
			x += word + Math.round(line * 0.6);
		}
	}
	if (kind === 'bilevel') {
		const rowBytes = Math.ceil(width / 8);
		const out = Buffer.alloc(rowBytes * height, 0xff);
		for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (ink[y * width + x]) out[y * rowBytes + (x >> 3)] &= ~(0x80 >> (x & 7));
		return out;
	}
	const channels = kind === 'rgb' ? 3 : 1;
	const out = Buffer.alloc(width * height * channels);
	for (let i = 0; i < width * height; i++) {
		const noise = Math.floor(random() * 6);
		if (channels === 1) out[i] = ink[i] ? 30 + noise : 245 + noise;
		else {
			out[3 * i] = ink[i] ? 20 + noise : 246 + noise;
			out[3 * i + 1] = ink[i] ? 30 + noise : 244 + noise;
			out[3 * i + 2] = ink[i] ? 110 + noise : 228 + noise;
		}
	}
	return out;
}

/**
 * A scanned PDF of `pages` pages, each one Flate-compressed image (the same raster on every page, so a big
 * document costs one compression) filling an A4 page. `rotate` sets /Rotate on every page.
 * @param {{ width: number, height: number, pages: number, kind: 'gray'|'rgb'|'bilevel', rotate?: number }} spec
 * @returns {Buffer}
 */
function makeFlatePdf({ width, height, pages, kind, rotate = 0 }) {
	const zlib = require('zlib');
	const data = zlib.deflateSync(scanPixels(width, height, kind), { level: 6 });
	const colorSpace = kind === 'rgb' ? '/DeviceRGB' : '/DeviceGray';
	const bpc = kind === 'bilevel' ? 1 : 8;
	const objects = [];
	const add = (body) => objects.push(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
	const imageId = 3;
	add('<< /Type /Catalog /Pages 2 0 R >>');
	const pageIds = Array.from({ length: pages }, (_, i) => 4 + i * 2);
	add(`<< /Type /Pages /Count ${pages} /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] >>`);
	add(Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace ${colorSpace} /BitsPerComponent ${bpc} /Filter /FlateDecode /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]));
	const content = 'q 595 0 0 842 0 0 cm /Im0 Do Q';
	for (let i = 0; i < pages; i++) {
		const id = 4 + i * 2;
		add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] ${rotate ? `/Rotate ${rotate} ` : ''}/Resources << /XObject << /Im0 ${imageId} 0 R >> >> /Contents ${id + 1} 0 R >>`);
		add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
	}
	return assemble(objects);
}

/** Header, numbered objects, xref table and trailer (object 1 is the catalog). @param {Buffer[]} objects */
function assemble(objects) {
	const parts = [Buffer.from('%PDF-1.4\n', 'latin1')];
	const offsets = [];
	let offset = parts[0].length;
	objects.forEach((body, index) => {
		const chunk = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
		offsets.push(offset);
		offset += chunk.length;
		parts.push(chunk);
	});
	const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
	parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
	return Buffer.concat(parts);
}

module.exports = { makeJpegPdf, makeFlatePdf, scanPixels, assemble };
