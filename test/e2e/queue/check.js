// @ts-check
'use strict';

/**
 * The checks of test/e2e/queue.sh, against n8n in queue mode (main + 2 workers) that queue.sh has
 * started: webhook `qwen-ocr` (emulator "main", 50 ms) and `qwen-ocr-slow` (emulator "slow", 6 s).
 * Environment: WORK, WEBHOOK_BASE, API_KEY, EMULATOR_MAIN_URL, SLOW_PORT, WORKER1_PID, WORKER2_PID, N8N_BIN,
 * PG_BIN, PG_PORT and the n8n variables of queue/setup.sh (to start a worker again).
 */

const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const { createHash } = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const { ROOT, document, call, workerStarts, workersOf, emulatorLog } = require('./calls');
const { makeJpeg } = require('../../engine/images.ts');
const { makeJpegPdf } = require('../../engine/pdf');

const results = [];
let failed = false;
/** @param {string} name @param {boolean} ok @param {string} detail */
function report(name, ok, detail) {
	results.push({ name, ok, detail });
	if (!ok) failed = true;
	console.error(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
}

/** ~30 concurrent calls, each a different document: each caller gets its own text; both workers ran some. */
async function concurrentCalls() {
	const docs = Array.from({ length: 30 }, (_, i) => document(i));
	const answers = await Promise.all(docs.map((doc) => call('qwen-ocr', doc)));
	const wrong = answers
		.map((answer, i) => ({ answer, i }))
		.filter(({ answer, i }) => answer.status !== 200 || answer.items?.length !== 1 || answer.items[0].text !== docs[i].text);
	const requestIds = new Set(answers.map((answer) => answer.items?.[0]?._qwenOcr?.requestId));
	report('30 concurrent webhook calls, each its own result', wrong.length === 0 && requestIds.size === 30,
		wrong.length === 0 ? `30/30 correct, ${requestIds.size} distinct request ids, p50 ${median(answers.map((a) => a.ms))} ms`
			: `${wrong.length} wrong: ${JSON.stringify(wrong.slice(0, 3).map(({ answer, i }) => ({ i, status: answer.status, got: answer.items?.[0]?.text ?? answer.body ?? answer.error, want: docs[i].text })))}`);
	const ids = answers.map((answer) => answer.executionId ?? '');
	const starts = await workersOf(ids);
	const perWorker = [1, 2].map((n) => ids.filter((id) => starts.get(id)?.includes(n)).length);
	report('both workers ran executions', perWorker[0] > 0 && perWorker[1] > 0 && perWorker[0] + perWorker[1] === 30,
		`worker 1: ${perWorker[0]}, worker 2: ${perWorker[1]} (from their logs; execution ids from the x-execution-id response header)`);
	const rows = psql(`SELECT mode || ':' || status, count(*) FROM execution_entity WHERE id IN (${ids.map(Number).filter(Number.isFinite).join(',') || 0}) GROUP BY 1`);
	report('Postgres holds them as successful webhook executions', rows.trim() === 'webhook:success|30', rows.trim().replace(/\n/g, ', '));
}

/**
 * The same document through the queue and through n8n's engine in one process (regular mode, the
 * built node of dist/): the same items, request ids aside.
 */
async function sameAsRegular(label, doc, items) {
	const { runNode } = require('../../engine/harness');
	const { QwenOcr } = require(path.join(ROOT, 'dist/nodes/QwenOcr/QwenOcr.node.js'));
	const { QwenOcrApi } = require(path.join(ROOT, 'dist/credentials/QwenOcrApi.credentials.js'));
	const regular = await runNode({
		node: new QwenOcr(),
		credentialTypes: { qwenOcrApi: new QwenOcrApi() },
		credentials: { qwenOcrApi: { region: 'custom', baseUrl: process.env.EMULATOR_MAIN_URL, apiKey: process.env.API_KEY } },
		parameters: { operation: 'textRecognition', options: { includeMetadata: true, keepBinary: false } },
		items: [{ json: {}, binary: { data: { data: doc.body.toString('base64'), mimeType: doc.contentType, fileName: doc.name } } }],
	});
	const strip = (list) => JSON.stringify(list.map((json) => ({ ...json, _qwenOcr: { ...json._qwenOcr, requestId: undefined } })));
	const regularJson = regular.items.map((item) => item.json);
	const same = regular.error === undefined && strip(regularJson) === strip(items ?? []);
	report(`${label}: same items as in regular mode`, same, same ? `${regularJson.length} item(s) identical (request ids aside)` : `regular ${strip(regularJson).slice(0, 300)} | queue ${strip(items ?? []).slice(0, 300)}`);
}

/** A 9 MB JPEG: the webhook stores it in Postgres, a worker reads it and sends it by temporary upload. */
async function bigJpeg() {
	const body = makeJpeg(2450, 2450);
	const doc = { name: 'scan-9mb.jpg', body, contentType: 'image/jpeg', text: '(unrecognised image 2450x2450)' };
	const before = emulatorLog('main').length;
	const answer = await call('qwen-ocr', doc);
	const ok = answer.status === 200 && answer.items?.[0]?.text === doc.text;
	await waitFor(() => emulatorLog('main').length >= before + 3);
	const paths = emulatorLog('main').slice(before).map((entry) => `${entry.method} ${entry.path.replace(/\/api\/v1\/services\/aigc\/multimodal-generation\/generation$/, '/…/generation')}${entry.images?.[0] ? ` (${entry.images[0].source})` : ''}`);
	report(`9 MB JPEG (${(body.length / 1048576).toFixed(1)} MB) through a worker`, ok && paths.join(', ') === 'GET /api/v1/uploads, POST /oss, POST /…/generation (oss)',
		`${answer.status} ${answer.items?.[0]?.text ?? answer.body ?? answer.error}; emulator saw: ${paths.join(', ')}`);
	await sameAsRegular('9 MB JPEG', doc, answer.items);
}

/** A 20-page scanned PDF: 20 items, pages in order. */
async function scannedPdf() {
	const receipt = fs.readFileSync(path.join(ROOT, 'test/fixtures/images/receipt.jpg'));
	const truth = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/images/receipt.truth.json'), 'utf8'));
	const doc = { name: 'scan-20-pages.pdf', body: makeJpegPdf(receipt, 320, 370, 20), contentType: 'application/pdf' };
	const answer = await call('qwen-ocr', doc);
	const pages = (answer.items ?? []).map((item) => item.page);
	const ok = answer.status === 200 && pages.join() === Array.from({ length: 20 }, (_, i) => i + 1).join() && (answer.items ?? []).every((item) => item.text === truth.text && item.pageCount === 20);
	report('20-page scanned PDF through a worker', ok, ok ? '20 items, pages 1-20 in order, each the receipt text' : `${answer.status} ${JSON.stringify(answer.items ?? answer.body ?? answer.error).slice(0, 300)}`);
	await sameAsRegular('20-page PDF', doc, answer.items);
}

/**
 * kill -9 of a worker while its requests are in the emulator's hands (the "slow" emulator answers
 * after 6 s): does n8n run its executions again, does the emulator see a document twice, what do
 * callers see? Then the operator's recovery: the worker is started again and the callers that got
 * an error send their document again.
 */
async function workerKill() {
	const docs = Array.from({ length: 8 }, (_, i) => document(100 + i, 0));
	const hashes = docs.map((doc) => createHash('sha256').update(doc.body).digest('hex'));
	const pids = { 1: Number(process.env.WORKER1_PID), 2: Number(process.env.WORKER2_PID) };
	const slowPort = Number(process.env.SLOW_PORT);
	const started = Date.now();
	const calls = docs.map((doc) => call('qwen-ocr-slow', doc, 240_000));
	// The state to wait for: a worker (worker 1 if it has any) has a request open at the emulator,
	// and the emulator has read the body of every request open to it (none can have been answered yet).
	const open = (n) => connectionsTo(pids[n], slowPort);
	await waitFor(() => open(1) + open(2) > 0 && arrivals('slow').length >= open(1) + open(2), 120_000);
	const victim = open(1) > 0 ? 1 : 2;
	const inFlightOnKilled = open(victim);
	process.kill(pids[victim], 'SIGKILL');
	const killedAt = Date.now();
	const answers = await Promise.all(calls);
	const lastAnswer = Math.max(...answers.map((answer) => started + answer.ms)) - killedAt;
	const byStatus = countBy(answers.map((answer, i) => (answer.status === 200 ? (answer.items?.[0]?.text === docs[i].text ? '200 own result' : '200 WRONG') : `${answer.status} ${answer.items ? JSON.stringify(answer.items[0]) : answer.body ?? answer.error ?? ''}`.trim())));
	// Postgres: every execution of the slow workflow; the worker logs: who started which.
	const executions = psql(`SELECT id || ':' || status FROM execution_entity WHERE "workflowId" = 'qwenOcrQueue2' ORDER BY id`).trim().split('\n');
	const starts = workerStarts();
	const rerun = executions.filter((row) => (starts.get(row.split(':')[0]) ?? []).length > 1);
	const receivedBeforeResend = countBy(arrivals('slow').flatMap((entry) => entry.inputSha256 ?? []));
	console.error(`worker kill: ${inFlightOnKilled} request(s) of worker ${victim} in flight at the kill; executions (Postgres id:status) ${executions.join(', ')}; started twice: ${rerun.length ? rerun.join(', ') : 'none'}`);
	console.error(`worker kill: callers saw ${JSON.stringify(byStatus)}, the last ${(lastAnswer / 1000).toFixed(1)} s after the kill`);
	// The operator's recovery: the worker is started again, the callers that got an error re-send.
	const restarted = await startWorker(victim);
	const failedDocs = docs.filter((_, i) => answers[i].status !== 200);
	const resent = await Promise.all(failedDocs.map((doc) => call('qwen-ocr-slow', doc, 240_000)));
	const resentOk = resent.every((answer, i) => answer.status === 200 && answer.items?.[0]?.text === failedDocs[i].text);
	const received = countBy(arrivals('slow').flatMap((entry) => entry.inputSha256 ?? []));
	const twiceBeforeResend = hashes.filter((hash) => (receivedBeforeResend[hash] ?? 0) > 1).length;
	const twice = hashes.filter((hash) => (received[hash] ?? 0) > 1).length;
	console.error(`worker kill: the emulator received the 8 documents ${hashes.reduce((sum, hash) => sum + (receivedBeforeResend[hash] ?? 0), 0)} times before the re-send (${twiceBeforeResend} twice), ${hashes.reduce((sum, hash) => sum + (received[hash] ?? 0), 0)} times in all (${twice} twice)`);
	report('kill -9 of a worker: every caller gets an answer, none a wrong result, nothing run twice by n8n',
		answers.every((answer) => answer.status !== 0) && !byStatus['200 WRONG'] && inFlightOnKilled > 0 && rerun.length === 0,
		`${inFlightOnKilled} request(s) in flight on the killed worker; executions ${executions.join(', ')}; re-run by n8n: ${rerun.length}; callers: ${JSON.stringify(byStatus)}, the last ${(lastAnswer / 1000).toFixed(1)} s after the kill; documents received twice by the emulator: ${twiceBeforeResend}`);
	report('worker started again, failed calls re-sent', restarted && resentOk,
		`${resent.length} re-sent, ${resent.filter((a) => a.status === 200).length} answered 200 with their own text; documents the emulator then received twice (billed twice): ${twice}`);
}

/** The slow emulator's requests whose body it has read. */
function arrivals(name) {
	const file = path.join(process.env.WORK ?? '', `${name}.arrivals.jsonl`);
	return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
}

/** Established TCP connections of a process to a local port (/proc: socket inodes of its fds). */
function connectionsTo(pid, port) {
	let fds;
	try {
		fds = new Set(fs.readdirSync(`/proc/${pid}/fd`).map((fd) => { try { return fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } }));
	} catch {
		return 0;
	}
	const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
	let count = 0;
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		if (!fs.existsSync(table)) continue;
		for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
			const cols = line.trim().split(/\s+/);
			if (cols.length < 10 || cols[3] !== '01' || !cols[2].endsWith(`:${hexPort}`)) continue;
			if (fds.has(`socket:[${cols[9]}]`)) count++;
		}
	}
	return count;
}

/**
 * Starts `n8n worker` n again with the environment queue.sh set (its pid goes to $WORK/pids, which
 * queue.sh's cleanup stops) and waits until its health check says ready.
 */
async function startWorker(n) {
	const health = await freePort();
	const log = fs.openSync(path.join(process.env.WORK ?? '', `worker-${n}.log`), 'a');
	const child = spawn(process.env.N8N_BIN ?? 'n8n', ['worker', '--concurrency=10'], {
		env: { ...process.env, QUEUE_HEALTH_CHECK_PORT: String(health), N8N_RUNNERS_BROKER_PORT: String(await freePort()) },
		stdio: ['ignore', log, log],
	});
	fs.appendFileSync(path.join(process.env.WORK ?? '', 'pids'), `${child.pid}\n`);
	child.unref();
	const ready = async () => (await fetch(`http://127.0.0.1:${health}/healthz/readiness`).catch(() => undefined))?.ok === true;
	const deadline = Date.now() + 300_000;
	while (Date.now() < deadline && child.exitCode === null) {
		if (await ready()) return true;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return false;
}

function freePort() {
	return new Promise((resolve) => {
		const server = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

function psql(sql) {
	const args = ['-h', '127.0.0.1', '-p', String(process.env.PG_PORT), '-U', 'postgres', '-d', 'n8n', '-qAt', '-c', sql];
	const bin = path.join(process.env.PG_BIN ?? '', 'psql');
	const run = process.getuid?.() === 0 ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' }) : spawnSync(bin, args, { encoding: 'utf8' });
	return run.status === 0 ? run.stdout : `psql failed: ${run.stderr}`;
}

async function waitFor(condition, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

const countBy = (values) => values.reduce((acc, value) => ({ ...acc, [value]: (acc[value] ?? 0) + 1 }), {});
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

(async () => {
	for (const step of [concurrentCalls, bigJpeg, scannedPdf, workerKill]) {
		const started = Date.now();
		try {
			await step();
		} catch (error) {
			report(step.name, false, /** @type {Error} */ (error).stack ?? String(error));
		}
		console.error(`      (${step.name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
	}
	console.log('\n## n8n 2.x queue mode (main + 2 workers, Postgres, Redis)\n\n| check | result | detail |\n|---|---|---|');
	for (const r of results) console.log(`| ${r.name} | ${r.ok ? 'PASS' : 'FAIL'} | ${r.detail.replace(/\|/g, '\\|')} |`);
	process.exit(failed ? 1 : 0);
})();
