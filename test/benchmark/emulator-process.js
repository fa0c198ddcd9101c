// @ts-check
'use strict';

/**
 * The DashScope emulator in its own process for the benchmark, so that serving requests does not
 * share an event loop (or a heap) with the client being measured. Forked by run.js; controlled
 * over IPC:
 *   { id, cmd: 'configure', latencyMs, ratePerMinute, windowMs, sendRetryAfter, sampleInFlight }
 *                                   reset log/stats, then apply (ratePerMinute null = unlimited;
 *                                   windowMs = fixed windows of that length instead of a token bucket;
 *                                   sampleInFlight: sample the requests in flight every 100 ms)
 *   { id, cmd: 'report', withTimes } stats + a summary of the generation requests since configure
 *                                   (withTimes: start times of the 200s and 429s, in-flight samples)
 *   { id, cmd: 'firstGeneration' }  the first generation request since configure (path, body)
 * Answers { id, ok: true, value } or { id, ok: false, error }.
 *
 * The emulator logs every request with its parsed body; with 2 MB images and thousands of requests
 * that log alone would take gigabytes, so bodies and headers of finished requests are dropped (the
 * first generation body is kept for `firstGeneration`).
 */

const path = require('path');
const { startEmulator } = require(path.join(__dirname, '..', 'emulator'));

const GENERATION = /\/(generation|chat\/completions)$/;

async function main() {
	const apiKey = process.env.BENCH_API_KEY || 'sk-benchmark-emulator-key';
	// Uploads are looked up right after they arrive: keeping the last 64 is plenty (200 x 8 MB would be 1.6 GB).
	const emulator = await startEmulator({ apiKey, port: 0, maxStoredUploads: 64 });

	/** @type {{ path: string, body: any } | null} */
	let first = null;
	let pruned = 0;
	const prune = () => {
		const log = emulator.requests;
		if (pruned > log.length) pruned = 0; // reset() emptied the log
		let i = pruned;
		for (; i < log.length; i++) {
			const r = log[i];
			if (r.endedAt === undefined) break;
			if (!first && GENERATION.test(r.path) && r.body) first = { path: r.path, body: r.body };
			r.body = null;
			r.headers = {};
		}
		pruned = i;
	};
	const pruneTimer = setInterval(prune, 50);
	pruneTimer.unref();

	// In-flight generation requests sampled every 100 ms (for the throttled runs' timeline).
	/** @type {number[]} */
	let inFlightSamples = [];
	let samplesFrom = 0;
	/** @type {NodeJS.Timeout | undefined} */
	let inFlightTimer;

	/** @param {any} msg */
	const handle = async (msg) => {
		switch (msg.cmd) {
			case 'configure':
				prune();
				emulator.reset();
				pruned = 0;
				first = null;
				emulator.setLatency(msg.latencyMs ?? 0);
				clearInterval(inFlightTimer);
				inFlightSamples = [];
				samplesFrom = Date.now();
				if (msg.sampleInFlight) inFlightTimer = setInterval(() => inFlightSamples.push(emulator.stats.inFlight), 100);
				emulator.setRateLimit(msg.ratePerMinute ?? null, {
					...(msg.windowMs ? { windowMs: msg.windowMs } : {}),
					...(msg.sendRetryAfter !== undefined ? { sendRetryAfter: msg.sendRetryAfter } : {}),
				});
				return null;
			case 'report': {
				prune();
				const generation = emulator.requests.filter((r) => GENERATION.test(r.path));
				/** @type {Record<string, number>} */
				const byStatus = {};
				/** @type {number[]} */
				const okStartedAt = [];
				/** @type {number[]} */
				const throttledStartedAt = [];
				let firstStartedAt = Infinity;
				let lastEndedAt = -Infinity;
				for (const r of generation) {
					byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
					if (r.status === 200) okStartedAt.push(r.startedAt);
					else if (r.status === 429) throttledStartedAt.push(r.startedAt);
					firstStartedAt = Math.min(firstStartedAt, r.startedAt);
					lastEndedAt = Math.max(lastEndedAt, r.endedAt ?? r.startedAt);
				}
				return {
					stats: { ...emulator.stats },
					generationRequests: generation.length,
					byStatus,
					throttled: byStatus['429'] ?? 0,
					firstStartedAt: generation.length ? firstStartedAt : null,
					lastEndedAt: generation.length ? lastEndedAt : null,
					...(msg.withTimes ? { okStartedAt, throttledStartedAt, inFlightSamples: { from: samplesFrom, everyMs: 100, values: inFlightSamples } } : {}),
				};
			}
			case 'firstGeneration':
				prune();
				return first;
			case 'close':
				await emulator.close();
				setImmediate(() => process.exit(0));
				return null;
			default:
				throw new Error(`unknown command ${msg.cmd}`);
		}
	};

	process.on('message', (/** @type {any} */ msg) => {
		handle(msg).then(
			(value) => process.send?.({ id: msg.id, ok: true, value }),
			(error) => process.send?.({ id: msg.id, ok: false, error: String(error?.stack ?? error) }),
		);
	});
	process.on('disconnect', () => process.exit(0));
	process.send?.({ ready: true, baseUrl: emulator.baseUrl, apiKey });
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
