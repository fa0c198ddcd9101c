// @ts-check
'use strict';

/**
 * The DashScope emulator in its own process for the benchmark, so that serving requests does not
 * share an event loop (or a heap) with the client being measured. Forked by run.js; controlled
 * over IPC:
 *   { id, cmd: 'configure', latencyMs, ratePerMinute }   reset log/stats, then apply
 *   { id, cmd: 'report' }                                stats + a summary of the request log
 *   { id, cmd: 'firstGeneration' }                       the first generation request (headers, body)
 * Answers { id, ok: true, value } or { id, ok: false, error }.
 */

const path = require('path');
const { startEmulator } = require(path.join(__dirname, '..', 'emulator'));

const GENERATION = /\/(generation|chat\/completions)$/;

async function main() {
	const apiKey = process.env.BENCH_API_KEY || 'sk-benchmark-emulator-key';
	const emulator = await startEmulator({ apiKey, port: 0 });

	/** @param {any} msg */
	const handle = async (msg) => {
		switch (msg.cmd) {
			case 'configure':
				emulator.reset();
				emulator.setLatency(msg.latencyMs ?? 0);
				emulator.setRateLimit(msg.ratePerMinute ?? null);
				return null;
			case 'report': {
				const generation = emulator.requests.filter((r) => GENERATION.test(r.path));
				/** @type {Record<string, number>} */
				const byStatus = {};
				for (const r of generation) byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
				const started = generation.map((r) => r.startedAt);
				const ended = generation.map((r) => r.endedAt ?? r.startedAt);
				return {
					stats: { ...emulator.stats },
					generationRequests: generation.length,
					byStatus,
					throttled: byStatus['429'] ?? 0,
					firstStartedAt: started.length ? Math.min(...started) : null,
					lastEndedAt: ended.length ? Math.max(...ended) : null,
				};
			}
			case 'firstGeneration': {
				const r = emulator.requests.find((x) => GENERATION.test(x.path));
				return r ? { path: r.path, headers: r.headers, body: r.body } : null;
			}
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
