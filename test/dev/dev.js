#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * `npm run dev`: a local n8n 2.x at http://localhost:5678 with this package loaded from the working
 * tree, the DashScope emulator, a ready "Qwen OCR account" credential pointing at it, the example
 * workflows (and the AI Agent one) imported, and an owner account to log in with.
 *
 *   npm run dev                     start (first run installs n8n 2.x into .tools/, a few minutes)
 *   npm run dev -- --reset          wipe the dev instance (.tools/dev) first
 *   npm run dev -- --reimport       import the example workflows again (overwrites your changes to them)
 *   npm run dev -- --restart-on-change   restart n8n on every rebuild instead of hot reloading
 *   npm run dev -- --smoke          start, log in through the REST API, list the workflows, stop
 *
 * Environment: N8N_PORT (5678), DEV_EMULATOR_PORT (8787), DEV_EMAIL, DEV_PASSWORD, DEV_HOME (.tools/dev).
 *
 * How the package is loaded: as a community package, a real folder
 * <DEV_HOME>/home/.n8n/nodes/node_modules/n8n-nodes-qwen-ocr with package.json and dist/ copied from
 * the working tree (not a symlink: n8n would then resolve n8n-workflow from this repo's
 * node_modules instead of its own, and watch the whole repo). `tsc --watch` rebuilds dist/ on every
 * change of nodes/ or credentials/, icons are copied by `gulp build:icons`, and changed files are
 * synced into that folder. n8n 2.40.7 reloads community packages by itself when started with
 * N8N_DEV_RELOAD=true outside production (LoadNodesAndCredentials.setupHotReload: the package folder is
 * watched, require cache cleared, node types pushed to open editors), so no restart is needed; reload
 * the browser tab to see changed parameters. Changes to package.json restart n8n.
 */

const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');

const args = new Set(process.argv.slice(2));
for (const a of args) {
	if (!['--reset', '--reimport', '--restart-on-change', '--smoke', '--help', '-h'].includes(a)) {
		console.error(`unknown argument ${a}\nusage: npm run dev -- [--reset] [--reimport] [--restart-on-change] [--smoke]`);
		process.exit(2);
	}
}
if (args.has('--help') || args.has('-h')) {
	console.log('usage: npm run dev -- [--reset] [--reimport] [--restart-on-change] [--smoke]');
	process.exit(0);
}

const ROOT = lib.ROOT;
const DEV = path.resolve(process.env.DEV_HOME || path.join(ROOT, '.tools', 'dev'));
const HOME = path.join(DEV, 'home');
const FILES = path.join(DEV, 'files');
const PKG = path.join(HOME, '.n8n', 'nodes', 'node_modules', lib.PACKAGE_NAME);
const STATE = path.join(DEV, 'state.json');
const OWNER = {
	email: process.env.DEV_EMAIL || 'dev@example.com',
	firstName: 'Qwen',
	lastName: 'Developer',
	password: process.env.DEV_PASSWORD || 'QwenOcr-dev-2024',
};
const N8N_PORT = Number(process.env.N8N_PORT || 5678);
const EMULATOR_PORT = Number(process.env.DEV_EMULATOR_PORT || 8787);
const EMULATOR_KEY = 'sk-qwen-ocr-dev-emulator';

lib.setLogTag('dev');
const say = (/** @type {string} */ msg) => lib.log(msg);

/** Copies package.json and dist/ of the working tree into the installed package, changed files only. */
function syncPackage() {
	const src = path.join(ROOT, 'dist');
	if (!fs.existsSync(path.join(src, 'nodes', 'QwenOcr', 'QwenOcr.node.js'))) return { changed: 0, skipped: true };
	let changed = 0;
	const copyIfChanged = (from, to) => {
		const data = fs.readFileSync(from);
		if (fs.existsSync(to) && fs.readFileSync(to).equals(data)) return;
		fs.mkdirSync(path.dirname(to), { recursive: true });
		fs.writeFileSync(to, data);
		changed++;
	};
	const walk = (dir, rel = '') => {
		/** @type {Set<string>} */
		const seen = new Set();
		for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
			const r = path.join(rel, entry.name);
			seen.add(entry.name);
			if (entry.isDirectory()) walk(dir, r);
			else if (!entry.name.endsWith('.map') && !entry.name.endsWith('.tsbuildinfo')) copyIfChanged(path.join(dir, r), path.join(PKG, 'dist', r));
		}
		// files deleted from dist/ go from the package too
		const target = path.join(PKG, 'dist', rel);
		if (fs.existsSync(target)) {
			for (const name of fs.readdirSync(target)) {
				if (!seen.has(name) && !name.endsWith('.map')) {
					fs.rmSync(path.join(target, name), { recursive: true, force: true });
					changed++;
				}
			}
		}
	};
	walk(src);
	const pkgJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const installed = { name: pkgJson.name, version: pkgJson.version, description: pkgJson.description, main: pkgJson.main, license: pkgJson.license, n8n: pkgJson.n8n, peerDependencies: pkgJson.peerDependencies };
	const text = `${JSON.stringify(installed, null, 2)}\n`;
	const pkgFile = path.join(PKG, 'package.json');
	let packageJsonChanged = false;
	if (!fs.existsSync(pkgFile) || fs.readFileSync(pkgFile, 'utf8') !== text) {
		fs.mkdirSync(PKG, { recursive: true });
		fs.writeFileSync(pkgFile, text);
		packageJsonChanged = true;
		changed++;
	}
	if (pkgJson.main && fs.existsSync(path.join(ROOT, pkgJson.main))) copyIfChanged(path.join(ROOT, pkgJson.main), path.join(PKG, pkgJson.main));
	return { changed, packageJsonChanged, skipped: false };
}

function readState() {
	try {
		return JSON.parse(fs.readFileSync(STATE, 'utf8'));
	} catch {
		return {};
	}
}

let stopping = false;

async function main() {
	const started = Date.now();
	const stop = lib.installCleanup(async () => {
		stopping = true;
		say('stopping n8n, the emulator and the watchers…');
	});
	if (args.has('--reset')) {
		say(`--reset: removing ${path.relative(ROOT, DEV)}`);
		fs.rmSync(DEV, { recursive: true, force: true });
	}
	fs.mkdirSync(HOME, { recursive: true });
	fs.mkdirSync(FILES, { recursive: true });
	const logFile = path.join(DEV, 'commands.log');

	if (!(await lib.portIsFree(N8N_PORT))) throw new Error(`port ${N8N_PORT} is in use (another n8n?): stop it or set N8N_PORT`);
	const n8n = await lib.ensureN8n2();

	say('building the package (npm run build)');
	await lib.buildPackage(logFile);
	syncPackage();
	fs.writeFileSync(path.join(HOME, '.n8n', 'nodes', 'package.json'), `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [lib.PACKAGE_NAME]: `file:${path.relative(path.join(HOME, '.n8n', 'nodes'), ROOT)}` } }, null, 2)}\n`);

	// Example images where the example workflows read them.
	for (const f of fs.readdirSync(lib.FIXTURES_DIR)) {
		if (/\.(png|jpe?g|pdf)$/i.test(f) && !fs.existsSync(path.join(FILES, f))) fs.copyFileSync(path.join(lib.FIXTURES_DIR, f), path.join(FILES, f));
	}
	const pdfDir = path.join(ROOT, 'test', 'fixtures', 'pdf');
	if (fs.existsSync(pdfDir)) for (const f of fs.readdirSync(pdfDir)) if (f.endsWith('.pdf') && !fs.existsSync(path.join(FILES, f))) fs.copyFileSync(path.join(pdfDir, f), path.join(FILES, f));

	const emulatorPort = (await lib.portIsFree(EMULATOR_PORT)) ? EMULATOR_PORT : 0;
	if (emulatorPort === 0) say(`port ${EMULATOR_PORT} is busy: the emulator takes a free port`);
	const emu = await lib.startEmulator({ port: emulatorPort, apiKey: EMULATOR_KEY, requestLog: path.join(DEV, 'emulator-requests.jsonl'), outputLog: path.join(DEV, 'emulator.log') });

	const env = lib.n8nEnv({ home: HOME, port: N8N_PORT, brokerPort: await lib.freePort(), filesDir: FILES, extra: { N8N_DEV_RELOAD: args.has('--restart-on-change') ? 'false' : 'true' } });
	delete env.NODE_ENV; // hot reload only outside production
	delete env.N8N_LISTEN_ADDRESS; // n8n's default (all addresses), so http://localhost:PORT works over IPv4 and IPv6

	say('importing the credentials (Qwen OCR account → emulator, DashScope OpenAI-compatible → emulator)');
	await lib.importCredentials(n8n, env, lib.emulatorCredentials(emu), DEV, logFile);
	const state = readState();
	const examples = fs.readdirSync(path.join(ROOT, 'test', 'examples')).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(ROOT, 'test', 'examples', f));
	const agent = path.join(ROOT, 'test', 'agent', 'workflow.json');
	const toImport = [];
	if (!state.examplesImported || args.has('--reimport')) toImport.push(...examples, agent);
	else if (state.emulatorUrl !== emu.baseUrl) toImport.push(agent); // its prompt holds the emulator URL
	if (toImport.length) {
		say(`importing ${toImport.length} workflow(s): ${toImport.map((f) => path.basename(path.dirname(f)) + '/' + path.basename(f)).join(', ')}`);
		const workflows = toImport.map((f) => lib.localiseWorkflow(JSON.parse(fs.readFileSync(f, 'utf8')), { filesDir: FILES, emulatorUrl: emu.baseUrl, credentials: lib.CREDENTIALS }));
		await lib.importWorkflows(n8n, env, workflows, DEV, logFile);
	}
	fs.writeFileSync(STATE, JSON.stringify({ examplesImported: true, emulatorUrl: emu.baseUrl }, null, 2));

	const n8nLog = path.join(DEV, 'n8n.log');
	/** @type {{ proc: import('node:child_process').ChildProcess, url: string } | undefined} */
	let server;
	const startServer = async () => {
		say(`starting n8n ${n8n.version} (log: ${path.relative(ROOT, n8nLog)})`);
		server = await lib.startN8n(n8n, env, {
			logFile: n8nLog,
			timeoutMs: 240000,
			onLine: (line) => {
				const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
				if (/Hot reload (triggered|failed)/.test(plain)) {
					const now = Date.now();
					if (now - lastReloadLine > 2000) say(`n8n: ${/Hot reload \w+ for \S+/.exec(plain)?.[0] ?? plain}`);
					lastReloadLine = now;
				} else if (/\b(error|ERROR)\b/.test(plain) && !/api\.n8n\.io|telemetry|posthog|license/i.test(plain)) {
					process.stdout.write(`\x1b[2m[n8n]\x1b[0m ${plain}\n`);
				}
			},
		});
		server.proc.on('close', (code, signal) => {
			if (!restarting && !stopping) {
				say(`n8n exited (${code ?? signal}); last lines:\n${lib.tail(n8nLog, 15)}`);
				void stop(1);
			}
		});
		return server;
	};
	let lastReloadLine = 0;
	let restarting = false;
	const { url } = await startServer();
	const owner = await lib.setupOwner(url, OWNER);
	const cookie = await lib.login(url, OWNER.email, OWNER.password).catch((err) => {
		throw new Error(`${err.message}\nThe owner of this dev instance has another password: set DEV_EMAIL/DEV_PASSWORD, or start over with npm run dev -- --reset`);
	});
	const list = await lib.rest(url, '/rest/workflows', { cookie });
	const names = (list.json?.data ?? []).map((w) => w.name);

	const publicUrl = `http://localhost:${N8N_PORT}`;
	const banner = [
		'',
		`  n8n ${n8n.version} with n8n-nodes-qwen-ocr from this working tree is ready (${((Date.now() - started) / 1000).toFixed(0)} s)`,
		'',
		`    URL        ${publicUrl}`,
		`    email      ${OWNER.email}`,
		`    password   ${OWNER.password}${owner === 'created' ? '   (owner account created)' : ''}`,
		'',
		`    credential "Qwen OCR account" → DashScope emulator ${emu.baseUrl} (custom base URL)`,
		`    credential "DashScope OpenAI-compatible" → ${emu.baseUrl}/compatible-mode/v1 (for the AI Agent)`,
		`    images     ${FILES} (Read/Write Files from Disk may read here; fixtures also at ${emu.baseUrl}/fixtures/<file>)`,
		`    workflows  ${names.length}: ${names.join(' · ')}`,
		'',
		`    Edit nodes/ or credentials/: tsc --watch rebuilds, the package is synced and ${args.has('--restart-on-change') ? 'n8n restarts' : 'n8n hot-reloads it (reload the browser tab)'}.`,
		`    Logs: ${path.relative(ROOT, n8nLog)}, ${path.relative(ROOT, path.join(DEV, 'emulator-requests.jsonl'))}.   Ctrl-C stops everything.`,
		'',
	].join('\n');
	process.stdout.write(`${banner}\n`);

	if (args.has('--smoke')) {
		const expected = [...examples, agent].map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).name);
		const missing = expected.filter((n) => !names.includes(n));
		const me = await lib.rest(url, '/rest/login', { cookie });
		const creds = await lib.rest(url, '/rest/credentials', { cookie });
		const credNames = (creds.json?.data ?? []).map((c) => `${c.name} (${c.type})`);
		say(`smoke: logged in as ${me.json?.data?.email}; ${names.length} workflows; credentials: ${credNames.join(', ')}`);
		if (missing.length) throw new Error(`smoke: workflows missing: ${missing.join(', ')}`);
		if (!credNames.some((c) => c.includes('qwenOcrApi'))) throw new Error('smoke: no qwenOcrApi credential');
		say('smoke: OK, stopping');
		await stop(0);
		return;
	}

	// ---- watch mode ---------------------------------------------------------------------------
	const tsc = lib.startProcess(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
		logFile: path.join(DEV, 'tsc.log'),
		onLine: (line) => {
			if (/error TS|Found [1-9]\d* error/.test(line)) process.stdout.write(`\x1b[31m[tsc]\x1b[0m ${line}\n`);
			else if (/Found 0 errors/.test(line)) process.stdout.write(`\x1b[2m[tsc]\x1b[0m ${line.replace(/^.*? - /, '')}\n`);
		},
	});
	void tsc;

	// Polling, not fs.watch: dist/ is deleted and recreated by `npm run build`, which ends a watch.
	let busy = false;
	let lastStamp = '';
	const distStamp = () => {
		let stamp = '';
		const walk = (/** @type {string} */ dir) => {
			let entries;
			try {
				entries = fs.readdirSync(dir, { withFileTypes: true });
			} catch {
				return;
			}
			for (const e of entries) {
				const p = path.join(dir, e.name);
				if (e.isDirectory()) walk(p);
				else {
					try {
						const st = fs.statSync(p);
						stamp += `${p}:${st.size}:${st.mtimeMs};`;
					} catch {
						/* being rewritten */
					}
				}
			}
		};
		walk(path.join(ROOT, 'dist'));
		try {
			stamp += fs.statSync(path.join(ROOT, 'package.json')).mtimeMs;
		} catch {
			/* ignore */
		}
		return stamp;
	};
	lastStamp = distStamp();
	let settleTimer;
	setInterval(() => {
		const stamp = distStamp();
		if (stamp === lastStamp) return;
		lastStamp = stamp;
		clearTimeout(settleTimer);
		settleTimer = setTimeout(() => void onDistChanged(), 700); // let tsc finish writing
	}, 1000);
	const onDistChanged = async () => {
		if (busy) return;
		busy = true;
		try {
			const r = syncPackage();
			if (r.skipped || r.changed === 0) return;
			if (args.has('--restart-on-change') || r.packageJsonChanged) {
				say(`${r.changed} file(s) changed${r.packageJsonChanged ? ' (package.json)' : ''}: restarting n8n`);
				restarting = true;
				await lib.stopProcess(server.proc);
				await startServer();
				restarting = false;
				say(`n8n is back at ${publicUrl}`);
			} else {
				say(`${r.changed} file(s) synced into the installed package`);
			}
		} catch (err) {
			say(`sync failed: ${/** @type {Error} */ (err).message}`);
		} finally {
			busy = false;
		}
	};

	let iconsTimer;
	const onIcon = (_event, file) => {
		if (!file || !/\.(svg|png)$/i.test(String(file))) return;
		clearTimeout(iconsTimer);
		iconsTimer = setTimeout(() => {
			void lib.run('npx', ['gulp', 'build:icons'], { env: lib.node24Env(), logFile }).then((r) => {
				say(r.code === 0 ? `icons copied (${file})` : `gulp build:icons failed: see ${path.relative(ROOT, logFile)}`);
			});
		}, 300);
	};
	for (const dir of ['nodes', 'credentials']) fs.watch(path.join(ROOT, dir), { recursive: true }, onIcon);

	await new Promise(() => {});
}

main().catch(async (err) => {
	lib.log(`ERROR: ${err.message ?? err}`);
	await lib.stopAll();
	process.exit(1);
});
