#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Aggregates the self time of a V8 .cpuprofile (node --cpu-prof) by function, by file and by
 * package, so the frames that cost the most stand out.
 *
 *   node test/benchmark/profile-summary.js PROFILE.cpuprofile [--top 30] [--vs OTHER.cpuprofile] [--inside REGEX]
 *
 * With --vs, also prints where the first profile spends more self time than the second (e.g. the
 * node against the compliant floor under the same load). With --inside, the time of the stacks that
 * pass through frames whose URL matches REGEX (e.g. 'dist/nodes'), split by the call out of that code.
 */

const fs = require('fs');
const path = require('path');

/**
 * Where a frame's code lives: the project's build (dist/...), a package (n8n-core, axios...), the
 * benchmark/test code, Node's internals, or V8 pseudo-frames ((garbage collector), (program), (idle)).
 * @param {string} url @param {string} root
 */
function locate(url, root) {
	if (!url) return { category: 'v8/native', file: '(native)' };
	let file = url.replace(/^file:\/\//, '');
	if (file.startsWith('node:')) return { category: 'node internals', file };
	if (file.startsWith(root)) file = path.relative(root, file);
	const modules = file.lastIndexOf('node_modules/');
	if (modules >= 0) {
		const rest = file.slice(modules + 'node_modules/'.length).split('/');
		const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
		return { category: pkg, file: `${pkg}/${rest.slice(pkg.split('/').length).join('/')}` };
	}
	// dist/, or run.js's snapshot of it (test/benchmark/.dist-snapshot-<pid>/)
	const dist = /^(?:dist|test\/benchmark\/\.dist-snapshot-\d+)\/(.*)$/.exec(file);
	if (dist) return { category: 'qwen-ocr node (dist)', file: `dist/${dist[1]}` };
	if (file.startsWith('test/')) return { category: 'test harness', file };
	return { category: 'other', file };
}

/**
 * @param {any} profile a parsed .cpuprofile
 * @param {{ root?: string }} [options]
 */
function summarizeProfile(profile, options = {}) {
	const root = options.root ?? path.join(__dirname, '..', '..');
	/** @type {Map<number, any>} */
	const nodes = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]));
	/** @type {Map<number, number>} */
	const selfUs = new Map();
	const { samples, timeDeltas } = profile;
	for (let i = 0; i < samples.length; i++) {
		// timeDeltas[i] is the time before sample i; attribute the gap after a sample to it.
		const dt = timeDeltas[i + 1] ?? 0;
		selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
	}
	/** @type {Map<string, { name: string, file: string, line: number, category: string, selfMs: number }>} */
	const byFunction = new Map();
	/** @type {Map<string, number>} */
	const byFile = new Map();
	/** @type {Map<string, number>} */
	const byCategory = new Map();
	let totalUs = 0;
	let idleUs = 0;
	for (const [id, us] of selfUs) {
		const node = nodes.get(id);
		const frame = node.callFrame;
		const name = frame.functionName || '(anonymous)';
		if (name === '(idle)') {
			idleUs += us;
			continue;
		}
		totalUs += us;
		const where = ['(garbage collector)', '(program)', '(root)'].includes(name) ? { category: name, file: name } : locate(frame.url, root);
		const key = `${name}\u0000${where.file}\u0000${frame.lineNumber}`;
		const entry = byFunction.get(key) ?? { name, file: where.file, line: frame.lineNumber + 1, category: where.category, selfMs: 0 };
		entry.selfMs += us / 1000;
		byFunction.set(key, entry);
		byFile.set(where.file, (byFile.get(where.file) ?? 0) + us / 1000);
		byCategory.set(where.category, (byCategory.get(where.category) ?? 0) + us / 1000);
	}
	const totalMs = totalUs / 1000;
	const round = (/** @type {number} */ v) => +v.toFixed(1);
	const sorted = (/** @type {Map<string, number>} */ m) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v)]));
	return {
		totalMs: round(totalMs),
		idleMs: round(idleUs / 1000),
		top: [...byFunction.values()]
			.sort((a, b) => b.selfMs - a.selfMs)
			.map((f) => ({ ...f, selfMs: round(f.selfMs), pct: +((f.selfMs / totalMs) * 100).toFixed(1) })),
		byFile: sorted(byFile),
		byCategory: sorted(byCategory),
	};
}

/** @param {ReturnType<typeof summarizeProfile>} summary @param {number} [n] */
function formatSummary(summary, n = 25) {
	const lines = [`busy ${summary.totalMs} ms (idle ${summary.idleMs} ms)`, '', '| self ms | % | function | where |', '|---:|---:|---|---|'];
	for (const f of summary.top.slice(0, n)) lines.push(`| ${f.selfMs} | ${f.pct} | ${f.name} | ${f.file}:${f.line} |`);
	lines.push('', '| self ms | package / area |', '|---:|---|');
	for (const [k, v] of Object.entries(summary.byCategory).slice(0, 12)) lines.push(`| ${v} | ${k} |`);
	return lines.join('\n');
}

/**
 * Where `a` spends more self time than `b`, by area and by file (ms, a - b).
 * @param {ReturnType<typeof summarizeProfile>} a @param {ReturnType<typeof summarizeProfile>} b
 */
function diffSummaries(a, b, n = 15) {
	const diff = (/** @type {Record<string, number>} */ x, /** @type {Record<string, number>} */ y) =>
		[...new Set([...Object.keys(x), ...Object.keys(y)])]
			.map((k) => ({ k, a: x[k] ?? 0, b: y[k] ?? 0, d: (x[k] ?? 0) - (y[k] ?? 0) }))
			.sort((p, q) => q.d - p.d);
	const lines = [`busy: ${a.totalMs} ms vs ${b.totalMs} ms (+${(a.totalMs - b.totalMs).toFixed(1)} ms)`, '', '| + ms | this | floor | area |', '|---:|---:|---:|---|'];
	for (const r of diff(a.byCategory, b.byCategory).slice(0, 10)) lines.push(`| ${r.d.toFixed(1)} | ${r.a} | ${r.b} | ${r.k} |`);
	lines.push('', '| + ms | this | floor | file |', '|---:|---:|---:|---|');
	for (const r of diff(a.byFile, b.byFile).slice(0, n)) lines.push(`| ${r.d.toFixed(1)} | ${r.a} | ${r.b} | ${r.k} |`);
	return lines.join('\n');
}

/**
 * Time of the samples whose stack passes through code matching `match` (e.g. the node's build):
 * what that code costs including what it calls synchronously (n8n helpers, Buffer, ...), split by
 * the innermost matching frame and the frame it called. Self-time tables scatter this cost over
 * axios, Node internals and V8; this view puts it back on the code that caused it.
 * @param {any} profile @param {RegExp} match tested on the frame's URL @param {{ root?: string }} [options]
 */
function inclusiveBreakdown(profile, match, options = {}) {
	const root = options.root ?? path.join(__dirname, '..', '..');
	/** @type {Map<number, any>} */
	const nodes = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]));
	/** @type {Map<number, number>} */
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const label = (/** @type {any} */ n) => `${n.callFrame.functionName || '(anonymous)'} ${locate(n.callFrame.url, root).file}:${n.callFrame.lineNumber + 1}`;
	/** @type {Map<string, number>} */
	const byEdge = new Map();
	let busyUs = 0;
	let insideUs = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		const dt = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
		const leaf = nodes.get(profile.samples[i]);
		if (leaf.callFrame.functionName === '(idle)') continue;
		busyUs += dt;
		let id = profile.samples[i];
		let child;
		while (id !== undefined) {
			const n = nodes.get(id);
			if (match.test(n.callFrame.url)) {
				const key = `${label(n)} -> ${child ? label(child) : '(self)'}`;
				byEdge.set(key, (byEdge.get(key) ?? 0) + dt);
				insideUs += dt;
				break;
			}
			child = n;
			id = parent.get(id);
		}
	}
	return {
		busyMs: +(busyUs / 1000).toFixed(1),
		insideMs: +(insideUs / 1000).toFixed(1),
		edges: [...byEdge].sort((a, b) => b[1] - a[1]).map(([edge, us]) => ({ edge, ms: +(us / 1000).toFixed(1) })),
	};
}

module.exports = { summarizeProfile, formatSummary, diffSummaries, inclusiveBreakdown };

if (require.main === module) {
	const argv = process.argv.slice(2);
	let top = 30;
	let vs = '';
	let inside = '';
	const files = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--top') top = Number(argv[++i]);
		else if (argv[i] === '--vs') vs = argv[++i];
		else if (argv[i] === '--inside') inside = argv[++i];
		else files.push(argv[i]);
	}
	if (files.length !== 1) {
		console.error('usage: node test/benchmark/profile-summary.js PROFILE.cpuprofile [--top 30] [--vs OTHER.cpuprofile] [--inside REGEX]');
		process.exit(2);
	}
	const profile = JSON.parse(fs.readFileSync(files[0], 'utf8'));
	const a = summarizeProfile(profile);
	console.log(formatSummary(a, top));
	if (inside) {
		const b = inclusiveBreakdown(profile, new RegExp(inside));
		console.log(`\ninside /${inside}/: ${b.insideMs} ms of ${b.busyMs} ms busy\n`);
		for (const e of b.edges.slice(0, top)) console.log(`${String(e.ms).padStart(9)}  ${e.edge}`);
	}
	if (vs) {
		const b = summarizeProfile(JSON.parse(fs.readFileSync(vs, 'utf8')));
		console.log(`\nvs ${vs}:\n`);
		console.log(diffSummaries(a, b, top));
	}
}
