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

// The 50-page JPEG scan is built in memory with the tests' own PDF builder.
const { makeJpegPdf } = require('../engine/pdf');

console.log('| scan | pages | seconds | pages/s |');
console.log('|---|---:|---:|---:|');
measure('50 JPEG pages (320x370, passed through)', makeJpegPdf(fs.readFileSync(path.join(ROOT, 'test/fixtures/images/receipt.jpg')), 320, 370, 50), 50);
const flate = fs.readFileSync(path.join(ROOT, 'test/fixtures/pdf/gray-flate.pdf'));
const started = process.hrtime.bigint();
for (let i = 0; i < 50; i++) openPdf(flate).extractPageImage(1);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`| 50 Flate grayscale pages (800x600, decoded and re-encoded as PNG) | 50 | ${seconds.toFixed(2)} | ${(50 / seconds).toFixed(1)} |`);
