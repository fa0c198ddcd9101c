#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * How fast is the Qwen OCR node compared with the fastest possible client, against the DashScope
 * emulator with a realistic latency and rate limit?
 *
 *   npm run build && node test/benchmark/run.js            ~3 minutes (200 items per scenario)
 *   node test/benchmark/run.js --quick                     ~1 minute (60 items)
 *   node test/benchmark/run.js --items 500 --latency-ms 1500 --rate-per-minute 600 --concurrency 5,10,20
 *
 * Scenarios (each in a fresh process, the emulator in another one):
 *   quota     latency 1500 ms, 600 requests/min (token bucket, 1 s of burst): the node with
 *             options.concurrency 5 / 10 / 20, and the baseline (undici, token bucket at the quota).
 *   overhead  latency 200 ms, no rate limit: the node and the baseline at the same concurrency;
 *             the difference is the node's (and n8n's engine) overhead per item.
 * Measures the dist/ build as it is: run `npm run build` first.
 * Prints a markdown table; writes test/benchmark/results/<YYYY-MM-DD>.json (--out to change).
 */

const { fork } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');

function parseArgs(argv) {
	const args = {
		quick: false,
		items: 0,
		latencyMs: 1500,
		ratePerMinute: 600,
		concurrency: [5, 10, 20],
		overheadLatencyMs: 200,
		overheadConcurrency: 10,
		image: 'receipt.jpg',
		out: '',
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=');
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--quick': args.quick = true; break;
			case '--items': args.items = Number(value()); break;
			case '--latency-ms': args.latencyMs = Number(value()); break;
			case '--rate-per-minute': args.ratePerMinute = Number(value()); break;
			case '--concurrency': args.concurrency = value().split(',').map(Number); break;
			case '--overhead-latency-ms': args.overheadLatencyMs = Number(value()); break;
			case '--overhead-concurrency': args.overheadConcurrency = Number(value()); break;
			case '--image': args.image = value(); break;
			case '--out': args.out = value(); break;
			case '--help': case '-h':
				console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
				process.exit(0);
				break;
			default: throw new Error(`unknown argument ${flag}`);
		}
	}
	if (!args.items) args.items = args.quick ? 60 : 200;
	return args;
}

// ------------------------------------------------------------------------------------------------
// Processes

/** Starts the emulator process; returns an RPC handle. */
async function startEmulatorProcess() {
	const child = fork(path.join(__dirname, 'emulator-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	let nextId = 1;
	/** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
	const pending = new Map();
	/** @type {any} */
	const info = await new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`emulator process exited (${code})`)));
		child.on('message', (/** @type {any} */ msg) => {
			if (msg.ready) return resolve(msg);
			const p = pending.get(msg.id);
			if (!p) return;
			pending.delete(msg.id);
			if (msg.ok) p.resolve(msg.value);
			else p.reject(new Error(msg.error));
		});
	});
	child.removeAllListeners('exit');
	return {
		baseUrl: /** @type {string} */ (info.baseUrl),
		apiKey: /** @type {string} */ (info.apiKey),
		pid: child.pid,
		/** @param {string} cmd @param {object} [extra] @returns {Promise<any>} */
		call(cmd, extra = {}) {
			const id = nextId++;
			return new Promise((resolve, reject) => {
				pending.set(id, { resolve, reject });
				child.send({ id, cmd, ...extra });
			});
		},
		kill() {
			child.kill('SIGTERM');
		},
	};
}

/**
 * Runs one scenario in a fresh worker: setup (warm-up), emulator reset, go.
 * @param {any} emulator @param {any} config @param {{ onReady?: () => Promise<void> }} [hooks]
 */
async function runScenario(emulator, config, hooks = {}) {
	const child = fork(path.join(__dirname, 'worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	/** @type {(msg: any) => Promise<any>} */
	const next = () =>
		new Promise((resolve, reject) => {
			const onExit = (/** @type {number} */ code) => reject(new Error(`worker exited (${code}) during ${config.name}`));
			child.once('exit', onExit);
			child.once('message', (/** @type {any} */ msg) => {
				child.off('exit', onExit);
				if (msg.error) reject(new Error(`${config.name}: ${msg.error}`));
				else resolve(msg);
			});
		});
	try {
		await emulator.call('configure', { latencyMs: 0, ratePerMinute: null });
		child.send({ cmd: 'setup', config: { ...config, baseUrl: emulator.baseUrl, apiKey: emulator.apiKey } });
		await next();
		if (hooks.onReady) await hooks.onReady();
		await emulator.call('configure', { latencyMs: config.latencyMs, ratePerMinute: config.ratePerMinute });
		child.send({ cmd: 'go' });
		const { result } = await next();
		const server = await emulator.call('report');
		return { ...config, result, server };
	} finally {
		if (child.exitCode === null) child.kill();
	}
}

// ------------------------------------------------------------------------------------------------
// Report

/** Lower bound of the wall time for n items: the concurrency and the quota (burst first). */
function theoryMs(n, latencyMs, concurrency, ratePerMinute, burst) {
	const byConcurrency = Math.ceil(n / concurrency) * latencyMs;
	const byRate = ratePerMinute ? (Math.max(0, n - burst) / ratePerMinute) * 60000 + latencyMs : 0;
	return Math.max(byConcurrency, byRate);
}

function row(s) {
	const r = s.result;
	const lost = s.count - r.ok;
	const retries = s.server.generationRequests - s.count;
	return {
		scenario: s.group,
		client: s.label,
		items: s.count,
		wallS: +(r.wallMs / 1000).toFixed(2),
		itemsPerS: +((r.ok / r.wallMs) * 1000).toFixed(2),
		theoryS: +(s.theoryMs / 1000).toFixed(2),
		p50Ms: r.p50Ms === null ? null : Math.round(r.p50Ms),
		p95Ms: r.p95Ms === null ? null : Math.round(r.p95Ms),
		http429: s.server.throttled,
		retries,
		maxInFlight: s.server.stats.maxInFlight,
		peakRssMb: r.peakRssMb,
		peakHeapMb: r.peakHeapMb,
		cpuMsPerItem: +(r.cpuMs / s.count).toFixed(2),
		lost,
		firstError: r.firstError,
	};
}

function markdown(rows) {
	const head = ['scenario', 'client', 'items', 'wall s', 'items/s', 'theory s', 'vs baseline', 'p50 ms', 'p95 ms', '429s', 'retries', 'max in flight', 'peak RSS MB', 'peak heap MB', 'CPU ms/item', 'lost'];
	const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
	for (const r of rows) {
		lines.push(`| ${[r.scenario, r.client, r.items, r.wallS.toFixed(2), r.itemsPerS.toFixed(2), r.theoryS.toFixed(2), r.vsBaseline, r.p50Ms, r.p95Ms, r.http429, r.retries, r.maxInFlight, r.peakRssMb, r.peakHeapMb, r.cpuMsPerItem, r.lost].join(' | ')} |`);
	}
	return lines.join('\n');
}

function distFingerprint() {
	const files = ['dist/nodes/QwenOcr/QwenOcr.node.js', 'dist/credentials/QwenOcrApi.credentials.js'];
	const hash = crypto.createHash('sha256');
	const walk = (/** @type {string} */ dir) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
			const p = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(p);
			else if (p.endsWith('.js')) hash.update(fs.readFileSync(p));
		}
	};
	for (const f of files) if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
	walk(path.join(ROOT, 'dist'));
	return {
		sha256: hash.digest('hex').slice(0, 16),
		builtAt: fs.statSync(path.join(ROOT, files[0])).mtime.toISOString(),
	};
}

// ------------------------------------------------------------------------------------------------

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const dist = distFingerprint();
	const burst = Math.max(1, args.ratePerMinute / 60); // the emulator's bucket holds 1 s of quota
	const emulator = await startEmulatorProcess();
	const started = Date.now();
	const log = (/** @type {string} */ m) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${m}\n`);
	const base = { count: args.items, image: args.image };
	/** @type {any} */
	let captured;
	/** @type {any[]} */
	const scenarios = [];
	try {
		const quota = { group: `quota ${args.ratePerMinute}/min, ${args.latencyMs} ms`, latencyMs: args.latencyMs, ratePerMinute: args.ratePerMinute };
		for (const [i, c] of args.concurrency.entries()) {
			scenarios.push({
				...base, ...quota, kind: 'node', concurrency: c, name: `node c=${c}`, label: `node (n8n engine), concurrency ${c}`,
				theoryMs: theoryMs(args.items, args.latencyMs, c, args.ratePerMinute, burst),
				capture: i === 0,
			});
		}
		scenarios.push({
			...base, ...quota, kind: 'baseline', name: 'baseline quota', label: 'baseline (undici, token bucket at quota)',
			quota: { perMinute: args.ratePerMinute, burst }, theoryMs: theoryMs(args.items, args.latencyMs, Infinity, args.ratePerMinute, burst),
		});
		const overhead = { group: `no limit, ${args.overheadLatencyMs} ms`, latencyMs: args.overheadLatencyMs, ratePerMinute: null };
		const oc = args.overheadConcurrency;
		scenarios.push({
			...base, ...overhead, kind: 'node', concurrency: oc, name: `node overhead c=${oc}`, label: `node (n8n engine), concurrency ${oc}`,
			theoryMs: theoryMs(args.items, args.overheadLatencyMs, oc, null, 0),
		});
		scenarios.push({
			...base, ...overhead, kind: 'baseline', concurrency: oc, name: `baseline overhead c=${oc}`, label: `baseline (undici), concurrency ${oc}`,
			theoryMs: theoryMs(args.items, args.overheadLatencyMs, oc, null, 0),
		});

		const done = [];
		for (const s of scenarios) {
			if (s.kind === 'baseline') s.request = captured;
			log(`${s.name}: ${s.count} items, latency ${s.latencyMs} ms, rate ${s.ratePerMinute ?? 'unlimited'}/min ...`);
			const result = await runScenario(emulator, s, {
				onReady: s.capture
					? async () => {
							captured = await emulator.call('firstGeneration');
							if (!captured) throw new Error('could not capture the node request');
						}
					: undefined,
			});
			const r = result.result;
			log(`${s.name}: ${(r.wallMs / 1000).toFixed(1)} s, ${r.ok}/${s.count} ok, ${result.server.throttled} x 429, max in flight ${result.server.stats.maxInFlight}${r.firstError ? `, first error: ${r.firstError}` : ''}`);
			const { request, capture, ...kept } = result;
			done.push(kept);
		}

		const rows = done.map(row);
		for (const r of rows) {
			const baseline = rows.find((b) => b.scenario === r.scenario && b.client.startsWith('baseline'));
			r.vsBaseline = baseline ? `${Math.round((r.itemsPerS / baseline.itemsPerS) * 100)} %` : '-';
		}
		const nodeOverhead = rows.find((r) => r.scenario.startsWith('no limit') && r.client.startsWith('node'));
		const baseOverhead = rows.find((r) => r.scenario.startsWith('no limit') && r.client.startsWith('baseline'));
		const overheadPerItemMs = nodeOverhead && baseOverhead ? +((((nodeOverhead.wallS - baseOverhead.wallS) * 1000) * oc) / args.items).toFixed(1) : null;

		const report = {
			date: new Date().toISOString(),
			args,
			environment: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, nodeCore: require(path.join(ROOT, 'node_modules/n8n-core/package.json')).version, undici: require(path.join(ROOT, 'node_modules/undici/package.json')).version },
			dist,
			notes: [
				'items/s counts only items whose text equals the fixture truth; lost = items - that.',
				'p50/p95: client-side latency of the HTTP requests that got 200 (node: diagnostics_channel on http.ClientRequest; baseline: around undici.request).',
				'429s, retries (= generation requests - items) and max in flight are counted by the emulator.',
				'theory s: the lower bound from the concurrency (ceil(n/c) * latency) and from the quota ((n - burst)/rate + latency).',
				`overhead per item = (node wall - baseline wall) * concurrency / items at ${args.overheadLatencyMs} ms latency without limit.`,
				'peak RSS/heap: process.memoryUsage() sampled every 20 ms in the client process (each scenario in a fresh process).',
			],
			overheadPerItemMs,
			rows,
			raw: done,
		};
		const table = markdown(rows);
		console.log(`\n## Qwen OCR node vs. fastest client (${args.items} items of ${args.image}, dist ${dist.sha256} built ${dist.builtAt})\n`);
		console.log(table);
		console.log(`\nNode overhead per item (no limit, ${args.overheadLatencyMs} ms latency, concurrency ${oc}): ${overheadPerItemMs} ms`);
		const out = args.out || path.join(__dirname, 'results', `${new Date().toISOString().slice(0, 10)}${args.quick ? '-quick' : ''}.json`);
		fs.mkdirSync(path.dirname(out), { recursive: true });
		fs.writeFileSync(out, `${JSON.stringify({ ...report, markdown: table }, null, 2)}\n`);
		log(`wrote ${path.relative(process.cwd(), out)} (total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
		const lost = rows.reduce((sum, r) => sum + r.lost, 0);
		if (lost) {
			log(`${lost} item(s) lost`);
			process.exitCode = 1;
		}
	} finally {
		emulator.kill();
	}
}

main().catch((error) => {
	console.error(error instanceof Error ? error.stack : error);
	process.exit(1);
});
