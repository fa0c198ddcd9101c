#!/usr/bin/env node
/**
 * n8n's verification scanner (@n8n/scan-community-package), run offline: it normally downloads the
 * published tarball from npm; here it analyses what `npm pack` would publish (compiled JS and
 * package.json, inline eslint-disable comments ignored), and the TypeScript sources as its
 * provenance leg does. Exits 1 on any violation.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import { fileURLToPath } from 'url';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'qwen-ocr-scan-'));
try {
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
	execFileSync('tar', ['xzf', path.join(work, tarball), '-C', work]);
	const legs = [
		['published tarball', path.join(work, 'package'), undefined],
		['sources', root, SOURCE_FILE_PATTERNS],
	];
	let failed = false;
	for (const [label, dir, patterns] of legs) {
		const result = await analyzePackage(dir, patterns);
		console.log(`n8n scanner (${label}): ${result.passed ? 'passed' : `FAILED: ${result.message}`}`);
		if (!result.passed) {
			failed = true;
			if (result.details) console.log(result.details);
		}
	}
	process.exitCode = failed ? 1 : 0;
} finally {
	rmSync(work, { recursive: true, force: true });
}
