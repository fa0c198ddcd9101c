// @ts-check
'use strict';

/**
 * One benchmark job in a fresh process (clean heap, its own RSS, its own n8n binary-data mode),
 * forked by run.js with `--expose-gc`. The parent sends one { job }; the worker may ask the parent to
 * drive the emulator ({ rpc, cmd, ...args } → { rpcReply, value | error }) and ends with { result }.
 *
 * Jobs:
 *   capture     the node runs 1 item; the parent then reads the body it sent (the floor's template)
 *   throughput  node, floor and raw undici, `rounds` runs each, interleaved (order rotated per round),
 *               after a warm-up; the emulator is reset before each run and reported after it
 *   memory      one client over `items` 2 MB PNGs in n8n's filesystem binary mode: peak RSS and RSS after
 *   bound       the node over `items` 8 MB PNGs, or one scanned PDF of `pages` pages, in filesystem mode:
 *               peak RSS against the memory bound, Concurrency x 3 x the largest encoded image
 *   throttled   the node alone (after a warm-up) while the parent has the emulator enforce the quota
 *   profile     one client, `rounds` runs under the V8 CPU profiler (started after the warm-up),
 *               written to `profileFile` (.cpuprofile, as node --cpu-prof writes)
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const { nodeClient, floorClient, rawClient, fixtureImage, mb } = require('./clients');
const { bigImage } = require('./big-image');
const { scanPdf } = require('./scan-pdf');

let nextRpc = 1;
/** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
const pendingRpc = new Map();

/** Asks the parent to run an emulator command. @param {string} cmd @param {object} [args] @returns {Promise<any>} */
function emulator(cmd, args = {}) {
	const id = nextRpc++;
	return new Promise((resolve, reject) => {
		pendingRpc.set(id, { resolve, reject });
		process.send?.({ rpc: id, cmd, ...args });
	});
}

/** @param {any} job */
function clientConfig(job, image) {
	return { baseUrl: job.baseUrl, apiKey: job.apiKey, image, binaryMode: job.binaryMode ?? 'default', distDir: job.distDir };
}

/** @param {any} job @param {any} config @param {string} name */
function makeClient(job, config, name) {
	if (name === 'node') return nodeClient(config);
	if (name === 'floor') return floorClient(config, job.template);
	if (name === 'raw') return rawClient(config, job.template);
	throw new Error(`unknown client ${name}`);
}

/** @param {any} result */
function checkWarm(result, name) {
	if (result.ok !== result.items) throw new Error(`${name} warm-up failed: ${result.ok}/${result.items} ok, ${result.firstError}`);
}

const jobs = {
	/** @param {any} job */
	async capture(job) {
		const client = nodeClient(clientConfig(job, fixtureImage(job.image)));
		const result = await client.run(1, 1);
		checkWarm(result, 'node');
		return { ok: true };
	},

	/** @param {any} job */
	async throughput(job) {
		const config = clientConfig(job, fixtureImage(job.image));
		const clients = job.clients.map((/** @type {string} */ name) => makeClient(job, config, name));
		const emulatorConfig = { latencyMs: job.latencyMs, ratePerMinute: null };
		await emulator('configure', emulatorConfig);
		for (const client of clients) checkWarm(await client.run(job.warmup, job.concurrency), client.name);
		/** @type {any[]} */
		const runs = [];
		for (let round = 0; round < job.rounds; round++) {
			// Rotate the order so that no client always runs first (or right after another).
			const order = clients.map((_, i) => clients[(i + round) % clients.length]);
			for (const client of order) {
				await emulator('configure', emulatorConfig);
				const result = await client.run(job.items, job.concurrency);
				const server = await emulator('report');
				runs.push({ client: client.name, round, ...result, server });
			}
		}
		return { runs };
	},

	/** @param {any} job */
	async memory(job) {
		const big = bigImage();
		const image = { data: fs.readFileSync(big.file), fileName: big.fileName, mimeType: big.mimeType, expectedText: big.expectedText };
		const config = clientConfig({ ...job, binaryMode: 'filesystem' }, image);
		const client = makeClient(job, config, job.client);
		await emulator('configure', { latencyMs: job.latencyMs, ratePerMinute: null });
		checkWarm(await client.run(2, job.concurrency), client.name);
		if (global.gc) global.gc();
		const idle = process.memoryUsage();
		const rssIdleMb = mb(idle.rss);
		const heapUsedIdleMb = mb(idle.heapUsed);
		await emulator('configure', { latencyMs: job.latencyMs, ratePerMinute: null });
		const result = await client.run(job.items, job.concurrency);
		const server = await emulator('report');
		if (global.gc) global.gc();
		const after = process.memoryUsage();
		return {
			client: client.name,
			imageBytes: big.bytes,
			rssIdleMb,
			heapUsedIdleMb,
			rssAfterGcMb: mb(after.rss),
			heapUsedAfterGcMb: mb(after.heapUsed),
			externalAfterGcMb: mb(after.external),
			...result,
			server,
		};
	},

	/** @param {any} job */
	async bound(job) {
		const pdf = job.workload === 'pdf';
		/** @param {any} source */
		const input = (source) => ({ file: source.file, fileName: source.fileName, mimeType: source.mimeType, expectedText: source.expectedText });
		const source = pdf ? scanPdf(job.pages) : bigImage(1640, 1640);
		const config = (/** @type {any} */ image) => clientConfig({ ...job, binaryMode: 'filesystem' }, image);
		const client = nodeClient(config(input(source)));
		// Warm-up: the same kind of work (a 2-page PDF, 2 PNGs), so the idle RSS has every code path loaded.
		const warm = pdf ? nodeClient(config(input(scanPdf(2)))) : client;
		await emulator('configure', { latencyMs: job.latencyMs, ratePerMinute: null });
		const warmed = await warm.run(pdf ? 1 : 2, job.concurrency);
		if (warmed.ok !== 2) throw new Error(`warm-up failed: ${warmed.ok} ok, ${warmed.firstError}`);
		// The module's count of encoded images alive (builds that have it).
		const counter = require(path.join(job.distDir, 'nodes/QwenOcr/helpers/imageInput.js')).encodedImages;
		if (global.gc) global.gc();
		const idle = process.memoryUsage();
		counter?.resetPeak();
		await emulator('configure', { latencyMs: job.latencyMs, ratePerMinute: null });
		const result = await client.run(pdf ? 1 : job.items, job.concurrency);
		const server = await emulator('report');
		// The largest encoded image: an image over the 10 MB inline limit goes as the file (temporary
		// upload), a smaller one as its base64 data URL.
		const imageBytes = pdf ? source.pageBytes : source.bytes;
		const dataUrl = `data:${pdf ? 'image/jpeg' : 'image/png'};base64,`.length + Math.ceil(imageBytes / 3) * 4;
		const encodedBytes = dataUrl > 10_485_760 ? imageBytes : dataUrl;
		return {
			workload: job.workload,
			items: pdf ? 1 : job.items,
			pages: pdf ? job.pages : undefined,
			expectedOutputs: pdf ? job.pages : job.items,
			concurrency: job.concurrency,
			inputBytes: source.bytes,
			encodedBytes,
			rssIdleMb: mb(idle.rss),
			heapUsedIdleMb: mb(idle.heapUsed),
			encodedImagesPeak: counter ? counter.peak : null,
			...result,
			server,
		};
	},

	/** @param {any} job */
	async throttled(job) {
		const config = clientConfig(job, fixtureImage(job.image));
		const client = nodeClient(config);
		await emulator('configure', { latencyMs: 0, ratePerMinute: null });
		checkWarm(await client.run(20, job.concurrency), 'node');
		await emulator('configure', job.emulator);
		const result = await client.run(job.items, job.concurrency);
		const server = await emulator('report', { withTimes: true });
		return { ...result, server };
	},

	/** @param {any} job */
	async profile(job) {
		const inspector = require('inspector');
		const config = clientConfig(job, fixtureImage(job.image));
		const client = makeClient(job, config, job.client);
		await emulator('configure', { latencyMs: job.latencyMs, ratePerMinute: null });
		checkWarm(await client.run(job.warmup, job.concurrency), client.name);
		// The V8 profiler around the measured runs only (what --cpu-prof records, minus start-up and warm-up).
		const session = new inspector.Session();
		session.connect();
		const post = (/** @type {string} */ method, /** @type {object} */ params = {}) =>
			new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
		await post('Profiler.enable');
		await post('Profiler.setSamplingInterval', { interval: job.samplingIntervalUs ?? 250 });
		await post('Profiler.start');
		const runs = [];
		for (let round = 0; round < job.rounds; round++) runs.push(await client.run(job.items, job.concurrency));
		const { profile } = /** @type {any} */ (await post('Profiler.stop'));
		session.disconnect();
		fs.mkdirSync(path.dirname(job.profileFile), { recursive: true });
		fs.writeFileSync(job.profileFile, JSON.stringify(profile));
		return { runs, profileFile: job.profileFile };
	},
};

/** n8n's filesystem binary store of this process (test/engine/harness.js puts it in the temp dir). */
function removeBinaryStore() {
	fs.rmSync(path.join(os.tmpdir(), `qwen-ocr-binary-${process.pid}`), { recursive: true, force: true });
}

process.on('message', async (/** @type {any} */ msg) => {
	if (msg.rpcReply) {
		const p = pendingRpc.get(msg.rpcReply);
		pendingRpc.delete(msg.rpcReply);
		if (msg.error) p?.reject(new Error(msg.error));
		else p?.resolve(msg.value);
		return;
	}
	if (!msg.job) return;
	try {
		const run = /** @type {Record<string, (job: any) => Promise<any>>} */ (jobs)[msg.job.kind];
		if (!run) throw new Error(`unknown job ${msg.job.kind}`);
		const result = await run(msg.job);
		removeBinaryStore();
		process.send?.({ result }, () => process.exit(0));
	} catch (error) {
		removeBinaryStore();
		process.send?.({ error: String(/** @type {any} */ (error)?.stack ?? error) }, () => process.exit(1));
	}
});
process.on('disconnect', () => {
	removeBinaryStore();
	process.exit(0);
});
