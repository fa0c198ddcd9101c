// @ts-check
'use strict';

/**
 * A scripted Qwen chat model (qwen-plus, qwen-max, qwen3-…) behind the OpenAI-compatible endpoint, so
 * an agent (n8n's AI Agent with the OpenAI Chat Model node pointed at `<emulator>/compatible-mode/v1`)
 * can be tested with the Qwen OCR node attached as a tool. It does no language modelling:
 *
 *   1. a turn (the messages after the last user message) without tool results, with `tools` in the
 *      request: answers with one OpenAI `tool_calls` message calling the tool whose name or description
 *      mentions OCR / Qwen (or the only tool), with arguments generated from the tool's own JSON schema
 *      (the image URL from the user's message, else `<emulator>/fixtures/invoice.png`; enums, numbers,
 *      booleans and defaults filled generically);
 *   2. a turn with `tool` messages: answers with a final assistant message built from those results,
 *      picking the value whose key best matches the user's words ("tell me its number" →
 *      `invoice_number` → "The invoice number is INV-2024-0042.");
 *   3. anything else: a short fixed answer.
 *
 * Requests are validated like the OpenAI-compatible service does (message roles, tool-message ids,
 * tool definitions), both the JSON and the `stream: true` (SSE) answer shapes are produced.
 */

const crypto = require('node:crypto');
const { errors } = require('./errors');

/** OCR models are answered by the OCR emulation, never here. */
const OCR_MODEL = /^qwen[\w.-]*ocr/i;
/** Chat models of Model Studio this stand-in answers for. */
const CHAT_MODEL = /^(qwen|qwq|qvq)[\w.-]*$/i;
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const STOP_WORDS = new Set([
	'the', 'and', 'for', 'its', 'his', 'her', 'their', 'our', 'your', 'you', 'me', 'tell', 'what', 'which', 'who', 'how',
	'read', 'show', 'give', 'find', 'get', 'please', 'from', 'with', 'this', 'that', 'there', 'here', 'into', 'about', 'http',
	'https', 'png', 'jpg', 'jpeg', 'image', 'file', 'url', 'fixtures', 'can', 'could', 'would', 'is', 'are', 'was', 'of',
]);

/** @param {unknown} v @returns {v is Record<string, any>} */
function isObject(v) {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of a message content: a string or a list of parts ({type:'text', text} or bare strings). @param {unknown} content */
function contentText(content) {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.map((part) => (typeof part === 'string' ? part : isObject(part) && typeof part.text === 'string' ? part.text : ''))
		.filter(Boolean)
		.join('\n');
}

/** @param {unknown} content */
function hasImagePart(content) {
	return Array.isArray(content) && content.some((p) => isObject(p) && (p.type === 'image_url' || 'image' in p || 'image_url' in p));
}

/**
 * True when the request is for the chat stand-in: a non-OCR Qwen chat model and either tools, a
 * multi-role conversation, or text only (an image to a text model stays the OCR path's 404).
 * @param {unknown} body
 */
function isChatRequest(body) {
	if (!isObject(body) || typeof body.model !== 'string' || OCR_MODEL.test(body.model) || !CHAT_MODEL.test(body.model)) return false;
	const messages = Array.isArray(body.messages) ? body.messages : [];
	if (Array.isArray(body.tools) && body.tools.length > 0) return true;
	if (messages.some((m) => isObject(m) && m.role !== 'user')) return true;
	return !messages.some((m) => isObject(m) && hasImagePart(m.content));
}

/**
 * @typedef {{ name: string, description: string, parameters: Record<string, any> }} ToolDef
 * @typedef {{ role: string, content: unknown, tool_calls?: any[], tool_call_id?: string }} Message
 */

/** Validates the body as the compatible endpoint does. @param {Record<string, any>} body */
function validate(body) {
	const messages = body.messages;
	if (!Array.isArray(messages) || messages.length === 0) throw errors.missingParameter();
	/** @type {Set<string>} */
	const calledIds = new Set();
	for (const m of messages) {
		if (!isObject(m) || typeof m.role !== 'string' || !ROLES.has(m.role)) {
			throw errors.invalidParameter('Each message must be an object with a role of system, user, assistant or tool.');
		}
		if (m.role === 'assistant' && m.tool_calls !== undefined) {
			if (!Array.isArray(m.tool_calls)) throw errors.invalidParameter('assistant.tool_calls must be a list.');
			for (const call of m.tool_calls) {
				if (!isObject(call) || typeof call.id !== 'string' || !isObject(call.function) || typeof call.function.name !== 'string') {
					throw errors.invalidParameter('Each tool call needs an id and a function name.');
				}
				calledIds.add(call.id);
			}
		}
		if (m.role === 'tool') {
			if (typeof m.tool_call_id !== 'string' || !calledIds.has(m.tool_call_id)) {
				throw errors.invalidParameter("Messages with role 'tool' must be a response to a preceding message with 'tool_calls'.");
			}
		}
	}
	/** @type {ToolDef[]} */
	const tools = [];
	if (body.tools !== undefined) {
		if (!Array.isArray(body.tools)) throw errors.invalidParameter('tools must be a list.');
		for (const t of body.tools) {
			if (!isObject(t) || t.type !== 'function' || !isObject(t.function) || typeof t.function.name !== 'string' || !TOOL_NAME.test(t.function.name)) {
				throw errors.invalidParameter('Each tool must be {"type":"function","function":{"name":[a-zA-Z0-9_-]{1,64},...}}.');
			}
			if (t.function.parameters !== undefined && !isObject(t.function.parameters)) {
				throw errors.invalidParameter(`tools.${t.function.name}.parameters must be a JSON schema object.`);
			}
			tools.push({ name: t.function.name, description: typeof t.function.description === 'string' ? t.function.description : '', parameters: t.function.parameters ?? { type: 'object', properties: {} } });
		}
	}
	return { messages: /** @type {Message[]} */ (messages), tools };
}

/** The tool an OCR request should go to: name or description mentions OCR/Qwen, else the only tool. @param {ToolDef[]} tools */
function pickTool(tools, toolChoice) {
	if (toolChoice === 'none') return undefined;
	if (isObject(toolChoice) && isObject(toolChoice.function) && typeof toolChoice.function.name === 'string') {
		return tools.find((t) => t.name === toolChoice.function.name);
	}
	const score = (/** @type {ToolDef} */ t) => (/ocr/i.test(t.name) ? 4 : 0) + (/qwen/i.test(t.name) ? 2 : 0) + (/\bocr\b|qwen/i.test(t.description) ? 1 : 0);
	const ranked = tools.map((t) => ({ t, s: score(t) })).filter((x) => x.s > 0).sort((a, b) => b.s - a.s);
	if (ranked.length > 0) return ranked[0].t;
	return tools.length === 1 ? tools[0] : undefined;
}

/**
 * Arguments for a JSON schema, generic: image-ish strings get the image URL, enums a value the user
 * mentioned (else the default, else the first), instructions get the user's text.
 * @param {any} schema
 * @param {{ imageUrl: string, userText: string }} ctx
 * @param {string} key
 * @returns {unknown}
 */
function fillSchema(schema, ctx, key = '') {
	if (!isObject(schema)) return ctx.userText;
	const variants = schema.anyOf ?? schema.oneOf;
	if (Array.isArray(variants) && variants.length > 0) {
		const usable = variants.find((v) => isObject(v) && v.type !== 'null') ?? variants[0];
		return fillSchema({ ...usable, description: schema.description ?? usable.description, default: schema.default }, ctx, key);
	}
	if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return fillSchema(Object.assign({}, ...schema.allOf), ctx, key);
	const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
	const hint = `${key} ${typeof schema.description === 'string' ? schema.description : ''}`;
	if (Array.isArray(schema.enum) && schema.enum.length > 0) {
		const lower = ctx.userText.toLowerCase();
		const mentioned = schema.enum.find((v) => typeof v === 'string' && v.length > 2 && lower.includes(v.toLowerCase()));
		if (mentioned !== undefined) return mentioned;
		return schema.enum.includes(schema.default) ? schema.default : schema.enum[0];
	}
	if (schema.const !== undefined) return schema.const;
	if (type === 'object' || isObject(schema.properties)) {
		/** @type {Record<string, unknown>} */
		const out = {};
		for (const [name, sub] of Object.entries(schema.properties ?? {})) out[name] = fillSchema(sub, ctx, name);
		return out;
	}
	if (type === 'array') return [fillSchema(schema.items ?? { type: 'string' }, ctx, key)];
	if (type === 'boolean') return typeof schema.default === 'boolean' ? schema.default : false;
	if (type === 'integer' || type === 'number') {
		if (typeof schema.default === 'number') return schema.default;
		return typeof schema.minimum === 'number' ? schema.minimum : 1;
	}
	// strings (and untyped values)
	if (/url|uri|link|image|picture|photo|scan|file|document/i.test(key) && !/base64|binary|prompt|instruction/i.test(key)) return ctx.imageUrl;
	if (/base64/i.test(key)) return typeof schema.default === 'string' ? schema.default : '';
	if (/prompt|question|instruction|query|input|task|message|request|text/i.test(hint)) return ctx.userText;
	if (typeof schema.default === 'string' && schema.default !== '') return schema.default;
	if (/url|image/i.test(hint)) return ctx.imageUrl;
	return ctx.userText;
}

/** Words of a text or key path: camelCase and snake_case split, lower case, no stop words. @param {string} s */
function words(s) {
	return s
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.split(/[^a-z0-9\u4e00-\u9fff]+/)
		.filter((w) => w.length >= 2 && !STOP_WORDS.has(w));
}

/** Primitive leaves of a JSON value, metadata (keys starting with _) and binary left out. */
function leaves(value, path = [], out = []) {
	if (Array.isArray(value)) value.forEach((v, i) => leaves(v, [...path, String(i)], out));
	else if (isObject(value)) {
		for (const [k, v] of Object.entries(value)) if (!k.startsWith('_') && k !== 'binary') leaves(v, [...path, k], out);
	} else if (value !== null && value !== undefined && value !== '') out.push({ path, value });
	return out;
}

/** @param {string} text */
function parseMaybeJson(text) {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * The final answer from the turn's tool results.
 * @param {string[]} results tool message texts
 * @param {string} userText
 */
function answerFromToolResults(results, userText) {
	const wanted = new Set(words(userText.replace(/https?:\/\/\S+/g, ' ')));
	/** @type {{ path: string[], value: unknown }[]} */
	const all = [];
	const texts = [];
	for (const raw of results) {
		const json = parseMaybeJson(raw);
		if (json === undefined) {
			texts.push(raw);
			continue;
		}
		const err = isObject(json) ? json.error : Array.isArray(json) && isObject(json[0]) ? json[0].error : undefined;
		if (err) return `The OCR tool failed: ${typeof err === 'string' ? err : isObject(err) && err.message ? err.message : JSON.stringify(err)}`;
		all.push(...leaves(json));
	}
	let best;
	let bestScore = 0;
	for (const leaf of all) {
		const keyWords = words(leaf.path.filter((p) => !/^\d+$/.test(p)).join(' '));
		const score = keyWords.filter((w) => wanted.has(w)).length;
		if (score > bestScore || (score === bestScore && score > 0 && best && leaf.path.length < best.path.length)) {
			best = leaf;
			bestScore = score;
		}
	}
	if (best) {
		const named = best.path.filter((p) => !/^\d+$/.test(p));
		const label = words(named[named.length - 1] ?? 'value').join(' ');
		return `The ${label} is ${String(best.value)}.`;
	}
	const text = all.find((l) => l.path[l.path.length - 1] === 'text' || l.path[l.path.length - 1] === 'response');
	if (text) return `The image reads:\n${String(text.value)}`;
	if (texts.length > 0) return `The tool returned: ${texts.join('\n').slice(0, 2000)}`;
	return `The tool returned: ${JSON.stringify(all.map((l) => l.value)).slice(0, 2000)}`;
}

/** Rough token count, as the service reports usage. @param {string} text */
function tokens(text) {
	return Math.max(1, Math.ceil(Buffer.byteLength(text, 'utf8') / 4));
}

/**
 * Decides the answer to a chat request (already authorised).
 * @param {Record<string, any>} body
 * @param {{ baseUrl: string }} ctx
 * @returns {{ message: { role: 'assistant', content: string | null, tool_calls?: any[] }, finishReason: string, kind: 'tool_calls' | 'final_answer' | 'chat', tool?: string, arguments?: unknown, promptTokens: number, completionTokens: number }}
 */
function decide(body, ctx) {
	const { messages, tools } = validate(body);
	let lastUser = -1;
	messages.forEach((m, i) => {
		if (m.role === 'user') lastUser = i;
	});
	const userText = lastUser >= 0 ? contentText(messages[lastUser].content) : '';
	const turn = messages.slice(lastUser + 1);
	const promptTokens = tokens(JSON.stringify(messages) + JSON.stringify(body.tools ?? []));
	const toolResults = turn.filter((m) => m.role === 'tool').map((m) => contentText(m.content));
	if (toolResults.length > 0) {
		const content = answerFromToolResults(toolResults, userText);
		return { message: { role: 'assistant', content }, finishReason: 'stop', kind: 'final_answer', promptTokens, completionTokens: tokens(content) };
	}
	const tool = tools.length > 0 ? pickTool(tools, body.tool_choice) : undefined;
	if (tool) {
		const imageUrl = (/https?:\/\/[^\s"'<>)]+/.exec(userText)?.[0] ?? `${ctx.baseUrl}/fixtures/invoice.png`).replace(/[.,;:!?]+$/, '');
		const args = fillSchema(tool.parameters, { imageUrl, userText }, '');
		const argText = JSON.stringify(isObject(args) ? args : {});
		const call = { id: `call_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`, type: 'function', function: { name: tool.name, arguments: argText } };
		return { message: { role: 'assistant', content: '', tool_calls: [call] }, finishReason: 'tool_calls', kind: 'tool_calls', tool: tool.name, arguments: JSON.parse(argText), promptTokens, completionTokens: tokens(argText) };
	}
	const content = tools.length > 0
		? 'None of the tools offered reads images: attach the Qwen OCR node as a tool.'
		: `I am the emulator's scripted chat model: I call a Qwen OCR tool when one is attached. You said: ${userText}`;
	return { message: { role: 'assistant', content }, finishReason: 'stop', kind: 'chat', promptTokens, completionTokens: tokens(content) };
}

/** The chat.completion body. */
function completionBody(result, model, requestId) {
	return {
		choices: [{ message: result.message, finish_reason: result.finishReason, index: 0, logprobs: null }],
		object: 'chat.completion',
		usage: {
			prompt_tokens: result.promptTokens,
			completion_tokens: result.completionTokens,
			total_tokens: result.promptTokens + result.completionTokens,
		},
		created: Math.floor(Date.now() / 1000),
		system_fingerprint: null,
		model,
		id: `chatcmpl-${requestId}`,
	};
}

/** The same answer as server-sent chat.completion.chunk events, ending with [DONE]. */
function streamChunks(result, model, requestId, includeUsage) {
	const base = { id: `chatcmpl-${requestId}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, system_fingerprint: null };
	const chunk = (delta, finishReason = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] });
	/** @type {Record<string, unknown>[]} */
	const events = [chunk({ role: 'assistant', content: '' })];
	if (result.message.tool_calls) {
		result.message.tool_calls.forEach((call, index) => {
			events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
			events.push(chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments } }] }));
		});
	} else if (result.message.content) {
		events.push(chunk({ content: result.message.content }));
	}
	events.push(chunk({}, result.finishReason));
	if (includeUsage) {
		events.push({ ...base, choices: [], usage: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens } });
	}
	return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
}

/**
 * Answers a chat request on `res`. Throws ApiError for invalid requests (the caller sends it).
 * @param {Record<string, any>} body
 * @param {import('../index').RequestLogEntry} entry
 * @param {import('node:http').ServerResponse} res
 * @param {{ baseUrl: string }} ctx
 */
function answerChat(body, entry, res, ctx) {
	const result = decide(body, ctx);
	entry.model = body.model;
	entry.task = 'chat';
	entry.answeredAs = result.kind;
	entry.chat = { kind: result.kind, tool: result.tool, arguments: result.arguments, answer: result.message.content ?? undefined };
	entry.status = 200;
	if (res.destroyed || res.headersSent) return;
	if (body.stream === true) {
		const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		res.end(streamChunks(result, body.model, entry.requestId, includeUsage));
		return;
	}
	res.writeHead(200, { 'content-type': 'application/json' });
	res.end(JSON.stringify(completionBody(result, body.model, entry.requestId)));
}

module.exports = { isChatRequest, answerChat, decide, fillSchema, answerFromToolResults, pickTool };
