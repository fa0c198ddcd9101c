/**
 * Adaptive concurrency for one node run: additive increase while requests succeed, multiplicative
 * decrease on throttling (AIMD, as TCP does), between 1 and the user's Concurrency option.
 */
export class AdaptiveLimit {
	private current: number;

	private lastDecrease = 0;

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

	onSuccess(): void {
		// +1 per "window" of successful requests, i.e. +1/limit per success.
		this.current = Math.min(this.max, this.current + 1 / Math.max(1, this.current));
	}

	/**
	 * Halves the limit, at most once per second: the 429s of one burst all report the same
	 * overload, and halving for each would collapse the limit to 1.
	 */
	onThrottled(): void {
		const now = this.now();
		if (now - this.lastDecrease < 1000) return;
		this.lastDecrease = now;
		this.current = Math.max(1, this.current / 2);
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
