#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Qwen OCR node benchmark against the DashScope emulator (see test/benchmark/README.md).
 *
 *   npm run benchmark                 build, then the full run (~20 min)
 *   npm run benchmark:quick           build, then --quick (~2 min)
 *   node test/benchmark/run.js [options]      measures dist/ as it is (build first)
 *
 * Options:
 *   --quick                    100 items only, 1 run per figure, 100-item memory runs, throttled runs of 30 s,
 *                              memory-bound runs at concurrency 5 only (200 PNGs, the 60-page PDF)
 *   --items 100,1000           item counts of the throughput table
 *   --concurrency 1,4,16       concurrencies of the throughput table
 *   --rounds 3                 runs per figure (the median is reported)
 *   --latency-ms 50            emulator latency of the throughput and memory runs
 *   --image receipt.jpg        fixture image of the throughput and throttled runs
 *   --memory-items 100,1000    item counts of the 2 MB filesystem-mode memory runs (concurrency 16)
 *   --throttled-seconds 180    length of each throttled run (10 requests per 1-second window)
 *   --throttled-latency 50,1500
 *   --throttled-concurrency 32
 *   --bound-concurrency 5,16   concurrencies of the memory-bound runs (8 MB PNGs and a scanned PDF, filesystem mode)
 *   --bound-items 20,200       item counts of the 8 MB PNG runs
 *   --bound-pages 10,60        page counts of the scanned PDF (one item, 2480x3508 JPEG pages of ~1 MB)
 *   --only throughput,memory,bound,throttled    run only these parts
 *   --label NAME               the build's name in the memory-bound table (default: dist, or the --dist directory)
 *   --serial                   run the memory and the throttled runs one after the other (by default
 *                              they overlap: they measure RSS and quota use, not speed)
 *   --profile                  always profile (node and floor, V8 CPU profiler); by default only
 *                              when the node misses 0.95 x floor somewhere; --no-profile never
 *   --dist DIR                 the build to measure (default dist/), e.g. a patched copy of it
 *   --out FILE                 JSON output (default test/benchmark/results/<YYYY-MM-DD>.json)
 */

const { fork } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { summarizeProfile, formatSummary, diffSummaries, inclusiveBreakdown } = require('./profile-summary');

const ROOT = path.join(__dirname, '..', '..');
const QUOTA_PER_MINUTE = 600;
const QUOTA_WINDOW_MS = 1000;

/** @param {string} v */
const list = (v) => v.split(',').map((x) => x.trim()).filter(Boolean);
/** @param {string} v */
const numbers = (v) => list(v).map(Number);

function parseArgs(argv) {
	const args = {
		quick: false,
		items: [100, 1000],
		concurrency: [1, 4, 16],
		rounds: 3,
		latencyMs: 50,
		image: 'receipt.jpg',
		memoryItems: [100, 1000],
		memoryConcurrency: 16,
		boundConcurrency: [5, 16],
		boundItems: [20, 200],
		boundPages: [10, 60],
		throttledSeconds: 180,
		throttledLatency: [50, 1500],
		throttledConcurrency: 32,
		only: ['throughput', 'memory', 'bound', 'throttled'],
		label: '',
		profile: /** @type {'auto' | 'always' | 'never'} */ ('auto'),
		serial: false,
		dist: path.join(ROOT, 'dist'),
		out: '',
	};
	/** @type {Set<string>} */
	const given = new Set();
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=');
		const value = () => inline ?? argv[++i];
		given.add(flag);
		switch (flag) {
			case '--quick': args.quick = true; break;
			case '--items': args.items = numbers(value()); break;
			case '--concurrency': args.concurrency = numbers(value()); break;
			case '--rounds': args.rounds = Number(value()); break;
			case '--latency-ms': args.latencyMs = Number(value()); break;
			case '--image': args.image = value(); break;
			case '--memory-items': args.memoryItems = numbers(value()); break;
			case '--bound-concurrency': args.boundConcurrency = numbers(value()); break;
			case '--bound-items': args.boundItems = numbers(value()); break;
			case '--bound-pages': args.boundPages = numbers(value()); break;
			case '--throttled-seconds': args.throttledSeconds = Number(value()); break;
			case '--throttled-latency': args.throttledLatency = numbers(value()); break;
			case '--throttled-concurrency': args.throttledConcurrency = Number(value()); break;
			case '--only': args.only = list(value()); break;
			case '--profile': args.profile = 'always'; break;
			case '--serial': args.serial = true; break;
			case '--no-profile': args.profile = 'never'; break;
			case '--dist': args.dist = path.resolve(value()); break;
			case '--out': args.out = value(); break;
			case '--label': args.label = value(); break;
			case '--help': case '-h':
				console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^[\s\S]*?\/\*\*/, ''));
				process.exit(0);
				break;
			default: throw new Error(`unknown argument ${flag} (see --help)`);
		}
	}
	if (args.quick) {
		if (!given.has('--items')) args.items = [100];
		if (!given.has('--rounds')) args.rounds = 1;
		if (!given.has('--memory-items')) args.memoryItems = [100];
		if (!given.has('--throttled-seconds')) args.throttledSeconds = 30;
		if (!given.has('--bound-concurrency')) args.boundConcurrency = [5];
		if (!given.has('--bound-items')) args.boundItems = [200];
		if (!given.has('--bound-pages')) args.boundPages = [60];
	}
	return args;
}

// ------------------------------------------------------------------------------------------------
// Processes

/** Starts the emulator process; returns an RPC handle. */
async function startEmulatorProcess(distDir) {
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
		distDir,
		baseUrl: /** @type {string} */ (info.baseUrl),
		apiKey: /** @type {string} */ (info.apiKey),
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
 * Runs one job in a fresh worker process, relaying its emulator commands.
 * @param {Awaited<ReturnType<typeof startEmulatorProcess>>} emulator @param {any} job @param {string[]} [execArgv]
 */
function runJob(emulator, job, execArgv = []) {
	const child = fork(path.join(__dirname, 'worker.js'), [], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		execArgv: ['--expose-gc', ...execArgv],
	});
	return new Promise((resolve, reject) => {
		/** @type {any} */
		let reply;
		child.on('message', (/** @type {any} */ msg) => {
			if (msg.rpc) {
				const { rpc, cmd, ...rest } = msg;
				emulator.call(cmd, rest).then(
					(value) => child.send({ rpcReply: rpc, value }),
					(error) => child.send({ rpcReply: rpc, error: String(error?.message ?? error) }),
				);
				return;
			}
			reply = msg;
		});
		// Settles on exit, not on the reply: a --cpu-prof profile is written while the process exits.
		child.once('exit', (code) => {
			if (!reply) reject(new Error(`worker exited (${code}) during ${job.kind}`));
			else if (reply.error) reject(new Error(`${job.kind}: ${reply.error}`));
			else resolve(reply.result);
		});
		child.send({ job: { ...job, baseUrl: emulator.baseUrl, apiKey: emulator.apiKey, distDir: emulator.distDir } });
	});
}

// ------------------------------------------------------------------------------------------------
// Figures

/** @param {number[]} values */
function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** @param {number} v @param {number} [digits] */
const fixed = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** Summary of one client's runs in one throughput cell. @param {any[]} runs */
function clientFigures(runs) {
	const itemsPerS = runs.map((r) => (r.items / r.wallMs) * 1000);
	const m = median(itemsPerS);
	return {
		itemsPerS: +m.toFixed(2),
		msPerItem: +(1000 / m).toFixed(2),
		runsItemsPerS: itemsPerS.map((v) => +v.toFixed(2)),
		cpuMsPerItem: +median(runs.map((r) => (r.mainThreadCpuMs ?? r.cpuMs) / r.items)).toFixed(3),
		processCpuMsPerItem: +median(runs.map((r) => r.cpuMs / r.items)).toFixed(3),
		peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
		lost: runs.reduce((sum, r) => sum + (r.items - r.ok), 0),
		maxInFlight: Math.max(...runs.map((r) => r.server.stats.maxInFlight)),
		non200: runs.reduce((sum, r) => sum + r.server.generationRequests - (r.server.byStatus['200'] ?? 0), 0),
		firstError: runs.find((r) => r.firstError)?.firstError,
	};
}

/** @param {any} cell */
function throughputRow(cell) {
	const by = (/** @type {string} */ name) => clientFigures(cell.runs.filter((/** @type {any} */ r) => r.client === name));
	const node = by('node');
	const floor = by('floor');
	const raw = by('raw');
	// Per-round ratios too: the node and the floor ran back to back in each round.
	const rounds = [...new Set(cell.runs.map((/** @type {any} */ r) => r.round))];
	const roundRatio = rounds.map((round) => {
		const speed = (/** @type {string} */ name) => {
			const r = cell.runs.find((/** @type {any} */ x) => x.client === name && x.round === round);
			return r.items / r.wallMs;
		};
		return +(speed('node') / speed('floor')).toFixed(3);
	});
	return {
		items: cell.items,
		concurrency: cell.concurrency,
		node,
		floor,
		raw,
		nodeVsFloor: +(node.itemsPerS / floor.itemsPerS).toFixed(3),
		nodeVsRaw: +(node.itemsPerS / raw.itemsPerS).toFixed(3),
		floorVsRaw: +(floor.itemsPerS / raw.itemsPerS).toFixed(3),
		nodeVsFloorPerRound: roundRatio,
		load1: [Math.min(...cell.runs.map((/** @type {any} */ r) => r.load1)), Math.max(...cell.runs.map((/** @type {any} */ r) => r.load1))],
	};
}

/** @param {any[]} rows */
function throughputTable(rows) {
	const head = ['items', 'conc.', '(a) node items/s', '(a) ms/item', '(b) floor items/s', '(b) ms/item', '(c) undici items/s', '(c) ms/item', '(a)/(b)', '(a)/(c)', '(b)/(c)', 'peak RSS (a) MB', 'peak RSS (b) MB', 'main-thread CPU ms/item (a) / (b) / (c)', 'lost (a/b/c)'];
	const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---:' : '---:')).join('|')}|`];
	for (const r of rows) {
		lines.push(
			`| ${[
				r.items,
				r.concurrency,
				fixed(r.node.itemsPerS),
				fixed(r.node.msPerItem, 2),
				fixed(r.floor.itemsPerS),
				fixed(r.floor.msPerItem, 2),
				fixed(r.raw.itemsPerS),
				fixed(r.raw.msPerItem, 2),
				fixed(r.nodeVsFloor, 2),
				fixed(r.nodeVsRaw, 2),
				fixed(r.floorVsRaw, 2),
				fixed(r.node.peakRssMb, 0),
				fixed(r.floor.peakRssMb, 0),
				`${fixed(r.node.cpuMsPerItem, 2)} / ${fixed(r.floor.cpuMsPerItem, 2)} / ${fixed(r.raw.cpuMsPerItem, 2)}`,
				`${r.node.lost}/${r.floor.lost}/${r.raw.lost}`,
			].join(' | ')} |`,
		);
	}
	return lines.join('\n');
}

/** @param {any[]} runs */
function memoryTable(runs) {
	const head = ['client', 'items (2 MB PNG)', 'RSS idle MB', 'peak RSS MB', 'RSS after MB', 'RSS after GC MB', 'heap used idle → after GC MB', 'peak heap MB', 'items/s', 'lost'];
	const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
	for (const r of runs) {
		lines.push(`| ${[r.client === 'node' ? '(a) node' : '(b) floor', r.items, fixed(r.rssIdleMb, 0), fixed(r.peakRssMb, 0), fixed(r.rssAfterMb, 0), fixed(r.rssAfterGcMb, 0), `${fixed(r.heapUsedIdleMb, 0)} → ${fixed(r.heapUsedAfterGcMb, 0)}`, fixed(r.peakHeapMb, 0), fixed((r.items / r.wallMs) * 1000), r.items - r.ok].join(' | ')} |`);
	}
	return lines.join('\n');
}

/**
 * The memory-bound runs against their bound: peak RSS - baseline <= Concurrency x 3 x the largest
 * encoded image, plus the PDF itself (read whole, once: a PDF can only be parsed with random access).
 * Baseline: the RSS right before the run, after the warm-up and a full GC.
 * @param {any} r
 */
function boundFigures(r) {
	const growthMb = r.peakRssMb - r.rssBeforeMb;
	const heldMb = r.workload === 'pdf' ? r.inputBytes / 2 ** 20 : 0;
	const boundMb = (r.concurrency * 3 * r.encodedBytes) / 2 ** 20 + heldMb;
	return { growthMb, heldMb, boundMb, met: growthMb <= boundMb };
}

/** @param {any[]} runs */
function boundTable(runs) {
	const head = ['build', 'input', 'conc.', 'baseline RSS MB', 'peak RSS MB', 'peak - baseline MB', 'largest encoded image (E) MB', 'bound: c × 3 × E (+ PDF held) MB', 'within', 'encoded images alive at most', 'items/s', 'lost'];
	const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
	for (const r of runs) {
		const f = boundFigures(r);
		const input = r.workload === 'pdf' ? `1 PDF, ${r.pages} pages (${fixed(r.inputBytes / 2 ** 20)} MB)` : `${r.items} × ${fixed(r.inputBytes / 2 ** 20)} MB PNG`;
		const bound = f.heldMb ? `${fixed(f.boundMb - f.heldMb, 0)} + ${fixed(f.heldMb, 0)}` : fixed(f.boundMb, 0);
		lines.push(`| ${[r.build, input, r.concurrency, fixed(r.rssBeforeMb, 0), fixed(r.peakRssMb, 0), fixed(f.growthMb, 0), fixed(r.encodedBytes / 2 ** 20, 2), bound, f.met ? 'yes' : '**no**', r.encodedImagesPeak ?? '-', fixed((r.expectedOutputs / r.wallMs) * 1000), r.expectedOutputs - r.ok].join(' | ')} |`);
	}
	return lines.join('\n');
}

/**
 * Successful requests per minute at the emulator, by their admission time (the quota counts
 * admissions), over `windowMs` from the first generation request.
 * @param {any} run @param {number} windowMs
 */
function throttledFigures(run, windowMs) {
	const times = [...run.server.okStartedAt].sort((a, b) => a - b);
	// Whole quota windows only, from the first window boundary after the first request: the burst
	// of the first, partial window is not "sustained".
	const t0 = Math.ceil(run.server.firstStartedAt / QUOTA_WINDOW_MS) * QUOTA_WINDOW_MS;
	const inWindow = times.filter((t) => t >= t0 && t < t0 + windowMs).length;
	const lastOk = times.length ? times[times.length - 1] : t0;
	const busyWholeWindow = lastOk >= t0 + windowMs - QUOTA_WINDOW_MS;
	const spanMs = busyWholeWindow ? windowMs : Math.max(QUOTA_WINDOW_MS, Math.ceil((lastOk - t0 + 1) / QUOTA_WINDOW_MS) * QUOTA_WINDOW_MS);
	const rpm = (inWindow / spanMs) * 60000;
	/** @type {number[]} */
	const perMinute = [];
	for (let m = 0; m * 60000 < windowMs; m++) perMinute.push(times.filter((t) => t >= t0 + m * 60000 && t < t0 + Math.min(windowMs, (m + 1) * 60000)).length);
	// Per quota window (aligned as the emulator aligns them: epoch multiples of QUOTA_WINDOW_MS).
	const firstWindow = Math.floor(run.server.firstStartedAt / QUOTA_WINDOW_MS);
	const lastWindow = Math.floor(Math.max(run.server.lastEndedAt ?? t0, t0) / QUOTA_WINDOW_MS);
	const windows = Math.max(1, lastWindow - firstWindow + 1);
	const okPerWindow = new Array(windows).fill(0);
	const throttledPerWindow = new Array(windows).fill(0);
	for (const t of times) okPerWindow[Math.floor(t / QUOTA_WINDOW_MS) - firstWindow]++;
	for (const t of run.server.throttledStartedAt ?? []) throttledPerWindow[Math.floor(t / QUOTA_WINDOW_MS) - firstWindow]++;
	const samples = run.server.inFlightSamples;
	const inFlightPerWindow = new Array(windows).fill(0).map((_, w) => {
		const from = (firstWindow + w) * QUOTA_WINDOW_MS;
		const values = samples ? samples.values.filter((_v, i) => samples.from + i * samples.everyMs >= from && samples.from + i * samples.everyMs < from + QUOTA_WINDOW_MS) : [];
		return values.length ? +(values.reduce((a, b) => a + b, 0) / values.length).toFixed(1) : null;
	});
	const fullWindows = okPerWindow.slice(1, 1 + Math.floor(windowMs / QUOTA_WINDOW_MS));
	const unusedQuota = fullWindows.reduce((sum, n) => sum + Math.max(0, (QUOTA_PER_MINUTE * QUOTA_WINDOW_MS) / 60000 - n), 0);
	return {
		latencyMs: run.latencyMs,
		concurrency: run.concurrency,
		items: run.items,
		windowS: windowMs / 1000,
		busyWholeWindow,
		successfulInWindow: inWindow,
		successfulPerMinute: +rpm.toFixed(1),
		quotaShare: +(rpm / QUOTA_PER_MINUTE).toFixed(3),
		perMinuteCounts: perMinute,
		http429: run.server.throttled,
		otherErrors: run.server.generationRequests - (run.server.byStatus['200'] ?? 0) - run.server.throttled,
		generationRequests: run.server.generationRequests,
		maxInFlight: run.server.stats.maxInFlight,
		lost: run.items - run.ok,
		wallS: +(run.wallMs / 1000).toFixed(1),
		wholeRunPerMinute: +((run.ok / run.wallMs) * 60000).toFixed(1),
		firstError: run.firstError,
		windowsBelowQuota: fullWindows.filter((n) => n < (QUOTA_PER_MINUTE * QUOTA_WINDOW_MS) / 60000).length,
		unusedQuotaInWindow: unusedQuota,
		timeline: { windowMs: QUOTA_WINDOW_MS, ok: okPerWindow, throttled: throttledPerWindow, meanInFlight: inFlightPerWindow },
	};
}

/** @param {any[]} rows */
function throttledTable(rows) {
	const head = ['latency', 'node concurrency', 'items', 'successful req/min (window)', '% of 600 RPM', 'windows under quota', '429s', 'max in flight', 'mean in flight', 'items lost', 'wall s'];
	const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
	for (const r of rows) {
		const inFlight = r.timeline.meanInFlight.slice(1, 1 + r.windowS).filter((/** @type {number | null} */ v) => v !== null);
		const meanInFlight = inFlight.length ? inFlight.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0) / inFlight.length : NaN;
		lines.push(`| ${[`${r.latencyMs} ms`, r.concurrency, r.items, `${fixed(r.successfulPerMinute)} (${r.windowS} s${r.busyWholeWindow ? '' : ', ran out of items'})`, `${fixed(r.quotaShare * 100)} %`, `${r.windowsBelowQuota} of ${r.windowS}`, r.http429, r.maxInFlight, fixed(meanInFlight), r.lost, fixed(r.wallS)].join(' | ')} |`);
	}
	return lines.join('\n');
}

/**
 * Copies dist/ into test/benchmark/.dist-snapshot-<pid> and fingerprints it: the whole run measures that
 * copy, so a rebuild during the run (npm run build wipes dist/) cannot break or mix the figures.
 * Waits up to a minute for a build in progress to finish.
 */
/** @param {string} src */
async function snapshotDist(src) {
	const main = 'nodes/QwenOcr/QwenOcr.node.js';
	const dest = path.join(__dirname, `.dist-snapshot-${process.pid}`);
	for (let attempt = 0; ; attempt++) {
		try {
			const before = fs.statSync(path.join(src, main)).mtimeMs;
			fs.rmSync(dest, { recursive: true, force: true });
			// Code only: no .d.ts under test/ for tsc to pick up, no source maps.
			fs.cpSync(src, dest, { recursive: true, filter: (file) => !/\.(d\.ts|map)$/.test(file) });
			if (!fs.existsSync(path.join(dest, main)) || !fs.existsSync(path.join(dest, 'credentials/QwenOcrApi.credentials.js'))) throw new Error('incomplete dist/');
			if (fs.statSync(path.join(src, main)).mtimeMs !== before) throw new Error('dist/ changed while copying');
			break;
		} catch (error) {
			if (attempt >= 30) throw new Error(`dist/ is missing or incomplete (${/** @type {Error} */ (error).message}): run npm run build first`);
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}
	const hash = crypto.createHash('sha256');
	const walk = (/** @type {string} */ dir) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
			const p = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(p);
			else if (p.endsWith('.js')) hash.update(fs.readFileSync(p));
		}
	};
	walk(dest);
	return { dir: dest, sha256: hash.digest('hex').slice(0, 16), builtAt: fs.statSync(path.join(dest, main)).mtime.toISOString() };
}

// ------------------------------------------------------------------------------------------------

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const { dir: distDir, ...dist } = await snapshotDist(args.dist);
	// Interrupted: remove the snapshot (the workers and emulators exit when their IPC channel closes).
	for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
		process.once(signal, () => {
			fs.rmSync(distDir, { recursive: true, force: true });
			process.exit(130);
		});
	}
	if (args.dist !== path.join(ROOT, 'dist')) Object.assign(dist, { source: args.dist });
	const emulator = await startEmulatorProcess(distDir);
	const started = Date.now();
	const log = (/** @type {string} */ m) => process.stderr.write(`[bench ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${m}\n`);
	/** @type {any} */
	const report = {
		date: new Date().toISOString(),
		args,
		environment: {
			node: process.version,
			platform: `${os.platform()} ${os.arch()}`,
			cpus: os.cpus().length,
			cpuModel: os.cpus()[0]?.model,
			memoryGb: +(os.totalmem() / 2 ** 30).toFixed(1),
			nodeCore: require(path.join(ROOT, 'node_modules/n8n-core/package.json')).version,
			nodeWorkflow: require(path.join(ROOT, 'node_modules/n8n-workflow/package.json')).version,
			undici: require(path.join(ROOT, 'node_modules/undici/package.json')).version,
		},
		dist,
	};
	/** @type {string[]} */
	const markdown = [];
	try {
		// The body the node sends: the floor and undici send the same (their own image encoded per item).
		await emulator.call('configure', { latencyMs: 0, ratePerMinute: null });
		await runJob(emulator, { kind: 'capture', image: args.image });
		const captured = await emulator.call('firstGeneration');
		if (!captured) throw new Error('could not capture the node request');
		const template = structuredClone(captured.body);
		for (const part of template.input.messages[0].content) if (typeof part.image === 'string') part.image = 'data:';
		report.template = template;

		if (args.only.includes('throughput')) {
			const cells = [];
			for (const items of args.items) {
				for (const concurrency of args.concurrency) {
					log(`throughput: ${items} items, concurrency ${concurrency}, ${args.rounds} round(s) of node / floor / undici ...`);
					const result = await runJob(emulator, {
						kind: 'throughput', image: args.image, items, concurrency, rounds: args.rounds, latencyMs: args.latencyMs,
						warmup: Math.min(items, 40), clients: ['node', 'floor', 'raw'], template,
					});
					const cell = { items, concurrency, runs: result.runs };
					const row = throughputRow(cell);
					log(`  node ${fixed(row.node.itemsPerS)}/s, floor ${fixed(row.floor.itemsPerS)}/s, undici ${fixed(row.raw.itemsPerS)}/s: (a)/(b) ${fixed(row.nodeVsFloor, 2)} [rounds ${row.nodeVsFloorPerRound.join(', ')}], (a)/(c) ${fixed(row.nodeVsRaw, 2)}, lost ${row.node.lost}/${row.floor.lost}/${row.raw.lost}${row.node.firstError ? `; node: ${row.node.firstError}` : ''}${row.floor.firstError ? `; floor: ${row.floor.firstError}` : ''}`);
					cells.push(cell);
				}
			}
			const rows = cells.map(throughputRow);
			report.throughput = { latencyMs: args.latencyMs, image: args.image, rounds: args.rounds, rows, raw: cells };
			const loads = rows.flatMap((r) => r.load1);
			markdown.push(`### Throughput (emulator latency ${args.latencyMs} ms, ${args.image}, median of ${args.rounds} run${args.rounds > 1 ? 's' : ''})\n\n${throughputTable(rows)}\n\n(a)/(b) per round: ${rows.map((r) => `${r.items}@${r.concurrency} [${r.nodeVsFloorPerRound.map((v) => v.toFixed(2)).join(', ')}]`).join('; ')}. 1-minute load average at the start of the runs: ${fixed(Math.min(...loads))} to ${fixed(Math.max(...loads))} on ${os.cpus().length} CPUs.`);
		}

		// Memory runs (RSS, not speed) and throttled runs (bound by the quota, a few % CPU) do not
		// measure CPU speed: by default they run at the same time, each throttled run with its own
		// emulator process (its own quota). --serial runs them one after the other.
		const memoryPart = async () => {
			if (!args.only.includes('memory')) return;
			const runs = [];
			// The node at every count (is its RSS flat in the item count?), the floor at the largest (the reference).
			const plan = [...args.memoryItems.map((items) => ({ client: 'node', items })), { client: 'floor', items: Math.max(...args.memoryItems) }];
			for (const { client, items } of plan) {
				log(`memory: ${client}, ${items} items of a 2 MB PNG, filesystem binary mode, concurrency ${args.memoryConcurrency} ...`);
				const r = await runJob(emulator, { kind: 'memory', client, items, concurrency: args.memoryConcurrency, latencyMs: args.latencyMs, template });
				log(`  memory ${client} ${items}: peak RSS ${r.peakRssMb} MB, after ${r.rssAfterMb} MB (after GC ${r.rssAfterGcMb} MB), ${fixed((r.items / r.wallMs) * 1000)} items/s, lost ${r.items - r.ok}${r.firstError ? `: ${r.firstError}` : ''}`);
				runs.push(r);
			}
			report.memory = { concurrency: args.memoryConcurrency, latencyMs: args.latencyMs, runs };
		};
		const throttledPart = async () => {
			if (!args.only.includes('throttled')) return;
			const windowMs = args.throttledSeconds * 1000;
			// Enough items to keep the quota busy for the whole window, and some.
			const items = Math.ceil(((QUOTA_PER_MINUTE * args.throttledSeconds) / 60) * 1.1);
			const one = async (/** @type {number} */ latencyMs) => {
				const own = await startEmulatorProcess(distDir);
				try {
					log(`throttled: ${items} items, node concurrency ${args.throttledConcurrency}, latency ${latencyMs} ms, ${QUOTA_PER_MINUTE}/min as ${(QUOTA_PER_MINUTE * QUOTA_WINDOW_MS) / 60000} per ${QUOTA_WINDOW_MS} ms window ...`);
					const run = await runJob(own, {
						kind: 'throttled', image: args.image, items, concurrency: args.throttledConcurrency,
						emulator: { latencyMs, ratePerMinute: QUOTA_PER_MINUTE, windowMs: QUOTA_WINDOW_MS, sendRetryAfter: true, sampleInFlight: true },
					});
					const row = throttledFigures({ ...run, latencyMs }, windowMs);
					log(`  throttled ${latencyMs} ms: ${row.successfulPerMinute} successful/min (${fixed(row.quotaShare * 100)} % of quota), ${row.http429} x 429, max in flight ${row.maxInFlight}, lost ${row.lost}${row.firstError ? `: ${row.firstError}` : ''}`);
					return row;
				} finally {
					own.kill();
				}
			};
			const rows = [];
			if (args.serial) for (const latencyMs of args.throttledLatency) rows.push(await one(latencyMs));
			else rows.push(...(await Promise.all(args.throttledLatency.map(one))));
			report.throttled = { quotaPerMinute: QUOTA_PER_MINUTE, windowMs: QUOTA_WINDOW_MS, retryAfter: true, concurrentWithMemoryRuns: !args.serial, rows };
		};
		if (args.only.includes('bound')) {
			const runs = [];
			const build = args.label || (args.dist === path.join(ROOT, 'dist') ? 'dist' : args.dist);
			const plan = args.boundConcurrency.flatMap((concurrency) => [
				...args.boundItems.map((items) => ({ workload: 'png', items, concurrency })),
				...args.boundPages.map((pages) => ({ workload: 'pdf', pages, concurrency })),
			]);
			for (const step of plan) {
				log(`bound: ${step.workload === 'pdf' ? `one ${step.pages}-page scanned PDF` : `${step.items} items of an 8 MB PNG`}, filesystem binary mode, concurrency ${step.concurrency} ...`);
				const r = await runJob(emulator, { kind: 'bound', ...step, latencyMs: args.latencyMs });
				const f = boundFigures(r);
				log(`  peak RSS ${r.peakRssMb} MB (baseline ${r.rssBeforeMb}): +${fixed(f.growthMb, 0)} MB against ${fixed(f.boundMb, 0)} MB, encoded at most ${r.encodedImagesPeak ?? '-'}, lost ${r.expectedOutputs - r.ok}${r.firstError ? `: ${r.firstError}` : ''}`);
				runs.push({ build, ...r });
			}
			report.bound = { latencyMs: args.latencyMs, runs };
			markdown.push(`### Memory bounded by Concurrency (filesystem binary mode, emulator latency ${args.latencyMs} ms, one fresh process per line)\n\n${boundTable(runs)}`);
		}
		if (args.serial) {
			await memoryPart();
			await throttledPart();
		} else {
			await Promise.all([memoryPart(), throttledPart()]);
		}
		if (report.memory) {
			const runs = report.memory.runs;
			markdown.push(`### Memory (${runs[0]?.imageBytes ? `${(runs[0].imageBytes / 2 ** 20).toFixed(1)} MB` : '2 MB'} PNG per item, filesystem binary mode, concurrency ${args.memoryConcurrency}, one fresh process per line)\n\n${memoryTable(runs)}`);
		}
		if (report.throttled) {
			markdown.push(`### Throttled (emulator quota ${QUOTA_PER_MINUTE}/min enforced as ${(QUOTA_PER_MINUTE * QUOTA_WINDOW_MS) / 60000} requests per ${QUOTA_WINDOW_MS / 1000}-second window, 429 Throttling.RateQuota with Retry-After: 1; successful requests counted at the emulator over whole quota windows after the first request)\n\n${throttledTable(report.throttled.rows)}`);
		}

		report.targets = evaluateTargets(report);
		markdown.push(`### Targets\n\n${report.targets.map((/** @type {any} */ t) => `- ${t.met ? 'MET' : 'MISSED'}: ${t.target} (${t.evidence})`).join('\n')}`);

		const missedThroughput = report.targets.some((/** @type {any} */ t) => t.id === 'throughput' && !t.met);
		if (args.profile === 'always' || (args.profile === 'auto' && missedThroughput)) {
			report.profile = await profile(emulator, args, template, log);
			markdown.push(`### CPU profile (concurrency ${report.profile.concurrency}, ${report.profile.items} items x ${report.profile.rounds})\n\n${report.profile.markdown}`);
		}

		const title = `## Qwen OCR node benchmark — ${report.date.slice(0, 10)}, dist ${dist.sha256}, ${report.environment.cpus} CPU ${report.environment.cpuModel}, Node ${process.version}, n8n-core ${report.environment.nodeCore}${args.quick ? ' (--quick)' : ''}`;
		const text = `${title}\n\n${markdown.join('\n\n')}\n`;
		console.log(`\n${text}`);
		const out = args.out || path.join(__dirname, 'results', `${report.date.slice(0, 10)}${args.quick ? '-quick' : ''}.json`);
		fs.mkdirSync(path.dirname(out), { recursive: true });
		report.durationS = Math.round((Date.now() - started) / 1000);
		fs.writeFileSync(out, `${JSON.stringify({ ...report, markdown: text }, null, 2)}\n`);
		log(`wrote ${path.relative(process.cwd(), out)} (total ${report.durationS} s)`);
	} finally {
		emulator.kill();
		fs.rmSync(distDir, { recursive: true, force: true });
	}
}

/** @param {any} report */
function evaluateTargets(report) {
	const targets = [];
	if (report.throughput) {
		const rows = report.throughput.rows;
		const worst = rows.reduce((a, b) => (b.nodeVsFloor < a.nodeVsFloor ? b : a));
		targets.push({
			id: 'throughput',
			target: 'node >= 0.95 x compliant floor at every concurrency',
			met: rows.every((/** @type {any} */ r) => r.nodeVsFloor >= 0.95),
			evidence: `(a)/(b) ${rows.map((/** @type {any} */ r) => `${r.items}@${r.concurrency}: ${fixed(r.nodeVsFloor, 3)}`).join(', ')}; worst ${fixed(worst.nodeVsFloor, 3)} at ${worst.items} items, concurrency ${worst.concurrency}`,
		});
		const lost = rows.reduce((sum, /** @type {any} */ r) => sum + r.node.lost, 0);
		targets.push({ id: 'throughput-lost', target: 'no item lost by the node in the throughput runs', met: lost === 0, evidence: `${lost} lost` });
	}
	if (report.throttled) {
		for (const r of report.throttled.rows) {
			targets.push({
				id: `throttled-${r.latencyMs}`,
				target: `throttled, ${r.latencyMs} ms latency: >= 95 % of 600 RPM sustained, 0 items lost`,
				met: r.quotaShare >= 0.95 && r.lost === 0 && r.busyWholeWindow,
				evidence: `${fixed(r.successfulPerMinute)} successful/min = ${fixed(r.quotaShare * 100)} % over ${r.windowS} s (per minute: ${r.perMinuteCounts.join(', ')}), ${r.lost} lost, ${r.http429} x 429`,
			});
		}
	}
	if (report.memory) {
		const runs = report.memory.runs.filter((/** @type {any} */ r) => r.client === 'node').sort((/** @type {any} */ a, /** @type {any} */ b) => a.items - b.items);
		const floor = report.memory.runs.find((/** @type {any} */ r) => r.client === 'floor');
		if (runs.length >= 2) {
			const [small, large] = [runs[0], runs[runs.length - 1]];
			// RSS is flat when the peak and the RSS after the run do not grow with the item count
			// (10 % allowance), and nothing is retained per item (heap used after a full GC).
			const met =
				large.peakRssMb <= small.peakRssMb * 1.1 && large.rssAfterMb <= small.rssAfterMb * 1.1 && large.heapUsedAfterGcMb <= small.heapUsedAfterGcMb * 1.1 + 5;
			targets.push({
				id: 'memory',
				target: 'RSS flat in item count (2 MB PNGs, filesystem mode: peak RSS and RSS after within 10 % from the smallest to the largest run, no heap retained per item)',
				met,
				evidence: `peak RSS ${small.peakRssMb} MB at ${small.items} items vs ${large.peakRssMb} MB at ${large.items}; RSS after ${small.rssAfterMb} vs ${large.rssAfterMb} MB; heap used after GC ${small.heapUsedAfterGcMb} vs ${large.heapUsedAfterGcMb} MB${floor ? `; floor at ${floor.items}: peak ${floor.peakRssMb} MB, after ${floor.rssAfterMb} MB` : ''}`,
			});
		}
	}
	return targets;
}

/**
 * Profiles the node and the floor (separate processes, same load) and compares their self time.
 * @param {any} emulator @param {any} args @param {any} template @param {(m: string) => void} log
 */
async function profile(emulator, args, template, log) {
	const concurrency = Math.max(...args.concurrency);
	const items = args.quick ? 300 : 1000;
	const rounds = args.quick ? 1 : 3;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qwen-ocr-bench-prof-'));
	/** @type {Record<string, any>} */
	const summaries = {};
	/** @type {Record<string, any>} */
	const runs = {};
	for (const client of ['node', 'floor']) {
		const profileFile = path.join(dir, `${client}.cpuprofile`);
		log(`profile: ${client}, ${items} items x ${rounds}, concurrency ${concurrency}, CPU profile into ${profileFile} ...`);
		const result = await runJob(emulator, { kind: 'profile', client, image: args.image, items, concurrency, rounds, latencyMs: args.latencyMs, warmup: 100, template, profileFile });
		runs[client] = result.runs.map((/** @type {any} */ r) => ({ itemsPerS: +((r.items / r.wallMs) * 1000).toFixed(1), cpuMsPerItem: +(r.cpuMs / r.items).toFixed(3) }));
		const data = JSON.parse(fs.readFileSync(profileFile, 'utf8'));
		summaries[client] = {
			file: profileFile,
			...summarizeProfile(data, { root: ROOT }),
			// The client's own code, including the n8n helpers and Buffer work it calls.
			inside: inclusiveBreakdown(data, client === 'node' ? /\/(dist|\.dist-snapshot-\d+)\/nodes\// : /\/test\/benchmark\/floor-node\.js$/, { root: ROOT }),
		};
	}
	const totalItems = items * rounds;
	const perItem = (/** @type {number} */ ms) => (ms / totalItems).toFixed(3);
	const diff = diffSummaries(summaries.node, summaries.floor);
	const md = [
		`node runs: ${runs.node.map((/** @type {any} */ r) => `${r.itemsPerS}/s, ${r.cpuMsPerItem} CPU ms/item`).join('; ')}`,
		`floor runs: ${runs.floor.map((/** @type {any} */ r) => `${r.itemsPerS}/s, ${r.cpuMsPerItem} CPU ms/item`).join('; ')}`,
		'',
		'Node profile, top self time:',
		'',
		formatSummary(summaries.node, 15),
		'',
		'Self time the node spends beyond the floor (by package / file), ms:',
		'',
		diff,
		'',
		`Time in the client's own code, including what it calls synchronously: node ${summaries.node.inside.insideMs} ms (${perItem(summaries.node.inside.insideMs)} ms/item), floor ${summaries.floor.inside.insideMs} ms (${perItem(summaries.floor.inside.insideMs)} ms/item). Node, by call out of its code:`,
		'',
		'| ms | ms/item | node code -> callee |',
		'|---:|---:|---|',
		...summaries.node.inside.edges.slice(0, 25).map((/** @type {any} */ e) => `| ${e.ms} | ${perItem(e.ms)} | ${e.edge} |`),
		'',
		'Floor, by call out of its code:',
		'',
		'| ms | ms/item | floor code -> callee |',
		'|---:|---:|---|',
		...summaries.floor.inside.edges.slice(0, 8).map((/** @type {any} */ e) => `| ${e.ms} | ${perItem(e.ms)} | ${e.edge} |`),
	].join('\n');
	return {
		concurrency, items, rounds, runs, dir,
		node: { file: summaries.node.file, totalMs: summaries.node.totalMs, byCategory: summaries.node.byCategory, top: summaries.node.top.slice(0, 30), inside: { ...summaries.node.inside, edges: summaries.node.inside.edges.slice(0, 40) } },
		floor: { file: summaries.floor.file, totalMs: summaries.floor.totalMs, byCategory: summaries.floor.byCategory, top: summaries.floor.top.slice(0, 30), inside: { ...summaries.floor.inside, edges: summaries.floor.inside.edges.slice(0, 20) } },
		markdown: md,
	};
}

main().catch((error) => {
	console.error(error instanceof Error ? error.stack : error);
	process.exit(1);
});
