// @ts-check
'use strict';

/**
 * DashScope (Alibaba Cloud Model Studio) Qwen-OCR emulator for tests: a real HTTP server on 127.0.0.1
 * that speaks the native and OpenAI-compatible wire formats, validates requests as strictly as the real
 * service, answers from the fixture sidecars, and can inject faults, latency and rate limits.
 * Node built-ins only.
 *
 *   const { startEmulator } = require('./test/emulator');
 *   const emu = await startEmulator({ apiKey: 'sk-emulator-test' });
 *   // ... point the node at emu.baseUrl ...
 *   await emu.close();
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { ApiError, OssError, errors, faultError, nativeBody, toCompatible, ossErrorXml } = require('./lib/errors');
const { resolveImage } = require('./lib/images');
const { parseMultipart } = require('./lib/multipart');
const { OssStore } = require('./lib/oss');
const { parseNative, parseCompatible } = require('./lib/requests');
const models = require('./lib/models');
const answers = require('./lib/answers');
const chat = require('./lib/chat');

const PATHS = {
	generation: '/api/v1/services/aigc/multimodal-generation/generation',
	chat: '/compatible-mode/v1/chat/completions',
	models: '/compatible-mode/v1/models',
	uploads: '/api/v1/uploads',
	oss: '/oss',
	fixtures: '/fixtures/',
};
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
const PROXY_502_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/**
 * @typedef {import('./index').EmulatorOptions} EmulatorOptions
 * @typedef {import('./index').Emulator} Emulator
 * @typedef {import('./index').Fault} Fault
 * @typedef {import('./index').RequestLogEntry} RequestLogEntry
 * @typedef {'native'|'compat'} Flavour
 */

/** @param {EmulatorOptions} options */
function normaliseOptions(options) {
	const region = options.region ?? 'intl';
	if (!['intl', 'us', 'cn'].includes(region)) throw new Error(`unknown region ${region}`);
	return {
		apiKey: options.apiKey ?? 'sk-emulator-test',
		additionalApiKeys: options.additionalApiKeys ?? [],
		port: options.port ?? 0,
		latencyMs: options.latencyMs ?? 0,
		region: /** @type {import('./lib/models').Region} */ (region),
		ratePerMinute: options.ratePerMinute ?? null,
		sendRetryAfter: options.sendRetryAfter ?? false,
		fixturesDir: options.fixturesDir ?? path.join(answers.FIXTURES_DIR, 'images'),
		maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
		extraModels: options.extraModels ?? [],
		maxStoredUploads: options.maxStoredUploads ?? Number.POSITIVE_INFINITY,
	};
}

/** Everything a running emulator knows; the handlers share it. @param {ReturnType<typeof normaliseOptions>} config */
function createState(config) {
	return {
		config,
		fixtures: answers.loadFixtures(config.fixturesDir),
		baseUrl: '',
		/** @type {RequestLogEntry[]} */
		requests: [],
		stats: { inFlight: 0, maxInFlight: 0, generationRequests: 0 },
		/** @type {Fault[]} */
		faults: [],
		/** @type {Array<{ bodyContains: string, fault: Fault }>} */
		faultRules: [],
		latencyMs: config.latencyMs,
		/** How long OSS takes to store an upload (a slow link for a 10 MB file). */
		uploadLatencyMs: 0,
		rate: {
			/** @type {number | null} */
			perMinute: config.ratePerMinute,
			/** @type {number | null} tokens the bucket holds; null = one second's worth */
			burst: null,
			/** @type {number | null} fixed windows of this length instead of a token bucket */
			windowMs: null,
			sendRetryAfter: config.sendRetryAfter,
			/** @type {Map<string, { tokens: number, at: number }>} */
			buckets: new Map(),
		},
		oss: new OssStore(config.maxStoredUploads),
		/** @type {Set<{ timer: NodeJS.Timeout, resolve: () => void }>} */
		sleepers: new Set(),
		closed: false,
	};
}

/** @typedef {ReturnType<typeof createState>} State */

/**
 * Starts an emulator on 127.0.0.1.
 * @param {EmulatorOptions} [options]
 * @returns {Promise<Emulator>}
 */
async function startEmulator(options = {}) {
	const config = normaliseOptions(options);
	const state = createState(config);

	/** @type {Set<import('node:net').Socket>} */
	const sockets = new Set();
	const server = http.createServer((req, res) => {
		handle(state, req, res).catch((err) => failSafe(res, err));
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, '127.0.0.1', () => resolve(undefined));
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	state.baseUrl = `http://127.0.0.1:${address.port}`;

	return {
		baseUrl: state.baseUrl,
		port: address.port,
		apiKey: config.apiKey,
		region: config.region,
		requests: state.requests,
		stats: state.stats,
		enqueueFaults(list) {
			state.faults.push(...list);
		},
		setLatency(ms) {
			state.latencyMs = Math.max(0, ms);
		},
		setUploadLatency(ms) {
			state.uploadLatencyMs = Math.max(0, ms);
		},
		setRateLimit(perMinute, opts = {}) {
			state.rate.perMinute = perMinute && perMinute > 0 ? perMinute : null;
			state.rate.burst = opts.burst ?? null;
			state.rate.windowMs = opts.windowMs ?? null;
			state.rate.buckets.clear();
			if (opts.sendRetryAfter !== undefined) state.rate.sendRetryAfter = opts.sendRetryAfter;
		},
		addFaultRule(bodyContains, fault) {
			state.faultRules.push({ bodyContains, fault });
		},
		pendingFaults() {
			return state.faults.length;
		},
		reset() {
			state.requests.length = 0;
			state.faults.length = 0;
			state.faultRules.length = 0;
			Object.assign(state.stats, { inFlight: 0, maxInFlight: 0, generationRequests: 0 });
			state.rate.perMinute = null;
			state.rate.sendRetryAfter = config.sendRetryAfter;
			state.rate.buckets.clear();
			state.latencyMs = 0;
			state.uploadLatencyMs = 0;
		},
		close() {
			state.closed = true;
			for (const s of state.sleepers) {
				clearTimeout(s.timer);
				s.resolve();
			}
			state.sleepers.clear();
			return new Promise((resolve) => {
				server.close(() => resolve(undefined));
				for (const socket of sockets) socket.destroy();
			});
		},
	};
}

// ---------------------------------------------------------------------------------------------------
// Routing

/**
 * @param {State} state
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 */
async function handle(state, req, res) {
	const url = new URL(req.url || '/', 'http://127.0.0.1');
	const entry = newLogEntry(req, url);
	state.requests.push(entry);
	res.on('close', () => {
		entry.endedAt = Date.now();
	});
	const method = req.method || 'GET';
	const route = url.pathname;
	if (method === 'POST' && route === PATHS.generation) return handleGeneration(state, req, res, entry, 'native');
	if (method === 'POST' && route === PATHS.chat) return handleGeneration(state, req, res, entry, 'compat');
	if (method === 'GET' && route === PATHS.models) return handleModels(state, req, res, entry);
	if (method === 'GET' && route === PATHS.uploads) return handleGetPolicy(state, req, res, entry, url);
	if (method === 'POST' && route === PATHS.oss) return handleOssUpload(state, req, res, entry);
	if (method === 'GET' && route.startsWith(PATHS.fixtures)) return handleFixture(state, res, entry, route.slice(PATHS.fixtures.length));
	await readBody(req, state.config.maxBodyBytes);
	return sendError(res, entry, errors.notFound(route), 'native');
}

/** @param {http.IncomingMessage} req @param {URL} url @returns {RequestLogEntry} */
function newLogEntry(req, url) {
	return {
		method: req.method || 'GET',
		path: url.pathname,
		query: Object.fromEntries(url.searchParams),
		headers: { ...req.headers },
		body: null,
		status: 0,
		code: undefined,
		requestId: crypto.randomUUID(),
		images: [],
		model: undefined,
		task: undefined,
		answeredAs: undefined,
		fault: undefined,
		uploadedKey: undefined,
		startedAt: Date.now(),
		endedAt: undefined,
	};
}

/** Last resort for bugs in the emulator itself: answer 500 instead of hanging the client. */
function failSafe(res, err) {
	console.error('[qwen-ocr emulator] internal failure:', err);
	if (!res.headersSent && !res.destroyed) {
		res.writeHead(500, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ code: 'InternalError', message: 'Emulator failure.', request_id: crypto.randomUUID() }));
	}
}

// ---------------------------------------------------------------------------------------------------
// Plumbing

/**
 * @param {http.IncomingMessage} req
 * @param {number} limit
 * @returns {Promise<{ buffer: Buffer, tooLarge: boolean }>}
 */
function readBody(req, limit) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			size += c.length;
			if (size <= limit) chunks.push(c); // keep reading past the limit so the 413 can be delivered
		});
		req.on('end', () => resolve({ buffer: Buffer.concat(chunks), tooLarge: size > limit }));
		req.on('error', reject);
	});
}

/** @param {Buffer} buffer */
function parseJson(buffer) {
	try {
		return JSON.parse(buffer.toString('utf8'));
	} catch {
		return null;
	}
}

/**
 * @param {http.ServerResponse} res
 * @param {RequestLogEntry} entry
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function sendJson(res, entry, status, body, headers = {}) {
	entry.status = status;
	if (res.destroyed || res.headersSent) return;
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

/**
 * @param {http.ServerResponse} res
 * @param {RequestLogEntry} entry
 * @param {ApiError} err
 * @param {Flavour} flavour
 */
function sendError(res, entry, err, flavour) {
	entry.code = err.code;
	if (flavour === 'compat') {
		const { status, body } = toCompatible(err, entry.requestId);
		return sendJson(res, entry, status, body, err.headers);
	}
	return sendJson(res, entry, err.status, nativeBody(err, entry.requestId), err.headers);
}

/** @param {State} state @param {http.IncomingMessage} req @returns {string | null} the key, when valid */
function authorisedKey(state, req) {
	const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization || '');
	if (!m) return null;
	const key = m[1];
	return key === state.config.apiKey || state.config.additionalApiKeys.includes(key) ? key : null;
}

/** A sleep that close() can cut short, so tests never wait on a closed emulator. @param {State} state @param {number} ms */
function sleep(state, ms) {
	if (ms <= 0) return Promise.resolve();
	return new Promise((resolve) => {
		const sleeper = { timer: setTimeout(() => { state.sleepers.delete(sleeper); resolve(undefined); }, ms), resolve: () => resolve(undefined) };
		state.sleepers.add(sleeper);
	});
}

/**
 * Token bucket per API key refilled continuously at `perMinute`. Its capacity (the burst) is one
 * second's worth by default, as quotas are enforced over short windows: a client cannot send a
 * minute's quota at once.
 * @param {State} state
 * @param {string} apiKey
 * @throws {ApiError} Throttling.RateQuota when empty
 */
function takeRateToken(state, apiKey) {
	const rate = state.rate;
	if (!rate.perMinute) return;
	const now = Date.now();
	if (rate.windowMs) {
		takeWindowSlot(rate, apiKey, now);
		return;
	}
	const capacity = rate.burst ?? Math.max(1, rate.perMinute / 60);
	const bucket = rate.buckets.get(apiKey) ?? { tokens: capacity, at: now };
	bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * rate.perMinute) / 60000);
	bucket.at = now;
	rate.buckets.set(apiKey, bucket);
	if (bucket.tokens >= 1) {
		bucket.tokens -= 1;
		return;
	}
	const err = errors.rateQuota();
	if (rate.sendRetryAfter) {
		const waitSeconds = Math.ceil(((1 - bucket.tokens) * 60) / rate.perMinute);
		err.withHeaders({ 'retry-after': String(Math.max(1, waitSeconds)) });
	}
	throw err;
}

/**
 * Fixed windows: at most perMinute * windowMs / 60000 requests per window per key, as quotas
 * counted per second are; beyond that 429 Throttling.RateQuota with Retry-After (when enabled)
 * pointing at the next window.
 */
function takeWindowSlot(rate, apiKey, now) {
	const windowStart = now - (now % rate.windowMs);
	const limit = Math.max(1, Math.round((rate.perMinute * rate.windowMs) / 60000));
	const counter = rate.buckets.get(apiKey);
	const current = counter && counter.at === windowStart ? counter : { tokens: 0, at: windowStart };
	rate.buckets.set(apiKey, current);
	if (current.tokens < limit) {
		current.tokens += 1;
		return;
	}
	const err = errors.rateQuota();
	if (rate.sendRetryAfter) err.withHeaders({ 'retry-after': String(Math.max(1, Math.ceil((windowStart + rate.windowMs - now) / 1000))) });
	throw err;
}

// ---------------------------------------------------------------------------------------------------
// Generation (native and OpenAI-compatible)

/** Counts the request as in flight until its response closes (sent, dropped or aborted). @param {State} state @param {http.ServerResponse} res */
function trackInFlight(state, res) {
	state.stats.generationRequests++;
	state.stats.inFlight++;
	state.stats.maxInFlight = Math.max(state.stats.maxInFlight, state.stats.inFlight);
	let done = false;
	res.on('close', () => {
		if (!done) state.stats.inFlight = Math.max(0, state.stats.inFlight - 1);
		done = true;
	});
}

/**
 * @param {State} state
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {RequestLogEntry} entry
 * @param {Flavour} flavour
 */
async function handleGeneration(state, req, res, entry, flavour) {
	trackInFlight(state, res);
	const raw = await readBody(req, state.config.maxBodyBytes);
	entry.body = raw.tooLarge ? null : parseJson(raw.buffer);
	try {
		const apiKey = checkEnvelope(state, req, raw, entry, flavour);
		takeRateToken(state, apiKey);
		/** @type {Fault | undefined} */
		const rule = state.faultRules.find((candidate) => raw.buffer.includes(candidate.bodyContains));
		const fault = rule?.fault ?? state.faults.shift();
		entry.fault = fault;
		await sleep(state, state.latencyMs + (fault?.delayMs ?? 0));
		if (state.closed) return;
		if (fault && applyTransportFault(fault, req, res, entry)) return;
		if (fault && fault.status) throw faultWithHeaders(fault);
		// Qwen chat models with tools (an agent driving the OCR node as a tool): lib/chat.js
		if (flavour === 'compat' && chat.isChatRequest(entry.body)) return chat.answerChat(entry.body, entry, res, { baseUrl: state.baseUrl });
		const parsed = flavour === 'native' ? parseNative(entry.body, state.config.region) : parseCompatible(entry.body, state.config.region);
		entry.model = parsed.model;
		entry.task = parsed.task;
		const images = await resolveImages(state, req, parsed, entry, apiKey, flavour);
		const result = compose(state, parsed, images, flavour, fault);
		entry.answeredAs = result.task;
		const body = flavour === 'native' ? nativeAnswer(result, entry.requestId) : compatAnswer(result, parsed.model, entry.requestId);
		entry.usage = body.usage; // what this answer bills, for tests that add up usage
		sendJson(res, entry, 200, body);
	} catch (err) {
		if (!(err instanceof ApiError)) throw err;
		sendError(res, entry, err, flavour);
	}
}

/**
 * Auth, size, content type and JSON checks, in the order the service applies them.
 * @param {State} state
 * @param {http.IncomingMessage} req
 * @param {{ buffer: Buffer, tooLarge: boolean }} raw
 * @param {RequestLogEntry} entry
 * @param {Flavour} flavour
 * @returns {string} the API key
 */
function checkEnvelope(state, req, raw, entry, flavour) {
	const apiKey = authorisedKey(state, req);
	if (!apiKey) throw errors.invalidApiKey();
	if (raw.tooLarge) throw errors.tooLarge();
	if (!/^application\/json/i.test(req.headers['content-type'] || '')) {
		throw errors.invalidParameter('Content-Type must be application/json.');
	}
	if (entry.body === null) throw errors.invalidParameter('The request body is not valid JSON.');
	if (flavour === 'native' && String(req.headers['x-dashscope-sse'] || '').toLowerCase() === 'enable') {
		throw errors.invalidParameter('Streaming (X-DashScope-SSE) is not emulated: built-in tasks return ocr_result only without streaming.');
	}
	return apiKey;
}

/**
 * Faults that are not an API answer at all. Returns true when the response has been dealt with.
 * @param {Fault} fault
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {RequestLogEntry} entry
 */
function applyTransportFault(fault, req, res, entry) {
	if (fault.drop) {
		entry.status = 0;
		entry.code = 'DROPPED';
		req.socket.destroy();
		return true;
	}
	if (fault.oversizeBytes) {
		// A 200 whose JSON body never ends within reason (a misbehaving proxy or endpoint), streamed.
		entry.status = 200;
		entry.code = 'OVERSIZE';
		res.writeHead(200, { 'content-type': 'application/json' });
		const chunk = Buffer.alloc(64 * 1024, 0x20);
		let sent = 0;
		res.write('{"output": {"padding": "');
		const pump = () => {
			while (sent < fault.oversizeBytes && !res.destroyed) {
				sent += chunk.length;
				if (!res.write(chunk)) return res.once('drain', pump);
			}
			if (!res.destroyed) res.end('"}}');
		};
		pump();
		return true;
	}
	if (fault.html) {
		entry.status = fault.status ?? 502;
		entry.code = 'HTML';
		res.writeHead(entry.status, { 'content-type': 'text/html' });
		res.end(PROXY_502_PAGE);
		return true;
	}
	return false;
}

/** @param {Fault} fault */
function faultWithHeaders(fault) {
	const err = faultError(fault);
	if (fault.retryAfterSeconds !== undefined) err.withHeaders({ 'retry-after': String(fault.retryAfterSeconds) });
	return err;
}

/**
 * Loads and checks every image, in order; the first bad one fails the request.
 * @param {State} state
 * @param {http.IncomingMessage} req
 * @param {import('./lib/requests').GenerationRequest} parsed
 * @param {RequestLogEntry} entry
 * @param {string} apiKey
 * @param {Flavour} flavour
 */
async function resolveImages(state, req, parsed, entry, apiKey, flavour) {
	const ctx = {
		ossAllowed: flavour === 'native',
		ossResolve: String(req.headers['x-dashscope-ossresourceresolve'] || '').toLowerCase() === 'enable',
		lookupOss: (key) => state.oss.lookup(key, apiKey, parsed.model),
	};
	const out = [];
	for (const image of parsed.images) out.push(await resolveImage(image.ref, image.options, ctx, entry.images));
	return out;
}

/**
 * Decides what the model answers and its usage.
 * @param {State} state
 * @param {import('./lib/requests').GenerationRequest} parsed
 * @param {import('./lib/images').ResolvedImage[]} images
 * @param {Flavour} flavour
 * @param {Fault | undefined} fault
 */
function compose(state, parsed, images, flavour, fault) {
	const { task, schema, withOcrResult, promptText } = chooseTask(parsed, flavour);
	const truths = images.map((img) => {
		// Same bytes, or the same picture re-encoded (a PDF page comes back as a new PNG): same size.
		const fixture =
			state.fixtures.bySha.get(answers.sha256(img.buffer)) ??
			[...state.fixtures.byName.values()].find((f) => f.truth.width === img.width && f.truth.height === img.height);
		return fixture ? fixture.truth : answers.unknownImageTruth(img.width, img.height);
	});
	const answer = answers.answerForImages(task, truths, { schema, withOcrResult });
	let { text, ocrResult } = answer;
	let finishReason = 'stop';
	const fit = answers.fitToMaxTokens(text, parsed.maxTokens);
	if (fit.truncated || fault?.truncate) {
		// a cut answer cannot be parsed, so the service has no ocr_result to give
		text = fit.truncated ? fit.text : answers.cutInHalf(text);
		finishReason = 'length';
		ocrResult = undefined;
	}
	if (fault?.omitOcrResult) ocrResult = undefined;
	if (fault?.answer) {
		// A scripted model answer, for shapes the fixtures do not produce (two tables, cut JSON...).
		text = fault.answer.text;
		ocrResult = fault.answer.ocrResult;
		finishReason = fault.answer.finishReason ?? 'stop';
	}
	const patch = models.patchSize(parsed.model, state.config.region);
	const imageTokens = images.reduce(
		(sum, img) => sum + answers.imageTokens(img.width, img.height, img.log.min_pixels, img.log.max_pixels, patch),
		0,
	);
	const textTokens = answers.textTokens(promptText);
	const outputTokens = Math.min(answers.textTokens(text), parsed.maxTokens);
	return { task, text, ocrResult, finishReason, imageTokens, textTokens, outputTokens, ...(fault?.tokens ?? {}) };
}

/**
 * Built-in task from ocr_options (native only, not for qwen-vl-ocr-2024-10-28), else the task whose
 * vendor prompt the text is, else plain text recognition.
 * @param {import('./lib/requests').GenerationRequest} parsed
 * @param {Flavour} flavour
 */
function chooseTask(parsed, flavour) {
	if (flavour === 'native' && parsed.task && models.supportsBuiltInTasks(parsed.model)) {
		const base = answers.TASK_PROMPTS[parsed.task];
		const promptText = parsed.schema ? `${base}${answers.KIE_PROMPTS.schema_intro}${JSON.stringify(parsed.schema)}` : base;
		return { task: parsed.task, schema: parsed.schema, withOcrResult: true, promptText };
	}
	const promptText = parsed.prompt.trim() === '' ? answers.DEFAULT_PROMPT : parsed.prompt;
	const matched = answers.taskFromPrompt(promptText);
	return { task: matched?.task ?? 'text_recognition', schema: matched?.schema, withOcrResult: false, promptText };
}

/** Native answer, shaped like the vendor samples. */
function nativeAnswer(r, requestId) {
	const content = r.ocrResult ? { text: r.text, ocr_result: r.ocrResult } : { text: r.text };
	const inputTokens = r.textTokens + r.imageTokens;
	return {
		output: { choices: [{ finish_reason: r.finishReason, message: { role: 'assistant', content: [content] } }] },
		usage: {
			input_tokens: inputTokens,
			output_tokens: r.outputTokens,
			total_tokens: inputTokens + r.outputTokens,
			image_tokens: r.imageTokens,
			input_tokens_details: { text_tokens: r.textTokens, image_tokens: r.imageTokens },
			output_tokens_details: { text_tokens: r.outputTokens },
		},
		request_id: requestId,
	};
}

/** OpenAI-compatible answer, shaped like the vendor's compatible-mode samples. */
function compatAnswer(r, model, requestId) {
	const promptTokens = r.textTokens + r.imageTokens;
	return {
		choices: [{ message: { content: r.text, role: 'assistant' }, finish_reason: r.finishReason, index: 0, logprobs: null }],
		object: 'chat.completion',
		usage: {
			prompt_tokens: promptTokens,
			completion_tokens: r.outputTokens,
			total_tokens: promptTokens + r.outputTokens,
			prompt_tokens_details: { image_tokens: r.imageTokens, text_tokens: r.textTokens },
			completion_tokens_details: { text_tokens: r.outputTokens },
		},
		created: Math.floor(Date.now() / 1000),
		system_fingerprint: null,
		model,
		id: `chatcmpl-${requestId}`,
	};
}

// ---------------------------------------------------------------------------------------------------
// Other endpoints

/** @param {State} state @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {RequestLogEntry} entry */
async function handleModels(state, req, res, entry) {
	await readBody(req, state.config.maxBodyBytes);
	if (!authorisedKey(state, req)) return sendError(res, entry, errors.invalidApiKey(), 'compat');
	// Modelled, not documented (see lib/models.js listModels).
	const data = models.listModels(state.config.region, state.config.extraModels).map((id) => ({ id, object: 'model', created: 1735689600, owned_by: 'system' }));
	return sendJson(res, entry, 200, { object: 'list', data });
}

/**
 * GET /api/v1/uploads?action=getPolicy&model=M: the free call clients also use to test a key.
 * @param {State} state @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {RequestLogEntry} entry @param {URL} url
 */
async function handleGetPolicy(state, req, res, entry, url) {
	await readBody(req, state.config.maxBodyBytes);
	const apiKey = authorisedKey(state, req);
	try {
		if (!apiKey) throw errors.invalidApiKey();
		if (url.searchParams.get('action') !== 'getPolicy') throw errors.invalidParameter('The action parameter must be getPolicy.');
		const model = url.searchParams.get('model');
		if (!model) throw errors.missingParameter();
		if (!models.modelExists(model, state.config.region)) throw errors.modelNotExist(model);
		entry.model = model;
		const data = state.oss.issuePolicy(apiKey, model, `${state.baseUrl}${PATHS.oss}`);
		return sendJson(res, entry, 200, { request_id: entry.requestId, data });
	} catch (err) {
		if (!(err instanceof ApiError)) throw err;
		return sendError(res, entry, err, 'native');
	}
}

/**
 * POST {upload_host}: OSS PostObject, multipart/form-data, answers 200 with an empty body.
 * @param {State} state @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {RequestLogEntry} entry
 */
async function handleOssUpload(state, req, res, entry) {
	let raw;
	try {
		raw = await readBody(req, state.config.maxBodyBytes + 1024 * 1024);
	} catch (err) {
		// The client gave up while sending the file: nothing arrived, nothing is stored.
		if (!req.socket.destroyed) throw err;
		entry.code = 'ABORTED';
		return;
	}
	try {
		/** @type {import('./lib/multipart').Part[]} */
		let parts;
		try {
			parts = parseMultipart(raw.buffer, req.headers['content-type']);
		} catch (e) {
			throw new OssError(400, 'MalformedPOSTRequest', `The body of your POST request is not well-formed multipart/form-data: ${/** @type {Error} */ (e).message}.`);
		}
		await sleep(state, state.uploadLatencyMs);
		// A client that gave up (aborted or timed out) before OSS finished: nothing is stored.
		if (state.closed || res.destroyed || req.socket.destroyed) {
			entry.code = 'ABORTED';
			return;
		}
		const key = state.oss.upload(parts);
		entry.status = 200;
		res.writeHead(200, { 'x-oss-request-id': entry.requestId, etag: `"${answers.sha256(parts[parts.length - 1].data).slice(0, 32).toUpperCase()}"`, 'content-length': '0' });
		res.end();
		entry.uploadedKey = key;
	} catch (err) {
		if (!(err instanceof OssError)) throw err;
		entry.status = err.status;
		entry.code = err.code;
		res.writeHead(err.status, { 'content-type': 'application/xml', 'x-oss-request-id': entry.requestId });
		res.end(ossErrorXml(err.code, err.message, entry.requestId));
	}
}

/**
 * GET /fixtures/<file>: the fixture images, so URL inputs can be tested without the internet.
 * @param {State} state @param {http.ServerResponse} res @param {RequestLogEntry} entry @param {string} name
 */
function handleFixture(state, res, entry, name) {
	const fixture = state.fixtures.byName.get(decodeURIComponent(name));
	if (!fixture) return sendError(res, entry, errors.notFound(`${PATHS.fixtures}${name}`), 'native');
	const bytes = fs.readFileSync(fixture.file);
	entry.status = 200;
	res.writeHead(200, { 'content-type': fixture.contentType, 'content-length': String(bytes.length) });
	res.end(bytes);
	return undefined;
}

module.exports = { startEmulator };
