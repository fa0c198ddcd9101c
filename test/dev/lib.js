// @ts-check
'use strict';

/**
 * Shared plumbing for the scripts that run a real n8n 2.x with this package: `npm run dev`
 * (test/dev/dev.js), the browser test (test/editor), the AI Agent test (test/agent) and the example
 * runner (test/examples). Node built-ins only; run with Node 24 (.tools/node24).
 *
 * n8n installs are shared with test/e2e/run.sh: <ROOT>/.tools/n8n-<version>/, ready when
 * `.e2e-ready` is there (npm install --ignore-scripts n8n@version, then sqlite3 compiled against the
 * Node 24 headers, since prebuilt binaries cannot be downloaded here).
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.resolve(__dirname, '..', '..');
const N8N2_VERSION = process.env.N8N2_VERSION || '2.40.7';
const CACHE = process.env.E2E_CACHE || path.join(ROOT, '.tools');
const NODE24_DIR = path.join(ROOT, '.tools', 'node24');
const FIXTURES_DIR = path.join(ROOT, 'test', 'fixtures', 'images');
const PACKAGE_NAME = 'n8n-nodes-qwen-ocr';

let logTag = 'n8n';
/** @param {string} tag */
function setLogTag(tag) {
	logTag = tag;
}
/** @param {...unknown} parts */
function log(...parts) {
	const time = new Date().toTimeString().slice(0, 8);
	process.stderr.write(`\x1b[1m[${logTag} ${time}]\x1b[0m ${parts.join(' ')}\n`);
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Child processes: every process started here is remembered and stopped by its id (its process group,
// so n8n's task runners go with it) on exit.

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

/**
 * Runs a command to completion.
 * @param {string} cmd @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, logFile?: string, input?: string, quiet?: boolean }} [opts]
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function run(cmd, args, opts = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
		children.add(child);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.stdin.end(opts.input ?? '');
		child.on('error', (err) => {
			children.delete(child);
			reject(err);
		});
		child.on('close', (code) => {
			children.delete(child);
			if (opts.logFile) fs.appendFileSync(opts.logFile, `$ ${cmd} ${args.join(' ')}\n${stdout}${stderr}\n[exit ${code}]\n`);
			resolve({ code, stdout, stderr });
		});
	});
}

/** Like run() but throws with the output's tail when the exit code is not 0. */
async function runOk(cmd, args, opts = {}) {
	const r = await run(cmd, args, opts);
	if (r.code !== 0) {
		const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-30).join('\n');
		throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${r.code}):\n${tail}`);
	}
	return r;
}

/**
 * Starts a long-running process; its output goes to logFile (and each line to onLine).
 * @param {string} cmd @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, logFile: string, onLine?: (line: string) => void }} opts
 */
function startProcess(cmd, args, opts) {
	const out = fs.openSync(opts.logFile, 'a');
	const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	children.add(child);
	const lines = readline.createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
	const errLines = readline.createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stderr) });
	const onLine = (/** @type {string} */ line) => {
		fs.writeSync(out, line + '\n');
		opts.onLine?.(line);
	};
	lines.on('line', onLine);
	errLines.on('line', onLine);
	child.on('close', () => {
		children.delete(child);
		try {
			fs.closeSync(out);
		} catch {
			/* already closed */
		}
	});
	return child;
}

/**
 * Stops a process started here: SIGTERM to its process group, SIGKILL after `graceMs`.
 * @param {import('node:child_process').ChildProcess} child @param {number} [graceMs]
 */
async function stopProcess(child, graceMs = 10000) {
	if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('close', resolve));
	const signal = (/** @type {NodeJS.Signals} */ sig) => {
		try {
			process.kill(-(/** @type {number} */ (child.pid)), sig);
		} catch {
			try {
				child.kill(sig);
			} catch {
				/* gone */
			}
		}
	};
	signal('SIGTERM');
	const timer = setTimeout(() => signal('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}

async function stopAll() {
	await Promise.all([...children].map((c) => stopProcess(c)));
}

/** Stops every child on exit, Ctrl-C and kill. */
function installCleanup(extra = async () => {}) {
	let stopping = false;
	const stop = async (code) => {
		if (stopping) return;
		stopping = true;
		try {
			await extra();
		} finally {
			await stopAll();
			process.exit(code);
		}
	};
	process.on('SIGINT', () => void stop(130));
	process.on('SIGTERM', () => void stop(143));
	process.on('exit', () => {
		for (const c of children) {
			try {
				if (c.pid) process.kill(-c.pid, 'SIGKILL');
			} catch {
				/* gone */
			}
		}
	});
	return stop;
}

/** @returns {Promise<number>} a free TCP port on 127.0.0.1 */
function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const port = /** @type {net.AddressInfo} */ (srv.address()).port;
			srv.close(() => resolve(port));
		});
	});
}

/** @param {number} port @returns {Promise<boolean>} */
function portIsFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
	});
}

// ---------------------------------------------------------------------------------------------------
// n8n 2.x install (shared with test/e2e/run.sh)

/**
 * PATH with Node 24 first, so npm and n8n's child processes use it.
 * @param {Record<string, string>} [extra]
 * @returns {NodeJS.ProcessEnv}
 */
function node24Env(extra = {}) {
	return { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, ...extra };
}

/** @param {string} dir */
function n8nReady(dir) {
	return fs.existsSync(path.join(dir, '.e2e-ready')) && fs.existsSync(path.join(dir, 'node_modules', '.bin', 'n8n'));
}

/**
 * Makes sure n8n 2.x is installed in .tools/n8n-<version>. Another script (test/e2e/run.sh, another
 * run of these) may be installing it right now: then wait for it (up to 15 minutes) rather than
 * install twice into one folder.
 * @returns {Promise<{ dir: string, bin: string, version: string }>}
 */
async function ensureN8n2() {
	const version = N8N2_VERSION;
	const dir = path.join(CACHE, `n8n-${version}`);
	const bin = path.join(dir, 'node_modules', '.bin', 'n8n');
	const installLog = `${dir}.install.log`;
	const lock = `${dir}.dev-install.lock`;
	const busy = () => {
		// an install is under way when its log or folder changed in the last 2 minutes
		const recent = (/** @type {string} */ p) => fs.existsSync(p) && Date.now() - fs.statSync(p).mtimeMs < 120000;
		return recent(installLog) || recent(lock) || recent(path.join(dir, 'node_modules')) || recent(path.join(dir, 'node_modules', '.package-lock.json'));
	};
	const deadline = Date.now() + 15 * 60000;
	let said = false;
	while (!n8nReady(dir) && fs.existsSync(dir) && busy() && Date.now() < deadline) {
		if (!said) log(`n8n ${version}: another install into ${path.relative(ROOT, dir)} is under way; waiting for it`);
		said = true;
		await sleep(5000);
	}
	if (n8nReady(dir)) {
		const r = await run(process.execPath, [path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), '--version'], { env: node24Env() });
		if (r.code === 0 && r.stdout.trim().split('\n').pop() === version) return { dir, bin, version };
		log(`n8n ${version}: the install in ${dir} does not start (${(r.stdout + r.stderr).trim().split('\n').pop()}); reinstalling`);
	}
	log(`n8n ${version}: installing into ${path.relative(ROOT, dir)} (npm install --ignore-scripts, then sqlite3 compiled; a few minutes)`);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(lock, String(process.pid));
	const keepAlive = setInterval(() => fs.utimesSync(lock, new Date(), new Date()), 30000);
	try {
		fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "n8n-e2e-cache", "private": true }\n');
		const env = node24Env();
		await runOk('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `n8n@${version}`], { cwd: dir, env, logFile: installLog });
		// node-gyp's --nodedir: the Node 24 release folder carries include/node
		const nodedir = path.resolve(path.dirname(process.execPath), '..');
		await runOk('npm', ['rebuild', 'sqlite3', '--loglevel=error'], { cwd: dir, env: { ...env, JOBS: 'max', npm_config_nodedir: nodedir }, logFile: installLog });
		await runOk(process.execPath, ['-e', "require('sqlite3')"], { cwd: dir, env, logFile: installLog });
		fs.writeFileSync(path.join(dir, '.e2e-ready'), '');
	} finally {
		clearInterval(keepAlive);
		fs.rmSync(lock, { force: true });
	}
	log(`n8n ${version}: installed`);
	return { dir, bin, version };
}

// ---------------------------------------------------------------------------------------------------
// The package

async function buildPackage(logFile) {
	await runOk('npm', ['run', 'build'], { env: node24Env(), logFile });
}

/** npm pack into destDir. @returns {Promise<string>} the tarball's path */
async function packPackage(destDir, logFile) {
	fs.mkdirSync(destDir, { recursive: true });
	await runOk('npm', ['pack', '--silent', '--pack-destination', destDir], { env: node24Env(), logFile });
	const tgz = fs.readdirSync(destDir).find((f) => f.startsWith(`${PACKAGE_NAME}-`) && f.endsWith('.tgz'));
	if (!tgz) throw new Error(`npm pack left no ${PACKAGE_NAME}-*.tgz in ${destDir}`);
	return path.join(destDir, tgz);
}

/**
 * Installs the packed package as n8n installs a community package: an npm project in
 * <home>/.n8n/nodes, peer dependencies left out (n8n-workflow comes from n8n itself).
 */
async function installPackedPackage(home, tarball, logFile) {
	const nodesDir = path.join(home, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.copyFileSync(tarball, path.join(nodesDir, path.basename(tarball)));
	fs.writeFileSync(path.join(nodesDir, 'package.json'), '{ "name": "installed-nodes", "private": true, "dependencies": {} }\n');
	await runOk('npm', ['install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--package-lock=false', '--loglevel=error', `./${path.basename(tarball)}`], { cwd: nodesDir, env: node24Env(), logFile });
	const pkgDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	if (!fs.existsSync(path.join(pkgDir, 'package.json'))) throw new Error('community package not installed');
	return pkgDir;
}

// ---------------------------------------------------------------------------------------------------
// The DashScope emulator

/**
 * Starts test/emulator/cli.js (the emulator, with its request log written to requestLog as JSON lines).
 * @param {{ port?: number, apiKey?: string, requestLog?: string, outputLog: string }} opts
 */
async function startEmulator(opts) {
	const apiKey = opts.apiKey ?? `sk-dev-${crypto.randomBytes(12).toString('hex')}`;
	const args = [path.join(__dirname, '..', 'emulator', 'cli.js'), '--port', String(opts.port ?? 0), '--api-key', apiKey];
	if (opts.requestLog) args.push('--log', opts.requestLog);
	/** @type {(v: { baseUrl: string, apiKey: string }) => void} */
	let ready = () => {};
	const first = new Promise((resolve) => (ready = resolve));
	const proc = startProcess(process.execPath, args, {
		logFile: opts.outputLog,
		onLine: (line) => {
			if (line.startsWith('{"baseUrl"')) ready(JSON.parse(line));
		},
	});
	const exited = new Promise((_, reject) => proc.once('close', (code) => reject(new Error(`the emulator exited (${code}); see ${opts.outputLog}`))));
	const info = /** @type {{ baseUrl: string, apiKey: string }} */ (await Promise.race([first, exited]));
	exited.catch(() => {});
	return { ...info, proc };
}

/** @param {string} file @returns {any[]} the emulator's request log */
function readRequestLog(file) {
	if (!fs.existsSync(file)) return [];
	return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// ---------------------------------------------------------------------------------------------------
// n8n

/**
 * Environment for one n8n user folder (see N8N-CONVENTIONS.md).
 * @param {{ home: string, port: number, brokerPort: number, filesDir?: string, extra?: Record<string, string> }} o
 */
function n8nEnv(o) {
	return node24Env({
		N8N_USER_FOLDER: o.home,
		N8N_ENCRYPTION_KEY: 'qwen-ocr-dev-fixed-encryption-key',
		N8N_PORT: String(o.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_EDITOR_BASE_URL: `http://localhost:${o.port}`,
		N8N_RUNNERS_BROKER_PORT: String(o.brokerPort),
		N8N_RUNNERS_ENABLED: 'true',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		N8N_RESTRICT_FILE_ACCESS_TO: o.filesDir ?? FIXTURES_DIR,
		N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES: 'true',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		DB_TYPE: 'sqlite',
		...(o.extra ?? {}),
	});
}

/** Runs an n8n CLI command (import:credentials, execute, ...). */
async function n8nCli(n8n, args, env, logFile) {
	return await run(n8n.bin, args, { env, logFile });
}

/**
 * Starts `n8n start` and waits until the editor is served. Output goes to logFile.
 * @param {{ bin: string }} n8n
 * @param {NodeJS.ProcessEnv} env
 * @param {{ logFile: string, echo?: boolean, timeoutMs?: number, onLine?: (line: string) => void }} opts
 */
async function startN8n(n8n, env, opts) {
	const port = Number(env.N8N_PORT);
	let editorReady = false;
	const proc = startProcess(n8n.bin, ['start'], {
		env,
		logFile: opts.logFile,
		onLine: (line) => {
			if (/Editor is now accessible/.test(line)) editorReady = true;
			if (opts.echo) process.stdout.write(`\x1b[2m[n8n]\x1b[0m ${line}\n`);
			opts.onLine?.(line);
		},
	});
	const url = `http://localhost:${port}`;
	const deadline = Date.now() + (opts.timeoutMs ?? 600000); // a loaded machine may take minutes; an exit is caught at once
	while (Date.now() < deadline) {
		if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`n8n exited (${proc.exitCode ?? proc.signalCode}); last lines:\n${tail(opts.logFile, 30)}`);
		if (editorReady) {
			try {
				const res = await fetch(`${url}/rest/settings`);
				if (res.ok) return { proc, url };
			} catch {
				/* not yet */
			}
		}
		await sleep(500);
	}
	throw new Error(`n8n did not serve the editor within ${(opts.timeoutMs ?? 600000) / 1000} s; last lines:\n${tail(opts.logFile, 30)}`);
}

/** @param {string} file @param {number} n */
function tail(file, n) {
	try {
		return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n');
	} catch {
		return '(no log)';
	}
}

const BROWSER_ID = 'qwen-ocr-dev-scripts';

/**
 * A REST call with the session cookie.
 * @param {string} url @param {string} route
 * @param {{ method?: string, body?: unknown, cookie?: string }} [opts]
 */
async function rest(url, route, opts = {}) {
	const res = await fetch(`${url}${route}`, {
		method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
		headers: {
			'content-type': 'application/json',
			'browser-id': BROWSER_ID,
			...(opts.cookie ? { cookie: opts.cookie } : {}),
		},
		body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
	return { status: res.status, json, text, cookie };
}

/**
 * Creates the owner account (fresh user folder) unless there is one.
 * @returns {Promise<'created' | 'exists'>}
 */
async function setupOwner(url, owner) {
	const settings = await rest(url, '/rest/settings');
	const showSetup = settings.json?.data?.userManagement?.showSetupOnFirstLoad;
	if (showSetup === false) return 'exists';
	const r = await rest(url, '/rest/owner/setup', { body: owner });
	if (r.status === 200) return 'created';
	if (r.status === 400 && /already/i.test(r.text)) return 'exists';
	throw new Error(`owner setup failed: HTTP ${r.status} ${r.text.slice(0, 300)}`);
}

/** @returns {Promise<string>} the session cookie */
async function login(url, email, password) {
	const r = await rest(url, '/rest/login', { body: { emailOrLdapLoginId: email, password } });
	if (r.status !== 200 || !r.cookie) throw new Error(`login failed: HTTP ${r.status} ${r.text.slice(0, 300)}`);
	return r.cookie;
}

// ---------------------------------------------------------------------------------------------------
// Workflows

/**
 * Points a workflow (example or test) at this machine: Read/Write Files from Disk nodes read from
 * filesDir (same file name), Qwen OCR nodes use the given credential, URLs of the example images
 * point at the emulator.
 * @param {any} workflow
 * @param {{ filesDir?: string, emulatorUrl?: string, credentials?: Record<string, { id: string, name: string }> }} o
 */
function localiseWorkflow(workflow, o) {
	const wf = JSON.parse(JSON.stringify(workflow));
	for (const node of wf.nodes ?? []) {
		if (o.filesDir && node.type === 'n8n-nodes-base.readWriteFile' && typeof node.parameters?.fileSelector === 'string') {
			node.parameters.fileSelector = path.join(o.filesDir, path.basename(node.parameters.fileSelector));
		}
		if (o.credentials && node.credentials) {
			for (const type of Object.keys(node.credentials)) if (o.credentials[type]) node.credentials[type] = o.credentials[type];
		}
	}
	if (o.emulatorUrl) {
		const text = JSON.stringify(wf).replace(/https?:\/\/(127\.0\.0\.1|localhost):8787/g, o.emulatorUrl);
		return JSON.parse(text);
	}
	return wf;
}

/** Credential ids and names the example, agent and test workflows reference. */
const CREDENTIALS = {
	qwenOcrApi: { id: 'qwenOcrCredential', name: 'Qwen OCR account' },
	openAiApi: { id: 'dashscopeCompatibleCredential', name: 'DashScope OpenAI-compatible' },
};

/**
 * The credentials for a local emulator: Qwen OCR (custom base URL) and an OpenAI credential whose
 * base URL is the emulator's OpenAI-compatible endpoint (for the AI Agent's chat model).
 * @param {{ baseUrl: string, apiKey: string }} emu
 */
function emulatorCredentials(emu) {
	return [
		{ ...CREDENTIALS.qwenOcrApi, type: 'qwenOcrApi', data: { region: 'custom', baseUrl: emu.baseUrl, apiKey: emu.apiKey } },
		{ ...CREDENTIALS.openAiApi, type: 'openAiApi', data: { apiKey: emu.apiKey, url: `${emu.baseUrl}/compatible-mode/v1` } },
	];
}

/** n8n import:credentials of a list (the file is removed afterwards: it holds the keys). */
async function importCredentials(n8n, env, credentials, workDir, logFile) {
	const file = path.join(workDir, `credentials-${process.pid}.json`);
	fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
	try {
		const r = await n8nCli(n8n, ['import:credentials', `--input=${file}`], env, logFile);
		if (r.code !== 0) throw new Error(`n8n import:credentials failed:\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`);
	} finally {
		fs.rmSync(file, { force: true });
	}
}

/** n8n import:workflow --separate of a list of workflow objects. */
async function importWorkflows(n8n, env, workflows, workDir, logFile) {
	const dir = path.join(workDir, `workflows-${process.pid}`);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	workflows.forEach((wf, i) => fs.writeFileSync(path.join(dir, `${String(i).padStart(2, '0')}-${wf.id}.json`), JSON.stringify(wf, null, 2)));
	const r = await n8nCli(n8n, ['import:workflow', '--separate', `--input=${dir}`], env, logFile);
	fs.rmSync(dir, { recursive: true, force: true });
	if (r.code !== 0) throw new Error(`n8n import:workflow failed:\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`);
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * The IRun JSON that `n8n execute --rawOutput` prints (pretty, 2-space), found among log lines.
 * @param {string} text
 * @returns {any | undefined}
 */
function extractRunJson(text) {
	const lines = text.replace(ANSI, '').split(/\r?\n/);
	for (let i = 0; i < lines.length; i++) {
		if (!/(^|\s)\{$/.test(lines[i])) continue;
		const body = ['{'];
		for (let j = i + 1; j < lines.length; j++) {
			const line = lines[j];
			if (/^\}/.test(line)) {
				body.push('}');
				try {
					const value = JSON.parse(body.join('\n'));
					if (value && value.data && value.data.resultData) return value;
				} catch {
					/* not the end yet */
				}
				body.pop();
				continue;
			}
			if (/^\s/.test(line) || line === '') body.push(line);
		}
	}
	return undefined;
}

/**
 * `n8n execute --id --rawOutput`: the run data, or an error with the CLI's output.
 * @returns {Promise<{ run: any, ms: number, output: string }>}
 */
async function executeWorkflow(n8n, env, id, logFile) {
	const start = Date.now();
	const r = await n8nCli(n8n, ['execute', `--id=${id}`, '--rawOutput'], env, logFile);
	const output = r.stdout + r.stderr;
	const run = extractRunJson(r.stdout) ?? extractRunJson(output);
	if (!run) throw new Error(`n8n execute --id=${id} printed no run data (exit ${r.code}):\n${output.trim().split('\n').slice(-30).join('\n')}`);
	return { run, ms: Date.now() - start, output };
}

/** Output items (json) of a node's last run, main output `index`. */
function nodeOutput(run, nodeName, index = 0) {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs || runs.length === 0) return undefined;
	const last = runs[runs.length - 1];
	if (last.error) throw new Error(`node "${nodeName}" failed: ${last.error.message}${last.error.description ? ` (${last.error.description})` : ''}`);
	const data = last.data ?? {};
	const key = Object.keys(data)[0];
	return (data[key]?.[index] ?? []).map((/** @type {any} */ item) => item.json);
}

/** A fresh temporary folder. @param {string} prefix */
function tempDir(prefix) {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = {
	ROOT,
	CACHE,
	FIXTURES_DIR,
	NODE24_DIR,
	N8N2_VERSION,
	PACKAGE_NAME,
	log,
	setLogTag,
	sleep,
	run,
	runOk,
	startProcess,
	stopProcess,
	stopAll,
	installCleanup,
	freePort,
	portIsFree,
	node24Env,
	ensureN8n2,
	buildPackage,
	packPackage,
	installPackedPackage,
	startEmulator,
	readRequestLog,
	n8nEnv,
	n8nCli,
	startN8n,
	tail,
	rest,
	setupOwner,
	login,
	localiseWorkflow,
	tempDir,
	CREDENTIALS,
	emulatorCredentials,
	importCredentials,
	importWorkflows,
	extractRunJson,
	executeWorkflow,
	nodeOutput,
};
