/**
 * The GitHub workflows: they parse, CI runs what .ci/run and the README's test command run in a Debian
 * container with the packages the scripts need, and the release publishes with provenance only after
 * the tests and the release guard, with the permissions provenance needs. Every `npm run X` and script
 * they call exists.
 */
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	env?: Record<string, string>;
	with?: Record<string, unknown>;
}
interface Job {
	uses?: string;
	needs?: string | string[];
	permissions?: Record<string, string>;
	container?: string | { image: string };
	steps?: Step[];
}
interface Workflow {
	name: string;
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

function workflow(file: string): Workflow {
	const parsed = parse(read(file), { prettyErrors: true, uniqueKeys: true }) as Workflow;
	expect(parsed).toEqual(expect.objectContaining({ name: expect.any(String), on: expect.any(Object), jobs: expect.any(Object) }));
	return parsed;
}

/** Every shell command line the workflow's steps run (comments and blank lines dropped). */
function runLines(wf: Workflow): string[] {
	return Object.values(wf.jobs)
		.flatMap((job) => job.steps ?? [])
		.flatMap((step) => (step.run ?? '').split('\n'))
		.map((line) => line.trim())
		.filter((line) => line !== '' && !line.startsWith('#'));
}

function stepIndex(steps: Step[], pattern: RegExp): number {
	return steps.findIndex((step) => pattern.test(step.run ?? ''));
}

const ci = workflow('.github/workflows/ci.yml');
const publish = workflow('.github/workflows/publish.yml');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

describe('every command the workflows call exists', () => {
	it.each([
		['ci.yml', ci],
		['publish.yml', publish],
	])('%s', (_file, wf) => {
		const text = runLines(wf).join('\n');
		const npmRuns = [...text.matchAll(/\bnpm run ([\w:.-]+)/g)].map((match) => match[1]);
		const runShJobs = [...text.matchAll(/\bbash test\/scripts\/run\.sh ([\w:.-]+)/g)].map((match) => match[1]);
		const files = [...text.matchAll(/\b((?:test|\.ci)\/[\w./-]+\.(?:sh|js|mjs))\b/g)].map((match) => match[1]);
		expect(npmRuns.length + runShJobs.length).toBeGreaterThan(0);
		for (const name of npmRuns) expect({ npmRun: name, exists: name in scripts }).toEqual({ npmRun: name, exists: true });
		// run.sh runs `test` and `demo` itself and any other job as `npm run <job>`.
		for (const job of runShJobs) expect({ runSh: job, exists: ['test', 'demo'].includes(job) || job in scripts }).toEqual({ runSh: job, exists: true });
		for (const file of files) expect({ file, exists: existsSync(path.join(ROOT, file)) }).toEqual({ file, exists: true });
		if (/\bnpm test\b/.test(text)) expect(scripts.test).toBeDefined();
	});
});

describe('ci.yml', () => {
	const job = ci.jobs.test;

	it('runs on push and pull request, and when the release calls it', () => {
		expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['push', 'pull_request', 'workflow_call']));
	});

	it('runs in a Debian Node 24 container and installs chromium, postgresql and redis-server', () => {
		const image = typeof job.container === 'string' ? job.container : job.container?.image;
		expect(image).toMatch(/^node:24-(bookworm|trixie)/);
		const install = runLines(ci).find((line) => /apt-get install/.test(line)) ?? '';
		for (const pkg of ['chromium', 'postgresql', 'redis-server']) expect(install.split(/\s+/)).toContain(pkg);
	});

	it('runs the README\'s test command (build, lint, the n8n scanner on the packed tarball, jest)', () => {
		expect(read('README.md')).toContain('bash test/scripts/run.sh test');
		expect(runLines(ci)).toContain('bash test/scripts/run.sh test');
		const runSh = read('test/scripts/run.sh');
		for (const part of ['npm run build', 'npm run lint', 'npm run scan', 'npm test']) expect(runSh).toContain(part);
		// The scanner analyses what `npm pack` would publish.
		expect(read('test/scripts/scan.mjs')).toMatch(/'npm', \['pack'/);
	});

	it('runs every command .ci/run runs', () => {
		const ciRun = read('.ci/run')
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => line !== '' && !line.startsWith('#') && !/^(set|cd|rm) /.test(line) && !line.startsWith('#!'));
		expect(ciRun.length).toBeGreaterThan(0);
		const lines = runLines(ci);
		expect(ciRun.filter((command) => !lines.includes(command))).toEqual([]);
	});
});

describe('publish.yml', () => {
	const job = publish.jobs.publish;
	const steps = job.steps ?? [];

	it('runs on version tags only', () => {
		expect(Object.keys(publish.on)).toEqual(['push']);
		expect(publish.on.push).toEqual({ tags: ['v*'] });
	});

	it('publishes with provenance, publicly, with id-token: write and contents: read', () => {
		const publishLine = runLines(publish).find((line) => /^npm publish\b/.test(line)) ?? '';
		expect(publishLine.split(/\s+/)).toEqual(expect.arrayContaining(['--provenance', '--access', 'public']));
		expect(publishLine).toMatch(/--access public/);
		expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
		// Nothing else in the workflow gets more than reading the repository.
		expect(publish.permissions).toEqual({ contents: 'read' });
	});

	it('npm ci, build and test, then the release guard, then npm publish', () => {
		const order = [/^npm ci\b/m, /npm run build/, /npm test/, /release-guard\.js/, /npm publish --provenance/].map((pattern) => stepIndex(steps, pattern));
		expect(order.every((index) => index >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		expect(new Set(order).size).toBe(order.length);
	});

	it('runs the whole CI on the tagged commit first', () => {
		expect(publish.jobs.ci.uses).toBe('./.github/workflows/ci.yml');
		expect(job.needs).toBe('ci');
	});

	it('documents its authentication: trusted publishing or the NPM_TOKEN secret', () => {
		const publishStep = steps[stepIndex(steps, /npm publish/)];
		expect(publishStep.env?.NPM_TOKEN).toBe('${{ secrets.NPM_TOKEN }}');
		const contributing = read('CONTRIBUTING.md');
		expect(contributing).toMatch(/trusted publish/i);
		expect(contributing).toContain('NPM_TOKEN');
	});
});

describe('CONTRIBUTING.md', () => {
	it('has a Releasing section with the steps, ending with n8n\'s scanner on the published version', () => {
		const text = read('CONTRIBUTING.md');
		const releasing = /^## Releasing\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text)?.[1] ?? '';
		expect(releasing).not.toBe('');
		expect(releasing).toContain('npx @n8n/scan-community-package n8n-nodes-qwen-ocr@<version>');
		expect(releasing).toContain('release-guard.js');
		expect((releasing.match(/^\d+\. /gm) ?? []).length).toBeGreaterThanOrEqual(5);
	});
});
