/**
 * Long decoding and encoding loops are written as generators that yield every few hundred KB of work, so one
 * page can be read either in one go (runSync) or in slices that give n8n's event loop back in between
 * (runSliced): a 300-dpi page takes seconds of CPU, and n8n must keep answering webhooks and the editor.
 */
export type Work<T> = Generator<undefined, T, undefined>;

/** Bytes (or pixels) a loop processes between two yields: ~0.5-5 ms of work (compression is the slowest). */
export const SLICE_UNITS = 1 << 16;

export function runSync<T>(work: Work<T>): T {
	for (;;) {
		const step = work.next();
		if (step.done) return step.value;
	}
}

/**
 * Runs `work`, calling `pause` (e.g. n8n-workflow's sleep(0)) whenever it has held the thread for `sliceMs`.
 * Date.now() is the clock: the community-node rules forbid `process` and timer globals in node code.
 */
export async function runSliced<T>(work: Work<T>, pause: () => Promise<void>, sliceMs = 20): Promise<T> {
	let started = Date.now();
	for (;;) {
		const step = work.next();
		if (step.done) return step.value;
		if (Date.now() - started >= sliceMs) {
			await pause();
			started = Date.now();
		}
	}
}
