import { createHash } from 'crypto';

import { sleep } from 'n8n-workflow';

/** Thrown by every wait of the node once the execution is canceled (Stop, Timeout Workflow). */
export class ExecutionCanceled extends Error {
	constructor() {
		super('The execution was canceled');
		this.name = 'ExecutionCanceled';
	}
}

/**
 * Settles with `work`, or rejects with ExecutionCanceled as soon as `signal` aborts: every wait of
 * the node (retry back-off, pacer, request slot) ends at once on Stop or Timeout Workflow.
 */
export async function unlessCanceled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
	if (!signal) return await work;
	if (signal.aborted) throw new ExecutionCanceled();
	let onAbort = () => {};
	const canceled = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(new ExecutionCanceled());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([work, canceled]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/**
 * Waits `ms`, or until the signal aborts. n8n-workflow 2.x's `sleep` takes the signal and clears its
 * timer; 1.x's ignores it, so the race ends the wait there too (its timer then runs out idle).
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	await unlessCanceled(sleep(ms, signal), signal);
}

/** How many tasks may run at once; `runBounded` sets `onRaise` to start more when it grows. */
export interface Limit {
	readonly value: number;
	onRaise?: () => void;
}

/**
 * Items in progress: the Concurrency option, plus one for each item waiting to retry (up to twice
 * the option). A waiting item holds no request slot and no image, so another item can use the slot;
 * the cap bounds the files read but not yet done (an open PDF stays until its last page is sent).
 */
export class ItemLimit implements Limit {
	private waiting = 0;

	onRaise?: () => void;

	constructor(private readonly base: number) {}

	get value(): number {
		return this.base + Math.min(this.base, this.waiting);
	}

	/** Called when an item starts (true) and ends (false) a wait before retrying. */
	setWaiting(waiting: boolean): void {
		this.waiting += waiting ? 1 : -1;
		if (waiting) this.onRaise?.();
	}
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** The outcome of `promise` as a value: it never rejects. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	return await promise.then(
		(value): Settled<T> => ({ ok: true, value }),
		(error: unknown): Settled<T> => ({ ok: false, error }),
	);
}

/**
 * Runs `task(0..count-1)` with at most `limit.value` in flight, results in index order.
 * With `stopOnError`, no new task starts after a failure (running ones finish).
 */
export async function runBounded<T>(
	count: number,
	limit: Limit,
	task: (index: number) => Promise<T>,
	stopOnError: boolean,
	signal?: AbortSignal,
): Promise<Array<Settled<T> | undefined>> {
	const results: Array<Settled<T> | undefined> = new Array(count);
	if (count === 0) return results;
	return await new Promise((resolve) => {
		let next = 0;
		let inFlight = 0;
		let failed = false;
		const pump = () => {
			// Once the execution is canceled no task starts; the running ones end at their next wait.
			while (next < count && !(stopOnError && failed) && !signal?.aborted && inFlight < limit.value) {
				const index = next++;
				inFlight++;
				settle(task(index))
					.then((result) => {
						results[index] = result;
						if (!result.ok) failed = true;
					})
					.finally(() => {
						inFlight--;
						if (inFlight === 0 && (next >= count || (stopOnError && failed) || signal?.aborted)) resolve(results);
						else pump();
					});
			}
		};
		limit.onRaise = pump;
		pump();
	});
}

/**
 * Request slots shared by every item and page of a run: at most `limit` requests in flight,
 * handed out first come, first served (so earlier items finish first).
 */
export class Slots {
	private inFlight = 0;

	private readonly waiters: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	/** Waits for a slot; on cancel the wait ends with ExecutionCanceled and holds no slot. */
	async acquire(signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) throw new ExecutionCanceled();
		if (this.waiters.length === 0 && this.inFlight < this.limit) {
			this.inFlight++;
			return;
		}
		let waiter = () => {};
		const granted = new Promise<void>((resolve) => {
			waiter = resolve;
			this.waiters.push(waiter);
		});
		let acquired = false;
		try {
			await unlessCanceled(granted, signal);
			acquired = true;
		} finally {
			if (!acquired) {
				// Canceled while queued: leave the queue (a slot handed over meanwhile is given back).
				const position = this.waiters.indexOf(waiter);
				if (position >= 0) this.waiters.splice(position, 1);
				else this.release();
			}
		}
	}

	release(): void {
		this.inFlight--;
		while (this.waiters.length > 0 && this.inFlight < this.limit) {
			this.inFlight++;
			this.waiters.shift()?.();
		}
	}
}

/**
 * One image's hold on a request slot. Taken before the image is read and encoded, kept through all
 * of its requests (temporary upload, generation), given back while it waits to retry and when it
 * is done: the images in memory never outnumber the slots.
 */
export class SlotLease {
	private held = false;

	constructor(private readonly slots: Slots) {}

	/**
	 * Takes a slot, unless this image holds one already. After a cancel it throws ExecutionCanceled
	 * (even when held: nothing may start), and a wait for the slot ends at once, holding nothing.
	 */
	async acquire(signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) throw new ExecutionCanceled();
		if (this.held) return;
		await this.slots.acquire(signal);
		this.held = true;
	}

	release(): void {
		if (!this.held) return;
		this.held = false;
		this.slots.release();
	}
}

/** One request start, as the pacer saw it. */
export interface PacerTicket {
	at: number;
	rejected: boolean;
	/** The answer (or failure) has arrived. */
	done: boolean;
}

/**
 * Paces request starts at the rate the server accepts, learnt from its 429s (inactive until the
 * first one). A rate quota is not a concurrency limit: at 1.5 s latency, 600 requests/min needs 15
 * requests in flight, at 50 ms less than one, so cutting the concurrency on a 429 finds neither.
 * Evenly spaced starts fit quota windows, and retried requests re-enter the same queue instead of
 * waking up together. It probes back up slowly, so it does not stay slow once throttling ends.
 *
 * Not every 429 is a quota: an overloaded service rejects a share of requests at any rate. Pacing
 * at the accepted rate after each of those would lower the rate again and again (x0.8 per window at
 * 20 % rejections) until the run crawls. Two guards tell them apart:
 * - the accepted count is only read per quota window once a whole window has passed; before that the
 *   first 429 paces at the accepted rate of the time elapsed, and only when most requests after it
 *   are rejected too (a quota used up) at the count accepted so far per window. After that, the
 *   pace is lowered at most once per window;
 * - what the server accepted over fully answered windows is a lower bound of its quota, so a 429
 *   while pacing clearly under that bound is not the quota speaking and does not slow the pace.
 */
export class RatePacer {
	/** Requests per second; Infinity = not pacing. */
	private rate = Number.POSITIVE_INFINITY;

	private next = 0;

	private readonly starts: PacerTicket[] = [];

	private firstStart: number | undefined;

	/** Highest accepted rate (per second) measured over fully answered windows. */
	private acceptedFloor = 0;

	/** When the pace was last lowered. */
	private lastCut = 0;

	/** When the last 429 came, and the quota window it suggested. */
	private lastThrottled = 0;

	private windowMs = 1000;

	/** How long starts are remembered: a few of the longest quota windows seen. */
	private historyMs = 10_000;

	constructor(private readonly now: () => number = Date.now) {}

	/** Waits for this request's turn; called while holding a request slot, right before sending. */
	async take(signal?: AbortSignal): Promise<PacerTicket> {
		if (Number.isFinite(this.rate)) {
			const now = this.now();
			const at = Math.max(now, this.next);
			this.next = at + 1000 / this.rate;
			if (at > now) await pause(at - now, signal);
		}
		const ticket: PacerTicket = { at: this.now(), rejected: false, done: false };
		this.firstStart ??= ticket.at;
		this.starts.push(ticket);
		while (this.starts.length > 0 && this.starts[0].at < ticket.at - this.historyMs) this.starts.shift();
		return ticket;
	}

	/**
	 * A 429: pace at 98 % of the starts the server accepted over the last quota window(s). A 429 of
	 * a request sent at the current pace lowers it at most once per window (the 429s of one
	 * overshoot report the same overload); one of a request sent before the last cut, at a faster
	 * pace, only refines that cut.
	 */
	onThrottled(ticket: PacerTicket | undefined, retryAfterSeconds?: number): void {
		if (ticket) Object.assign(ticket, { rejected: true, done: true });
		const now = this.now();
		this.lastThrottled = now;
		const windowMs = Math.max(1000, (retryAfterSeconds ?? 1) * 1000);
		this.historyMs = Math.max(this.historyMs, 3 * windowMs);
		this.windowMs = windowMs;
		const elapsed = now - (this.firstStart ?? now);
		this.measureAcceptedFloor(windowMs);
		const pacing = Number.isFinite(this.rate);
		if (pacing && this.rate <= 0.8 * this.acceptedFloor) return;
		// Requests still in flight count as accepted: most are, and the next 429 corrects the rest.
		const accepted = (span: number) => this.starts.filter((start) => start.at >= now - span && !start.rejected).length;
		let perSecond: number;
		if (elapsed < windowMs) {
			if (!pacing) {
				// Less than a window seen: the accepted rate so far (a quota's count is not known yet).
				perSecond = (Math.max(1, accepted(elapsed)) * 1000) / Math.max(1, elapsed);
			} else {
				// Most requests sent since are rejected too: that is a quota used up for this window, not
				// an overloaded service (which rejects a share at any rate). Pace at its count per window.
				// When nothing was sent since (a burst of executions starting together), that burst is.
				const burst = !this.starts.some((start) => start.at >= this.lastCut);
				const since = this.starts.filter((start) => (burst || start.at >= this.lastCut) && start.done);
				const rejected = since.filter((start) => start.rejected).length;
				if (since.length < 8 || rejected < 0.5 * since.length) return;
				perSecond = (accepted(elapsed) * 1000) / windowMs;
			}
		} else {
			const atCurrentPace = ticket !== undefined && ticket.at >= this.lastCut;
			if (atCurrentPace && now - this.lastCut < windowMs) return;
			const span = Math.min(2 * windowMs, elapsed);
			// Early in a run, per quota window that the starts cover: the first burst at high latency
			// (all sent at once, answered a window later) is one window's worth, not `span`'s.
			let windows = span / windowMs;
			if (elapsed < 2 * windowMs) {
				const inSpan = this.starts.filter((start) => start.at >= now - span);
				const covered = inSpan.length > 0 ? inSpan[inSpan.length - 1].at - inSpan[0].at : 0;
				windows = Math.min(windows, Math.max(1, Math.ceil(covered / windowMs)));
			}
			perSecond = (accepted(span) * 1000) / (windows * windowMs);
		}
		const rate = Math.max(0.98 * perSecond, 0.8 * this.acceptedFloor, 0.2);
		if (rate < this.rate) {
			this.rate = rate;
			this.lastCut = now;
		}
	}

	/**
	 * Probes back up: +0.1 % per success (about +1 % a second at 10 requests a second), which keeps
	 * close to a quota; +1 % per success once no 429 came for 5 s (or three windows), so the run is
	 * back to full speed within seconds when throttling ends.
	 */
	onSuccess(ticket?: PacerTicket): void {
		if (ticket) ticket.done = true;
		if (!Number.isFinite(this.rate)) return;
		const quiet = this.now() - this.lastThrottled > Math.max(5000, 3 * this.windowMs);
		this.rate *= quiet ? 1.01 : 1.001;
	}

	/** Any other answer or failure: the server took the request, so it counts as accepted. */
	onFailure(ticket?: PacerTicket): void {
		if (ticket) ticket.done = true;
	}

	/**
	 * Accepted starts per second over the last two windows whose requests have all been answered
	 * (two, so that a fixed quota window cut in half by the span cannot double the count).
	 */
	private measureAcceptedFloor(windowMs: number): void {
		const pending = this.starts.find((start) => !start.done);
		const end = pending?.at ?? this.now();
		const span = 2 * windowMs;
		if (this.firstStart === undefined || end - this.firstStart < span) return;
		const accepted = this.starts.filter((start) => start.at >= end - span && start.at < end && !start.rejected).length;
		this.acceptedFloor = Math.max(this.acceptedFloor, (accepted * 1000) / span);
	}
}

/** A pacer handed out by `PacerRegistry`: remembers when it was last used. */
class SharedPacer extends RatePacer {
	lastUsed: number;

	constructor(private readonly clock: () => number) {
		super(clock);
		this.lastUsed = clock();
	}

	async take(...args: Parameters<RatePacer['take']>): Promise<PacerTicket> {
		this.lastUsed = this.clock();
		return await super.take(...args);
	}
}

/**
 * The key of a credential's pacer: a SHA-256 of its base URL and API key, so the key itself is
 * never kept (nor seen in a heap dump as a map key).
 */
export function pacerKey(baseUrl: string, apiKey: string): string {
	return createHash('sha256').update(`${baseUrl}\n${apiKey}`).digest('hex');
}

/**
 * One RatePacer per credential and endpoint for every execution of this process: a burst of
 * one-item executions (webhooks, e-mails) then paces itself on what the 429s of any of them taught,
 * instead of each learning the quota alone. Bounded: at most `maxEntries` pacers (the least
 * recently used goes first), and a pacer unused for `idleMs` is dropped when the registry is next
 * touched (no timers: nothing keeps the process alive). Separate processes (queue-mode workers)
 * share nothing.
 */
export class PacerRegistry {
	private readonly pacers = new Map<string, SharedPacer>();

	constructor(
		private readonly maxEntries = 100,
		private readonly idleMs = 10 * 60_000,
		private readonly now: () => number = Date.now,
	) {}

	get size(): number {
		return this.pacers.size;
	}

	/** Forgets every pacer: what a new process starts with (tests start each case as a fresh account). */
	clear(): void {
		this.pacers.clear();
	}

	pacerFor(baseUrl: string, apiKey: string): RatePacer {
		const now = this.now();
		// Map order is least recently handed out first; a pacer taken from since then is kept.
		for (const [key, pacer] of this.pacers) {
			if (now - pacer.lastUsed <= this.idleMs) continue;
			this.pacers.delete(key);
		}
		const key = pacerKey(baseUrl, apiKey);
		const pacer = this.pacers.get(key) ?? new SharedPacer(this.now);
		pacer.lastUsed = now;
		this.pacers.delete(key);
		this.pacers.set(key, pacer);
		while (this.pacers.size > this.maxEntries) this.pacers.delete(this.pacers.keys().next().value as string);
		return pacer;
	}
}

/** The pacers shared by the executions of this process. */
export const sharedPacers = new PacerRegistry();
