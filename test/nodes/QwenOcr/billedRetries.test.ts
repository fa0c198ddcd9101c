/**
 * No double billing by retries, through n8n's engine: a generation request that timed out, or whose
 * connection dropped after it was sent, may have been processed and billed by DashScope, so it is
 * retried at most once; throttling and server errors (never billed) keep their retries.
 */
import type { IDataObject } from 'n8n-workflow';

import { QwenOcr } from '../../../nodes/QwenOcr/QwenOcr.node';
import { DEFAULT_OPTIONS } from '../../../nodes/QwenOcr/actions/common';
import { binaryItem, generationRequests, runQwenOcr, truth, useEmulator } from '../../engine/qwenOcr';

const emulator = useEmulator();

const run = async (options: IDataObject = {}) =>
	await runQwenOcr(emulator, { operation: 'textRecognition', options: { concurrency: 1, ...options } }, [binaryItem('receipt.jpg')], { continueOnFail: true });

describe('retries of billed requests', () => {
	it('a request that timed out twice is not sent a third time', async () => {
		emulator.enqueueFaults([{ delayMs: 3000 }, { delayMs: 3000 }, {}]);
		const { items } = await run({ timeout: 1000 });
		expect(generationRequests(emulator)).toHaveLength(2);
		expect(items[0].json).toEqual({ error: expect.objectContaining({ code: 'ETIMEDOUT' }) });
	});

	it('one time-out is retried once, and that retry can succeed', async () => {
		emulator.enqueueFaults([{ delayMs: 3000 }, {}]);
		const { items } = await run({ timeout: 1000 });
		expect(generationRequests(emulator)).toHaveLength(2);
		expect(items[0].json.text).toBe(truth('receipt.jpg').text);
	});

	it('a connection dropped after sending, twice: two requests, then the error', async () => {
		emulator.enqueueFaults([{ drop: true }, { drop: true }, {}]);
		const { items } = await run();
		expect(generationRequests(emulator)).toHaveLength(2);
		expect(items[0].json).toEqual({ error: expect.objectContaining({ code: 'ECONNRESET' }) });
	});

	it('a drop and a time-out count together: one retry in all', async () => {
		emulator.enqueueFaults([{ drop: true }, { delayMs: 3000 }, {}]);
		const { items } = await run({ timeout: 1000 });
		expect(generationRequests(emulator)).toHaveLength(2);
		expect(items[0].json.error).toBeDefined();
	});

	it('throttling and server errors (not billed) are still retried up to Max Retries, around one drop', async () => {
		const throttled = { status: 429, code: 'Throttling', message: 'Requests throttling triggered.' };
		emulator.enqueueFaults([throttled, { status: 500 }, { drop: true }, throttled, { status: 503 }, {}]);
		const { items } = await run();
		expect(generationRequests(emulator)).toHaveLength(6);
		expect(items[0].json.text).toBe(truth('receipt.jpg').text);
	});
});

describe('defaults shown in the editor', () => {
	const options = new QwenOcr().description.properties.find((property) => property.name === 'options')!.options as unknown as IDataObject[];
	const option = (name: string) => options.find((entry) => entry.name === name)!;

	it('Max Retries shows the default the node uses (8)', () => {
		expect(option('maxRetries').default).toBe(8);
		expect(DEFAULT_OPTIONS.maxRetries).toBe(8);
	});

	it('Timeout fits an 8,192-token answer and says a timed-out request is retried at most once', () => {
		expect(option('timeout').default).toBe(DEFAULT_OPTIONS.timeout);
		expect(DEFAULT_OPTIONS.timeout).toBeGreaterThanOrEqual(300_000);
		expect(option('timeout').description).toMatch(/8,192-token/);
		expect(option('timeout').description).toMatch(/at most once/);
	});
});
