import { AdaptiveLimit, RatePacer, runBounded } from '../../../../nodes/QwenOcr/helpers/concurrency';

describe('AdaptiveLimit (AIMD)', () => {
	it('starts at the maximum, cuts to 80 % on throttling at most once per round trip, grows back by one per round trip', () => {
		let now = 10_000;
		const limit = new AdaptiveLimit(20, () => now);
		expect(limit.value).toBe(20);
		limit.onSuccess(1500);
		limit.onThrottled();
		expect(limit.value).toBe(16);
		now += 500; // same round trip: the same overload, no second cut
		limit.onThrottled();
		expect(limit.value).toBe(16);
		now += 1100; // a round trip (1.5 s) later
		limit.onThrottled();
		expect(limit.value).toBe(12);
		for (let i = 0; i < 13; i++) limit.onSuccess(1500);
		expect(limit.value).toBe(13);
		for (let i = 0; i < 1000; i++) limit.onSuccess(1500);
		expect(limit.value).toBe(20);
	});

	it('never goes below one', () => {
		let now = 0;
		const limit = new AdaptiveLimit(2, () => now);
		for (let i = 0; i < 10; i++) {
			now += 2000;
			limit.onThrottled();
		}
		expect(limit.value).toBe(1);
	});
});

describe('runBounded', () => {
	it('keeps results in index order and never exceeds the limit', async () => {
		let inFlight = 0;
		let peak = 0;
		const results = await runBounded(
			20,
			new AdaptiveLimit(4),
			async (index) => {
				inFlight++;
				peak = Math.max(peak, inFlight);
				await new Promise((resolve) => setTimeout(resolve, (20 - index) % 7));
				inFlight--;
				return index * 2;
			},
			false,
		);
		expect(peak).toBe(4);
		expect(results.map((result) => (result?.ok ? result.value : undefined))).toEqual(Array.from({ length: 20 }, (_, index) => index * 2));
	});

	it('with stopOnError starts nothing new after a failure', async () => {
		const started: number[] = [];
		const results = await runBounded(
			10,
			new AdaptiveLimit(2),
			async (index) => {
				started.push(index);
				if (index === 1) throw new Error('boom');
				await new Promise((resolve) => setTimeout(resolve, 5));
				return index;
			},
			true,
		);
		expect(started.length).toBeLessThan(10);
		expect(results[1]).toEqual({ ok: false, error: new Error('boom') });
		expect(results[9]).toBeUndefined();
	});
});

describe('RatePacer', () => {
	it('does not pace until throttled, then spaces starts at 98 % of the accepted rate and probes back up', async () => {
		let now = 0;
		const pacer = new RatePacer(() => now);
		// 10 accepted starts in the first second, then a 429.
		for (let i = 0; i < 10; i++) {
			now = i * 100;
			await pacer.take();
		}
		now = 1000;
		const rejected = await pacer.take();
		pacer.onThrottled(rejected, 1);
		// Paced now: 10 accepted per second -> 9.8 per second -> about 102 ms between starts.
		const first = await pacer.take();
		expect(first.at).toBe(1000);
		const before = (pacer as unknown as { next: number }).next;
		expect(before - 1000).toBeCloseTo(1000 / 9.8, 0);
		for (let i = 0; i < 100; i++) pacer.onSuccess();
		const rate = (pacer as unknown as { rate: number }).rate;
		expect(rate).toBeGreaterThan(9.8);
		expect(rate).toBeLessThan(9.8 * 1.11);
	});
});
