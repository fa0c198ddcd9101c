#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The Qwen OCR node as an AI Agent tool in real n8n 2.x (`usableAsTool`): the packed package is
 * installed as a community package, and test/agent/workflow.json (Manual Trigger → AI Agent with the
 * OpenAI Chat Model node pointed at the emulator's OpenAI-compatible endpoint, and the synthetic
 * `n8n-nodes-qwen-ocr.qwenOcrTool` attached as its tool, image URL filled by the model via $fromAI)
 * is run with `n8n execute --id`. Passes when
 *   - the agent's final output holds the invoice number that came from the tool's result,
 *   - the tool node ran inside the agent's execution and returned the invoice fields,
 *   - the emulator's log shows the chat model offered the tool, the model's tool call with the
 *     image URL, the native DashScope OCR request made by the tool (key information extraction on the
 *     URL), and the final chat round answered from the tool result.
 *
 *   bash test/agent/run.sh            (Node 24 and n8n 2.x installed when missing)
 *   AGENT_SKIP_BUILD=1 ...            pack the existing dist/
 *   AGENT_KEEP=1 ...                  keep the temp folder (logs, run JSON)
 */

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../dev/lib');

const WORKFLOW = path.join(__dirname, 'workflow.json');
const EXPECTED_INVOICE_NUMBER = JSON.parse(fs.readFileSync(path.join(lib.FIXTURES_DIR, 'invoice.truth.json'), 'utf8')).fields.invoice_number;

async function main() {
	lib.setLogTag('agent');
	const started = Date.now();
	const work = lib.tempDir('qwen-ocr-agent-');
	const keep = process.env.AGENT_KEEP === '1';
	lib.installCleanup(async () => {
		if (!keep) fs.rmSync(work, { recursive: true, force: true });
	});
	const logFile = path.join(work, 'commands.log');
	const timings = [];
	const phase = (name, since) => timings.push(`${name.padEnd(48)} ${((Date.now() - since) / 1000).toFixed(1).padStart(6)} s`);
	let failed = false;
	try {
		let t = Date.now();
		const n8n = await lib.ensureN8n2();
		phase(`n8n ${n8n.version} ready`, t);

		t = Date.now();
		if (process.env.AGENT_SKIP_BUILD !== '1') await lib.buildPackage(logFile);
		const tarball = await lib.packPackage(path.join(work, 'pack'), logFile);
		const home = path.join(work, 'home');
		await lib.installPackedPackage(home, tarball, logFile);
		phase('build, pack, install as community package', t);

		t = Date.now();
		const requestLog = path.join(work, 'emulator-requests.jsonl');
		const emu = await lib.startEmulator({ requestLog, outputLog: path.join(work, 'emulator.log') });
		lib.log(`emulator at ${emu.baseUrl}`);
		const env = lib.n8nEnv({ home, port: await lib.freePort(), brokerPort: await lib.freePort() });
		await lib.importCredentials(n8n, env, lib.emulatorCredentials(emu), work, logFile);
		const workflow = lib.localiseWorkflow(JSON.parse(fs.readFileSync(WORKFLOW, 'utf8')), { emulatorUrl: emu.baseUrl, credentials: lib.CREDENTIALS });
		await lib.importWorkflows(n8n, env, [workflow], work, logFile);
		phase('emulator, import credentials and workflow', t);

		t = Date.now();
		const { run, output } = await lib.executeWorkflow(n8n, env, workflow.id, logFile);
		fs.writeFileSync(path.join(work, 'run.json'), JSON.stringify(run, null, 2));
		fs.writeFileSync(path.join(work, 'execute.out'), output);
		phase('n8n execute (agent → tool → OCR → answer)', t);
		// The emulator appends its request log every 100 ms and writes the rest when it stops: stop it
		// (n8n execute has finished, so every request has ended) and read the complete log.
		await lib.stopProcess(emu.proc);

		const checks = check(run, lib.readRequestLog(requestLog), emu.baseUrl);
		for (const c of checks) lib.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
		failed = checks.some((c) => !c.ok);
		if (failed && !keep) lib.log('set AGENT_KEEP=1 to keep the run JSON and logs');
	} catch (err) {
		failed = true;
		lib.log(`ERROR: ${/** @type {Error} */ (err).stack ?? err}`);
	}
	phase('total', started);
	process.stdout.write(`\n## Qwen OCR as an AI Agent tool in n8n ${lib.N8N2_VERSION}\n${timings.join('\n')}\n`);
	if (keep) lib.log(`kept ${work}`);
	await lib.stopAll();
	if (!keep) fs.rmSync(work, { recursive: true, force: true });
	process.exit(failed ? 1 : 0);
}

/**
 * @param {any} run IRun of the agent workflow
 * @param {any[]} requests emulator log
 * @param {string} baseUrl
 */
function check(run, requests, baseUrl) {
	/** @type {{ name: string, ok: boolean, detail?: string }[]} */
	const checks = [];
	const expect = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });
	const imageUrl = `${baseUrl}/fixtures/invoice.png`;
	const resultData = run.data.resultData;
	expect('execution finished without error', !resultData.error, resultData.error?.message);

	let answer = '';
	try {
		const out = lib.nodeOutput(run, 'AI Agent') ?? [];
		answer = String(out[0]?.output ?? '');
	} catch (err) {
		expect('AI Agent ran', false, /** @type {Error} */ (err).message);
	}
	expect(`the agent's answer holds the invoice number ${EXPECTED_INVOICE_NUMBER}`, answer.includes(EXPECTED_INVOICE_NUMBER), JSON.stringify(answer));

	const toolRuns = resultData.runData['Qwen OCR'] ?? [];
	const toolJson = JSON.stringify(toolRuns.map((r) => r.data));
	expect('the Qwen OCR tool node ran inside the agent', toolRuns.length > 0 && !toolRuns.some((r) => r.error), toolRuns.map((r) => r.error?.message).filter(Boolean).join('; ') || `${toolRuns.length} run(s)`);
	expect('the tool returned the invoice fields (invoice_number from OCR)', toolJson.includes(EXPECTED_INVOICE_NUMBER), toolJson.slice(0, 200));

	const chats = requests.filter((r) => r.path === '/compatible-mode/v1/chat/completions');
	const offered = chats.find((r) => (r.tools ?? []).length > 0);
	expect('the chat model was offered the Qwen OCR tool', offered, offered ? `tools: ${offered.tools.join(', ')}` : `${chats.length} chat request(s)`);
	const call = chats.find((r) => r.chat?.kind === 'tool_calls');
	expect('the model called the tool with the image URL ($fromAI)', call && JSON.stringify(call.chat.arguments).includes(imageUrl), call ? `${call.chat.tool}(${JSON.stringify(call.chat.arguments)})` : 'no tool call');
	const ocr = requests.filter((r) => r.path === '/api/v1/services/aigc/multimodal-generation/generation');
	const native = ocr.find((r) => r.status === 200 && (r.imageUrls ?? []).includes(imageUrl));
	expect('the tool made the native DashScope OCR request on that URL', native, native ? `${native.model}, task ${native.task}, answered as ${native.answeredAs}, request ${native.requestId}` : JSON.stringify(ocr.map((r) => [r.status, r.code, r.imageUrls])));
	expect('the OCR request asked for key information extraction', native?.task === 'key_information_extraction', native?.task);
	const fixtureFetch = requests.find((r) => r.path === '/fixtures/invoice.png' && r.status === 200);
	expect('DashScope (the emulator) downloaded the image from the URL', fixtureFetch);
	const final = chats.find((r) => r.chat?.kind === 'final_answer');
	expect('the final chat round answered from the tool result', final && String(final.chat.answer).includes(EXPECTED_INVOICE_NUMBER), final?.chat?.answer);
	const order = [call, native, final].map((r) => (r ? requests.indexOf(r) : -1));
	expect('in order: tool call, OCR request, final answer', order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1])), order.join(' < '));
	return checks;
}

main();
