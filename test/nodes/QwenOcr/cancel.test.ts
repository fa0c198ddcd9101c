/**
 * Stop and Timeout Workflow through n8n's engine: the execution's cancel signal ends every wait of
 * the node (retry back-off, pacer, request-slot queue) and its temporary upload at once, no item
 * starts after it, and nothing reaches DashScope or OSS after it.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { QwenOcr } from '../../../nodes/QwenOcr/QwenOcr.node';
import { binaryItem, runQwenOcr, useEmulator, type Emulator } from '../../engine/qwenOcr';
import { bytesItem, makePng } from '../../engine/images';

const emulator = useEmulator();

/** The node, noting when its execute() returned (after a cancel the engine reports the run as ended at once). */
function timedNode(): { node: QwenOcr; timing: { returnedAt: number } } {
	const base = new QwenOcr();
	const timing = { returnedAt: 0 };
	const node = Object.assign(Object.create(base) as QwenOcr, {
		async execute(this: IExecuteFunctions) {
			try {
				return await base.execute.call(this);
			} finally {
				timing.returnedAt = Date.now();
			}
		},
	});
	return { node, timing };
}

/** Starts a run and cancels it once `ready()` holds. */
async function runAndCancel(target: Emulator, parameters: IDataObject, items: INodeExecutionData[], ready: () => boolean) {
	const { node, timing } = timedNode();
	let canceledAt = 0;
	let requestsAtCancel = -1;
	const result = await runQwenOcr(target, parameters, items, {
		continueOnFail: true,
		node,
		onStart: (cancel) => {
			void (async () => {
				while (!ready()) await sleep(10);
				requestsAtCancel = target.requests.length;
				canceledAt = Date.now();
				cancel();
			})();
		},
	});
	return { ...result, canceledAt, requestsAtCancel, returnedAt: timing.returnedAt };
}

const byPath = (target: Emulator, path: string) => target.requests.filter((request) => request.path.endsWith(path));
const RETRY_AFTER_SECONDS = 30;

describe('cancel (Stop, Timeout Workflow)', () => {
	it('50 items at 2 s latency, 5 waiting on a 30 s Retry-After: the node returns at once and sends nothing after the cancel', async () => {
		emulator.setLatency(2000);
		// The first five requests are throttled with Retry-After: 30 s; five more items start meanwhile.
		emulator.enqueueFaults(Array.from({ length: 5 }, () => ({ status: 429, code: 'Throttling', message: 'Requests throttling triggered.', retryAfterSeconds: RETRY_AFTER_SECONDS })));
		const items = Array.from({ length: 50 }, () => binaryItem('receipt.jpg'));
		const generation = () => byPath(emulator, '/multimodal-generation/generation');
		// Cancel while five items wait on the Retry-After and five requests are in flight (every slot busy).
		const run = await runAndCancel(emulator, { operation: 'textRecognition', options: { concurrency: 5 } }, items, () => generation().length >= 10);

		const cancelToReturnMs = run.returnedAt - run.canceledAt;
		process.stdout.write(`cancel: ${run.requestsAtCancel} requests before the cancel, ${emulator.requests.length - run.requestsAtCancel} after; cancel -> node returned in ${cancelToReturnMs} ms\n`);
		// The node returned before the 30 s Retry-After could have run out (order, not a time limit).
		expect(run.returnedAt).toBeGreaterThan(0);
		expect(run.returnedAt).toBeLessThan(run.canceledAt + RETRY_AFTER_SECONDS * 1000);
		// No request (and no upload) started after the cancel; nothing at all reached the emulator after it.
		expect(emulator.requests.length).toBe(run.requestsAtCancel);
		expect(emulator.requests.every((request) => (request.startedAt as number) <= run.canceledAt)).toBe(true);
		expect(generation()).toHaveLength(10);
		// n8n reports the run as canceled; the node's error says why its items were not read.
		expect(run.error?.message).toMatch(/cancel/i);
	}, 120_000);

	it('a temporary upload in progress is aborted: OSS stores nothing and no generation request follows', async () => {
		// A ~8.7 MB image goes through the temporary upload, which OSS takes 30 s to store.
		emulator.setUploadLatency(RETRY_AFTER_SECONDS * 1000);
		const big = makePng(1700, 1700, { noise: true });
		const run = await runAndCancel(emulator, { operation: 'textRecognition' }, [bytesItem(big, 'scan.png', 'image/png')], () => byPath(emulator, '/oss').length === 1);
		process.stdout.write(`cancel during upload: cancel -> node returned in ${run.returnedAt - run.canceledAt} ms\n`);
		expect(run.returnedAt).toBeLessThan(run.canceledAt + RETRY_AFTER_SECONDS * 1000);
		// The client closed the upload's connection: OSS never stored the file.
		while (byPath(emulator, '/oss')[0].endedAt === undefined) await sleep(10);
		expect(byPath(emulator, '/oss')[0].uploadedKey).toBeUndefined();
		expect(emulator.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/v1/uploads', 'POST /oss']);
	}, 120_000);

	it('an upload that stalls ends within the Timeout option (the item fails, nothing is stored)', async () => {
		emulator.setUploadLatency(5000);
		const big = makePng(1700, 1700, { noise: true });
		const { items, error } = await runQwenOcr(emulator, { operation: 'textRecognition', options: { timeout: 1000 } }, [bytesItem(big, 'scan.png', 'image/png')], { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].json).toEqual({ error: expect.objectContaining({ code: 'ETIMEDOUT' }) });
		while (byPath(emulator, '/oss')[0].endedAt === undefined) await sleep(10);
		expect(byPath(emulator, '/oss')[0].uploadedKey).toBeUndefined();
		expect(byPath(emulator, '/multimodal-generation/generation')).toHaveLength(0);
	}, 60_000);
});
