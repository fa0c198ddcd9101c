#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The DashScope emulator as a process, with its request log written to a file (one JSON line per
 * finished request) so shell scripts can check what n8n sent:
 *
 *   node test/dev/emulator.js [--port 0] [--api-key K] [--log requests.jsonl] [--latency-ms N]
 *
 * Prints {"baseUrl","apiKey"} on one line when listening (like test/emulator/cli.js); stops on
 * SIGINT/SIGTERM. Authorization headers and image data are not logged.
 */

const fs = require('node:fs');
const { startEmulator } = require('../emulator');

function parseArgs(argv) {
	/** @type {{ port: number, apiKey?: string, log?: string, latencyMs: number }} */
	const out = { port: 0, latencyMs: 0 };
	for (let i = 0; i < argv.length; i++) {
		const [flag, value] = [argv[i], argv[i + 1]];
		if (flag === '--port') out.port = Number(value);
		else if (flag === '--api-key') out.apiKey = value;
		else if (flag === '--log') out.log = value;
		else if (flag === '--latency-ms') out.latencyMs = Number(value);
		else throw new Error(`unknown argument ${flag}`);
		i++;
	}
	return out;
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
		images: e.images.map((i) => ({ source: i.source, format: i.sniffedFormat, width: i.width, height: i.height, bytes: i.bytes })),
		imageUrls: collectUrls(body?.input?.messages ?? body?.messages),
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

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const emu = await startEmulator({ port: args.port, apiKey: args.apiKey, latencyMs: args.latencyMs });
	let written = 0;
	const flush = () => {
		if (!args.log) return;
		const lines = [];
		while (written < emu.requests.length && emu.requests[written].endedAt !== undefined) {
			lines.push(JSON.stringify(summarise(emu.requests[written])));
			written++;
		}
		if (lines.length) fs.appendFileSync(args.log, lines.join('\n') + '\n');
	};
	const timer = setInterval(flush, 100);
	console.log(JSON.stringify({ baseUrl: emu.baseUrl, apiKey: emu.apiKey }));
	const stop = () => {
		clearInterval(timer);
		flush();
		emu.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
