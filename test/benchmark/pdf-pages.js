#!/usr/bin/env node
// @ts-check
/**
 * PDF page extraction alone (no API): pages/s for a 50-page scan, JPEG pages (passed through) and
 * Flate pages (decoded and re-encoded as PNG), with the built reader in dist/.
 *   npm run build && node test/benchmark/pdf-pages.js
 */
const fs = require('fs');
const path = require('path');
const ROOT = path.join(__dirname, '..', '..');
const { openPdf } = require(path.join(ROOT, 'dist/nodes/QwenOcr/helpers/pdf/pdf.js'));


function measure(label, data, pagesWanted) {
	const started = process.hrtime.bigint();
	const doc = openPdf(data);
	let pages = 0;
	for (let n = 1; n <= Math.min(pagesWanted, doc.pageCount); n++) {
		doc.extractPageImage(n);
		pages++;
	}
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	console.log(`| ${label} | ${pages} | ${seconds.toFixed(2)} | ${(pages / seconds).toFixed(1)} |`);
}

// 50-page JPEG scan built in memory (the same builder the tests use, compiled inline here).
function jpegPdf(jpeg, width, height, pages) {
	const objects = [];
	const add = (body) => objects.push(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
	const ids = Array.from({ length: pages }, (_, i) => 3 + i * 3);
	add('<< /Type /Catalog /Pages 2 0 R >>');
	add(`<< /Type /Pages /Count ${pages} /Kids [${ids.map((id) => `${id} 0 R`).join(' ')}] >>`);
	for (const id of ids) {
		const content = `q ${width} 0 0 ${height} 0 0 cm /Im0 Do Q`;
		add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Resources << /XObject << /Im0 ${id + 2} 0 R >> >> /Contents ${id + 1} 0 R >>`);
		add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
		add(Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`, 'latin1'), jpeg, Buffer.from('\nendstream', 'latin1')]));
	}
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

console.log('| scan | pages | seconds | pages/s |');
console.log('|---|---:|---:|---:|');
measure('50 JPEG pages (320x370, passed through)', jpegPdf(fs.readFileSync(path.join(ROOT, 'test/fixtures/images/receipt.jpg')), 320, 370, 50), 50);
const flate = fs.readFileSync(path.join(ROOT, 'test/fixtures/pdf/gray-flate.pdf'));
const started = process.hrtime.bigint();
for (let i = 0; i < 50; i++) openPdf(flate).extractPageImage(1);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`| 50 Flate grayscale pages (800x600, decoded and re-encoded as PNG) | 50 | ${seconds.toFixed(2)} | ${(50 / seconds).toFixed(1)} |`);
