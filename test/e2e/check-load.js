#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Loads the installed community package with the n8n installation's own loader (n8n-core's
 * PackageDirectoryLoader, as n8n does at start-up) and checks what the minimum supported n8n must
 * provide: `NodeConnectionTypes` in its n8n-workflow, and themed icons resolved to
 * `iconUrl: { light, dark }` for the node and the credential.
 *
 *   node test/e2e/check-load.js <n8n install dir> <package dir>
 *
 * Run with the Node version that runs that n8n. Prints one line; exits 1 on failure.
 */

const fs = require('fs');
const path = require('path');
const Module = require('module');

async function main() {
	const [installDir, packageDir] = process.argv.slice(2);
	if (!installDir || !packageDir) throw new Error('usage: node test/e2e/check-load.js <n8n install dir> <package dir>');
	const n8nDir = path.join(installDir, 'node_modules', 'n8n');
	const fromN8n = (/** @type {string} */ id) => require(require.resolve(id, { paths: [n8nDir] }));
	// n8n makes its own dependencies resolvable for community packages the same way (NODE_PATH).
	process.env.NODE_PATH = [path.join(n8nDir, 'node_modules'), path.join(installDir, 'node_modules')].join(path.delimiter);
	// @ts-ignore internal API, used by n8n itself
	Module._initPaths();

	const n8nVersion = fromN8n('n8n/package.json').version;
	const workflowVersion = fromN8n('n8n-workflow/package.json').version;
	const { NodeConnectionTypes } = fromN8n('n8n-workflow');
	const problems = [];
	if (!NodeConnectionTypes || NodeConnectionTypes.Main !== 'main') problems.push(`n8n-workflow ${workflowVersion} has no NodeConnectionTypes`);
	if (fs.existsSync(path.join(packageDir, 'node_modules', 'n8n-workflow')) || fs.existsSync(path.join(packageDir, '..', 'n8n-workflow'))) {
		problems.push('a second n8n-workflow was installed next to the package (peer dependency must come from n8n)');
	}

	const { PackageDirectoryLoader } = fromN8n('n8n-core');
	const loader = new PackageDirectoryLoader(packageDir);
	try {
		await loader.loadAll();
	} catch (error) {
		// n8n reports "Class could not be found" for any error thrown while constructing the node.
		let cause = '';
		try {
			const file = path.join(packageDir, 'dist/nodes/QwenOcr/QwenOcr.node.js');
			new (require(file).QwenOcr)();
		} catch (inner) {
			cause = ` (constructing the node: ${inner instanceof Error ? inner.message : inner})`;
		}
		problems.push(`n8n's loader failed: ${error instanceof Error ? error.message : error}${cause}`);
	}
	const node = loader.nodeTypes.qwenOcr?.type;
	const credential = loader.credentialTypes.qwenOcrApi?.type;
	if (!node) problems.push('node qwenOcr not loaded');
	if (!credential) problems.push('credential qwenOcrApi not loaded');
	/** @param {string} what @param {any} description */
	const checkIcon = (what, description) => {
		const url = description?.iconUrl;
		if (!url || typeof url !== 'object' || !url.light || !url.dark || url.light === url.dark) {
			problems.push(`${what}: iconUrl is ${JSON.stringify(url)} (expected { light, dark })`);
			return;
		}
		for (const variant of ['light', 'dark']) {
			// iconUrl is "icons/<package>/<path inside the package>"
			const relative = url[variant].replace(/^icons\/[^/]+\//, '');
			if (!fs.existsSync(path.join(packageDir, relative))) problems.push(`${what}: ${variant} icon ${relative} missing from the package`);
		}
	};
	if (node) {
		checkIcon('node', node.description);
		const inputs = JSON.stringify(node.description.inputs);
		if (inputs !== '["main"]') problems.push(`node inputs are ${inputs}`);
	}
	if (credential) checkIcon('credential', credential);

	const label = `n8n ${n8nVersion} (n8n-workflow ${workflowVersion}, Node ${process.versions.node})`;
	if (problems.length) {
		console.log(`load check FAIL on ${label}: ${problems.join('; ')}`);
		process.exitCode = 1;
	} else {
		console.log(`load check PASS on ${label}: NodeConnectionTypes present, node and credential iconUrl { light, dark } resolved to files in the package`);
	}
}

main().catch((error) => {
	console.log(`load check FAIL: ${error instanceof Error ? error.stack || error.message : error}`);
	process.exitCode = 1;
});
