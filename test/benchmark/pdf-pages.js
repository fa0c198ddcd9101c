#!/usr/bin/env node
// @ts-check
/**
 * PDF page extraction alone (no API), with the built reader in dist/ (or --dist DIR):
 * - pages/s for a 50-page JPEG scan (passed through) and 50 small Flate pages (800×600 gray);
 * - 20-page A4 scans at 300 dpi (2480×3508) in 8-bit gray, 8-bit RGB and 1 bit: ms per page read in one go,
 *   and the longest event-loop block while the same pages are read as the node reads them (in slices with
 *   sleep(0) between them), measured by a timer that ticks as often as the event loop lets it.
 *   npm run build && node test/benchmark/pdf-pages.js [--dist DIR] [--pages 20] [--max-pixels N]
 */
const fs = require('fs');
const path = require('path');
const ROOT = path.join(__dirname, '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
	const at = args.indexOf(`--${name}`);
	return at >= 0 ? args[at + 1] : fallback;
};
const DIST = path.resolve(option('dist', path.join(ROOT, 'dist')));
const PAGES = Number(option('pages', '20'));
/** The budget the node uses for qwen-vl-ocr in Singapore (28-pixel patches): 28 × 28 × 8192. */
const MAX_PIXELS = Number(option('max-pixels', String(28 * 28 * 8192)));
const { openPdf } = require(path.join(DIST, 'nodes/QwenOcr/helpers/pdf/pdf.js'));
const { makeJpegPdf, makeFlatePdf } = require('../engine/pdf');

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

/**
 * Longest gap between ticks of a 0-ms timer while `run` works (how long n8n could not answer anything), in
 * wall-clock ms and in CPU ms used during that gap (the CPU figure does not grow when other processes load the
 * machine; the wall-clock one does).
 */
async function longestBlock(run) {
	let last = performance.now();
	let lastCpu = process.cpuUsage();
	let longest = 0;
	let longestCpu = 0;
	let stop = false;
	const tick = () => {
		const now = performance.now();
		const cpu = process.cpuUsage(lastCpu);
		longest = Math.max(longest, now - last);
		longestCpu = Math.max(longestCpu, (cpu.user + cpu.system) / 1000);
		last = now;
		lastCpu = process.cpuUsage();
		if (!stop) setTimeout(tick, 0);
	};
	setTimeout(tick, 0);
	await run();
	stop = true;
	await new Promise((resolve) => setTimeout(resolve, 5));
	return { wall: longest, cpu: longestCpu };
}

async function a4Scans() {
	console.log('');
	console.log(`| 300-dpi A4 scan, ${PAGES} pages | ms per page (one go) | CPU ms per page | sent as | longest event-loop block, wall ms | same, CPU ms |`);
	console.log('|---|---:|---:|---|---:|---:|');
	const sleep0 = () => new Promise((resolve) => setTimeout(resolve, 0));
	for (const kind of ['gray', 'rgb', 'bilevel']) {
		const pdf = makeFlatePdf({ width: 2480, height: 3508, pages: PAGES, kind });
		const doc = openPdf(pdf);
		const options = { maxPixels: MAX_PIXELS, patch: 28 };
		const started = process.hrtime.bigint();
		const startedCpu = process.cpuUsage();
		let last;
		for (let n = 1; n <= doc.pageCount; n++) last = doc.extractPageImage(n, options);
		const msPerPage = Number(process.hrtime.bigint() - started) / 1e6 / doc.pageCount;
		const cpu = process.cpuUsage(startedCpu);
		const cpuPerPage = (cpu.user + cpu.system) / 1000 / doc.pageCount;
		// The node's way (1.x reader: extractPageImageSliced); an old reader has only the blocking call.
		const sliced = typeof doc.extractPageImageSliced === 'function';
		const block = await longestBlock(async () => {
			for (let n = 1; n <= doc.pageCount; n++) {
				if (sliced) await doc.extractPageImageSliced(n, options, sleep0);
				else doc.extractPageImage(n);
				await sleep0();
			}
		});
		const sent = `${last.format.toUpperCase()} ${last.width}×${last.height}, ${(last.data.length / 1048576).toFixed(2)} MB`;
		const label = kind === 'bilevel' ? '1-bit' : kind === 'rgb' ? 'RGB 8-bit' : 'gray 8-bit';
		console.log(`| ${label} | ${msPerPage.toFixed(0)} | ${cpuPerPage.toFixed(0)} | ${sent} | ${block.wall.toFixed(0)} | ${block.cpu.toFixed(0)} |`);
	}
}

async function main() {
	console.log('| scan | pages | seconds | pages/s |');
	console.log('|---|---:|---:|---:|');
	measure('50 JPEG pages (320x370, passed through)', makeJpegPdf(fs.readFileSync(path.join(ROOT, 'test/fixtures/images/receipt.jpg')), 320, 370, 50), 50);
	const flate = fs.readFileSync(path.join(ROOT, 'test/fixtures/pdf/gray-flate.pdf'));
	const started = process.hrtime.bigint();
	for (let i = 0; i < 50; i++) openPdf(flate).extractPageImage(1);
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	console.log(`| 50 Flate grayscale pages (800x600, decoded and re-encoded as PNG) | 50 | ${seconds.toFixed(2)} | ${(50 / seconds).toFixed(1)} |`);
	await a4Scans();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
