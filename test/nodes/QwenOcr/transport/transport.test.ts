/**
 * Reliability through the engine: retries of what can succeed on a second try, no retries of
 * what cannot, DashScope errors as NodeApiError, time-outs, bounded concurrency, nothing lost.
 */
import type { IDataObject } from 'n8n-workflow';

import { binaryItem, generationRequests, runQwenOcr, truth, useEmulator } from '../../../engine/qwenOcr';
import { backoffDelayMs } from '../../../../nodes/QwenOcr/transport';

const emulator = useEmulator();

const textRecognition = (options: IDataObject = {}) => ({ operation: 'textRecognition', options: { maxRetryWait: 60000, ...options } });

describe('retries', () => {
	it.each([
		['429 Throttling.RateQuota', { status: 429, code: 'Throttling.RateQuota' }],
		['500 InternalError', { status: 500 }],
		['503 ModelUnavailable', { status: 503, code: 'ModelUnavailable' }],
		['a proxy\'s 502 HTML page', { html: true, status: 502 }],
	])('retries %s and succeeds', async (_label, fault) => {
		emulator.enqueueFaults([fault, fault]);
		const { items, error } = await runQwenOcr(emulator, textRecognition(), [binaryItem('receipt.jpg')]);
		expect(error).toBeUndefined();
		expect(items[0].json.text).toBe(truth('receipt.jpg').text);
		expect(generationRequests(emulator)).toHaveLength(3);
	});

	it('retries a dropped connection once and succeeds (a second drop is not retried: see billedRetries.test.ts)', async () => {
		emulator.enqueueFaults([{ drop: true }]);
		const { items, error } = await runQwenOcr(emulator, textRecognition(), [binaryItem('receipt.jpg')]);
		expect(error).toBeUndefined();
		expect(items[0].json.text).toBe(truth('receipt.jpg').text);
		expect(generationRequests(emulator)).toHaveLength(2);
	});

	it('a time-out is abandoned and retried', async () => {
		emulator.enqueueFaults([{ delayMs: 3000 }]);
		const { items, error } = await runQwenOcr(emulator, textRecognition({ timeout: 1000 }), [binaryItem('receipt.jpg')]);
		expect(error).toBeUndefined();
		expect(items[0].json.text).toBe(truth('receipt.jpg').text);
		expect(generationRequests(emulator)).toHaveLength(2);
	});

	it('honours Retry-After', async () => {
		emulator.enqueueFaults([{ status: 429, code: 'Throttling.RateQuota', retryAfterSeconds: 1 }]);
		const { error } = await runQwenOcr(emulator, textRecognition(), [binaryItem('receipt.jpg')]);
		expect(error).toBeUndefined();
		const [first, second] = generationRequests(emulator);
		expect((second.startedAt as number) - (first.endedAt as number)).toBeGreaterThanOrEqual(950);
	});

	it.each([
		['400 InvalidParameter', { status: 400, code: 'InvalidParameter', message: 'The image length and width do not meet the model restrictions.' }, 'InvalidParameter'],
		['400 Arrearage', { status: 400, code: 'Arrearage', message: 'Access denied, please make sure your account is in good standing.' }, 'Arrearage'],
		['403 AccessDenied', { status: 403, code: 'AccessDenied', message: 'Access denied.' }, 'AccessDenied'],
		['404 ModelNotFound', { status: 404, code: 'ModelNotFound', message: 'Model not found.' }, 'ModelNotFound'],
	])('never retries %s; the NodeApiError carries code, message, request id and advice', async (_label, fault, code) => {
		emulator.enqueueFaults([fault]);
		const { error } = await runQwenOcr(emulator, textRecognition(), [binaryItem('receipt.jpg')]);
		expect(generationRequests(emulator)).toHaveLength(1);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toContain(`[${code}]`);
		expect(error?.message).toContain((fault as IDataObject).message as string);
		expect((error as any).context).toMatchObject({ dashScopeCode: code, requestId: generationRequests(emulator)[0].requestId, httpStatus: (fault as IDataObject).status });
		expect(error?.description).toMatch(/Request ID: /);
	});

	it('gives up after Max Retries with DashScope\'s code and what to do', async () => {
		emulator.enqueueFaults(Array(5).fill({ status: 429, code: 'Throttling.RateQuota' }));
		const { error } = await runQwenOcr(emulator, textRecognition({ maxRetries: 2 }), [binaryItem('receipt.jpg')]);
		expect(generationRequests(emulator)).toHaveLength(3);
		expect(error?.message).toContain('[Throttling.RateQuota]');
		expect(error?.description).toMatch(/Concurrency/);
		expect((error as any).httpCode).toBe('429');
	});

	it('gives up when the total wait would pass Max Retry Wait', async () => {
		emulator.enqueueFaults(Array(10).fill({ status: 503, code: 'ModelUnavailable', retryAfterSeconds: 5 }));
		const started = Date.now();
		const { error } = await runQwenOcr(emulator, textRecognition({ maxRetryWait: 2000 }), [binaryItem('receipt.jpg')]);
		expect(Date.now() - started).toBeLessThan(4000);
		expect(generationRequests(emulator)).toHaveLength(1);
		expect(error?.message).toContain('ModelUnavailable');
	});

	it('a non-JSON error page is reported readably', async () => {
		emulator.enqueueFaults([{ html: true, status: 502 }]);
		const { error } = await runQwenOcr(emulator, textRecognition({ maxRetries: 0 }), [binaryItem('receipt.jpg')]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toMatch(/HTTP 502 from the server: .*Bad Gateway/);
		expect(error?.message).not.toMatch(/<html|<body/i);
	});

	it('continueOnFail turns a failed request into an error item and keeps every other item in order', async () => {
		emulator.enqueueFaults([{ status: 400, code: 'DataInspectionFailed', message: 'Input data may contain inappropriate content.' }]);
		const items = [binaryItem('receipt.jpg'), binaryItem('invoice.png'), binaryItem('table.png')];
		const { items: out } = await runQwenOcr(emulator, textRecognition({ concurrency: 1 }), items, { continueOnFail: true });
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.error).toMatchObject({ code: 'DataInspectionFailed', httpStatus: 400, requestId: expect.any(String) });
		expect((out[0].json.error as IDataObject).message).toContain('inappropriate content');
		expect(out[1].json.text).toBe(truth('invoice.png').text);
		expect(out[2].json.text).toBe(truth('table.png').text);
	});
});

describe('concurrency and order', () => {
	it('never has more requests in flight than Concurrency, and keeps output order and pairedItem', async () => {
		emulator.setLatency(100);
		// The first request answers last: order must still follow the input.
		emulator.enqueueFaults([{ delayMs: 600 }]);
		const files = ['receipt.jpg', 'invoice.png', 'table.png', 'formula.png', 'multilang.png', 'document.png'];
		const items = [...files, ...files].map((file) => binaryItem(file));
		const { items: out, error } = await runQwenOcr(emulator, textRecognition({ concurrency: 3 }), items);
		expect(error).toBeUndefined();
		expect(emulator.stats.maxInFlight).toBe(3);
		expect(out.map((item) => item.json.text)).toEqual([...files, ...files].map((file) => truth(file).text));
		expect(out.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
	});

	it('under a rate limit every item still ends as a result, none lost or duplicated', async () => {
		emulator.setRateLimit(600); // 10 per second, as DashScope's qwen-vl-ocr quota
		emulator.setLatency(50);
		const items = Array.from({ length: 40 }, (_, index) => binaryItem(index % 2 ? 'receipt.jpg' : 'table.png'));
		const { items: out, error } = await runQwenOcr(emulator, textRecognition({ concurrency: 20, maxRetries: 10 }), items);
		expect(error).toBeUndefined();
		expect(out).toHaveLength(40);
		expect(out.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
		expect(out.every((item, index) => item.json.text === truth(index % 2 ? 'receipt.jpg' : 'table.png').text)).toBe(true);
		const throttled = emulator.requests.filter((request) => request.status === 429).length;
		expect(throttled).toBeGreaterThan(0);
		expect(emulator.requests.filter((request) => request.status === 200)).toHaveLength(40);
	});
});

describe('backoff', () => {
	it('is exponential with full jitter and capped; with Retry-After it is that time plus at most 10 %', () => {
		expect(backoffDelayMs(0, undefined, () => 0.999)).toBeLessThan(500);
		expect(backoffDelayMs(3, undefined, () => 0.999)).toBeGreaterThan(3900);
		expect(backoffDelayMs(20, undefined, () => 0.999)).toBeLessThanOrEqual(30000);
		expect(backoffDelayMs(0, undefined, () => 0)).toBe(0);
		expect(backoffDelayMs(0, 2, () => 0)).toBe(2000);
		expect(backoffDelayMs(6, 1, () => 0.999)).toBeLessThanOrEqual(1100);
	});
});
