#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Imports every example workflow of test/examples into a real n8n 2.x (the packed package installed
 * as a community package), runs each with `n8n execute --id` against the DashScope emulator and
 * checks the outputs. The examples read /home/node/.n8n-files/<file> (n8n's default allowed folder in
 * Docker); here those nodes read the fixture of the same name.
 *
 *   bash test/examples/run.sh               (npm run test:examples)
 *   EXAMPLES_SKIP_BUILD=1 / EXAMPLES_KEEP=1
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const lib = require('../dev/lib');

const DIR = __dirname;

/** What each example must produce; `out(node)` = output items of a node. */
const EXPECTATIONS = {
	'invoice-intake.json': (/** @type {(n: string) => any[]} */ out) => {
		const items = out('Extract invoice fields');
		assert.equal(items.length, 3, 'one item per line item');
		assert.deepEqual(items.map((i) => i.description), ['Blue Widget', 'Steel Bracket (pack of 10)', 'Installation Service']);
		assert.deepEqual(items.map((i) => i.amount), [25, 27, 85], 'amounts as numbers');
		for (const i of items) {
			assert.equal(i.document.invoice_number, 'INV-2024-0042');
			assert.equal(i.document.total_amount, 164.4);
		}
		const rows = out('Line items for accounting');
		assert.deepEqual(rows[1], { invoice_number: 'INV-2024-0042', invoice_date: '2024-03-05', seller: 'Acme Widgets Ltd', currency: 'USD', line: 2, description: 'Steel Bracket (pack of 10)', quantity: 3, unit_price: 9, amount: 27, invoice_total: 164.4 });
		return `3 line items, document.invoice_number ${items[0].document.invoice_number}, total ${items[0].document.total_amount}`;
	},
	'receipt-to-rows.json': (out) => {
		const items = out('Extract receipt fields');
		assert.equal(items.length, 4, 'one item per article');
		const rows = out('Spreadsheet row');
		assert.deepEqual(rows.map((r) => r.article), ['Milk 1L', 'Bread', 'Apples x3', 'Coffee beans']);
		assert.deepEqual(rows.map((r) => r.price), [1.2, 2.5, 1.8, 6.49], 'prices as numbers');
		for (const r of rows) assert.equal(r.date, '2024-06-14');
		return `4 rows: ${rows.map((r) => `${r.article} ${r.price}`).join(', ')}; date ${rows[0].date}, merchant ${JSON.stringify(rows[0].merchant)}, total ${rows[0].receipt_total}`;
	},
	'table-to-rows.json': (out) => {
		const rows = out('Table rows').map(({ _qwenOcr, ...row }) => row);
		assert.deepEqual(rows, [
			{ Region: 'North', Q1: '120', Q2: '135', Q3: '150' },
			{ Region: 'South', Q1: '98', Q2: '110', Q3: '125' },
			{ Region: 'East', Q1: '143', Q2: '151', Q3: '160' },
		]);
		return `3 rows: ${rows.map((r) => `${r.Region} ${r.Q1}/${r.Q2}/${r.Q3}`).join(', ')}`;
	},
	'screenshot-to-text.json': (out) => {
		const items = out('Screenshot text');
		assert.equal(items.length, 1);
		assert.match(items[0].text, /^1 Introduction\nOptical character recognition \(OCR\)/);
		return `text: ${JSON.stringify(items[0].text.slice(0, 60))}…`;
	},
};

/** The example workflow files, in a stable order. */
function exampleFiles() {
	return fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
}

async function main() {
	lib.setLogTag('examples');
	const started = Date.now();
	const keep = process.env.EXAMPLES_KEEP === '1';
	const work = lib.tempDir('qwen-ocr-examples-');
	lib.installCleanup(async () => {
		if (!keep) fs.rmSync(work, { recursive: true, force: true });
	});
	const logFile = path.join(work, 'commands.log');
	const lines = [];
	let failed = 0;
	try {
		const files = exampleFiles();
		const missing = files.filter((f) => !EXPECTATIONS[/** @type {keyof typeof EXPECTATIONS} */ (f)]);
		if (missing.length) throw new Error(`no expectations for ${missing.join(', ')}: add them to test/examples/run.js`);
		const n8n = await lib.ensureN8n2();
		if (process.env.EXAMPLES_SKIP_BUILD !== '1') await lib.buildPackage(logFile);
		const tarball = await lib.packPackage(path.join(work, 'pack'), logFile);
		const home = path.join(work, 'home');
		await lib.installPackedPackage(home, tarball, logFile);
		const emu = await lib.startEmulator({ requestLog: path.join(work, 'emulator-requests.jsonl'), outputLog: path.join(work, 'emulator.log') });
		const env = lib.n8nEnv({ home, port: await lib.freePort(), brokerPort: await lib.freePort(), filesDir: lib.FIXTURES_DIR });
		await lib.importCredentials(n8n, env, lib.emulatorCredentials(emu), work, logFile);
		const workflows = files.map((f) => lib.localiseWorkflow(JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')), { filesDir: lib.FIXTURES_DIR, emulatorUrl: emu.baseUrl }));
		await lib.importWorkflows(n8n, env, workflows, work, logFile);
		lib.log(`imported ${files.length} examples into n8n ${n8n.version} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
		for (const [i, file] of files.entries()) {
			const wf = workflows[i];
			let status = 'PASS';
			let detail = '';
			let ms = 0;
			try {
				const result = await lib.executeWorkflow(n8n, env, wf.id, logFile);
				ms = result.ms;
				if (keep) fs.writeFileSync(path.join(work, `${file}.run.json`), JSON.stringify(result.run, null, 2));
				const err = result.run.data.resultData.error;
				if (err) throw new Error(`execution failed: ${err.message}${err.description ? ` (${err.description})` : ''}`);
				detail = EXPECTATIONS[/** @type {keyof typeof EXPECTATIONS} */ (file)]((node) => {
					const items = lib.nodeOutput(result.run, node);
					if (!items) throw new Error(`node "${node}" did not run`);
					return items;
				});
			} catch (err) {
				status = 'FAIL';
				failed++;
				detail = /** @type {Error} */ (err).message.split('\n').slice(0, 12).join(' ');
			}
			lib.log(`${status}  ${file} (${(ms / 1000).toFixed(1)} s): ${detail}`);
			lines.push(`| ${file} | ${wf.name} | ${status} | ${(ms / 1000).toFixed(1)} | ${detail.replace(/\|/g, '\\|')} |`);
		}
	} catch (err) {
		failed++;
		lib.log(`ERROR: ${/** @type {Error} */ (err).stack ?? err}`);
	}
	process.stdout.write(`\n## Example workflows in n8n ${lib.N8N2_VERSION}\n| file | workflow | result | s | detail |\n|---|---|---|---|---|\n${lines.join('\n')}\n\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
	if (keep) lib.log(`kept ${work}`);
	await lib.stopAll();
	if (!keep) fs.rmSync(work, { recursive: true, force: true });
	process.exit(failed ? 1 : 0);
}

main();
