/**
 * Adaptive concurrency for one node run: additive increase while requests succeed (+1 per round
 * trip), multiplicative decrease on throttling (AIMD, as TCP does), between 1 and the user's
 * Concurrency option. The decrease is gentle (x0.8) and at most once per round trip: with a fixed
 * latency, throughput is limit / latency, and halving on every overshoot would leave the node well
 * under its quota most of the time.
 */
export class AdaptiveLimit {
	private current: number;

	private lastDecrease = 0;

	/** Smoothed request duration (ms): one round trip, the span a decrease must wait for. */
	private latencyMs = 0;

	/** @param max the user's Concurrency option @param now clock, injectable for tests */
	constructor(
		private readonly max: number,
		private readonly now: () => number = Date.now,
	) {
		this.current = max;
	}

	/** Requests allowed in flight now. */
	get value(): number {
		return Math.max(1, Math.floor(this.current));
	}

	onSuccess(durationMs?: number): void {
		if (durationMs !== undefined) this.latencyMs = this.latencyMs === 0 ? durationMs : 0.8 * this.latencyMs + 0.2 * durationMs;
		// +1 per round trip of successful requests, i.e. +1/limit per success.
		this.current = Math.min(this.max, this.current + 1 / Math.max(1, this.current));
	}

	/**
	 * Cuts the limit to 80 %, at most once per round trip (and per second): the 429s of one
	 * overshoot all report the same overload, and cutting for each would collapse the limit to 1.
	 */
	onThrottled(): void {
		const now = this.now();
		if (now - this.lastDecrease < Math.max(1000, this.latencyMs)) return;
		this.lastDecrease = now;
		this.current = Math.max(1, this.current * 0.8);
	}
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `task(0..count-1)` with at most `limit.value` in flight, results in index order.
 * With `stopOnError`, no new task starts after a failure (running ones finish).
 */
export async function runBounded<T>(
	count: number,
	limit: AdaptiveLimit,
	task: (index: number) => Promise<T>,
	stopOnError: boolean,
): Promise<Array<Settled<T> | undefined>> {
	const results: Array<Settled<T> | undefined> = new Array(count);
	if (count === 0) return results;
	return await new Promise((resolve) => {
		let next = 0;
		let inFlight = 0;
		let failed = false;
		const pump = () => {
			while (next < count && !(stopOnError && failed) && inFlight < limit.value) {
				const index = next++;
				inFlight++;
				task(index)
					.then(
						(value) => {
							results[index] = { ok: true, value };
						},
						(error: unknown) => {
							results[index] = { ok: false, error };
							failed = true;
						},
					)
					.finally(() => {
						inFlight--;
						if (inFlight === 0 && (next >= count || (stopOnError && failed))) resolve(results);
						else pump();
					});
			}
		};
		pump();
	});
}

/**
 * Request slots shared by every item and page of a run: at most `limit.value` requests in flight,
 * handed out first come, first served (so earlier items finish first).
 */
export class Slots {
	private inFlight = 0;

	private readonly waiters: Array<() => void> = [];

	constructor(private readonly limit: AdaptiveLimit) {}

	async acquire(): Promise<void> {
		if (this.waiters.length === 0 && this.inFlight < this.limit.value) {
			this.inFlight++;
			return;
		}
		await new Promise<void>((resolve) => this.waiters.push(resolve));
	}

	release(): void {
		this.inFlight--;
		while (this.waiters.length > 0 && this.inFlight < this.limit.value) {
			this.inFlight++;
			this.waiters.shift()?.();
		}
	}
}
