// @ts-check
'use strict';

/**
 * `bash test/e2e/queue.sh --bench`: load through a quota in queue mode (benchmark, not CI).
 *   node bench.js --calls 300 --label L [--out file.json] "<run title>=<webhook path>"...
 * Each run: `calls` webhook calls at once, each a distinct image; the webhook path's emulator logs
 * every request ($WORK/<path>.jsonl). Prints one markdown row per run.
 */

const fs = require('node:fs');
const { document, call, workersOf, emulatorLog, isGeneration, quantile } = require('./calls');

const QUOTA_PER_MIN = 600; // queue.sh's emulators other than `free` allow 10 requests per 1-second window

function parseArgs(argv) {
	const options = { calls: 300, label: '', out: '', runs: /** @type {Array<[string, string]>} */ ([]) };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--calls') options.calls = Number(argv[++i]);
		else if (argv[i] === '--label') options.label = argv[++i];
		else if (argv[i] === '--out') options.out = argv[++i];
		else {
			const at = argv[i].lastIndexOf('=');
			options.runs.push([argv[i].slice(0, at), argv[i].slice(at + 1)]);
		}
	}
	return options;
}

async function run(title, webhookPath, calls) {
	const docs = Array.from({ length: calls }, (_, i) => document(i, 0));
	const expected = new Set(docs.map((doc) => doc.text));
	const started = Date.now();
	const answers = await Promise.all(docs.map((doc) => call(webhookPath, doc, 900_000)));
	const wallMs = Date.now() - started;
	const texts = answers.map((answer) => (answer.status === 200 && answer.items?.length === 1 ? answer.items[0].text : undefined));
	const correct = texts.filter((text, i) => text === docs[i].text).length;
	const swapped = texts.filter((text, i) => text !== undefined && text !== docs[i].text && expected.has(text)).length;
	const lost = calls - correct - swapped;
	// The emulator logs a request once it has ended: wait until it has logged every answered one.
	const deadline = Date.now() + 60_000;
	let log = emulatorLog(webhookPath).filter(isGeneration);
	while (log.filter((entry) => entry.status === 200).length < correct + swapped && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 200));
		log = emulatorLog(webhookPath).filter(isGeneration);
	}
	const admitted = log.filter((entry) => entry.status === 200);
	const first = Math.min(...log.map((entry) => Date.parse(entry.at)));
	const lastAdmitted = Math.max(...admitted.map((entry) => Date.parse(entry.at)));
	// Admitted per minute over the quota windows the run used (first request to the window of the last admitted one).
	const admittedPerMin = (admitted.length * 60_000) / (lastAdmitted - first + 1000);
	const ids = answers.map((answer) => answer.executionId).filter((id) => id !== undefined);
	const starts = await workersOf(ids);
	const perWorker = [1, 2].map((n) => ids.filter((id) => starts.get(id)?.includes(n)).length);
	const latencies = answers.map((answer) => answer.ms);
	const failures = answers.filter((answer) => answer.status !== 200).map((answer) => `${answer.status} ${answer.body ?? answer.error ?? ''}`.slice(0, 120));
	return {
		title,
		calls,
		correct,
		lost,
		swapped,
		requests: log.length,
		admitted: admitted.length,
		throttled: log.filter((entry) => entry.status === 429).length,
		admittedPerMin: Math.round(admittedPerMin),
		quotaShare: webhookPath === 'free' ? undefined : admittedPerMin / QUOTA_PER_MIN,
		p50Ms: quantile(latencies, 0.5),
		p95Ms: quantile(latencies, 0.95),
		wallMs,
		perWorker,
		failures: [...new Set(failures)].slice(0, 5),
	};
}

(async () => {
	const options = parseArgs(process.argv.slice(2));
	const rows = [];
	for (const [title, webhookPath] of options.runs) {
		console.error(`[bench] ${title}: ${options.calls} calls at once`);
		const row = await run(title, webhookPath, options.calls);
		console.error(`[bench] ${JSON.stringify(row)}`);
		rows.push(row);
	}
	console.log(`\n### ${options.label}: ${options.calls} concurrent webhook calls, main + 2 workers\n`);
	console.log('| run | lost | swapped | requests | 429 | admitted/min (% of quota) | p50 call | p95 call | wall | executions worker 1 / 2 |');
	console.log('|---|---|---|---|---|---|---|---|---|---|');
	for (const r of rows) {
		const share = r.quotaShare === undefined ? '' : ` (${Math.round(100 * r.quotaShare)} %)`;
		console.log(`| ${r.title} | ${r.lost} | ${r.swapped} | ${r.requests} | ${r.throttled} | ${r.admittedPerMin}${share} | ${(r.p50Ms / 1000).toFixed(1)} s | ${(r.p95Ms / 1000).toFixed(1)} s | ${(r.wallMs / 1000).toFixed(1)} s | ${r.perWorker.join(' / ')} |`);
	}
	if (options.out) fs.writeFileSync(options.out, JSON.stringify({ label: options.label, at: new Date().toISOString(), rows }, null, 2));
})();
