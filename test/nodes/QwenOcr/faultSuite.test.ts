/**
 * The fault suite: 300 items through n8n's engine at concurrency 8 and 50 ms latency while the
 * emulator throttles 20 % of requests (half of those with Retry-After), fails 5 % with 500 and drops
 * 2 % of connections, and answers three items with non-retryable errors. With continueOnFail the
 * run must give 297 correct items and 3 error items (plus, as an error, any item whose connection
 * was dropped twice: it may have been billed, so it is not sent a third time), in input order with
 * their pairedItem, having
 * asked for each non-retryable item once, never more than 8 requests in flight, every retry after
 * its Retry-After, and the API key nowhere in outputs, errors or logs.
 */
import { inspect } from 'util';
import { LoggerProxy, type IDataObject } from 'n8n-workflow';

import { API_KEY, generationRequests, runQwenOcr, truth, useEmulator, type Emulator } from '../../engine/qwenOcr';

const emulator = useEmulator();

const FILES = ['receipt.jpg', 'table.png', 'formula.png', 'invoice.png'];
const ITEMS = 300;
const CONCURRENCY = 8;
/** Items answered with a non-retryable error, and the error each gets. */
const NON_RETRYABLE: Record<number, IDataObject> = {
	7: { status: 400, code: 'DataInspectionFailed', message: 'Input data may contain inappropriate content.' },
	150: { status: 400, code: 'InvalidParameter', message: 'The image length and width do not meet the model restrictions.' },
	299: { status: 403, code: 'AccessDenied', message: 'Access denied.' },
};

/** A small LCG so the injected faults are the same on every run. */
function seeded(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state / 2147483648;
	};
}

/** The faults, in request arrival order: 20 % 429 (half with Retry-After), 5 % 500, 2 % dropped. */
function faultPlan(count: number): IDataObject[] {
	const random = seeded(20261125);
	return Array.from({ length: count }, () => {
		const r = random();
		if (r < 0.1) return { status: 429, code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' };
		if (r < 0.2) return { status: 429, code: 'Throttling', message: 'Requests throttling triggered.', retryAfterSeconds: 1 };
		if (r < 0.25) return { status: 500, code: 'InternalError', message: 'An internal error has occured, please try again later.' };
		if (r < 0.27) return { drop: true };
		return {};
	});
}

const itemTag = (index: number) => `item=${String(index).padStart(3, '0')}`;

/** Which item a logged request was for, from the tagged image URL in its body. */
function itemOf(request: { body: IDataObject }): number {
	const match = /item=(\d{3})/.exec(JSON.stringify(request.body ?? {}));
	return match ? Number(match[1]) : -1;
}

interface Figures {
	requests: number;
	retries: number;
	throttled: number;
	throttledWithRetryAfter: number;
	serverErrors: number;
	dropped: number;
	nonRetryable: number;
	wallSeconds: number;
}

function figures(requests: ReturnType<typeof generationRequests>, wallSeconds: number): Figures {
	const count = (predicate: (request: (typeof requests)[number]) => boolean) => requests.filter(predicate).length;
	return {
		requests: requests.length,
		retries: requests.length - ITEMS,
		throttled: count((request) => request.status === 429),
		throttledWithRetryAfter: count((request) => request.status === 429 && (request.fault as IDataObject | undefined)?.retryAfterSeconds !== undefined),
		serverErrors: count((request) => request.status === 500),
		dropped: count((request) => (request.fault as IDataObject | undefined)?.drop === true),
		nonRetryable: count((request) => request.status === 400 || request.status === 403),
		wallSeconds,
	};
}

async function runSuite(target: Emulator, continueOnFail: boolean) {
	target.setLatency(50);
	target.enqueueFaults(faultPlan(2000));
	for (const [index, fault] of Object.entries(NON_RETRYABLE)) target.addFaultRule(itemTag(Number(index)), fault);
	const items = Array.from({ length: ITEMS }, (_, index) => ({
		json: { url: `${target.baseUrl}/fixtures/${FILES[index % FILES.length]}?${itemTag(index)}` },
	}));
	const started = Date.now();
	const result = await runQwenOcr(
		target,
		{ operation: 'textRecognition', inputType: 'url', imageUrl: '={{ $json.url }}', options: { concurrency: CONCURRENCY } },
		items,
		{ continueOnFail },
	);
	return { ...result, items: result.items, wallSeconds: (Date.now() - started) / 1000 };
}

describe('fault suite: 300 items under throttling, server errors and dropped connections', () => {
	const logs: string[] = [];
	const consoleSpies: jest.SpyInstance[] = [];

	beforeAll(() => {
		const capture =
			(level: string) =>
			(message: string, meta?: object) =>
				logs.push(`${level} ${message} ${inspect(meta ?? {}, { depth: 8 })}`);
		LoggerProxy.init({ error: capture('error'), warn: capture('warn'), info: capture('info'), debug: capture('debug') } as never);
		for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
			consoleSpies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => logs.push(args.map((arg) => inspect(arg, { depth: 8 })).join(' '))));
		}
	});

	afterAll(() => consoleSpies.forEach((spy) => spy.mockRestore()));

	it('with continueOnFail: 297 correct items and 3 error items in input order, each non-retryable item asked once, ≤ 8 in flight, Retry-After respected, key nowhere', async () => {
		const { items: out, error, wallSeconds } = await runSuite(emulator, true);
		expect(error).toBeUndefined();

		// Nothing lost, duplicated or reordered.
		expect(out).toHaveLength(ITEMS);
		expect(out.map((item) => item.pairedItem)).toEqual(Array.from({ length: ITEMS }, (_, index) => ({ item: index })));
		const requests = generationRequests(emulator);
		const byItem = new Map<number, typeof requests>();
		for (const request of requests) byItem.set(itemOf(request), [...(byItem.get(itemOf(request)) ?? []), request]);
		// A connection dropped after sending may have been billed: an item dropped twice is not sent a
		// third time and fails (the seeded plan meets items by arrival order, so there may be none).
		const isDrop = (request: (typeof requests)[number]) => (request.fault as IDataObject | undefined)?.drop === true;
		const droppedTwice = new Set([...byItem].filter(([, itemRequests]) => itemRequests.filter(isDrop).length >= 2).map(([index]) => index));
		out.forEach((item, index) => {
			const expected = NON_RETRYABLE[index];
			if (droppedTwice.has(index)) {
				expect(item.json).toEqual({ error: expect.objectContaining({ code: 'ECONNRESET' }) });
				expect(byItem.get(index)?.filter((request) => request.status === 200)).toHaveLength(0);
			} else if (expected) {
				expect(item.json).toEqual({
					error: expect.objectContaining({ code: expected.code, httpStatus: expected.status, requestId: expect.any(String), message: expect.any(String) }),
				});
			} else {
				expect(item.json.error).toBeUndefined();
				expect(item.json.text).toBe(truth(FILES[index % FILES.length]).text);
			}
		});
		expect(out.filter((item) => item.json.error)).toHaveLength(3 + droppedTwice.size);

		expect([...byItem.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: ITEMS }, (_, index) => index));
		// Each item ends with exactly one final answer: 200 for the good ones, the error for the others.
		for (const [index, itemRequests] of byItem) {
			const final = itemRequests.filter((request) => request.status === 200 || request.status === 400 || request.status === 403);
			expect(final).toHaveLength(droppedTwice.has(index) ? 0 : 1);
		}
		// The non-retryable items were asked exactly once.
		for (const index of Object.keys(NON_RETRYABLE).map(Number)) {
			expect(byItem.get(index)?.map((request) => request.status)).toEqual([NON_RETRYABLE[index].status]);
		}
		expect(emulator.stats.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);

		// A retry after a 429 with Retry-After started no earlier than the server asked.
		let checkedRetryAfter = 0;
		for (const itemRequests of byItem.values()) {
			itemRequests.forEach((request, position) => {
				const retryAfter = (request.fault as IDataObject | undefined)?.retryAfterSeconds as number | undefined;
				const next = itemRequests[position + 1];
				if (request.status !== 429 || retryAfter === undefined || !next) return;
				expect((next.startedAt as number) - (request.endedAt as number)).toBeGreaterThanOrEqual(retryAfter * 1000 - 5);
				checkedRetryAfter++;
			});
		}

		const report = figures(requests, wallSeconds);
		expect(report.throttled).toBeGreaterThan(40);
		expect(report.serverErrors).toBeGreaterThan(5);
		expect(report.dropped).toBeGreaterThan(1);
		expect(report.nonRetryable).toBe(3);
		expect(checkedRetryAfter).toBe(report.throttledWithRetryAfter);
		// Everything produced: outputs, the requests' answers as the node saw them, captured logs.
		const everything = [JSON.stringify(out), inspect(out, { depth: 12 }), ...logs].join('\n');
		expect(everything.includes(API_KEY)).toBe(false);
		process.stdout.write(
			`fault suite: ${ITEMS} items, ${report.requests} requests (${report.retries} retries): ${report.throttled} x 429 ` +
				`(${report.throttledWithRetryAfter} with Retry-After, all respected), ${report.serverErrors} x 500, ${report.dropped} dropped, ` +
				`${report.nonRetryable} non-retryable asked once; ${droppedTwice.size} dropped twice (not re-sent); ` +
				`${out.length - 3 - droppedTwice.size} correct + ${3 + droppedTwice.size} error items, 0 lost, ` +
				`max in flight ${emulator.stats.maxInFlight}/${CONCURRENCY}, ${report.wallSeconds.toFixed(1)} s\n`,
		);
	}, 240_000);

	it('without continueOnFail: the run stops with the first non-retryable item as a NodeApiError, key nowhere', async () => {
		const { error } = await runSuite(emulator, false);
		expect(error).toBeDefined();
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toMatch(/DataInspectionFailed|inappropriate/);
		expect(error?.context).toEqual(expect.objectContaining({ itemIndex: 7, dashScopeCode: 'DataInspectionFailed', httpStatus: 400 }));
		const everything = [inspect(error, { depth: 12, showHidden: true }), JSON.stringify(error), ...logs].join('\n');
		expect(everything.includes(API_KEY)).toBe(false);
	}, 240_000);
});
