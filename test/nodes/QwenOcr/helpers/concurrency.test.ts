import { ExecutionCanceled, ItemLimit, pause, RatePacer, runBounded, SlotLease, Slots, type PacerTicket } from '../../../../nodes/QwenOcr/helpers/concurrency';

/**
 * Drives a RatePacer on a virtual clock: a client that would send `wanted` requests a second, a
 * server answering after `latencyMs` that accepts or rejects each start (`accepts(at)`). The clock
 * jumps to the pacer's next slot, so no real time passes.
 */
async function simulate(options: { seconds: number; wanted: number; latencyMs: number; accepts: (at: number) => boolean }) {
	let now = 0;
	const pacer = new RatePacer(() => now);
	const pending: Array<{ doneAt: number; ticket: PacerTicket; ok: boolean }> = [];
	const sent: number[] = [];
	const accepted: number[] = [];
	const rejected: number[] = [];
	const settle = (until: number) => {
		pending.sort((a, b) => a.doneAt - b.doneAt);
		while (pending.length > 0 && pending[0].doneAt <= until) {
			const answer = pending.shift()!;
			now = answer.doneAt;
			if (answer.ok) pacer.onSuccess(answer.ticket);
			else pacer.onThrottled(answer.ticket);
		}
	};
	let wantedAt = 0;
	while (wantedAt < options.seconds * 1000) {
		const slot = Math.max(wantedAt, (pacer as unknown as { next: number }).next);
		settle(slot);
		now = Math.max(now, slot, (pacer as unknown as { next: number }).next);
		const ticket = await pacer.take();
		const ok = options.accepts(ticket.at);
		sent.push(ticket.at);
		if (ok) accepted.push(ticket.at);
		else rejected.push(ticket.at);
		pending.push({ doneAt: ticket.at + options.latencyMs, ticket, ok });
		wantedAt = Math.max(wantedAt + 1000 / options.wanted, ticket.at);
	}
	const lastSeconds = (list: number[], seconds: number) => list.filter((at) => at >= (options.seconds - seconds) * 1000).length / seconds;
	return {
		sentPerSecond: lastSeconds(sent, 10),
		acceptedPerSecond: lastSeconds(accepted, 10),
		rate: (pacer as unknown as { rate: number }).rate,
		rejectedFirstSeconds: (seconds: number) => rejected.filter((at) => at < seconds * 1000).length,
	};
}

/** A server quota of `perWindow` starts per fixed 1-second window, lifted from `liftedAt` ms on. */
function fixedWindowQuota(perWindow: number, liftedAt = Number.POSITIVE_INFINITY): (at: number) => boolean {
	const used = new Map<number, number>();
	return (at) => {
		if (at >= liftedAt) return true;
		const window = Math.floor(at / 1000);
		const count = used.get(window) ?? 0;
		used.set(window, count + 1);
		return count < perWindow;
	};
}

describe('ItemLimit', () => {
	it('lets one more item start for each item waiting to retry, up to twice the concurrency', () => {
		const limit = new ItemLimit(4);
		const raised: number[] = [];
		limit.onRaise = () => raised.push(limit.value);
		expect(limit.value).toBe(4);
		for (let i = 0; i < 6; i++) limit.setWaiting(true);
		expect(raised).toEqual([5, 6, 7, 8, 8, 8]);
		for (let i = 0; i < 6; i++) limit.setWaiting(false);
		expect(limit.value).toBe(4);
	});

	it('runBounded starts a waiting task as soon as the limit rises', async () => {
		const limit = new ItemLimit(1);
		const started: number[] = [];
		let release: () => void = () => undefined;
		const run = runBounded(
			2,
			limit,
			async (index) => {
				started.push(index);
				if (index === 0) await new Promise<void>((resolve) => (release = resolve));
				return index;
			},
			false,
		);
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toEqual([0]);
		limit.setWaiting(true); // task 0 now waits to retry: task 1 may start
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toEqual([0, 1]);
		limit.setWaiting(false);
		release();
		expect((await run).map((result) => (result?.ok ? result.value : undefined))).toEqual([0, 1]);
	});
});

describe('runBounded', () => {
	it('keeps results in index order and never exceeds the limit', async () => {
		let inFlight = 0;
		let peak = 0;
		const results = await runBounded(
			20,
			{ value: 4 },
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
			{ value: 2 },
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

	it('under a quota of 10 per 1-second window settles at the quota without hammering it', async () => {
		const result = await simulate({ seconds: 60, wanted: 200, latencyMs: 50, accepts: fixedWindowQuota(10) });
		expect(result.acceptedPerSecond).toBeGreaterThanOrEqual(9.5);
		expect(result.sentPerSecond).toBeLessThan(11);
		// The first window, before the quota's count is known, costs a few 429s, not one per request sent.
		expect(result.rejectedFirstSeconds(2)).toBeLessThan(50);
		expect(result.rate).toBeGreaterThan(9);
		expect(result.rate).toBeLessThan(11);
	});

	it('when a fifth of all requests are rejected at any rate (not a quota), keeps most of its pace', async () => {
		let count = 0;
		const result = await simulate({ seconds: 60, wanted: 100, latencyMs: 50, accepts: () => ++count % 5 !== 0 });
		// Pacing at the accepted rate after every such 429 would lose 20 % per window, to nothing.
		expect(result.sentPerSecond).toBeGreaterThan(50);
		expect(result.acceptedPerSecond).toBeGreaterThan(40);
	});

	it('is back to full speed within seconds when throttling ends', async () => {
		// The quota is lifted after 30 s.
		const result = await simulate({ seconds: 50, wanted: 100, latencyMs: 50, accepts: fixedWindowQuota(10, 30_000) });
		// Over the last 10 s (from 20 s after the quota was lifted): near the 100/s the client wants.
		expect(result.sentPerSecond).toBeGreaterThan(90);
	});

	it('before a whole window has passed, paces once at the accepted rate so far', async () => {
		let now = 0;
		const pacer = new RatePacer(() => now);
		const tickets: PacerTicket[] = [];
		for (let i = 0; i < 10; i++) {
			now = i * 10;
			tickets.push(await pacer.take());
		}
		now = 100;
		pacer.onThrottled(tickets[9]);
		// 9 accepted in 100 ms: 90 per second, at 98 %.
		expect((pacer as unknown as { rate: number }).rate).toBeCloseTo(0.98 * 90, 5);
		pacer.onThrottled(tickets[8]);
		expect((pacer as unknown as { rate: number }).rate).toBeCloseTo(0.98 * 90, 5);
	});
});

describe('cancel: every wait ends when the execution is canceled', () => {
	it('a request waiting for a slot leaves the queue at once and holds no slot', async () => {
		const slots = new Slots(1);
		await slots.acquire();
		const controller = new AbortController();
		const queued = slots.acquire(controller.signal);
		const behind = slots.acquire();
		controller.abort();
		await expect(queued).rejects.toBeInstanceOf(ExecutionCanceled);
		// The canceled waiter took no slot: the next one in line gets the released slot.
		slots.release();
		await expect(behind).resolves.toBeUndefined();
		await expect(slots.acquire(controller.signal)).rejects.toBeInstanceOf(ExecutionCanceled);
	});

	it('an image\'s lease waiting for its slot ends at once and holds nothing; a held lease starts nothing more', async () => {
		const slots = new Slots(1);
		const holder = new SlotLease(slots);
		const controller = new AbortController();
		await holder.acquire(controller.signal);
		const waiting = new SlotLease(slots);
		const queued = waiting.acquire(controller.signal);
		const behind = new SlotLease(slots);
		const behindQueued = behind.acquire();
		controller.abort();
		await expect(queued).rejects.toBeInstanceOf(ExecutionCanceled);
		// Held already, but canceled: no request or upload may start on it.
		await expect(holder.acquire(controller.signal)).rejects.toBeInstanceOf(ExecutionCanceled);
		// The canceled lease holds nothing: releasing it frees no slot, and the holder's slot goes to the next in line.
		waiting.release();
		holder.release();
		await expect(behindQueued).resolves.toBeUndefined();
		behind.release();
		const after = new SlotLease(slots);
		await expect(after.acquire()).resolves.toBeUndefined();
	});

	it('a retry wait of a minute ends with the cancel, not with the minute', async () => {
		const controller = new AbortController();
		const order: string[] = [];
		const waiting = pause(60_000, controller.signal).then(
			() => order.push('wait ran out'),
			(error: unknown) => order.push(error instanceof ExecutionCanceled ? 'canceled' : 'other'),
		);
		await pause(1);
		controller.abort();
		await waiting;
		expect(order).toEqual(['canceled']);
	});

	it('the pacer\'s wait for the next start ends with the cancel', async () => {
		// A clock that stands still: the next start stays ahead however slowly the (loaded) machine runs.
		const pacer = new RatePacer(() => 0);
		pacer.onThrottled(await pacer.take(), 60); // pacing now: the next start is far away
		for (let i = 0; i < 3; i++) pacer.onThrottled(await pacer.take(), 60);
		const controller = new AbortController();
		const turn = pacer.take(controller.signal);
		controller.abort();
		await expect(turn).rejects.toBeInstanceOf(ExecutionCanceled);
	});

	it('runBounded starts no task after the cancel', async () => {
		const controller = new AbortController();
		const started: number[] = [];
		const results = await runBounded(
			10,
			{ value: 2 },
			async (index) => {
				started.push(index);
				if (index === 1) controller.abort();
				await pause(1);
				return index;
			},
			false,
			controller.signal,
		);
		expect(started).toEqual([0, 1]);
		expect(results.filter((result) => result !== undefined)).toHaveLength(2);
	});
});
