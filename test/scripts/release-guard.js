#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Release guard, run by .github/workflows/publish.yml right before `npm publish`: refuses (exit 1, every
 * reason listed) to publish a package that still carries placeholders or whose metadata would make npm
 * provenance or n8n's verification fail.
 *
 *   node test/scripts/release-guard.js [--tag v1.2.3] [--dir <package folder>]
 *
 * Checks:
 *   - no placeholder left in package.json or README.md ("PLACEHOLDER", "github.com/OWNER/", "example.invalid");
 *   - repository.url is a GitHub repository, https://github.com/<owner>/<repo>(.git); homepage and bugs, when
 *     on github.com, point at that same repository; when run in GitHub Actions, it is the repository that
 *     runs the workflow (GITHUB_REPOSITORY), as npm provenance requires;
 *   - author has a name and an e-mail address;
 *   - the tag (--tag, else the pushed tag GITHUB_REF_NAME) is "v" + package.json's version;
 *   - CHANGELOG.md has a heading for that version that is not marked unreleased.
 * Not part of the published package (package.json "files" is dist/ only).
 */

const fs = require('node:fs');
const path = require('node:path');

const PLACEHOLDER_PATTERNS = [/PLACEHOLDER/, /github\.com\/OWNER\//, /example\.invalid/];
const GITHUB_REPO_URL = /^(?:git\+)?https:\/\/github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {{ tag?: string, dir: string }} */
	const args = { dir: path.resolve(__dirname, '..', '..') };
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = argv[i + 1];
		if (flag === '--tag' && value) args.tag = value;
		else if (flag === '--dir' && value) args.dir = path.resolve(value);
		else throw new Error(`unknown or incomplete argument ${flag}\nusage: node test/scripts/release-guard.js [--tag v1.2.3] [--dir <package folder>]`);
		i++;
	}
	return args;
}

/** The tag being released: --tag, else the tag whose push started the workflow. @param {NodeJS.ProcessEnv} env */
function releaseTag(tagArgument, env) {
	if (tagArgument) return tagArgument;
	if (env.GITHUB_REF_TYPE === 'tag' && env.GITHUB_REF_NAME) return env.GITHUB_REF_NAME;
	if (env.GITHUB_REF?.startsWith('refs/tags/')) return env.GITHUB_REF.slice('refs/tags/'.length);
	return undefined;
}

/** @param {unknown} value @returns {string | undefined} */
function urlOf(value) {
	if (typeof value === 'string') return value;
	if (value && typeof value === 'object' && typeof (/** @type {any} */ (value).url) === 'string') return /** @type {any} */ (value).url;
	return undefined;
}

/**
 * Every reason to refuse the release of the package in `dir` (empty: publish).
 * @param {{ dir: string, tag?: string, env?: NodeJS.ProcessEnv }} options
 * @returns {string[]}
 */
function releaseProblems({ dir, tag, env = {} }) {
	const problems = [];
	const packageText = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
	const pkg = JSON.parse(packageText);
	const readme = fs.existsSync(path.join(dir, 'README.md')) ? fs.readFileSync(path.join(dir, 'README.md'), 'utf8') : '';

	for (const [file, text] of [['package.json', packageText], ['README.md', readme]]) {
		text.split('\n').forEach((line, index) => {
			if (PLACEHOLDER_PATTERNS.some((pattern) => pattern.test(line))) {
				problems.push(`${file}:${index + 1} still has a placeholder: ${line.trim()}`);
			}
		});
	}

	const repositoryUrl = urlOf(pkg.repository);
	const repository = repositoryUrl ? GITHUB_REPO_URL.exec(repositoryUrl) : null;
	if (!repository) {
		problems.push(`package.json repository.url must be a GitHub repository, git+https://github.com/<owner>/<repo>.git (found ${JSON.stringify(repositoryUrl ?? null)})`);
	} else {
		const slug = `${repository[1]}/${repository[2]}`;
		for (const [field, url] of [['homepage', urlOf(pkg.homepage)], ['bugs.url', urlOf(pkg.bugs)]]) {
			if (url === undefined) continue;
			if (!/^https:\/\//.test(url)) problems.push(`package.json ${field} must be an https URL (found ${JSON.stringify(url)})`);
			else if (/^https:\/\/github\.com\//i.test(url) && !url.toLowerCase().startsWith(`https://github.com/${slug.toLowerCase()}`)) {
				problems.push(`package.json ${field} points at another GitHub repository than repository.url (${slug}): ${url}`);
			}
		}
		if (env.GITHUB_REPOSITORY && env.GITHUB_REPOSITORY.toLowerCase() !== slug.toLowerCase()) {
			problems.push(`package.json repository.url is ${slug} but this workflow runs in ${env.GITHUB_REPOSITORY}: npm provenance requires them to match`);
		}
	}

	const author = typeof pkg.author === 'string' ? { name: pkg.author.replace(/<.*$/, '').trim(), email: /<([^>]+)>/.exec(pkg.author)?.[1] } : (pkg.author ?? {});
	if (!author.name || !String(author.name).trim()) problems.push('package.json author has no name');
	if (!author.email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(author.email))) problems.push(`package.json author needs a real e-mail address (found ${JSON.stringify(author.email ?? null)})`);

	const version = String(pkg.version ?? '');
	if (!SEMVER.test(version)) problems.push(`package.json version ${JSON.stringify(version)} is not a semantic version`);
	if (!tag) {
		problems.push('no release tag: run from a pushed tag (GITHUB_REF_NAME) or pass --tag v<version>');
	} else if (tag !== `v${version}`) {
		problems.push(`the tag ${tag} does not match package.json's version ${version} (expected v${version})`);
	}

	const changelogFile = path.join(dir, 'CHANGELOG.md');
	const changelog = fs.existsSync(changelogFile) ? fs.readFileSync(changelogFile, 'utf8') : '';
	const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const heading = new RegExp(`^##\\s+\\[?v?${escaped}\\]?(?![\\w.-]).*$`, 'm').exec(changelog);
	if (!heading) problems.push(`CHANGELOG.md has no "## ${version}" heading`);
	else if (/unreleased/i.test(heading[0])) problems.push(`CHANGELOG.md still marks ${version} as unreleased: ${heading[0].trim()}`);

	return problems;
}

function main() {
	let args;
	try {
		args = parseArgs(process.argv.slice(2));
	} catch (error) {
		console.error(/** @type {Error} */ (error).message);
		process.exit(2);
	}
	const tag = releaseTag(args.tag, process.env);
	const problems = releaseProblems({ dir: args.dir, tag, env: process.env });
	if (problems.length > 0) {
		console.error(`release-guard: refusing to publish (${problems.length} problem${problems.length === 1 ? '' : 's'}):`);
		for (const problem of problems) console.error(`  - ${problem}`);
		console.error('Fill in the real values (see CONTRIBUTING.md, "Releasing"), commit, and tag again.');
		process.exit(1);
	}
	const pkg = JSON.parse(fs.readFileSync(path.join(args.dir, 'package.json'), 'utf8'));
	console.log(`release-guard: ok: ${pkg.name}@${pkg.version} from ${urlOf(pkg.repository)}, tag ${tag}`);
}

if (require.main === module) main();

module.exports = { releaseProblems, releaseTag };
