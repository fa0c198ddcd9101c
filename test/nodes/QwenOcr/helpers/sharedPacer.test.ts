/**
 * Executions of one process share what 429s teach: one pacer per credential and endpoint.
 * A burst of one-item executions (one per webhook call or e-mail) against a quota.
 */
import type { IDataObject } from 'n8n-workflow';

import { PacerRegistry, pacerKey, RatePacer, sharedPacers } from '../../../../nodes/QwenOcr/helpers/concurrency';
import { makePng, bytesItem } from '../../../engine/images';
import { generationRequests, runQwenOcr, useEmulator } from '../../../engine/qwenOcr';

describe('PacerRegistry', () => {
	it('hands every caller of one credential and endpoint the same pacer, another one to others', () => {
		const registry = new PacerRegistry();
		const a = registry.pacerFor('https://dashscope-intl.aliyuncs.com', 'sk-one');
		expect(registry.pacerFor('https://dashscope-intl.aliyuncs.com', 'sk-one')).toBe(a);
		expect(registry.pacerFor('https://dashscope-intl.aliyuncs.com', 'sk-two')).not.toBe(a);
		expect(registry.pacerFor('https://dashscope-us.aliyuncs.com', 'sk-one')).not.toBe(a);
		expect(registry.size).toBe(3);
	});

	it('keys by a hash that holds neither the API key nor the URL', () => {
		const key = pacerKey('https://dashscope-intl.aliyuncs.com', 'sk-secret-0123456789');
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(key).not.toContain('secret');
		const registry = new PacerRegistry();
		registry.pacerFor('https://dashscope-intl.aliyuncs.com', 'sk-secret-0123456789');
		expect(JSON.stringify([...(registry as unknown as { pacers: Map<string, unknown> }).pacers.keys()])).not.toContain('sk-secret');
	});

	it('stays bounded: beyond its size the least recently used pacer goes', () => {
		const registry = new PacerRegistry(3);
		const first = registry.pacerFor('u', 'k1');
		const second = registry.pacerFor('u', 'k2');
		registry.pacerFor('u', 'k3');
		expect(registry.pacerFor('u', 'k1')).toBe(first); // now the most recently used
		registry.pacerFor('u', 'k4');
		expect(registry.size).toBe(3);
		expect(registry.pacerFor('u', 'k1')).toBe(first);
		expect(registry.pacerFor('u', 'k2')).not.toBe(second); // k2 was evicted: a fresh pacer
	});

	it('drops a pacer idle for longer than idleMs when next touched; one in use stays', async () => {
		let now = 0;
		const registry = new PacerRegistry(100, 60_000, () => now);
		const idle = registry.pacerFor('u', 'idle');
		const busy = registry.pacerFor('u', 'busy');
		now = 50_000;
		await busy.take(); // an execution still sending through it
		now = 100_000;
		expect(registry.size).toBe(2); // nothing expires on its own (no timers)
		registry.pacerFor('u', 'other');
		expect(registry.size).toBe(2);
		expect(registry.pacerFor('u', 'busy')).toBe(busy);
		expect(registry.pacerFor('u', 'idle')).not.toBe(idle);
	});
});

describe('a burst of one-item executions against a quota (engine)', () => {
	const emulator = useEmulator();
	const EXECUTIONS = 100;

	/** 100 executions at once, each one distinct image; 5 requests per 1-second window, Retry-After: 1. */
	async function burst() {
		emulator.setLatency(20);
		(emulator.setRateLimit as (perMinute: number, opts: IDataObject) => void)(300, { windowMs: 1000, sendRetryAfter: true });
		const runs = await Promise.all(
			Array.from({ length: EXECUTIONS }, (_, i) =>
				runQwenOcr(emulator, { operation: 'textRecognition', options: { maxRetries: 60, maxRetryWait: 600_000 } }, [
					bytesItem(makePng(200 + i, 100), `scan-${i}.png`, 'image/png'),
				]),
			),
		);
		const texts = runs.map((run) => run.items[0]?.json.text);
		expect(runs.map((run) => run.error?.message)).toEqual(new Array(EXECUTIONS).fill(undefined));
		expect(texts).toEqual(Array.from({ length: EXECUTIONS }, (_, i) => `(unrecognised image ${200 + i}x100)`));
		const requests = generationRequests(emulator);
		return { throttled: requests.filter((request) => request.status === 429).length, admitted: requests.filter((request) => request.status === 200).length };
	}

	afterEach(() => jest.restoreAllMocks());

	it('with one pacer per credential, the 429s drop well below those of a pacer per execution (0.1.0)', async () => {
		const shared = await burst();
		emulator.reset();
		// 0.1.0: every execution learnt the quota alone.
		jest.spyOn(sharedPacers, 'pacerFor').mockImplementation(() => new RatePacer());
		const alone = await burst();
		expect(shared.admitted).toBe(EXECUTIONS);
		expect(alone.admitted).toBe(EXECUTIONS);
		// The burst did meet the quota (executions started close enough together to overshoot it).
		expect(alone.throttled).toBeGreaterThan(10);
		// The first burst overshoots either way (up to 95 of 100 rejected); afterwards a shared pacer
		// spaces the retries at the quota, where executions alone retry together after each Retry-After.
		expect(shared.throttled).toBeLessThan(0.6 * alone.throttled);
		console.log(`100 one-item executions, 5 per 1-s window: 429s shared ${shared.throttled}, per execution ${alone.throttled}`);
	}, 600_000);
});
