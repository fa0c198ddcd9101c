#!/usr/bin/env node
// @ts-check
/**
 * The main job: run the built Qwen OCR node (dist/) inside n8n-core's execution engine on a real
 * image and print the parsed items.
 *
 *   npm run demo                                   local DashScope emulator, fixture invoice, key information extraction
 *   npm run demo -- --operation tableParsing --image test/fixtures/images/table.png
 *   npm run demo -- --operation customPrompt --prompt "List the items as JSON" --image my-receipt.jpg
 *   QWEN_OCR_API_KEY=sk-... QWEN_OCR_REGION=intl npm run demo    the real DashScope API (region intl | us | cn)
 *   QWEN_OCR_API_KEY=sk-... QWEN_OCR_BASE_URL=https://gateway.example.com npm run demo
 */
const fs = require('fs');
const path = require('path');
const { runNode } = require('../engine/harness');
const { startEmulator } = require('../emulator');

const root = path.join(__dirname, '..', '..');

function parseArgs(argv) {
	const args = { operation: 'keyInformationExtraction', image: path.join(root, 'test/fixtures/images/invoice.png'), prompt: 'Read all text in the image.' };
	for (let i = 0; i < argv.length; i++) {
		const [key, inline] = argv[i].replace(/^--/, '').split('=');
		const value = inline ?? argv[++i];
		if (key === 'operation') args.operation = value;
		else if (key === 'image') args.image = path.resolve(value);
		else if (key === 'prompt') args.prompt = value;
		else throw new Error(`Unknown argument --${key}. Use --operation <name>, --image <file> and --prompt <text>.`);
	}
	return args;
}

function mimeOf(file) {
	const ext = path.extname(file).toLowerCase();
	return { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.bmp': 'image/bmp', '.tif': 'image/tiff', '.tiff': 'image/tiff' }[ext] ?? 'application/octet-stream';
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const { QwenOcr } = require(path.join(root, 'dist/nodes/QwenOcr/QwenOcr.node.js'));
	const { QwenOcrApi } = require(path.join(root, 'dist/credentials/QwenOcrApi.credentials.js'));

	const apiKey = process.env.QWEN_OCR_API_KEY;
	let emulator;
	let credentials;
	if (apiKey) {
		const baseUrl = process.env.QWEN_OCR_BASE_URL;
		credentials = baseUrl ? { region: 'custom', baseUrl, apiKey } : { region: process.env.QWEN_OCR_REGION ?? 'intl', apiKey };
		console.error(`Calling the real DashScope API (${baseUrl ?? credentials.region})`);
	} else {
		emulator = await startEmulator({ apiKey: 'sk-local-emulator', port: 0 });
		credentials = { region: 'custom', baseUrl: emulator.baseUrl, apiKey: 'sk-local-emulator' };
		console.error(`Local DashScope emulator at ${emulator.baseUrl} (set QWEN_OCR_API_KEY to call the real API)`);
	}
	const data = fs.readFileSync(args.image);
	console.error(`Running Qwen OCR "${args.operation}" on ${path.relative(process.cwd(), args.image)} (${data.length} bytes) in n8n's WorkflowExecute`);
	try {
		const { items, error } = await runNode({
			node: new QwenOcr(),
			credentialTypes: { qwenOcrApi: new QwenOcrApi() },
			credentials: { qwenOcrApi: credentials },
			parameters: { operation: args.operation, inputType: 'binary', binaryPropertyName: 'data', prompt: args.prompt, options: { keepBinary: false } },
			items: [{ json: {}, binary: { data: { data: data.toString('base64'), mimeType: mimeOf(args.image), fileName: path.basename(args.image) } } }],
		});
		if (error) {
			console.error(`Node failed: ${error.message}${error.description ? `\n${error.description}` : ''}`);
			process.exitCode = 1;
			return;
		}
		console.log(JSON.stringify(items.map((item) => item.json), null, 2));
		console.error(`${items.length} item(s)`);
	} finally {
		await emulator?.close();
	}
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
