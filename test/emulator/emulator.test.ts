/**
 * Tests of the DashScope Qwen-OCR emulator itself, over real HTTP with Node's fetch. The node's tests rely
 * on the emulator behaving like the service, so every behaviour they lean on is pinned here.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as zlib from 'node:zlib';
import { startEmulator, type Emulator } from './index';

const KEY = 'sk-emulator-test';
const OTHER_KEY = 'sk-emulator-other';
const GEN = '/api/v1/services/aigc/multimodal-generation/generation';
const CHAT = '/compatible-mode/v1/chat/completions';
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const IMAGES = path.join(FIXTURES, 'images');
const PROMPTS: Record<string, string> = readJson(path.join(FIXTURES, 'vendor', 'task-prompts.json'));

type Json = any;

function readJson(file: string): Json {
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function truth(name: string): Json {
	return readJson(path.join(IMAGES, `${name}.truth.json`));
}

function dataUrl(file: string, mime = file.endsWith('.jpg') ? 'image/jpeg' : 'image/png'): string {
	return `data:${mime};base64,${fs.readFileSync(path.join(IMAGES, file)).toString('base64')}`;
}

/** A valid grey PNG of any size, built by hand so size limits can be tested. */
function makePng(width: number, height: number): Buffer {
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(zlib.crc32(body));
		return Buffer.concat([len, body, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 0; // greyscale
	const raw = Buffer.alloc((width + 1) * height, 0xff);
	for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0; // filter byte
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', zlib.deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

interface NativeOptions {
	model?: string;
	task?: string;
	schema?: Json;
	text?: string;
	maxTokens?: number;
	imageOptions?: Json;
}

function nativeRequest(image: string | string[], opts: NativeOptions = {}): Json {
	const images = (Array.isArray(image) ? image : [image]).map((i) => ({ image: i, ...(opts.imageOptions ?? {}) }));
	const content: Json[] = [...images];
	if (opts.text !== undefined) content.push({ text: opts.text });
	const parameters: Json = {};
	if (opts.task) parameters.ocr_options = { task: opts.task, ...(opts.schema ? { task_config: { result_schema: opts.schema } } : {}) };
	if (opts.maxTokens !== undefined) parameters.max_tokens = opts.maxTokens;
	return { model: opts.model ?? 'qwen-vl-ocr', input: { messages: [{ role: 'user', content }] }, parameters };
}

function chatRequest(image: string, text?: string, model = 'qwen-vl-ocr'): Json {
	const content: Json[] = [{ type: 'image_url', image_url: { url: image }, min_pixels: 3072, max_pixels: 8388608 }];
	if (text !== undefined) content.push({ type: 'text', text });
	return { model, messages: [{ role: 'user', content }] };
}

interface Reply {
	status: number;
	headers: Headers;
	text: string;
	json: Json;
}

let emu: Emulator;

async function call(route: string, body?: Json, opts: { key?: string | null; headers?: Record<string, string>; method?: string; signal?: AbortSignal } = {}): Promise<Reply> {
	const headers: Record<string, string> = { ...(opts.headers ?? {}) };
	const key = opts.key === undefined ? KEY : opts.key;
	if (key !== null) headers.authorization = `Bearer ${key}`;
	if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
	const res = await fetch(emu.baseUrl + route, {
		method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
		headers,
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		signal: opts.signal,
	});
	const text = await res.text();
	let json: Json = null;
	try {
		json = JSON.parse(text);
	} catch {
		json = null;
	}
	return { status: res.status, headers: res.headers, text, json };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectNativeError(reply: Reply, status: number, code: string, message?: string | RegExp): void {
	expect(reply.status).toBe(status);
	expect(Object.keys(reply.json).sort()).toEqual(['code', 'message', 'request_id']);
	expect(reply.json.code).toBe(code);
	expect(reply.json.request_id).toMatch(UUID);
	if (message !== undefined) expect(reply.json.message).toMatch(message);
}

function contentOf(reply: Reply): Json {
	return reply.json.output.choices[0].message.content[0];
}

/** Structure of a JSON value (keys and value types; arrays by their first element), to compare shapes. */
function shapeOf(v: Json): Json {
	if (Array.isArray(v)) return v.length ? [shapeOf(v[0])] : [];
	if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shapeOf(v[k])]));
	return typeof v;
}

beforeAll(async () => {
	emu = await startEmulator({ apiKey: KEY, additionalApiKeys: [OTHER_KEY], port: 0, latencyMs: 0, region: 'intl' });
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => {
	emu.reset();
});

describe('vendor fixtures', () => {
	const vendorDir = path.join(FIXTURES, 'vendor');

	it('are all valid JSON with the documented shapes', () => {
		const files = fs.readdirSync(vendorDir).filter((f) => f.endsWith('.json'));
		expect(files).toEqual(expect.arrayContaining([
			'advanced_recognition.json', 'key_information_extraction.json', 'table_parsing.json', 'document_parsing.json',
			'formula_recognition.json', 'text_recognition.json', 'multi_lan.json', 'task-prompts.json',
			'compatible_quickstart_prompt.json', 'compatible_key_information_extraction.json',
		]));
		for (const f of files) expect(() => readJson(path.join(vendorDir, f))).not.toThrow();
		expect(Object.keys(PROMPTS).sort()).toEqual([
			'advanced_recognition', 'document_parsing', 'formula_recognition', 'key_information_extraction',
			'multi_lan', 'table_parsing', 'text_recognition',
		]);
		expect(PROMPTS.text_recognition).toBe('Please output only the text content from the image without any additional descriptions or formatting.');
		const kie = readJson(path.join(vendorDir, 'key_information_extraction.json'));
		expect(kie.output.choices[0].message.content[0].ocr_result.kv_result['發票號碼']).toBe('10283819');
	});
});

describe('authentication', () => {
	it('answers 401 InvalidApiKey for a wrong or missing key, without echoing it', async () => {
		const wrong = await call(GEN, nativeRequest(dataUrl('invoice.png')), { key: 'sk-wrong-key-123' });
		expectNativeError(wrong, 401, 'InvalidApiKey', /^Invalid API-key provided\.$/);
		expect(wrong.text).not.toContain('sk-wrong-key-123');
		const missing = await call(GEN, nativeRequest(dataUrl('invoice.png')), { key: null });
		expectNativeError(missing, 401, 'InvalidApiKey');
		expect(emu.requests.map((r) => r.status)).toEqual([401, 401]);
		expect(emu.requests[0].headers.authorization).toBe('Bearer sk-wrong-key-123');
	});

	it('answers getPolicy with 401 for a wrong key', async () => {
		const reply = await call('/api/v1/uploads?action=getPolicy&model=qwen-vl-ocr', undefined, { key: 'sk-nope' });
		expectNativeError(reply, 401, 'InvalidApiKey', 'Invalid API-key provided.');
	});

	it('answers the compatible endpoint with the OpenAI-style 401 body', async () => {
		const reply = await call(CHAT, chatRequest(dataUrl('invoice.png')), { key: 'sk-nope' });
		expect(reply.status).toBe(401);
		expect(reply.json.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
		expect(reply.json.request_id).toMatch(UUID);
	});
});

describe('native generation', () => {
	it('returns the sidecar text for text_recognition on a data URL, in the vendor shape', async () => {
		const reply = await call(GEN, nativeRequest(dataUrl('invoice.png'), { task: 'text_recognition' }));
		expect(reply.status).toBe(200);
		expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
		const choice = reply.json.output.choices[0];
		expect(choice.finish_reason).toBe('stop');
		expect(choice.message.role).toBe('assistant');
		expect(choice.message.content).toEqual([{ text: truth('invoice').text }]);
		expect(reply.json.request_id).toMatch(UUID);
		const u = reply.json.usage;
		// qwen-vl-ocr in Singapore uses 28 px patches: smart_resize gives 588x812 → 609 tokens + 2
		expect(u.image_tokens).toBe(611);
		expect(u.input_tokens_details.image_tokens).toBe(611);
		expect(u.input_tokens).toBe(u.input_tokens_details.text_tokens + u.image_tokens);
		expect(u.total_tokens).toBe(u.input_tokens + u.output_tokens);
		expect(u.output_tokens_details.text_tokens).toBe(u.output_tokens);
		const logged = emu.requests[0];
		expect(logged.task).toBe('text_recognition');
		expect(logged.images).toEqual([expect.objectContaining({ source: 'data', mime: 'image/png', sniffedFormat: 'png', width: 800, height: 600 })]);
		expect(logged.requestId).toBe(reply.json.request_id);
	});

	it('matches the vendor sample structure for advanced_recognition, with the sidecar boxes', async () => {
		const reply = await call(GEN, nativeRequest(dataUrl('invoice.png'), { task: 'advanced_recognition', imageOptions: { enable_rotate: false, min_pixels: 3072, max_pixels: 8388608 } }));
		expect(reply.status).toBe(200);
		const vendor = readJson(path.join(FIXTURES, 'vendor', 'advanced_recognition.json'));
		expect(shapeOf(reply.json)).toEqual(shapeOf(vendor));
		const words = contentOf(reply).ocr_result.words_info;
		const t = truth('invoice');
		expect(words).toHaveLength(t.lines.length);
		expect(words[0]).toEqual({ rotate_rect: t.lines[0].rotate_rect, location: t.lines[0].location, text: 'INVOICE' });
		// one line runs off the left edge, as the real API reports it
		expect(words.some((w: Json) => w.location[0] < 0)).toBe(true);
		expect(contentOf(reply).text).toMatch(/^```json\n\[\{"pos_list": \[\{"rotate_rect": \[/);
		expect(emu.requests[0].images[0]).toMatchObject({ enable_rotate: false, min_pixels: 3072, max_pixels: 8388608 });
	});

	it('builds kv_result by walking a nested result_schema with arrays, null for unknown keys', async () => {
		const schema = {
			invoice_number: 'the invoice number',
			seller: { name: 'seller name', phone: 'seller phone' },
			items: [{ description: 'item', amount: 'line amount', sku: 'article number' }],
			due_date: 'due date',
		};
		const reply = await call(GEN, nativeRequest(dataUrl('invoice.png'), { task: 'key_information_extraction', schema }));
		expect(reply.status).toBe(200);
		const kv = contentOf(reply).ocr_result.kv_result;
		expect(kv).toEqual({
			invoice_number: 'INV-2024-0042',
			seller: { name: 'Acme Widgets Ltd', phone: null },
			items: [
				{ description: 'Blue Widget', amount: '25.00', sku: null },
				{ description: 'Steel Bracket (pack of 10)', amount: '27.00', sku: null },
				{ description: 'Installation Service', amount: '85.00', sku: null },
			],
			due_date: null,
		});
		const text: string = contentOf(reply).text;
		expect(text.startsWith('```json\n') && text.endsWith('\n```')).toBe(true);
		expect(JSON.parse(text.slice(8, -4))).toEqual(kv);
		const vendor = readJson(path.join(FIXTURES, 'vendor', 'key_information_extraction.json'));
		expect(Object.keys(reply.json.output.choices[0].message.content[0]).sort()).toEqual(Object.keys(vendor.output.choices[0].message.content[0]).sort());
		expect(Object.keys(reply.json.usage).sort()).toEqual(Object.keys(vendor.usage).sort());
	});

	it('extracts every field when there is no result_schema', async () => {
		const reply = await call(GEN, nativeRequest(dataUrl('receipt.jpg'), { task: 'key_information_extraction' }));
		expect(contentOf(reply).ocr_result.kv_result).toEqual(truth('receipt').fields);
	});

	it('answers tables, documents, formulas and multi-language text like the vendor samples', async () => {
		const table = await call(GEN, nativeRequest(dataUrl('table.png'), { task: 'table_parsing' }));
		expect(contentOf(table)).toEqual({ text: '```html\n' + truth('table').table_html + '\n```' });
		expect(contentOf(table).text).toContain('rowspan="2"');
		const doc = await call(GEN, nativeRequest(dataUrl('document.png'), { task: 'document_parsing' }));
		expect(contentOf(doc).text).toBe('```latex\n' + truth('document').latex + '\n```');
		const formula = await call(GEN, nativeRequest(dataUrl('formula.png'), { task: 'formula_recognition' }));
		expect(contentOf(formula).text).toBe('$$x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$$');
		const multi = await call(GEN, nativeRequest(dataUrl('multilang.png'), { task: 'multi_lan' }));
		expect(contentOf(multi).text).toBe(truth('multilang').multi_lan_text);
		expect(contentOf(multi).text).toContain('你好');
	});

	it('acts as the task whose vendor prompt is sent as text, without ocr_result', async () => {
		const reply = await call(GEN, nativeRequest(dataUrl('table.png'), { text: PROMPTS.table_parsing }));
		expect(contentOf(reply)).toEqual({ text: '```html\n' + truth('table').table_html + '\n```' });
		expect(emu.requests[0].answeredAs).toBe('table_parsing');
		const free = await call(GEN, nativeRequest(dataUrl('receipt.jpg'), { text: 'What is written here?' }));
		expect(contentOf(free).text).toBe(truth('receipt').text);
	});

	it('answers qwen-vl-ocr-2024-10-28 as plain text recognition even with a task', async () => {
		const reply = await call(GEN, nativeRequest(dataUrl('invoice.png'), { model: 'qwen-vl-ocr-2024-10-28', task: 'key_information_extraction' }));
		expect(contentOf(reply)).toEqual({ text: truth('invoice').text });
		// older snapshot: 28×28 patches → round(600/28)=21, round(800/28)=29 → 588*812/784 = 609 (+2)
		expect(reply.json.usage.image_tokens).toBe(611);
	});

	it('answers an unknown image deterministically and reads several images in order', async () => {
		const unknown = `data:image/png;base64,${makePng(64, 48).toString('base64')}`;
		const one = await call(GEN, nativeRequest(unknown));
		expect(contentOf(one).text).toBe('(unrecognised image 64x48)');
		const two = await call(GEN, nativeRequest([dataUrl('receipt.jpg'), dataUrl('formula.png')], { task: 'text_recognition' }));
		expect(contentOf(two).text).toBe(`${truth('receipt').text}\n${truth('formula').text}`);
		expect(emu.requests[1].images.map((i) => i.sniffedFormat)).toEqual(['jpeg', 'png']);
	});

	it('truncates at max_tokens with finish_reason length', async () => {
		const reply = await call(GEN, nativeRequest(dataUrl('invoice.png'), { task: 'key_information_extraction', maxTokens: 10 }));
		expect(reply.status).toBe(200);
		const choice = reply.json.output.choices[0];
		expect(choice.finish_reason).toBe('length');
		expect(choice.message.content[0].ocr_result).toBeUndefined();
		expect(Array.from(choice.message.content[0].text as string)).toHaveLength(30);
		expect(reply.json.usage.output_tokens).toBe(10);
	});
});

describe('request validation', () => {
	const png = dataUrl('invoice.png');

	it('rejects a data URL whose MIME type does not match the bytes', async () => {
		const reply = await call(GEN, nativeRequest(png.replace('data:image/png', 'data:image/jpeg')));
		expectNativeError(reply, 400, 'InvalidParameter', /image\/jpeg.*image\/png/);
		expect(emu.requests[0].images[0]).toMatchObject({ mime: 'image/jpeg', sniffedFormat: 'png' });
	});

	it('rejects data that is not an image', async () => {
		const text = Buffer.from('%PDF-1.7 this is not an image at all').toString('base64');
		expectNativeError(await call(GEN, nativeRequest(`data:image/png;base64,${text}`)), 400, 'InvalidParameter', /not a valid image/);
		expectNativeError(await call(GEN, nativeRequest(`data:application/pdf;base64,${text}`)), 400, 'InvalidParameter');
		expectNativeError(await call(GEN, nativeRequest('data:image/png;base64,@@@not-base64@@@')), 400, 'InvalidParameter');
	});

	it('rejects images of 10 px or less and aspect ratios over 200', async () => {
		const tiny = `data:image/png;base64,${makePng(10, 10).toString('base64')}`;
		expectNativeError(await call(GEN, nativeRequest(tiny)), 400, 'InvalidParameter', /must be larger than 10/);
		const thin = `data:image/png;base64,${makePng(2412, 12).toString('base64')}`;
		expectNativeError(await call(GEN, nativeRequest(thin)), 400, 'InvalidParameter', /aspect ratio/);
		const ok = `data:image/png;base64,${makePng(11, 11).toString('base64')}`;
		expect((await call(GEN, nativeRequest(ok))).status).toBe(200);
	});

	it('rejects a data URL over 10485760 characters', async () => {
		const big = `data:image/png;base64,${'A'.repeat(10485760)}`;
		expectNativeError(await call(GEN, nativeRequest(big)), 400, 'InvalidParameter', 'Exceeded limit on max bytes per data-uri item : 10485760');
	});

	it('enforces models, messages, tasks, schemas and max_tokens', async () => {
		expectNativeError(await call(GEN, nativeRequest(png, { model: 'qwen-max' })), 400, 'InvalidParameter', 'Model not exist.');
		expectNativeError(await call(GEN, nativeRequest(png, { model: 'qwen-vl-ocr-latest' })), 400, 'InvalidParameter', 'Model not exist.');
		expect((await call(GEN, nativeRequest(png, { model: 'qwen3.5-ocr' }))).status).toBe(200);
		const { model: _omit, ...noModel } = nativeRequest(png);
		expectNativeError(await call(GEN, noModel), 400, 'InvalidParameter');
		const withSystem = nativeRequest(png);
		withSystem.input.messages.unshift({ role: 'system', content: [{ text: 'be nice' }] });
		expectNativeError(await call(GEN, withSystem), 400, 'InvalidParameter', /System messages/);
		const twoTurns = nativeRequest(png);
		twoTurns.input.messages.push({ role: 'user', content: [{ image: png }] });
		expectNativeError(await call(GEN, twoTurns), 400, 'InvalidParameter', /Multi-turn/);
		const textOnly = { model: 'qwen-vl-ocr', input: { messages: [{ role: 'user', content: [{ text: 'hi' }] }] } };
		expectNativeError(await call(GEN, textOnly), 400, 'InvalidParameter', /At least one image/);
		expectNativeError(await call(GEN, nativeRequest(png, { task: 'handwriting' })), 400, 'InvalidParameter', /task/);
		expectNativeError(await call(GEN, nativeRequest(png, { task: 'table_parsing', schema: { a: 'x' } })), 400, 'InvalidParameter', /result_schema/);
		const deep = { a: { b: { c: { d: 'too deep' } } } };
		expectNativeError(await call(GEN, nativeRequest(png, { task: 'key_information_extraction', schema: deep })), 400, 'InvalidParameter', /3 levels/);
		expect((await call(GEN, nativeRequest(png, { task: 'key_information_extraction', schema: { a: { b: [{ c: 'ok' }] } } }))).status).toBe(200);
		expectNativeError(await call(GEN, nativeRequest(png, { maxTokens: 4097 })), 400, 'InvalidParameter', 'Range of max_tokens should be [1, 4096]');
		expect((await call(GEN, nativeRequest(png, { model: 'qwen-vl-ocr-2025-11-20', maxTokens: 8192 }))).status).toBe(200);
		expectNativeError(await call(GEN, nativeRequest(png, { maxTokens: 0 })), 400, 'InvalidParameter');
		expectNativeError(await call(GEN, nativeRequest(png, { imageOptions: { enable_rotate: 'yes' } })), 400, 'InvalidParameter', /enable_rotate/);
		expectNativeError(await call(GEN, nativeRequest(png, { imageOptions: { max_pixels: '1000' } })), 400, 'InvalidParameter', /max_pixels/);
	});

	it('rejects bodies that are not JSON and unknown routes', async () => {
		expectNativeError(await call(GEN, '{"model": '), 400, 'InvalidParameter', /not valid JSON/);
		expectNativeError(await call(GEN, '{}', { headers: { 'content-type': 'text/plain' } }), 400, 'InvalidParameter', /Content-Type/);
		expectNativeError(await call('/api/v1/nothing-here', undefined), 404, 'NotFound');
	});

	it('downloads loopback URLs only', async () => {
		const local = await call(GEN, nativeRequest(`${emu.baseUrl}/fixtures/receipt.jpg`));
		expect(local.status).toBe(200);
		expect(contentOf(local).text).toBe(truth('receipt').text);
		expect(emu.requests.find((r) => r.path === GEN)?.images[0]).toMatchObject({ source: 'url', sniffedFormat: 'jpeg', width: 320, height: 370 });
		expectNativeError(await call(GEN, nativeRequest('https://example.com/invoice.png')), 400, 'InvalidParameter', /Download the media resource/);
		expectNativeError(await call(GEN, nativeRequest(`${emu.baseUrl}/fixtures/missing.png`)), 400, 'InvalidParameter', /HTTP 404/);
		expectNativeError(await call(GEN, nativeRequest('file:///etc/passwd')), 400, 'InvalidParameter');
	});

	it('serves fixture images with their content type', async () => {
		const res = await fetch(`${emu.baseUrl}/fixtures/invoice.png`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(IMAGES, 'invoice.png')))).toBe(true);
		expect((await fetch(`${emu.baseUrl}/fixtures/invoice.truth.json`)).status).toBe(404);
	});
});

describe('faults, latency and rate limits', () => {
	const request = () => nativeRequest(dataUrl('invoice.png'), { task: 'key_information_extraction' });

	it('answers queued status faults in order, then recovers', async () => {
		emu.enqueueFaults([
			{ status: 429, code: 'Throttling.RateQuota', retryAfterSeconds: 2 },
			{ status: 500 },
			{ status: 503, code: 'ModelUnavailable' },
		]);
		const throttled = await call(GEN, request());
		expectNativeError(throttled, 429, 'Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.');
		expect(throttled.headers.get('retry-after')).toBe('2');
		expectNativeError(await call(GEN, request()), 500, 'InternalError');
		expectNativeError(await call(GEN, request()), 503, 'ModelUnavailable');
		expect((await call(GEN, request())).status).toBe(200);
		expect(emu.pendingFaults()).toBe(0);
	});

	it('does not spend faults on requests with a wrong key', async () => {
		emu.enqueueFaults([{ status: 500 }]);
		expect((await call(GEN, request(), { key: 'sk-bad' })).status).toBe(401);
		expect((await call(GEN, request())).status).toBe(500);
	});

	it('drops the connection without an answer', async () => {
		emu.enqueueFaults([{ drop: true }]);
		await expect(call(GEN, request())).rejects.toThrow();
		expect(emu.requests[0].code).toBe('DROPPED');
		expect((await call(GEN, request())).status).toBe(200);
	});

	it('answers a non-JSON proxy page', async () => {
		emu.enqueueFaults([{ html: true, status: 502 }]);
		const reply = await call(GEN, request());
		expect(reply.status).toBe(502);
		expect(reply.headers.get('content-type')).toMatch(/text\/html/);
		expect(reply.json).toBeNull();
		expect(reply.text).toContain('502 Bad Gateway');
	});

	it('answers late for time-outs', async () => {
		emu.enqueueFaults([{ delayMs: 5000 }]);
		const started = Date.now();
		await expect(call(GEN, request(), { signal: AbortSignal.timeout(300) })).rejects.toThrow();
		expect(Date.now() - started).toBeLessThan(2000);
		await new Promise((r) => setTimeout(r, 50));
		expect(emu.stats.inFlight).toBe(0); // the aborted request no longer counts
		emu.enqueueFaults([{ delayMs: 250 }]);
		const t0 = Date.now();
		expect((await call(GEN, request())).status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
	});

	it('truncates the answer mid-token', async () => {
		emu.enqueueFaults([{ truncate: true }]);
		const reply = await call(GEN, request());
		const choice = reply.json.output.choices[0];
		expect(choice.finish_reason).toBe('length');
		expect(choice.message.content[0].ocr_result).toBeUndefined();
		const full = await call(GEN, request());
		const fullText: string = contentOf(full).text;
		const cut: string = choice.message.content[0].text;
		expect(fullText.startsWith(cut)).toBe(true);
		expect(cut.length).toBeGreaterThan(fullText.length * 0.4);
		expect(cut.length).toBeLessThan(fullText.length * 0.6);
		expect(cut).toMatch(/\S$/);
		expect(fullText[cut.length]).toMatch(/\S/);
		expect(() => JSON.parse(cut.slice(8))).toThrow();
	});

	it('answers without ocr_result, leaving the fenced JSON in text', async () => {
		emu.enqueueFaults([{ omitOcrResult: true }]);
		const reply = await call(GEN, request());
		const content = contentOf(reply);
		expect(content.ocr_result).toBeUndefined();
		expect(JSON.parse(content.text.replace(/^```json\n|\n```$/g, ''))).toEqual(truth('invoice').fields);
	});

	it('limits the rate per API key with 429 Throttling.RateQuota', async () => {
		emu.setRateLimit(3, { burst: 3 });
		const statuses: number[] = [];
		for (let i = 0; i < 5; i++) statuses.push((await call(GEN, request())).status);
		expect(statuses).toEqual([200, 200, 200, 429, 429]);
		const limited = await call(GEN, request());
		expectNativeError(limited, 429, 'Throttling.RateQuota');
		expect(limited.headers.get('retry-after')).toBeNull();
		expect((await call(GEN, request(), { key: OTHER_KEY })).status).toBe(200); // separate bucket
		emu.setRateLimit(3, { sendRetryAfter: true, burst: 3 });
		for (let i = 0; i < 3; i++) await call(GEN, request());
		const withHeader = await call(GEN, request());
		expect(withHeader.status).toBe(429);
		expect(Number(withHeader.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		emu.setRateLimit(null);
		expect((await call(GEN, request())).status).toBe(200);
	});

	it('fixed windows: 10 per 1-second window at 600/min, Retry-After to the next window', async () => {
		emu.setRateLimit(600, { windowMs: 1000, sendRetryAfter: true });
		// Start at the beginning of a window so all 12 calls fall in it.
		await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
		const replies = await Promise.all(Array.from({ length: 12 }, () => call(GEN, request())));
		expect(replies.filter((reply) => reply.status === 200)).toHaveLength(10);
		const limited = replies.filter((reply) => reply.status === 429);
		expect(limited).toHaveLength(2);
		expect(limited[0].headers.get('retry-after')).toBe('1');
	});

	it('a rate limit allows a burst of one second\'s worth by default', async () => {
		emu.setRateLimit(300); // 5 per second
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await call(GEN, request())).status);
		expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(5);
		expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(6);
		expect(statuses.slice(-1)).toEqual([429]);
	});

	it('counts requests in flight during latency', async () => {
		emu.setLatency(150);
		const replies = await Promise.all([1, 2, 3, 4].map(() => call(GEN, request())));
		expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
		expect(emu.stats.maxInFlight).toBe(4);
		expect(emu.stats.generationRequests).toBe(4);
		expect(emu.stats.inFlight).toBe(0);
		expect(emu.requests.every((r) => (r.endedAt ?? 0) - r.startedAt >= 140)).toBe(true);
	});
});

describe('temporary upload (oss://)', () => {
	async function getPolicy(model = 'qwen-vl-ocr', key = KEY): Promise<Json> {
		const reply = await call(`/api/v1/uploads?action=getPolicy&model=${model}`, undefined, { key });
		expect(reply.status).toBe(200);
		return reply.json.data;
	}

	function form(policy: Json, fileName: string, bytes: Buffer, overrides: Record<string, string | null> = {}, fileLast = true): FormData {
		const fields: Record<string, string | null> = {
			OSSAccessKeyId: policy.oss_access_key_id,
			Signature: policy.signature,
			policy: policy.policy,
			key: `${policy.upload_dir}/${fileName}`,
			'x-oss-object-acl': policy.x_oss_object_acl,
			'x-oss-forbid-overwrite': policy.x_oss_forbid_overwrite,
			success_action_status: '200',
			'x-oss-content-type': 'image/png',
			...overrides,
		};
		const fd = new FormData();
		const file = new Blob([new Uint8Array(bytes)], { type: 'image/png' });
		if (!fileLast) fd.append('file', file, fileName);
		for (const [k, v] of Object.entries(fields)) if (v !== null) fd.append(k, v);
		if (fileLast) fd.append('file', file, fileName);
		return fd;
	}

	it('issues a policy with the documented fields', async () => {
		const policy = await getPolicy();
		expect(Object.keys(policy).sort()).toEqual([
			'capacity_limit_mb', 'expire_in_seconds', 'max_file_size_mb', 'oss_access_key_id', 'policy', 'signature',
			'upload_dir', 'upload_host', 'x_oss_forbid_overwrite', 'x_oss_object_acl',
		]);
		expect(policy).toMatchObject({ upload_host: `${emu.baseUrl}/oss`, expire_in_seconds: 300, max_file_size_mb: 100, x_oss_object_acl: 'private', x_oss_forbid_overwrite: 'true' });
		expectNativeError(await call('/api/v1/uploads?action=getPolicy'), 400, 'InvalidParameter');
		expectNativeError(await call('/api/v1/uploads?action=getPolicy&model=gpt-4o'), 400, 'InvalidParameter', 'Model not exist.');
	});

	it('uploads, then resolves oss:// only with the header, the same key and the same model', async () => {
		const policy = await getPolicy();
		const bytes = fs.readFileSync(path.join(IMAGES, 'table.png'));
		const upload = await fetch(policy.upload_host, { method: 'POST', body: form(policy, 'table.png', bytes) });
		expect(upload.status).toBe(200);
		expect(await upload.text()).toBe('');
		const ossUrl = `oss://${policy.upload_dir}/table.png`;

		const ok = await call(GEN, nativeRequest(ossUrl, { task: 'table_parsing' }), { headers: { 'X-DashScope-OssResourceResolve': 'enable' } });
		expect(ok.status).toBe(200);
		expect(contentOf(ok).text).toContain('Regional Sales 2024');
		expect(emu.requests[emu.requests.length - 1].images[0]).toMatchObject({ source: 'oss', sniffedFormat: 'png' });

		expectNativeError(await call(GEN, nativeRequest(ossUrl)), 400, 'InvalidParameter', /X-DashScope-OssResourceResolve/);
		const otherKey = await call(GEN, nativeRequest(ossUrl), { key: OTHER_KEY, headers: { 'X-DashScope-OssResourceResolve': 'enable' } });
		expectNativeError(otherKey, 400, 'InvalidParameter');
		const otherModel = await call(GEN, nativeRequest(ossUrl, { model: 'qwen-vl-ocr-2025-11-20' }), { headers: { 'X-DashScope-OssResourceResolve': 'enable' } });
		expectNativeError(otherModel, 400, 'InvalidParameter');

		const viaChat = await call(CHAT, chatRequest(ossUrl), { headers: { 'X-DashScope-OssResourceResolve': 'enable' } });
		expect(viaChat.status).toBe(400);
		expect(viaChat.json.error.message).toMatch(/native DashScope API/);

		const again = await fetch(policy.upload_host, { method: 'POST', body: form(policy, 'table.png', bytes) });
		expect(again.status).toBe(409);
		expect(await again.text()).toContain('<Code>FileAlreadyExists</Code>');
	});

	it('rejects uploads that break the policy with OSS XML errors', async () => {
		const policy = await getPolicy();
		const bytes = fs.readFileSync(path.join(IMAGES, 'formula.png'));
		const post = async (body: FormData | string, headers: Record<string, string> = {}) => {
			const res = await fetch(policy.upload_host, { method: 'POST', body, headers });
			const text = await res.text();
			return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1], type: res.headers.get('content-type') };
		};
		expect(await post(form(policy, 'a.png', bytes, { Signature: 'forged' }))).toEqual({ status: 403, code: 'SignatureDoesNotMatch', type: 'application/xml' });
		expect(await post(form(policy, 'a.png', bytes, { key: 'elsewhere/a.png' }))).toMatchObject({ status: 403, code: 'AccessDenied' });
		expect(await post(form(policy, 'a.png', bytes, { 'x-oss-object-acl': 'public-read' }))).toMatchObject({ status: 403, code: 'AccessDenied' });
		expect(await post(form(policy, 'a.png', bytes, { success_action_status: '201' }))).toMatchObject({ status: 400, code: 'InvalidArgument' });
		expect(await post(form(policy, 'a.png', bytes, { policy: null }))).toMatchObject({ status: 400, code: 'InvalidArgument' });
		expect(await post(form(policy, 'a.png', bytes, {}, false))).toMatchObject({ status: 400, code: 'InvalidArgument' });
		expect(await post('not multipart', { 'content-type': 'text/plain' })).toMatchObject({ status: 400, code: 'MalformedPOSTRequest' });
		expect(await post(form(policy, 'a.png', bytes))).toMatchObject({ status: 200 });
	});
});

describe('OpenAI-compatible mode', () => {
	it('answers chat completions from the prompt, in the OpenAI shape', async () => {
		const reply = await call(CHAT, chatRequest(dataUrl('table.png'), PROMPTS.table_parsing));
		expect(reply.status).toBe(200);
		const vendor = readJson(path.join(FIXTURES, 'vendor', 'compatible_key_information_extraction.json'));
		expect(shapeOf(reply.json)).toEqual(shapeOf(vendor));
		expect(reply.json.object).toBe('chat.completion');
		expect(reply.json.id).toMatch(/^chatcmpl-/);
		expect(reply.json.model).toBe('qwen-vl-ocr');
		expect(reply.json.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '```html\n' + truth('table').table_html + '\n```' } });
		expect(reply.json.usage.total_tokens).toBe(reply.json.usage.prompt_tokens + reply.json.usage.completion_tokens);
		const plain = await call(CHAT, chatRequest(dataUrl('receipt.jpg')));
		expect(plain.json.choices[0].message.content).toBe(truth('receipt').text);
	});

	it('extracts key information from the KIE prompt with the schema appended', async () => {
		const kie = readJson(path.join(FIXTURES, 'vendor', 'kie-prompts.json'));
		const schema = { invoice_number: '', buyer: { name: '', vat: '' } };
		const reply = await call(CHAT, chatRequest(dataUrl('invoice.png'), `${kie.with_schema}${kie.schema_intro}${JSON.stringify(schema)}`));
		const content: string = reply.json.choices[0].message.content;
		expect(JSON.parse(content.replace(/^```json\n|\n```$/g, ''))).toEqual({ invoice_number: 'INV-2024-0042', buyer: { name: 'Globex Corporation', vat: null } });
	});

	it('uses compatible error bodies for validation errors, unknown models and faults', async () => {
		const mismatch = await call(CHAT, chatRequest(dataUrl('invoice.png', 'image/webp')));
		expect(mismatch.status).toBe(400);
		expect(mismatch.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_parameter_error', param: null });
		const unknown = await call(CHAT, chatRequest(dataUrl('invoice.png'), undefined, 'qwen-plus'));
		expect(unknown.status).toBe(404);
		expect(unknown.json.error.code).toBe('model_not_found');
		emu.enqueueFaults([{ status: 429 }]);
		const limited = await call(CHAT, chatRequest(dataUrl('invoice.png')));
		expect(limited.status).toBe(429);
		expect(limited.json.error.code).toBe('limit_requests');
	});

	it('lists models for the region', async () => {
		const reply = await call('/compatible-mode/v1/models');
		expect(reply.json.object).toBe('list');
		const ids = reply.json.data.map((m: Json) => m.id);
		expect(ids).toContain('qwen-vl-ocr-2025-11-20');
		expect(ids).not.toContain('qwen-vl-ocr-latest');
		// Like an account's real list, not only OCR models: clients must pick those out.
		expect(ids).toEqual(expect.arrayContaining(['qwen-plus', 'qwen-vl-max', 'text-embedding-v3']));
		expect(reply.json.data[0]).toMatchObject({ object: 'model' });
		expect((await call('/compatible-mode/v1/models', undefined, { key: 'sk-x' })).status).toBe(401);
	});
});

describe('extraModels', () => {
	it('lists models only this emulator knows, once, and accepts them', async () => {
		const extra = await startEmulator({ extraModels: ['qwen-vl-ocr-2026-02-02', 'qwen-vl-ocr'] });
		try {
			const reply = await fetch(`${extra.baseUrl}/compatible-mode/v1/models`, { headers: { authorization: `Bearer ${extra.apiKey}` } });
			const ids = ((await reply.json()) as Json).data.map((m: Json) => m.id);
			expect(ids.filter((id: string) => id === 'qwen-vl-ocr-2026-02-02')).toHaveLength(1);
			expect(ids.filter((id: string) => id === 'qwen-vl-ocr')).toHaveLength(1);
			const policy = await fetch(`${extra.baseUrl}/api/v1/uploads?action=getPolicy&model=qwen-vl-ocr-2026-02-02`, { headers: { authorization: `Bearer ${extra.apiKey}` } });
			expect(policy.status).toBe(200);
		} finally {
			await extra.close();
		}
	});
});

describe('region cn', () => {
	it('knows qwen-vl-ocr-latest and uses 28-pixel patches for qwen-vl-ocr', async () => {
		const cn = await startEmulator({ region: 'cn' });
		try {
			const post = (model: string) => fetch(`${cn.baseUrl}${GEN}`, {
				method: 'POST',
				headers: { authorization: `Bearer ${cn.apiKey}`, 'content-type': 'application/json' },
				body: JSON.stringify(nativeRequest(dataUrl('invoice.png'), { model })),
			}).then((r) => r.json() as Promise<Json>);
			expect((await post('qwen-vl-ocr-latest')).usage.image_tokens).toBe(477);
			expect((await post('qwen-vl-ocr')).usage.image_tokens).toBe(611);
		} finally {
			await cn.close();
		}
	});
});

describe('cli', () => {
	it('prints the base URL and stops on SIGTERM', async () => {
		const child = spawn(process.execPath, [path.join(__dirname, 'cli.js'), '--port', '0', '--api-key', 'sk-cli'], { stdio: ['ignore', 'pipe', 'inherit'] });
		try {
			const line = await new Promise<string>((resolve, reject) => {
				readline.createInterface({ input: child.stdout! }).once('line', resolve);
				child.once('error', reject);
			});
			const info = JSON.parse(line);
			expect(info).toEqual({ baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), apiKey: 'sk-cli' });
			const res = await fetch(`${info.baseUrl}/compatible-mode/v1/models`, { headers: { authorization: 'Bearer sk-cli' } });
			expect(res.status).toBe(200);
			const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		} finally {
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	});
});
