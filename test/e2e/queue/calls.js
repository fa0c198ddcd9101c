// @ts-check
'use strict';

/**
 * What test/e2e/queue.sh's checks and benchmark share: webhook calls, distinct documents with the
 * answer the emulator gives each, which worker ran which execution, the emulator's request log.
 * Environment (set by queue.sh): WORK, WEBHOOK_BASE.
 */

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'images');
// Node 24 runs the TypeScript image makers of the engine tests directly.
const { makePng } = require('../../engine/images.ts');

const WORK = process.env.WORK ?? '';
const WEBHOOK_BASE = process.env.WEBHOOK_BASE ?? '';

/**
 * Document i: the fixtures first (answered from their truth), then PNGs of distinct sizes that no
 * fixture has (answered "(unrecognised image WxH)"), so every caller expects its own text.
 * @param {number} i
 * @param {number} fixtures how many of the first documents are fixtures (at most 6)
 */
function document(i, fixtures = 6) {
	const names = ['receipt.jpg', 'invoice.png', 'table.png', 'document.png', 'formula.png', 'multilang.png'].slice(0, fixtures);
	if (i < names.length) {
		const name = names[i];
		const truth = JSON.parse(fs.readFileSync(path.join(FIXTURES, name.replace(/\.\w+$/, '.truth.json')), 'utf8'));
		return { name, body: fs.readFileSync(path.join(FIXTURES, name)), contentType: name.endsWith('.jpg') ? 'image/jpeg' : 'image/png', text: truth.text };
	}
	const width = 1000 + i;
	return { name: `scan-${i}.png`, body: makePng(width, 157), contentType: 'image/png', text: `(unrecognised image ${width}x157)` };
}

/**
 * POSTs a document to a production webhook; never throws.
 * @param {string} webhookPath @param {{ name: string, body: Buffer, contentType: string }} doc
 * @returns {Promise<{ status: number, items?: any[], body?: string, executionId?: string, ms: number, error?: string }>}
 */
async function call(webhookPath, doc, timeoutMs = 300_000) {
	const started = Date.now();
	try {
		const response = await fetch(`${WEBHOOK_BASE}/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': doc.contentType, 'content-disposition': `attachment; filename="${doc.name}"` },
			body: doc.body,
			signal: AbortSignal.timeout(timeoutMs),
		});
		const body = await response.text();
		let items;
		try {
			const parsed = JSON.parse(body);
			items = Array.isArray(parsed) ? parsed : [parsed];
		} catch {
			items = undefined;
		}
		return { status: response.status, items, body: items ? undefined : body.slice(0, 300), executionId: response.headers.get('x-execution-id') ?? undefined, ms: Date.now() - started };
	} catch (error) {
		return { status: 0, ms: Date.now() - started, error: /** @type {Error} */ (error).message };
	}
}

/** Execution id → the workers that started it (1 or 2), from their logs ("Worker started execution 12 (job 7)"). */
function workerStarts() {
	/** @type {Map<string, number[]>} */
	const byExecution = new Map();
	for (const n of [1, 2]) {
		const file = path.join(WORK, `worker-${n}.log`);
		const log = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
		for (const match of log.matchAll(/Worker started execution (\d+)/g)) byExecution.set(match[1], [...(byExecution.get(match[1]) ?? []), n]);
	}
	return byExecution;
}

/** Waits (polling) until every id is in a worker log: logs are written asynchronously. */
async function workersOf(ids, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const starts = workerStarts();
		if (ids.every((id) => starts.has(id)) || Date.now() > deadline) return starts;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** @param {string} name the emulator's name in queue.sh @returns {any[]} */
function emulatorLog(name) {
	const file = path.join(WORK, `${name}.jsonl`);
	if (!fs.existsSync(file)) return [];
	return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

const isGeneration = (entry) => entry.path.endsWith('/multimodal-generation/generation');

/** @param {number[]} values @param {number} q */
function quantile(values, q) {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

module.exports = { ROOT, WORK, document, call, workerStarts, workersOf, emulatorLog, isGeneration, quantile };
