#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Checks what a real n8n printed for `n8n execute --id=<id> --rawOutput`, one workflow of
 * test/e2e/workflows/ at a time, against the fixture truth sidecars.
 *
 *   node test/e2e/assert.js --results <dir> --label "n8n 2.40.7 (Node 24)" [--json <file>]
 *
 * <dir> holds, per workflow file <slug>.json: <slug>.out (stdout), <slug>.err (stderr), <slug>.rc
 * (exit code), <slug>.ms (wall time); and meta.json { apiKey, fixturesDir }. Prints a table, writes
 * the rows as JSON when asked, exits 1 when any workflow fails.
 *
 * Also usable as a library: extractRunJson(text) finds the run JSON in n8n's mixed output.
 */

const fs = require('fs');
const path = require('path');
const assert = require('assert/strict');

const ROOT = path.join(__dirname, '..', '..');
const WORKFLOWS_DIR = path.join(__dirname, 'workflows');
const QWEN_TYPE = 'n8n-nodes-qwen-ocr.qwenOcr';

// ------------------------------------------------------------------------------------------------
// Run JSON extraction

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * n8n 2.x prints the run JSON through its logger (info level), among other log lines, possibly
 * with a timestamp/level prefix before the opening brace and a metadata object after the closing
 * one; n8n 1.x prints it bare after a few warnings. The JSON is pretty-printed with 2 spaces: its
 * inner lines start with whitespace, its outer braces stand alone. Tries every candidate block,
 * dropping foreign lines that a concurrent writer (task runner) may have interleaved.
 * @param {string} text
 * @returns {any | undefined} the IRun object ({ data: { resultData } , ... })
 */
function extractRunJson(text) {
	const lines = text.replace(ANSI, '').split(/\r?\n/);
	const starts = [];
	for (let i = 0; i < lines.length; i++) if (/(^|\s)\{$/.test(lines[i])) starts.push(i);
	for (const start of starts) {
		const body = ['{'];
		for (let j = start + 1; j < lines.length; j++) {
			const line = lines[j];
			if (/^\}/.test(line)) {
				body.push('}');
				try {
					const value = JSON.parse(body.join('\n'));
					if (value && typeof value === 'object' && value.data && value.data.resultData) return value;
				} catch {
					// not the end of this block yet (a nested object closing at column 0 cannot happen
					// in 2-space pretty JSON, but a foreign log line might look like one)
				}
				body.pop();
				continue;
			}
			if (/^\s/.test(line) || line === '') body.push(line);
			// anything else is a log line of another writer: skip it
		}
	}
	return undefined;
}

// ------------------------------------------------------------------------------------------------
// Expectations

/** @param {string} name */
function truth(name) {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/images', name.replace(/\.[a-z]+$/, '.truth.json')), 'utf8'));
}

const TABLE_ROWS = [
	['Regional Sales 2024', 'Regional Sales 2024', 'Regional Sales 2024', 'Regional Sales 2024'],
	['Region', 'Sales (kUSD)', 'Sales (kUSD)', 'Sales (kUSD)'],
	['Region', 'Q1', 'Q2', 'Q3'],
	['North', '120', '135', '150'],
	['South', '98', '110', '125'],
	['East', '143', '151', '160'],
];

/** Strips the metadata to compare extracted fields. @param {Record<string, any>} json */
function withoutMeta(json) {
	const { _qwenOcr, ...rest } = json;
	return rest;
}

/** Same number, whether the node outputs "164.40" or 164.4. @param {unknown} value */
function amount(value) {
	return Number(value);
}

/**
 * advancedRecognition on a binary/base64 image: every line of the truth, boxes clamped to the image.
 * @param {any[]} items @param {string} file
 */
function checkLinesClamped(items, file) {
	const t = truth(file);
	assert.equal(items.length, 1, 'one item');
	const { lines, text } = items[0].json;
	assert.equal(lines.length, t.lines.length, 'lines length');
	assert.equal(text, t.lines.map((/** @type {any} */ l) => l.text).join('\n'), 'text = lines joined');
	lines.forEach((/** @type {any} */ line, /** @type {number} */ i) => {
		assert.equal(line.text, t.lines[i].text, `line ${i} text`);
		assert.equal(line.location.length, 8, `line ${i} location has 8 numbers`);
		line.location.forEach((/** @type {number} */ v, /** @type {number} */ k) => {
			assert.ok(v >= 0, `line ${i} location[${k}] = ${v} < 0 (not clamped)`);
			assert.ok(v <= (k % 2 === 0 ? t.width : t.height), `line ${i} location[${k}] = ${v} outside the image`);
		});
		assert.equal(line.rotateRect.length, 5, `line ${i} rotateRect has 5 numbers`);
	});
	const outside = t.lines.findIndex((/** @type {any} */ l) => l.location.some((/** @type {number} */ v) => v < 0));
	assert.ok(outside >= 0, 'the fixture has a box outside the image');
	assert.equal(lines[outside].location[0], 0, 'the box the API reports at x < 0 is clamped to 0');
	return `${lines.length} lines, clamped`;
}

/**
 * Error routing (workflows 17-20): invoice URLs ?route=ok, ?route=cut (the emulator cuts the answer:
 * needs review) and ?route=bad (rejected, 400 DataInspectionFailed), checked per output by pairedItem.
 * A failed item holds only `error` (n8n adds the input item's fields on the error output).
 * @param {number[][]} expected input item indexes per output
 */
function routingCheck(expected) {
	return (/** @type {any[]} */ _items, /** @type {any[][]} */ outputs) => {
		const routing = outputs.map((output) => (output ?? []).map((/** @type {any} */ item) => item.pairedItem?.item));
		assert.deepEqual(routing, expected, 'input items per output');
		const failed = outputs.flat().find((/** @type {any} */ item) => item.pairedItem?.item === 2);
		assert.equal(failed.json.error?.code, 'DataInspectionFailed', 'the rejected invoice: error.code');
		assert.equal(failed.json.error?.httpStatus, 400, 'the rejected invoice: error.httpStatus');
		assert.deepEqual(Object.keys(failed.json).filter((key) => key !== 'urls'), ['error'], 'the failed item holds only error');
		const cut = outputs.flat().find((/** @type {any} */ item) => item.pairedItem?.item === 1);
		assert.equal(cut.json._qwenOcr?.truncated, true, 'the cut-off invoice is flagged truncated');
		return `outputs ${JSON.stringify(routing)}`;
	};
}

const CANCEL_TIMEOUT_S = 6;

/**
 * Workflow 21: Timeout Workflow (executionTimeout 6 s) while 5 items wait on a 30 s Retry-After and
 * others are in flight (2 s latency). n8n cancels the execution; nothing may reach the emulator after
 * that. The emulator's request log (shared by both n8n runs) is read for this run's tag, the newest.
 * @param {{ stdout: string, stderr: string, rc: number, ms: number, requestLog: string }} result
 */
function checkCancelRun(result) {
	const combined = `${result.stdout}\n${result.stderr}`.replace(ANSI, '');
	assert.match(combined, /cancel|timeout|timed out/i, 'n8n reports the execution as canceled by its timeout');
	const entries = fs.readFileSync(result.requestLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
	const tagged = entries
		.filter((entry) => entry.path === '/api/v1/services/aigc/multimodal-generation/generation')
		.map((entry) => ({ entry, run: /[?&]run=(\d+)/.exec((entry.imageUrls ?? []).join(' '))?.[1] }))
		.filter((tag) => tag.run !== undefined);
	assert.ok(tagged.length > 0, 'the emulator logged requests of this workflow');
	const run = tagged.map((tag) => Number(tag.run)).reduce((a, b) => Math.max(a, b));
	const requests = tagged.filter((tag) => Number(tag.run) === run).map((tag) => tag.entry);
	// `run` is the Set node's $now, just after the execution started: the timeout fired no later than run + 6 s.
	const deadline = run + CANCEL_TIMEOUT_S * 1000;
	const after = requests.filter((entry) => Date.parse(entry.at) > deadline);
	assert.equal(after.length, 0, `${after.length} request(s) started after the timeout`);
	const held = requests.filter((entry) => (entry.imageUrls ?? []).some((/** @type {string} */ url) => url.includes('hold=1')));
	assert.equal(held.length, 5, 'each throttled item was sent once, its retry (after 30 s) never');
	assert.ok(requests.length >= 10, `the node was mid-run at the timeout (${requests.length} requests)`);
	return `${requests.length} requests before the timeout, 0 after; n8n execute returned ${(result.ms / 1000).toFixed(1)} s after start (timeout ${CANCEL_TIMEOUT_S} s)`;
}

/**
 * Per workflow id: the Qwen OCR node's items → a short summary, throwing on any mismatch.
 * `errorItems`: indexes of items expected to be error items (continueOnFail).
 * `ownItemChecks`: the check looks at every item itself (items may be cut off or failed on any output).
 * `checkRun`: the workflow is expected not to finish (canceled); it replaces every other check.
 * @type {Record<string, { operation: string, input: string, errorItems?: number[], ownItemChecks?: boolean,
 *   check?: (items: any[], outputs: any[][], result: any) => string, checkRun?: (result: any) => string }>}
 */
const EXPECTATIONS = {
	qwenOcrExample17: {
		operation: 'KIE routing: Continue (regular output)',
		input: 'URLs: valid, cut off, rejected',
		ownItemChecks: true,
		check: routingCheck([[0, 1, 2]]),
	},
	qwenOcrExample18: {
		operation: 'KIE routing: Continue (regular output) + Needs Review',
		input: 'URLs: valid, cut off, rejected',
		ownItemChecks: true,
		check: routingCheck([[0], [1, 2]]),
	},
	qwenOcrExample19: {
		operation: 'KIE routing: Continue (using error output)',
		input: 'URLs: valid, cut off, rejected',
		ownItemChecks: true,
		check: routingCheck([[0, 1], [2]]),
	},
	qwenOcrExample20: {
		operation: 'KIE routing: Continue (using error output) + Needs Review',
		input: 'URLs: valid, cut off, rejected',
		ownItemChecks: true,
		check: routingCheck([[0], [1], [2]]),
	},
	qwenOcrExample21: {
		operation: 'textRecognition x 50, Timeout Workflow 6 s',
		input: 'URLs, 5 held by Retry-After 30 s, 2 s latency',
		checkRun: checkCancelRun,
	},
	qwenOcrExample01: {
		operation: 'textRecognition',
		input: 'binary receipt.jpg',
		check(items) {
			assert.equal(items.length, 1, 'one item');
			assert.equal(items[0].json.text, truth('receipt.jpg').text, 'text');
			assert.equal(items[0].json._qwenOcr.task, 'text_recognition', '_qwenOcr.task');
			assert.ok(items[0].binary && items[0].binary.data, 'keepBinary (default): the input binary is kept');
			return `text ${items[0].json.text.length} chars`;
		},
	},
	qwenOcrExample02: {
		operation: 'advancedRecognition',
		input: 'binary invoice.png',
		check: (items) => checkLinesClamped(items, 'invoice.png'),
	},
	qwenOcrExample03: {
		operation: 'keyInformationExtraction',
		input: 'binary invoice.png',
		check(items) {
			const f = truth('invoice.png').fields;
			assert.equal(items.length, 1, 'one item');
			const json = items[0].json;
			assert.equal(json.invoice_number, 'INV-2024-0042', 'invoice_number');
			assert.equal(json.invoice_date, f.invoice_date, 'invoice_date');
			assert.equal(json.seller?.name, f.seller.name, 'seller.name');
			assert.equal(json.seller?.tax_id, f.seller.tax_id, 'seller.tax_id');
			assert.equal(json.buyer?.name, f.buyer.name, 'buyer.name');
			assert.equal(json.currency, 'USD', 'currency');
			assert.equal(amount(json.total_amount), 164.4, 'total_amount');
			assert.equal(amount(json.tax_amount), 27.4, 'tax_amount');
			assert.ok(Array.isArray(json.items), 'items is a list');
			assert.equal(json.items.length, 3, 'items length');
			assert.deepEqual(json.items.map((/** @type {any} */ i) => i.description), f.items.map((/** @type {any} */ i) => i.description), 'items[].description');
			assert.deepEqual(json.items.map((/** @type {any} */ i) => amount(i.amount)), [25, 27, 85], 'items[].amount');
			return `${json.invoice_number}, ${json.items.length} items, total ${json.total_amount}`;
		},
	},
	qwenOcrExample04: {
		operation: 'tableParsing',
		input: 'binary table.png',
		check(items) {
			assert.equal(items.length, 1, 'one item');
			assert.deepEqual(items[0].json.tables, [{ rows: TABLE_ROWS }], 'tables (spans expanded)');
			assert.equal(items[0].json.html, truth('table.png').table_html, 'html');
			return `1 table, ${TABLE_ROWS.length}x${TABLE_ROWS[0].length}`;
		},
	},
	qwenOcrExample12: {
		operation: 'textRecognition',
		input: 'binary multipage.pdf',
		check(items) {
			assert.equal(items.length, 3, 'one item per page');
			assert.deepEqual(items.map((/** @type {any} */ i) => [i.json.page, i.json.pageCount]), [[1, 3], [2, 3], [3, 3]], 'page, pageCount');
			assert.deepEqual(
				items.map((/** @type {any} */ i) => i.json.text),
				['invoice.png', 'table.png', 'receipt.jpg'].map((name) => truth(name).text),
				'text of each page',
			);
			return '3 pages';
		},
	},
	qwenOcrExample22: {
		operation: 'textRecognition (continueOnFail)',
		input: 'binary scan + 2 GiB Flate bomb PDF',
		errorItems: [0, 1],
		check(items) {
			// Read File's glob order is not fixed: one item per file, whichever comes first.
			assert.equal(items.length, 2, 'one item per file');
			const bomb = items.find((/** @type {any} */ i) => i.json.error);
			const good = items.find((/** @type {any} */ i) => !i.json.error);
			assert.ok(bomb && good, 'one error item and one result');
			assert.match(bomb.json.error.message, /^Item \d: the PDF in binary property "data": Page 1: A FlateDecode stream decodes to more than 64\.0 MB/, 'the bomb: per-page cap error');
			assert.equal(good.json.text, truth('receipt.jpg').text, 'the good scan is read');
			assert.ok(good.json._qwenOcr?.requestId, 'the good scan: request id');
			return 'bomb refused at 64 MiB, scan read';
		},
	},
	qwenOcrExample23: {
		operation: 'textRecognition',
		input: 'binary PDF, JPEG page with /Rotate 270',
		check(items, _outputs, result) {
			assert.equal(items.length, 1, 'one item for the one page');
			assert.equal(items[0].json.text, truth('receipt.jpg').text, 'the turned page is read');
			assert.equal(items[0].json.page, 1, 'page 1');
			// A JPEG page is passed through as it is: its request asks DashScope to turn it upright.
			const entries = fs.readFileSync(result.requestLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
			const sent = entries.filter((entry) => entry.requestId === items[0].json._qwenOcr.requestId);
			assert.equal(sent.length, 1, 'the page\'s request is in the emulator\'s log');
			assert.equal(sent[0].images[0].enableRotate, true, 'enable_rotate on the turned page\'s request');
			return 'read upright, enable_rotate sent';
		},
	},
	qwenOcrExample13: {
		operation: 'keyInformationExtraction (preset, split, review)',
		input: 'binary invoice.png',
		check(items, outputs) {
			assert.equal(outputs.length, 2, 'two outputs: Valid and Needs Review');
			assert.equal((outputs[1] ?? []).length, 0, 'nothing to review');
			assert.equal(items.length, 3, 'one item per line item');
			assert.deepEqual(items.map((/** @type {any} */ i) => i.json.amount), [25, 27, 85], 'typed amounts');
			assert.equal(items[0].json.invoice.invoice_number, 'INV-2024-0042', 'document fields alongside');
			assert.equal(items[2].json._qwenOcr.arrayIndex, 2, 'arrayIndex');
			assert.equal(items[0].json._qwenOcr.validation.valid, true, 'validation');
			return '3 line items, 2 outputs';
		},
	},
	qwenOcrExample15: {
		operation: 'keyInformationExtraction (zh invoice preset, custom prices)',
		input: 'binary invoice.png, a VAT invoice answer',
		check(items, outputs) {
			assert.equal(outputs.length, 2, 'two outputs: Valid and Needs Review');
			assert.equal((outputs[1] ?? []).length, 0, 'nothing to review');
			assert.equal(items.length, 1, 'one invoice');
			const json = items[0].json;
			assert.deepEqual(
				Object.keys(json).filter((key) => key !== '_qwenOcr'),
				['发票代码', '发票号码', '开票日期', '校验码', '购买方名称', '购买方纳税人识别号', '销售方名称', '销售方纳税人识别号', '金额', '税额', '价税合计', '明细'],
				'the VAT invoice\'s own Chinese keys',
			);
			assert.equal(json.开票日期, '2024-03-15', 'typed date');
			assert.equal(json.价税合计, 1800, 'typed amount');
			assert.deepEqual(json.明细.map((/** @type {any} */ line) => line.金额), [1061.95, 530.97], 'line amounts');
			assert.deepEqual(json._qwenOcr.validation, { valid: true, missing: [], invalid: [], mismatches: [] }, 'validation with arithmetic');
			const usage = json._qwenOcr.usage;
			const amount = Math.round(((usage.input_tokens * 0.07 + usage.output_tokens * 0.16) / 1e6) * 1e10) / 1e10;
			assert.deepEqual(json._qwenOcr.cost, { amount, currency: 'USD', model: 'qwen-vl-ocr-2025-11-20', region: 'custom', priceTableDate: null }, 'cost from customPrices');
			return `价税合计 ${json.价税合计}, cost $${amount}`;
		},
	},
	qwenOcrExample16: {
		operation: 'keyInformationExtraction (invoice preset, arithmetic)',
		input: 'binary invoice.png, total misread',
		check(items, outputs) {
			assert.equal(outputs.length, 2, 'two outputs: Valid and Needs Review');
			assert.equal(items.length, 0, 'nothing valid');
			assert.equal((outputs[1] ?? []).length, 1, 'the invoice goes to Needs Review');
			const review = outputs[1][0].json;
			assert.equal(review.total_amount, 174.4, 'the misread total');
			assert.deepEqual(
				review._qwenOcr.validation,
				{ valid: false, missing: [], invalid: [], mismatches: [{ check: 'subtotal + tax_amount = total_amount', expected: 164.4, found: 174.4 }] },
				'the failed check',
			);
			assert.equal(review._qwenOcr.cost, null, 'no price for a custom base URL');
			assert.match(review._qwenOcr.costNote, /custom base URL/, 'costNote');
			return 'Needs Review: subtotal + tax_amount = total_amount';
		},
	},
	qwenOcrExample14: {
		operation: 'textRecognition x 60 (throttled, continueOnFail)',
		input: 'URLs, 5 requests/s quota, item 7 rejected',
		errorItems: [7],
		check(items) {
			const files = ['receipt.jpg', 'table.png', 'formula.png'];
			assert.equal(items.length, 60, 'every item comes out');
			assert.deepEqual(items.map((/** @type {any} */ i) => i.pairedItem), Array.from({ length: 60 }, (_, item) => ({ item })), 'input order and pairedItem');
			items.forEach((/** @type {any} */ item, /** @type {number} */ index) => {
				if (index === 7) {
					assert.equal(item.json.error?.code, 'DataInspectionFailed', 'item 7: the rejection as an error item');
					assert.equal(item.json.error?.httpStatus, 400, 'item 7: HTTP status');
					assert.ok(item.json.error?.requestId, 'item 7: request id');
					return;
				}
				assert.equal(item.json.error, undefined, `item ${index}: no error`);
				assert.equal(item.json.text, truth(files[index % 3]).text, `item ${index}: text`);
			});
			return '59 results + 1 error item, in order';
		},
	},
	qwenOcrExample05: {
		operation: 'tableParsing (rows)',
		input: 'binary table.png',
		check(items) {
			assert.deepEqual(
				items.map((i) => withoutMeta(i.json)),
				[
					{ Region: 'North', Q1: '120', Q2: '135', Q3: '150' },
					{ Region: 'South', Q1: '98', Q2: '110', Q3: '125' },
					{ Region: 'East', Q1: '143', Q2: '151', Q3: '160' },
				],
				'one item per body row keyed by the header',
			);
			assert.deepEqual(items.map((i) => [i.json._qwenOcr.tableIndex, i.json._qwenOcr.rowIndex]), [[0, 3], [0, 4], [0, 5]], 'table/row index');
			assert.deepEqual(items.map((i) => i.pairedItem), [{ item: 0 }, { item: 0 }, { item: 0 }], 'pairedItem');
			return `${items.length} row items`;
		},
	},
	qwenOcrExample06: {
		operation: 'documentParsing',
		input: 'binary document.png',
		check(items) {
			assert.equal(items.length, 1, 'one item');
			assert.equal(items[0].json.latex, truth('document.png').latex, 'latex');
			return `latex ${items[0].json.latex.length} chars`;
		},
	},
	qwenOcrExample07: {
		operation: 'formulaRecognition',
		input: 'binary formula.png',
		check(items) {
			assert.equal(items.length, 1, 'one item');
			assert.equal(items[0].json.latex, truth('formula.png').latex, 'latex');
			return items[0].json.latex;
		},
	},
	qwenOcrExample08: {
		operation: 'multiLanguage',
		input: 'binary multilang.png',
		check(items) {
			assert.equal(items.length, 1, 'one item');
			assert.equal(items[0].json.text, truth('multilang.png').multi_lan_text, 'text');
			return `${items[0].json.text.split('\n').length} lines, 4 scripts`;
		},
	},
	qwenOcrExample09: {
		operation: 'customPrompt',
		input: 'binary receipt.jpg',
		check(items) {
			assert.equal(items.length, 1, 'one item');
			assert.equal(items[0].json.text, truth('receipt.jpg').text, 'text');
			return `text ${items[0].json.text.length} chars`;
		},
	},
	qwenOcrExample10: {
		operation: 'keyInformationExtraction (all)',
		input: 'url receipt.jpg',
		check(items) {
			assert.equal(items.length, 1, 'one item');
			assert.deepEqual(withoutMeta(items[0].json), truth('receipt.jpg').fields, 'all fields');
			assert.equal(items[0].binary, undefined, 'no binary for URL input');
			return `${Object.keys(withoutMeta(items[0].json)).length} fields, total ${items[0].json.total_amount}`;
		},
	},
	qwenOcrExample11: {
		operation: 'advancedRecognition',
		input: 'base64 invoice.png',
		check: (items) => checkLinesClamped(items, 'invoice.png'),
	},
};

// ------------------------------------------------------------------------------------------------
// One workflow

/**
 * @param {any} workflow the committed workflow JSON
 * @param {{ stdout: string, stderr: string, rc: number, apiKey: string, ms?: number, requestLog?: string }} result
 * @returns {{ summary: string }} throws on failure
 */
function checkWorkflow(workflow, result) {
	const expectation = EXPECTATIONS[workflow.id];
	if (!expectation) throw new Error(`no expectation for workflow ${workflow.id}`);
	const combined = `${result.stdout}\n${result.stderr}`;
	// The credential's key must never reach the output (run data, logs, errors).
	assert.ok(!combined.includes(result.apiKey), 'the API key appears in the output of n8n execute');
	if (expectation.checkRun) return { summary: expectation.checkRun(result) };
	const run = extractRunJson(result.stdout) ?? extractRunJson(combined);
	if (!run) {
		const lines = combined.replace(ANSI, '').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
		const errors = lines.filter((l) => /^[A-Za-z]*Error: /.test(l));
		const reason = errors.length ? errors[errors.length - 1] : lines.slice(-3).join(' | ');
		throw new Error(`no run JSON in the output (exit code ${result.rc}): ${reason.slice(0, 400)}`);
	}
	const resultData = run.data.resultData;
	if (resultData.error) {
		throw new Error(`run failed: ${resultData.error.message}${resultData.error.description ? ` (${resultData.error.description})` : ''}`);
	}
	assert.ok(run.finished === true, `run not finished (status ${run.status})`);
	assert.ok(!['error', 'crashed', 'canceled'].includes(run.status), `run status ${run.status}`);
	for (const node of workflow.nodes) {
		const runs = resultData.runData[node.name];
		assert.ok(runs && runs.length === 1, `node "${node.name}" did not run once`);
		if (runs[0].error) throw new Error(`node "${node.name}" failed: ${runs[0].error.message}`);
		if (runs[0].executionStatus) assert.equal(runs[0].executionStatus, 'success', `node "${node.name}" status`);
	}
	assert.equal(result.rc, 0, 'n8n execute exit code');
	const qwenNodes = workflow.nodes.filter((/** @type {any} */ n) => n.type === QWEN_TYPE);
	assert.equal(qwenNodes.length, 1, 'one Qwen OCR node in the workflow');
	const outputs = resultData.runData[qwenNodes[0].name][0].data.main;
	const items = outputs[0] ?? [];
	// Every output's items (Valid and Needs Review): a workflow may send everything to review.
	const everyItem = outputs.flat();
	assert.ok(everyItem.length > 0, 'the Qwen OCR node output no items');
	for (const [i, item] of everyItem.entries()) {
		if (expectation.ownItemChecks || expectation.errorItems?.includes(i)) continue; // checked by the workflow's own check
		assert.equal(item.json.error, undefined, `item ${i} is an error item`);
		const meta = item.json._qwenOcr;
		assert.ok(meta && typeof meta.requestId === 'string' && meta.requestId.length > 0, `item ${i}: _qwenOcr.requestId missing`);
		assert.equal(meta.truncated, false, `item ${i}: truncated`);
		assert.ok(item.pairedItem !== undefined, `item ${i}: pairedItem missing`);
	}
	return { summary: /** @type {NonNullable<typeof expectation.check>} */ (expectation.check)(items, outputs, result) };
}

// ------------------------------------------------------------------------------------------------
// CLI

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {Record<string, string>} */
	const args = {};
	for (let i = 0; i < argv.length; i++) {
		const key = argv[i].replace(/^--/, '');
		args[key] = argv[++i];
	}
	if (!args.results) throw new Error('usage: node test/e2e/assert.js --results <dir> [--label <text>] [--json <file>]');
	return args;
}

/** @param {string[][]} rows */
function printTable(rows) {
	const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
	const line = (/** @type {string[]} */ r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
	console.log(line(rows[0]));
	console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const r of rows.slice(1)) console.log(line(r));
}

function main() {
	const args = parseArgs(process.argv.slice(2));
	const dir = args.results;
	const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
	const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : undefined;
	const files = fs.readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith('.json') && (!only || only.test(f))).sort();
	const rows = [];
	let failed = 0;
	for (const file of files) {
		const slug = file.replace(/\.json$/, '');
		const workflow = JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8'));
		const expectation = EXPECTATIONS[workflow.id] ?? { operation: '?', input: '?' };
		const read = (/** @type {string} */ ext) => {
			const p = path.join(dir, `${slug}.${ext}`);
			return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '';
		};
		const ms = Number(read('ms').trim() || NaN);
		let status = 'PASS';
		let detail;
		try {
			if (!fs.existsSync(path.join(dir, `${slug}.out`))) throw new Error('not executed');
			detail = checkWorkflow(workflow, { stdout: read('out'), stderr: read('err'), rc: Number(read('rc').trim() || 1), apiKey: meta.apiKey, ms, requestLog: meta.requestLog }).summary;
		} catch (error) {
			status = 'FAIL';
			failed++;
			detail = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);
		}
		rows.push({ workflow: slug, operation: expectation.operation, input: expectation.input, status, seconds: Number.isFinite(ms) ? +(ms / 1000).toFixed(1) : null, detail });
	}
	if (args.label) console.log(`\n### ${args.label}\n`);
	printTable([
		['workflow', 'operation', 'input', 'result', 'execute s', 'detail'],
		...rows.map((r) => [r.workflow, r.operation, r.input, r.status, r.seconds === null ? '-' : r.seconds.toFixed(1), r.detail]),
	]);
	console.log(`\n${rows.length - failed}/${rows.length} passed${args.label ? ` on ${args.label}` : ''}`);
	if (args.json) fs.writeFileSync(args.json, JSON.stringify({ label: args.label, rows }, null, 2));
	process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
	try {
		main();
	} catch (error) {
		console.error(error instanceof Error ? error.message : error);
		process.exit(2);
	}
}

module.exports = { extractRunJson, checkWorkflow, EXPECTATIONS };
