/**
 * Memory bounded by Concurrency, through n8n's engine: an image is read and encoded only when its
 * request holds a slot and released right after, pages of a PDF are produced one at a time as slots
 * free up, an item waiting to retry keeps no encoded body, and the temporary upload holds a slot too.
 * The module's own counter of encoded images alive (`encodedImages`) and the emulator's request log
 * are the witnesses; RSS is the benchmark's business (test/benchmark, README "Performance").
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { encodedImages } from '../../../nodes/QwenOcr/helpers/imageInput';
import { binaryItem, fixture, generationRequests, runQwenOcr, truth, useEmulator, type Emulator } from '../../engine/qwenOcr';
import { makePng } from '../../engine/images';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { makeJpegPdf } = require('../../engine/pdf') as { makeJpegPdf: (jpeg: Buffer, width: number, height: number, pages: number) => Buffer };

const emulator = useEmulator();

beforeEach(() => encodedImages.resetPeak());

/** A small LCG so the injected faults are the same on every run. */
function seeded(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state / 2147483648;
	};
}

/** The most requests of any kind (policy, OSS upload, generation) the emulator was serving at once. */
function maxOverlap(target: Emulator): number {
	const events = target.requests.flatMap((request) => [
		{ at: request.startedAt as number, delta: 1 },
		{ at: (request.endedAt as number | undefined) ?? Number.POSITIVE_INFINITY, delta: -1 },
	]);
	// An answer that ended in the same millisecond as the next request started does not overlap it.
	events.sort((a, b) => a.at - b.at || a.delta - b.delta);
	let current = 0;
	let most = 0;
	for (const event of events) {
		current += event.delta;
		most = Math.max(most, current);
	}
	return most;
}

/** Requests in flight and encoded images alive never passed Concurrency, and none is left. */
function expectBounded(concurrency: number): void {
	expect(emulator.stats.maxInFlight).toBeLessThanOrEqual(concurrency);
	expect(encodedImages.peak).toBeLessThanOrEqual(concurrency);
	expect(encodedImages.alive).toBe(0);
}

function pdfItem(pdf: Buffer, name: string): INodeExecutionData {
	return { json: { file: name }, binary: { data: { data: pdf.toString('base64'), mimeType: 'application/pdf', fileName: name } } };
}

it('200 items while a quarter of the requests are throttled: never more encoded images than Concurrency, none kept while waiting to retry', async () => {
	const concurrency = 4;
	emulator.setLatency(20);
	const random = seeded(15);
	// 429s without Retry-After: each waits a random backoff (up to 0.5 s, then 1 s), while the others go on.
	emulator.enqueueFaults(
		Array.from({ length: 400 }, () => (random() < 0.25 ? { status: 429, code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' } : {})),
	);
	const files = ['receipt.jpg', 'invoice.png', 'table.png', 'formula.png'];
	const items = Array.from({ length: 200 }, (_, index) => binaryItem(files[index % files.length]));
	const { items: out, error } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { concurrency } }, items);
	expect(error).toBeUndefined();
	expect(out.map((item) => item.json.text)).toEqual(items.map((_, index) => truth(files[index % files.length]).text));
	expect(generationRequests(emulator).filter((request) => request.status === 429).length).toBeGreaterThan(30);
	expectBounded(concurrency);
}, 300_000);

it('multi-page PDFs: pages are produced one at a time as slots free up, never more than Concurrency encoded at once', async () => {
	const concurrency = 3;
	emulator.setLatency(30);
	const receipt = fixture('receipt.jpg');
	const pdfs = [makeJpegPdf(receipt, 320, 370, 12), makeJpegPdf(receipt, 320, 370, 60), makeJpegPdf(receipt, 320, 370, 12), makeJpegPdf(receipt, 320, 370, 12)];
	const items = pdfs.map((pdf, index) => pdfItem(pdf, `scan-${index}.pdf`));
	const { items: out, error } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { concurrency } }, items);
	expect(error).toBeUndefined();
	// Every page of every PDF, in input and page order.
	const expected = pdfs.flatMap((_, itemIndex) => Array.from({ length: itemIndex === 1 ? 60 : 12 }, (_unused, page) => ({ item: itemIndex, page: page + 1 })));
	expect(out.map((item) => ({ item: (item.pairedItem as { item: number }).item, page: item.json.page }))).toEqual(expected);
	expect(out.every((item) => item.json.text === truth('receipt.jpg').text)).toBe(true);
	expectBounded(concurrency);
}, 300_000);

it('the temporary upload of big images takes a request slot: policy, upload and generation together never pass Concurrency', async () => {
	const concurrency = 2;
	emulator.setLatency(20);
	const big = makePng(1700, 1700, { noise: true });
	expect(big.length).toBeGreaterThan(7.9 * 1024 * 1024); // over the inline limit: goes through the upload
	const binary = { data: big.toString('base64'), mimeType: 'image/png', fileName: 'scan.png' };
	// Two files per item ("a, b"): an item runs its files in parallel within the slots.
	const items = Array.from({ length: 4 }, (_, index) => ({ json: { index }, binary: { a: binary, b: binary } }));
	const { items: out, error } = await runQwenOcr(emulator, { operation: 'textRecognition', binaryPropertyName: 'a, b', options: { concurrency } }, items);
	expect(error).toBeUndefined();
	expect(out).toHaveLength(8);
	expect(out.every((item) => item.json.text === '(unrecognised image 1700x1700)')).toBe(true);
	const kinds = emulator.requests.map((request) => `${request.method} ${request.path}`);
	expect(kinds.filter((kind) => kind === 'POST /oss')).toHaveLength(8);
	expect(maxOverlap(emulator)).toBeLessThanOrEqual(concurrency);
	expectBounded(concurrency);
}, 300_000);
