/**
 * The release guard (test/scripts/release-guard.js) as publish.yml runs it: it refuses this repository's
 * package.json while it holds placeholders, and passes a filled-in copy released from the right tag.
 */
import { execFileSync } from 'child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const GUARD = path.join(ROOT, 'test', 'scripts', 'release-guard.js');

/** Runs the guard as a process, with no GitHub Actions variables but those given. */
function guard(args: string[], env: Record<string, string> = {}): { code: number; output: string } {
	const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GITHUB_'))) as Record<string, string>;
	try {
		const output = execFileSync(process.execPath, [GUARD, ...args], { env: { ...clean, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		return { code: 0, output };
	} catch (error) {
		const failed = error as { status: number; stdout: string; stderr: string };
		return { code: failed.status, output: `${failed.stdout}${failed.stderr}` };
	}
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown> & { version: string };

let dir: string;

/** A copy of the package's metadata files with `changes` applied to package.json. */
function release(changes: Record<string, unknown>, changelog = `# Changelog\n\n## 1.4.0 — 2026-12-04\n\n- things\n`): string {
	writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ ...pkg, ...changes }, null, 2)}\n`);
	writeFileSync(path.join(dir, 'CHANGELOG.md'), changelog);
	return dir;
}

const FILLED = {
	version: '1.4.0',
	homepage: 'https://github.com/acme-ocr/n8n-nodes-qwen-ocr#readme',
	repository: { type: 'git', url: 'git+https://github.com/acme-ocr/n8n-nodes-qwen-ocr.git' },
	bugs: { url: 'https://github.com/acme-ocr/n8n-nodes-qwen-ocr/issues' },
	author: { name: 'Ada Maintainer', email: 'ada@acme-ocr.example.com' },
};

beforeEach(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'qwen-ocr-release-'));
	cpSync(path.join(ROOT, 'README.md'), path.join(dir, 'README.md'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('release guard', () => {
	it('refuses this repository\'s package.json: its repository, homepage, bugs and author are placeholders', () => {
		const { code, output } = guard(['--tag', `v${pkg.version}`]);
		expect(code).toBe(1);
		expect(output).toContain('release-guard: refusing to publish');
		for (const field of ['"homepage"', '"url": "git+https://github.com/OWNER/', '"url": "https://github.com/OWNER/', '"name": "PLACEHOLDER', '"email": "PLACEHOLDER']) {
			expect(output).toContain(field);
		}
	});

	it('passes a filled-in copy released from its version tag, in the repository it names', () => {
		const result = guard(['--dir', release(FILLED)], { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.4.0', GITHUB_REPOSITORY: 'acme-ocr/n8n-nodes-qwen-ocr' });
		expect(result).toEqual({ code: 0, output: 'release-guard: ok: n8n-nodes-qwen-ocr@1.4.0 from git+https://github.com/acme-ocr/n8n-nodes-qwen-ocr.git, tag v1.4.0\n' });
		expect(guard(['--dir', dir, '--tag', 'v1.4.0']).code).toBe(0);
	});

	it.each([
		['a tag that is not the version', FILLED, { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.4.1' }, 'the tag v1.4.1 does not match package.json\'s version 1.4.0'],
		['no tag at all (a branch push)', FILLED, { GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main' }, 'no release tag'],
		['another repository than the one publishing (provenance would fail)', FILLED, { GITHUB_REF_NAME: 'v1.4.0', GITHUB_REF_TYPE: 'tag', GITHUB_REPOSITORY: 'someone-else/fork' }, 'npm provenance requires them to match'],
		['a repository that is not on GitHub', { ...FILLED, repository: { type: 'git', url: 'https://gitlab.com/acme/n8n-nodes-qwen-ocr.git' } }, { GITHUB_REF_NAME: 'v1.4.0', GITHUB_REF_TYPE: 'tag' }, 'must be a GitHub repository'],
		['a homepage on another GitHub repository', { ...FILLED, homepage: 'https://github.com/other/repo' }, { GITHUB_REF_NAME: 'v1.4.0', GITHUB_REF_TYPE: 'tag' }, 'homepage points at another GitHub repository'],
		['an author without e-mail', { ...FILLED, author: { name: 'Ada Maintainer' } }, { GITHUB_REF_NAME: 'v1.4.0', GITHUB_REF_TYPE: 'tag' }, 'author needs a real e-mail'],
		['the placeholder author left in', { ...FILLED, author: pkg.author }, { GITHUB_REF_NAME: 'v1.4.0', GITHUB_REF_TYPE: 'tag' }, 'still has a placeholder'],
	])('refuses %s', (_label, changes, env, message) => {
		const { code, output } = guard(['--dir', release(changes)], env);
		expect(code).toBe(1);
		expect(output).toContain(message);
	});

	it('refuses a version the changelog has not released', () => {
		expect(guard(['--dir', release(FILLED, '# Changelog\n\n## 1.4.0 (unreleased)\n'), '--tag', 'v1.4.0']).output).toContain('still marks 1.4.0 as unreleased');
		expect(guard(['--dir', release(FILLED, '# Changelog\n\n## 1.4.01 — 2026-12-04\n'), '--tag', 'v1.4.0']).output).toContain('no "## 1.4.0" heading');
	});

	it('refuses a README that still links a placeholder repository', () => {
		release(FILLED);
		writeFileSync(path.join(dir, 'README.md'), 'Issues: https://github.com/OWNER/n8n-nodes-qwen-ocr/issues\n');
		const { code, output } = guard(['--dir', dir, '--tag', 'v1.4.0']);
		expect(code).toBe(1);
		expect(output).toContain('README.md:1 still has a placeholder');
	});
});
