#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Runs the emulator as a process, e.g. for a demo n8n instance:
 *   node test/emulator/cli.js [--port 8787] [--api-key K] [--latency-ms N] [--rate-per-minute N]
 *                             [--region intl|us|cn] [--send-retry-after]
 *                             [--fault-rule 'SUBSTRING={"status":400,"code":"DataInspectionFailed"}']...
 *                             [--log requests.jsonl] [--arrivals received.jsonl] [--extra-model ID]...
 * A fault rule answers every generation request whose body contains SUBSTRING (e.g. a marker in an
 * image URL) with that fault (see Fault in index.d.ts); repeatable. --log appends one JSON line per
 * finished request (no authorization headers, no image bytes), so scripts can check what was sent;
 * its `inputSha256` lists the SHA-256 of each data-URL image of the body (a URL as it is), also for
 * requests whose client went away before the answer. --arrivals appends a line per generation
 * request as soon as its body has been read (before the latency): a request is in the service's hands.
 * Prints one JSON line {"baseUrl":...,"apiKey":...} when listening and runs until SIGINT/SIGTERM.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const { startEmulator } = require('./index');

const USAGE =
	'usage: node test/emulator/cli.js [--port 8787] [--api-key K] [--latency-ms N] [--rate-per-minute N] [--rate-window-ms N] [--region intl|us|cn] [--send-retry-after] [--fault-rule SUBSTRING=JSON]... [--log FILE] [--arrivals FILE] [--extra-model ID]...';

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {import('./index').EmulatorOptions & { rateWindowMs?: number | null, faultRules: Array<[string, object]>, log?: string, arrivals?: string }} */
	const options = { faultRules: [] };
	const number = (flag, value) => {
		const n = Number(value);
		if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
		return n;
	};
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = argv[i + 1];
		switch (flag) {
			case '--port': options.port = number(flag, value); i++; break;
			case '--api-key': if (!value) throw new Error('--api-key needs a value'); options.apiKey = value; i++; break;
			case '--latency-ms': options.latencyMs = number(flag, value); i++; break;
			case '--rate-per-minute': options.ratePerMinute = number(flag, value) || null; i++; break;
			case '--region': options.region = /** @type {import('./index').Region} */ (value); i++; break;
			case '--send-retry-after': options.sendRetryAfter = true; break;
			case '--rate-window-ms': options.rateWindowMs = number(flag, value) || null; i++; break;
			case '--log': if (!value) throw new Error('--log needs a file'); options.log = value; i++; break;
			case '--extra-model': if (!value) throw new Error('--extra-model needs a model id'); options.extraModels = [...(options.extraModels ?? []), value]; i++; break;
			case '--arrivals': if (!value) throw new Error('--arrivals needs a file'); options.arrivals = value; i++; break;
			case '--fault-rule': {
				const at = (value ?? '').indexOf('={'); // the substring may hold '=' itself
				if (at <= 0) throw new Error('--fault-rule needs SUBSTRING=JSON');
				options.faultRules.push([value.slice(0, at), JSON.parse(value.slice(at + 1))]);
				i++;
				break;
			}
			case '--help': case '-h': console.log(USAGE); process.exit(0); break;
			default: throw new Error(`unknown argument ${flag}`);
		}
	}
	return options;
}

/** A log line without secrets or image bytes. @param {import('../emulator').RequestLogEntry} e */
function summarise(e) {
	const body = e.body && typeof e.body === 'object' ? e.body : undefined;
	return {
		at: new Date(e.startedAt).toISOString(),
		ms: (e.endedAt ?? Date.now()) - e.startedAt,
		method: e.method,
		path: e.path,
		status: e.status,
		code: e.code,
		requestId: e.requestId,
		model: e.model,
		task: e.task,
		answeredAs: e.answeredAs,
		images: e.images.map((i) => ({ source: i.source, format: i.sniffedFormat, width: i.width, height: i.height, bytes: i.bytes, sha256: i.sha256, enableRotate: i.enable_rotate })),
		imageUrls: collectUrls(body?.input?.messages ?? body?.messages),
		inputSha256: inputHashes(body),
		chat: e.chat,
		tools: Array.isArray(body?.tools) ? body.tools.map((t) => t?.function?.name) : undefined,
	};
}

/** http(s) image URLs in the request's messages (data URLs left out). */
function collectUrls(messages) {
	const urls = [];
	const visit = (v) => {
		if (typeof v === 'string') {
			if (/^https?:\/\//.test(v)) urls.push(v);
		} else if (Array.isArray(v)) v.forEach(visit);
		else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k === 'image' || k === 'image_url' || k === 'url' || typeof x === 'object') visit(x);
	};
	visit(messages);
	return urls.length ? urls : undefined;
}

/** The SHA-256 of each data-URL image of a request body (other references as they are). */
function inputHashes(body) {
	if (!body || typeof body !== 'object') return undefined;
	const found = [];
	const visit = (v) => {
		if (typeof v === 'string') {
			const data = /^data:[^,]*;base64,/.exec(v);
			if (data) found.push(crypto.createHash('sha256').update(Buffer.from(v.slice(data[0].length), 'base64')).digest('hex'));
			else if (/^(https?|oss):\/\//.test(v)) found.push(v);
		} else if (Array.isArray(v)) v.forEach(visit);
		else if (v && typeof v === 'object') Object.values(v).forEach(visit);
	};
	visit(body.input?.messages ?? body.messages);
	return found.length ? found : undefined;
}

async function main() {
	let options;
	try {
		options = parseArgs(process.argv.slice(2));
	} catch (err) {
		console.error(`${/** @type {Error} */ (err).message}\n${USAGE}`);
		process.exit(2);
	}
	const { rateWindowMs, faultRules, log, arrivals, ...startOptions } = options;
	const emu = await startEmulator(startOptions);
	for (const [substring, fault] of faultRules) emu.addFaultRule(substring, fault);
	if (rateWindowMs && startOptions.ratePerMinute) emu.setRateLimit(startOptions.ratePerMinute, { windowMs: rateWindowMs, sendRetryAfter: startOptions.sendRetryAfter });
	let written = 0;
	const flush = () => {
		if (!log) return;
		const lines = [];
		while (written < emu.requests.length && emu.requests[written].endedAt !== undefined) {
			lines.push(JSON.stringify(summarise(emu.requests[written])));
			written++;
		}
		if (lines.length) fs.appendFileSync(log, lines.join('\n') + '\n');
	};
	// Arrivals: entries whose body has been read, each once, in the order they are read.
	const arrived = new Set();
	let arrivedBelow = 0;
	const flushArrivals = () => {
		if (!arrivals) return;
		const lines = [];
		for (let i = arrivedBelow; i < emu.requests.length; i++) {
			const e = emu.requests[i];
			if (arrived.has(i)) continue;
			if (e.body && typeof e.body === 'object') lines.push(JSON.stringify({ at: new Date(e.startedAt).toISOString(), path: e.path, requestId: e.requestId, inputSha256: inputHashes(e.body) }));
			else if (e.endedAt === undefined) continue;
			arrived.add(i);
		}
		while (arrived.delete(arrivedBelow)) arrivedBelow++;
		if (lines.length) fs.appendFileSync(arrivals, lines.join('\n') + '\n');
	};
	const timer = log || arrivals ? setInterval(() => (flush(), flushArrivals()), 100) : undefined;
	console.log(JSON.stringify({ baseUrl: emu.baseUrl, apiKey: emu.apiKey }));
	const stop = () => {
		clearInterval(timer);
		flush();
		flushArrivals();
		emu.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
