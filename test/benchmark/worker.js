// @ts-check
'use strict';

/**
 * One benchmark scenario in a fresh process (clean heap, fair RSS peak), forked by run.js.
 *
 * kind 'node':     the built Qwen OCR node (dist/) in n8n-core's WorkflowExecute (test/engine/harness.js)
 *                  over `count` binary items, options.concurrency = `concurrency`, continueOnFail on
 *                  so a failed item is counted instead of failing the run.
 * kind 'baseline': undici sending the same native request (captured from the node) per item, paced
 *                  by a client-side token bucket at the known quota (no concurrency cap), or with a
 *                  fixed concurrency when there is no quota. Retries a 429 when the next token is due.
 *
 * Protocol: parent sends { cmd: 'setup', config } → worker warms up (1 item), answers { ready };
 * parent resets the emulator and sends { cmd: 'go' } → worker answers { result } and exits.
 */

const fs = require('fs');
const path = require('path');
const dc = require('diagnostics_channel');
const { performance } = require('perf_hooks');

const ROOT = path.join(__dirname, '..', '..');

/** @param {number[]} values @param {number} p 0..1 */
function percentile(values, p) {
	if (!values.length) return null;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Samples RSS / heap while a scenario runs. */
function memorySampler() {
	let rss = 0;
	let heap = 0;
	const sample = () => {
		const m = process.memoryUsage();
		rss = Math.max(rss, m.rss);
		heap = Math.max(heap, m.heapUsed);
	};
	sample();
	const timer = setInterval(sample, 20);
	return {
		stop() {
			clearInterval(timer);
			sample();
			return { peakRssMb: +(rss / 2 ** 20).toFixed(1), peakHeapMb: +(heap / 2 ** 20).toFixed(1) };
		},
	};
}

function truthText(image) {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/images', image.replace(/\.\w+$/, '.truth.json')), 'utf8')).text;
}

// ------------------------------------------------------------------------------------------------
// The node in n8n's engine

async function nodeScenario(config) {
	const { runNode } = require(path.join(ROOT, 'test/engine/harness.js'));
	const { QwenOcr } = require(path.join(ROOT, 'dist/nodes/QwenOcr/QwenOcr.node.js'));
	const { QwenOcrApi } = require(path.join(ROOT, 'dist/credentials/QwenOcrApi.credentials.js'));
	const data = fs.readFileSync(path.join(ROOT, 'test/fixtures/images', config.image));
	const mimeType = config.image.endsWith('.jpg') ? 'image/jpeg' : 'image/png';
	const makeItems = (/** @type {number} */ n) =>
		Array.from({ length: n }, (_, i) => ({
			json: { index: i },
			binary: { data: { data: data.toString('base64'), mimeType, fileName: config.image, fileExtension: config.image.split('.').pop() } },
		}));
	const expected = truthText(config.image);
	const run = (/** @type {any[]} */ items) =>
		runNode({
			node: new QwenOcr(),
			credentialTypes: { qwenOcrApi: new QwenOcrApi() },
			credentials: { qwenOcrApi: { region: 'custom', baseUrl: config.baseUrl, apiKey: config.apiKey } },
			parameters: { operation: 'textRecognition', inputType: 'binary', binaryPropertyName: 'data', options: { concurrency: config.concurrency } },
			items,
			continueOnFail: true,
		});

	// Client-side latency of every HTTP request the node sends (axios → http.ClientRequest).
	/** @type {{ ms: number, status: number }[]} */
	const samples = [];
	const starts = new WeakMap();
	let measuring = false;
	dc.subscribe('http.client.request.start', (/** @type {any} */ m) => {
		if (measuring) starts.set(m.request, performance.now());
	});
	dc.subscribe('http.client.response.finish', (/** @type {any} */ m) => {
		const t0 = starts.get(m.request);
		if (t0 !== undefined) samples.push({ ms: performance.now() - t0, status: m.response.statusCode });
	});

	const warm = await run(makeItems(1));
	if (warm.error || warm.items[0]?.json?.text !== expected) throw new Error(`warm-up failed: ${warm.error?.message ?? JSON.stringify(warm.items[0]?.json).slice(0, 300)}`);
	const items = makeItems(config.count);
	return {
		async go() {
			measuring = true;
			const memory = memorySampler();
			const cpu0 = process.cpuUsage();
			const t0 = performance.now();
			const { items: out, error } = await run(items);
			const wallMs = performance.now() - t0;
			const cpu = process.cpuUsage(cpu0);
			const mem = memory.stop();
			const ok = out.filter((item) => item.json?.text === expected).length;
			const errorItems = out.filter((item) => item.json?.error);
			return {
				wallMs,
				ok,
				outputItems: out.length,
				errorItems: errorItems.length,
				firstError: error?.message ?? errorItems[0]?.json?.error?.message,
				clientRequests: samples.length,
				client429: samples.filter((s) => s.status === 429).length,
				latencies: samples.filter((s) => s.status === 200).map((s) => s.ms),
				cpuMs: (cpu.user + cpu.system) / 1000,
				...mem,
			};
		},
	};
}

// ------------------------------------------------------------------------------------------------
// The fastest client: undici + token bucket at the quota

class TokenBucket {
	/** @param {number} perMinute @param {number} capacity */
	constructor(perMinute, capacity) {
		this.ratePerMs = perMinute / 60000;
		this.capacity = capacity;
		this.tokens = capacity;
		this.at = performance.now();
		/** @type {Promise<void>} */
		this.chain = Promise.resolve();
	}
	/** Resolves when a token is taken; FIFO. */
	take() {
		const next = this.chain.then(async () => {
			for (;;) {
				const now = performance.now();
				this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.ratePerMs);
				this.at = now;
				if (this.tokens >= 1) {
					this.tokens -= 1;
					return;
				}
				await new Promise((resolve) => setTimeout(resolve, Math.ceil((1 - this.tokens) / this.ratePerMs)));
			}
		});
		this.chain = next;
		return next;
	}
}

async function baselineScenario(config) {
	const { Agent, request } = require('undici');
	const data = fs.readFileSync(path.join(ROOT, 'test/fixtures/images', config.image));
	const expected = truthText(config.image);
	const template = config.request; // { path, headers, body } the node sent
	const url = `${config.baseUrl}${template.path}`;
	const headers = { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json', accept: 'application/json' };
	// The same body as the node's, with this item's image encoded per request like the node does.
	const bodyFor = () => {
		const body = structuredClone(template.body);
		const content = body.input.messages[0].content;
		const image = content.find((/** @type {any} */ part) => part.image);
		image.image = `data:${image.image.slice(5, image.image.indexOf(';'))};base64,${data.toString('base64')}`;
		return JSON.stringify(body);
	};
	const agent = new Agent({ keepAliveTimeout: 30_000, connections: null, pipelining: 1 });
	/** @type {{ ms: number, status: number }[]} */
	const samples = [];
	let retries = 0;
	const bucket = config.quota ? new TokenBucket(config.quota.perMinute, config.quota.burst) : null;

	/** One item: send until 200 (a 429 waits for the next token), parse, check. */
	const oneItem = async () => {
		for (let attempt = 0; attempt < 20; attempt++) {
			if (bucket) await bucket.take();
			const t0 = performance.now();
			const res = await request(url, { method: 'POST', headers, body: bodyFor(), dispatcher: agent });
			const json = /** @type {any} */ (await res.body.json());
			samples.push({ ms: performance.now() - t0, status: res.statusCode });
			if (res.statusCode === 200) return json.output.choices[0].message.content[0].text === expected;
			if (res.statusCode !== 429) return false;
			retries++;
		}
		return false;
	};

	/** Runs n items: unlimited concurrency when paced by the bucket, else `concurrency` workers. */
	const runItems = async (/** @type {number} */ n) => {
		let ok = 0;
		if (bucket) {
			const results = await Promise.all(Array.from({ length: n }, () => oneItem()));
			ok = results.filter(Boolean).length;
		} else {
			let next = 0;
			const workers = Array.from({ length: Math.min(config.concurrency, n) }, async () => {
				while (next < n) {
					next++;
					if (await oneItem()) ok++;
				}
			});
			await Promise.all(workers);
		}
		return ok;
	};

	if ((await runItems(1)) !== 1) throw new Error('baseline warm-up failed');
	samples.length = 0;
	retries = 0;
	return {
		async go() {
			if (bucket) {
				// Start with a full bucket, as the emulator's bucket is after its reset.
				bucket.tokens = bucket.capacity;
				bucket.at = performance.now();
			}
			const memory = memorySampler();
			const cpu0 = process.cpuUsage();
			const t0 = performance.now();
			const ok = await runItems(config.count);
			const wallMs = performance.now() - t0;
			const cpu = process.cpuUsage(cpu0);
			const mem = memory.stop();
			await agent.close();
			return {
				wallMs,
				ok,
				outputItems: ok,
				errorItems: config.count - ok,
				clientRequests: samples.length,
				client429: samples.filter((s) => s.status === 429).length,
				clientRetries: retries,
				latencies: samples.filter((s) => s.status === 200).map((s) => s.ms),
				cpuMs: (cpu.user + cpu.system) / 1000,
				...mem,
			};
		},
	};
}

// ------------------------------------------------------------------------------------------------

/** @type {{ go(): Promise<any> } | undefined} */
let scenario;
process.on('message', async (/** @type {any} */ msg) => {
	try {
		if (msg.cmd === 'setup') {
			scenario = msg.config.kind === 'node' ? await nodeScenario(msg.config) : await baselineScenario(msg.config);
			process.send?.({ ready: true });
		} else if (msg.cmd === 'go') {
			if (!scenario) throw new Error('go before setup');
			const result = await scenario.go();
			const { latencies, ...rest } = result;
			process.send?.({
				result: {
					...rest,
					p50Ms: percentile(latencies, 0.5),
					p95Ms: percentile(latencies, 0.95),
					maxMs: percentile(latencies, 1),
				},
			});
			setImmediate(() => process.exit(0));
		}
	} catch (error) {
		process.send?.({ error: String(/** @type {any} */ (error)?.stack ?? error) });
		setImmediate(() => process.exit(1));
	}
});
process.on('disconnect', () => process.exit(0));
