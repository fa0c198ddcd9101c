#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Sets up a fresh n8n 2.x for the browser test and runs it:
 *   build and pack the package, install it as a community package in a new user folder, start the
 *   DashScope emulator, import the emulator credential, the editor-test workflow and the example
 *   workflows, start n8n, create the owner, then `node --test test/editor/editor.test.js` with
 *   playwright-core driving /usr/bin/chromium. Screenshots go to test/editor/output/.
 *
 *   bash test/editor/run.sh [--update-pictures]   (npm run test:editor)
 *     --update-pictures   also write the example canvases to test/examples/pictures/ (README pictures)
 *     --serve             set up and keep n8n running (writes test/editor/.serve.env) to debug the test
 *   EDITOR_SKIP_BUILD=1   pack the existing dist/        EDITOR_KEEP=1   keep the temp folder
 *   EDITOR_TARBALL=x.tgz  test this packed package instead (e.g. a release candidate)
 *   EDITOR_HEADED=1       (with a display) watch the browser
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const lib = require('../dev/lib');

const OUTPUT = path.join(__dirname, 'output');
const OWNER = { email: 'editor-test@example.com', firstName: 'Editor', lastName: 'Test', password: 'QwenOcr-editor-1' };

async function main() {
	lib.setLogTag('editor');
	const args = process.argv.slice(2);
	const started = Date.now();
	const keep = process.env.EDITOR_KEEP === '1';
	const work = lib.tempDir('qwen-ocr-editor-');
	lib.installCleanup(async () => {
		if (!keep) fs.rmSync(work, { recursive: true, force: true });
	});
	const logFile = path.join(work, 'commands.log');
	let code = 1;
	try {
		const n8n = await lib.ensureN8n2();
		let tarball = process.env.EDITOR_TARBALL ? path.resolve(process.env.EDITOR_TARBALL) : '';
		if (!tarball) {
			if (process.env.EDITOR_SKIP_BUILD !== '1') await lib.buildPackage(logFile);
			tarball = await lib.packPackage(path.join(work, 'pack'), logFile);
		}
		const home = path.join(work, 'home');
		await lib.installPackedPackage(home, tarball, logFile);
		const emu = await lib.startEmulator({ requestLog: path.join(work, 'emulator-requests.jsonl'), outputLog: path.join(work, 'emulator.log') });
		const env = lib.n8nEnv({ home, port: await lib.freePort(), brokerPort: await lib.freePort(), filesDir: lib.FIXTURES_DIR });
		await lib.importCredentials(n8n, env, lib.emulatorCredentials(emu), work, logFile);
		const read = (/** @type {string} */ f) => lib.localiseWorkflow(JSON.parse(fs.readFileSync(f, 'utf8')), { filesDir: lib.FIXTURES_DIR, emulatorUrl: emu.baseUrl, credentials: lib.CREDENTIALS });
		const testWorkflow = read(path.join(__dirname, 'workflows', 'execute-invoice.json'));
		const examplesDir = path.join(lib.ROOT, 'test', 'examples');
		const examples = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort().map((f) => ({ file: f, workflow: read(path.join(examplesDir, f)) }));
		const agentWorkflow = read(path.join(lib.ROOT, 'test', 'agent', 'workflow.json'));
		await lib.importWorkflows(n8n, env, [testWorkflow, agentWorkflow, ...examples.map((e) => e.workflow)], work, logFile);
		const setupSeconds = (Date.now() - started) / 1000;
		lib.log(`setup done in ${setupSeconds.toFixed(0)} s; starting n8n`);
		const t = Date.now();
		const { url } = await lib.startN8n(n8n, env, { logFile: path.join(work, 'n8n.log') });
		lib.log(`n8n serves the editor at ${url} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
		await lib.setupOwner(url, OWNER);

		fs.rmSync(OUTPUT, { recursive: true, force: true });
		fs.mkdirSync(OUTPUT, { recursive: true });
		const testEnv = {
			...process.env,
			EDITOR_URL: url,
			EDITOR_EMAIL: OWNER.email,
			EDITOR_PASSWORD: OWNER.password,
			EDITOR_OUTPUT: OUTPUT,
			EMULATOR_URL: emu.baseUrl,
			EMULATOR_KEY: emu.apiKey,
			EDITOR_TEST_WORKFLOW: testWorkflow.id,
			EDITOR_AGENT_WORKFLOW: agentWorkflow.id,
			EDITOR_EXAMPLES: JSON.stringify(examples.map((e) => ({ file: e.file, id: e.workflow.id, name: e.workflow.name }))),
			EDITOR_PICTURES: args.includes('--update-pictures') ? path.join(examplesDir, 'pictures') : '',
		};
		if (args.includes('--serve')) {
			// Debugging the test: keep n8n running, print the environment for `node --test test/editor/editor.test.js`.
			const vars = Object.entries(testEnv).filter(([k]) => k.startsWith('EDITOR_') || k.startsWith('EMULATOR_'));
			fs.writeFileSync(path.join(OUTPUT, '..', '.serve.env'), vars.map(([k, v]) => `export ${k}='${v}'`).join('\n') + '\n');
			lib.log(`serving; environment in test/editor/.serve.env (source it, then node --test test/editor/editor.test.js). Ctrl-C stops.`);
			await new Promise(() => {});
		}
		const testStart = Date.now();
		code = await new Promise((resolve) => {
			const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', path.join(__dirname, 'editor.test.js')], { env: testEnv, stdio: 'inherit' });
			child.on('close', (c) => resolve(c ?? 1));
		});
		lib.log(`browser test ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - testStart) / 1000).toFixed(0)} s; screenshots in ${path.relative(lib.ROOT, OUTPUT)}/`);
		if (code !== 0) lib.log(`n8n log tail:\n${lib.tail(path.join(work, 'n8n.log'), 20)}`);
	} catch (err) {
		lib.log(`ERROR: ${/** @type {Error} */ (err).stack ?? err}`);
		code = 1;
	}
	lib.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
	if (keep) lib.log(`kept ${work}`);
	await lib.stopAll();
	if (!keep) fs.rmSync(work, { recursive: true, force: true });
	process.exit(code);
}

main();
