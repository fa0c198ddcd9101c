// @ts-check
'use strict';

/**
 * The three clients the benchmark compares, each able to run `n` items at a given concurrency:
 *   node   the built Qwen OCR node (dist/) in n8n-core's WorkflowExecute (test/engine/harness.js)
 *   floor  the compliant floor (floor-node.js) in the same harness
 *   raw    undici sending the same requests (same body, base64 encoded per request) with a promise
 *          pool of the same size: the hardware limit
 * Each run returns wall time, correct outputs, CPU time and the RSS peak sampled while it ran.
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { createFloorNode } = require('./floor-node');

const ROOT = path.join(__dirname, '..', '..');

/** Samples the process RSS / heap every 10 ms while a run goes. */
function memorySampler() {
	let rss = 0;
	let heap = 0;
	const sample = () => {
		const m = process.memoryUsage();
		rss = Math.max(rss, m.rss);
		heap = Math.max(heap, m.heapUsed);
	};
	sample();
	const timer = setInterval(sample, 10);
	return {
		stop() {
			clearInterval(timer);
			sample();
			return { peakRssMb: mb(rss), peakHeapMb: mb(heap) };
		},
	};
}

/** @param {number} bytes */
const mb = (bytes) => +(bytes / 2 ** 20).toFixed(1);

/**
 * The image the items carry.
 * @typedef {{ data?: Buffer, file?: string, fileName: string, mimeType: string, expectedText: string }} BenchImage
 */

/** @param {string} name a fixture under test/fixtures/images @returns {BenchImage} */
function fixtureImage(name) {
	const dir = path.join(ROOT, 'test/fixtures/images');
	return {
		data: fs.readFileSync(path.join(dir, name)),
		fileName: name,
		mimeType: name.endsWith('.jpg') ? 'image/jpeg' : 'image/png',
		expectedText: JSON.parse(fs.readFileSync(path.join(dir, name.replace(/\.\w+$/, '.truth.json')), 'utf8')).text,
	};
}

/**
 * Input items sharing one binary entry (one base64 string in memory however many items: the items
 * themselves must not be what the RSS measures).
 * @param {BenchImage} image @param {number} n
 */
function makeItems(image, n) {
	// A file on disk (filesystem mode) is streamed into n8n's store by the trigger, not held in memory.
	const content = image.file ? { file: image.file } : { data: /** @type {Buffer} */ (image.data).toString('base64') };
	const binary = {
		...content,
		mimeType: image.mimeType,
		fileName: image.fileName,
		fileExtension: image.fileName.split('.').pop(),
	};
	return Array.from({ length: n }, (_, i) => ({ json: { index: i }, binary: { data: binary } }));
}

/**
 * Times one run. `body` returns the number of correct outputs and optionally an error.
 * @param {() => Promise<{ ok: number, firstError?: string }>} body
 */
async function timed(body) {
	if (global.gc) global.gc();
	const load1 = +os.loadavg()[0].toFixed(2);
	const rssBefore = process.memoryUsage().rss;
	const memory = memorySampler();
	const cpu0 = process.cpuUsage();
	// The main thread alone (the serial part: the event loop), where Node has it.
	const threadCpu = /** @type {any} */ (process).threadCpuUsage;
	const thread0 = threadCpu ? threadCpu.call(process) : undefined;
	const t0 = performance.now();
	const { ok, firstError } = await body();
	const wallMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	const thread = thread0 ? threadCpu.call(process, thread0) : undefined;
	const mem = memory.stop();
	return {
		wallMs,
		ok,
		firstError,
		cpuMs: (cpu.user + cpu.system) / 1000,
		mainThreadCpuMs: thread ? (thread.user + thread.system) / 1000 : null,
		load1,
		rssBeforeMb: mb(rssBefore),
		rssAfterMb: mb(process.memoryUsage().rss),
		...mem,
	};
}

/**
 * @typedef {{ baseUrl: string, apiKey: string, image: BenchImage, binaryMode?: 'default' | 'filesystem', distDir?: string }} ClientConfig
 * @typedef {{ name: string, run(n: number, concurrency: number): Promise<RunResult> }} Client
 * @typedef {Awaited<ReturnType<typeof timed>> & { items: number, concurrency: number, outputs: number }} RunResult
 */

/** The harness and the build under test (`distDir`: run.js's snapshot of dist/, else dist/). */
function engineParts(distDir = path.join(ROOT, 'dist')) {
	const { runNode } = require(path.join(ROOT, 'test/engine/harness.js'));
	const { QwenOcr } = require(path.join(distDir, 'nodes/QwenOcr/QwenOcr.node.js'));
	const { QwenOcrApi } = require(path.join(distDir, 'credentials/QwenOcrApi.credentials.js'));
	return { runNode, QwenOcr, QwenOcrApi };
}

/**
 * (a) The Qwen OCR node: operation Recognize Text, binary input, default options except Concurrency;
 * continueOnFail on, so a failed item is an output without text (lost) instead of a failed run.
 * @param {ClientConfig} config @returns {Client}
 */
function nodeClient(config) {
	const { runNode, QwenOcr, QwenOcrApi } = engineParts(config.distDir);
	const node = new QwenOcr();
	const credentialTypes = { qwenOcrApi: new QwenOcrApi() };
	const credentials = { qwenOcrApi: { region: 'custom', baseUrl: config.baseUrl, apiKey: config.apiKey } };
	return {
		name: 'node',
		async run(n, concurrency) {
			const items = makeItems(config.image, n);
			/** @type {any} */
			let outputs = [];
			const result = await timed(async () => {
				const { items: out, error } = await runNode({
					node,
					credentialTypes,
					credentials,
					parameters: { operation: 'textRecognition', inputType: 'binary', binaryPropertyName: 'data', options: { concurrency } },
					items,
					continueOnFail: true,
					binaryMode: config.binaryMode ?? 'default',
				});
				outputs = out;
				const ok = out.filter((/** @type {any} */ item) => item.json?.text === config.image.expectedText).length;
				const failed = out.find((/** @type {any} */ item) => item.json?.error || item.json?.text !== config.image.expectedText);
				return { ok, firstError: error?.message ?? (failed ? JSON.stringify(failed.json).slice(0, 300) : undefined) };
			});
			return { ...result, items: n, concurrency, outputs: outputs.length };
		},
	};
}

/**
 * (b) The compliant floor in the same harness. `template` is a generation body the node sent.
 * @param {ClientConfig} config @param {any} template @returns {Client}
 */
function floorClient(config, template) {
	const { runNode, QwenOcrApi } = engineParts(config.distDir);
	const node = createFloorNode(template);
	const credentialTypes = { qwenOcrApi: new QwenOcrApi() };
	const credentials = { qwenOcrApi: { region: 'custom', baseUrl: config.baseUrl, apiKey: config.apiKey } };
	return {
		name: 'floor',
		async run(n, concurrency) {
			const items = makeItems(config.image, n);
			let outputs = 0;
			const result = await timed(async () => {
				const { items: out, error } = await runNode({
					node,
					credentialTypes,
					credentials,
					parameters: { binaryPropertyName: 'data', concurrency },
					items,
					binaryMode: config.binaryMode ?? 'default',
				});
				outputs = out.length;
				const text = (/** @type {any} */ item) => item?.json?.output?.choices?.[0]?.message?.content?.[0]?.text;
				const ok = out.filter((/** @type {any} */ item) => text(item) === config.image.expectedText).length;
				const failed = out.find((/** @type {any} */ item) => text(item) !== config.image.expectedText);
				return { ok, firstError: error?.message ?? (failed ? JSON.stringify(failed.json).slice(0, 300) : undefined) };
			});
			return { ...result, items: n, concurrency, outputs };
		},
	};
}

/**
 * (c) Raw undici: per item the same body as the node's (image base64-encoded per request),
 * JSON.stringify, POST with the Bearer key, JSON.parse of the answer; a promise pool of `concurrency`.
 * @param {ClientConfig} config @param {any} template @returns {Client}
 */
function rawClient(config, template) {
	const { Agent, request } = require('undici');
	const url = `${config.baseUrl}${'/api/v1/services/aigc/multimodal-generation/generation'}`;
	const headers = { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json', accept: 'application/json' };
	const message = template.input.messages[0];
	const imageIndex = message.content.findIndex((/** @type {any} */ part) => typeof part.image === 'string');
	const { image: _image, ...imageOptions } = message.content[imageIndex];
	const otherParts = message.content.filter((/** @type {any} */ _, /** @type {number} */ index) => index !== imageIndex);
	const agent = new Agent({ keepAliveTimeout: 30_000, pipelining: 1 });
	const { data, mimeType, expectedText } = config.image;
	const one = async () => {
		const body = {
			model: template.model,
			input: { messages: [{ role: message.role, content: [{ image: `data:${mimeType};base64,${data.toString('base64')}`, ...imageOptions }, ...otherParts] }] },
			parameters: template.parameters ?? {},
		};
		const res = await request(url, { method: 'POST', headers, body: JSON.stringify(body), dispatcher: agent });
		const json = /** @type {any} */ (await res.body.json());
		return json?.output?.choices?.[0]?.message?.content?.[0]?.text === expectedText;
	};
	return {
		name: 'raw',
		async run(n, concurrency) {
			const result = await timed(async () => {
				let ok = 0;
				let next = 0;
				const worker = async () => {
					while (next < n) {
						next++;
						if (await one()) ok++;
					}
				};
				await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
				return { ok, firstError: ok === n ? undefined : `${n - ok} answers without the expected text` };
			});
			return { ...result, items: n, concurrency, outputs: n };
		},
	};
}

module.exports = { nodeClient, floorClient, rawClient, fixtureImage, makeItems, mb };
