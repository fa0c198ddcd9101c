// @ts-check
'use strict';

/**
 * Request-body validation of both generation endpoints, reduced to one normalised shape. Strict on
 * purpose: the real service rejects these cases, so a node that passes here sends what the service takes.
 */

const { errors } = require('./errors');
const { TASKS } = require('./answers');
const models = require('./models');

/**
 * @typedef {{ ref: unknown, options: Record<string, unknown> }} ImageRef
 * @typedef {{ model: string, images: ImageRef[], prompt: string, task?: string, schema?: object, maxTokens: number }} GenerationRequest
 */

/** @param {unknown} v @returns {v is Record<string, unknown>} */
function isObject(v) {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @param {unknown} body @param {import('./models').Region} region */
function checkModel(body, region) {
	if (!isObject(body)) throw errors.invalidParameter('The request body must be a JSON object.');
	const model = body.model;
	if (typeof model !== 'string' || model === '') throw errors.missingParameter();
	if (!models.modelExists(model, region)) throw errors.modelNotExist(model);
	return model;
}

/**
 * One user message, no system prompt, no history (vendor page, "模型限制").
 * @param {unknown} messages
 * @returns {unknown} the message's content
 */
function singleUserContent(messages) {
	if (!Array.isArray(messages) || messages.length === 0) throw errors.missingParameter();
	if (messages.some((m) => isObject(m) && m.role === 'system')) {
		throw errors.invalidParameter('System messages are not supported by this model: put all instructions in the user message.');
	}
	if (messages.length > 1) throw errors.invalidParameter('Multi-turn conversations are not supported by this model: send exactly one user message.');
	const message = messages[0];
	if (!isObject(message) || message.role !== 'user') throw errors.invalidParameter('The message role must be "user".');
	return message.content;
}

/** @param {unknown} maxTokens @param {string} model */
function checkMaxTokens(maxTokens, model) {
	if (maxTokens === undefined || maxTokens === null) return models.DEFAULT_MAX_TOKENS;
	const limit = models.maxOutputTokens(model);
	if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > limit) {
		throw errors.invalidParameter(`Range of max_tokens should be [1, ${limit}]`);
	}
	return maxTokens;
}

/** Nesting depth of a result_schema; a list template `[x]` does not add a level. */
function schemaDepth(v) {
	if (Array.isArray(v)) {
		if (v.length !== 1) throw errors.invalidParameter('A list in result_schema must hold exactly one template element.');
		return schemaDepth(v[0]);
	}
	if (isObject(v)) return 1 + Math.max(0, ...Object.values(v).map(schemaDepth));
	return 0;
}

/** @param {unknown} ocrOptions @returns {{ task?: string, schema?: object }} */
function checkOcrOptions(ocrOptions) {
	if (ocrOptions === undefined) return {};
	if (!isObject(ocrOptions)) throw errors.invalidParameter('parameters.ocr_options must be an object.');
	const { task, task_config: taskConfig } = ocrOptions;
	if (task !== undefined && (typeof task !== 'string' || !TASKS.includes(task))) {
		throw errors.invalidParameter(`The ocr_options.task value is not supported. Supported tasks: ${TASKS.join(', ')}.`);
	}
	if (taskConfig === undefined) return { task: /** @type {string | undefined} */ (task) };
	if (!isObject(taskConfig)) throw errors.invalidParameter('parameters.ocr_options.task_config must be an object.');
	const schema = taskConfig.result_schema;
	if (schema === undefined) return { task: /** @type {string | undefined} */ (task) };
	if (task !== 'key_information_extraction') {
		throw errors.invalidParameter('task_config.result_schema is only supported with the key_information_extraction task.');
	}
	if (!isObject(schema)) throw errors.invalidParameter('task_config.result_schema must be a JSON object.');
	if (schemaDepth(schema) > 3) throw errors.invalidParameter('task_config.result_schema supports at most 3 levels of nesting.');
	return { task, schema };
}

/**
 * Splits a content list into images and prompt text; every entry must be one or the other.
 * @param {unknown} content
 * @param {(entry: Record<string, unknown>) => ImageRef | null} imageOf
 * @param {(entry: Record<string, unknown>) => string | null} textOf
 */
function splitContent(content, imageOf, textOf) {
	if (!Array.isArray(content) || content.length === 0) {
		throw errors.invalidParameter('The user message content must be a list with at least one image.');
	}
	/** @type {ImageRef[]} */
	const images = [];
	/** @type {string[]} */
	const texts = [];
	for (const entry of content) {
		if (!isObject(entry)) throw errors.invalidParameter('Each content entry must be an object.');
		const image = imageOf(entry);
		const text = image ? null : textOf(entry);
		if (image) images.push(image);
		else if (text !== null) texts.push(text);
		else throw errors.invalidParameter('Only image and text content is supported by this model.');
	}
	if (images.length === 0) throw errors.invalidParameter('At least one image is required.');
	return { images, prompt: texts.join('\n') };
}

/** @param {Record<string, unknown>} entry */
function textEntry(entry) {
	if (!('text' in entry)) return null;
	if (typeof entry.text !== 'string') throw errors.invalidParameter('The text content must be a string.');
	return entry.text;
}

/**
 * POST /api/v1/services/aigc/multimodal-generation/generation
 * @param {unknown} body
 * @param {import('./models').Region} region
 * @returns {GenerationRequest}
 */
function parseNative(body, region) {
	const model = checkModel(body, region);
	const b = /** @type {Record<string, unknown>} */ (body);
	if (!isObject(b.input)) throw errors.missingParameter();
	const content = singleUserContent(b.input.messages);
	const { images, prompt } = splitContent(
		content,
		(e) => ('image' in e ? { ref: e.image, options: e } : null),
		textEntry,
	);
	const params = b.parameters === undefined ? {} : b.parameters;
	if (!isObject(params)) throw errors.invalidParameter('parameters must be an object.');
	const { task, schema } = checkOcrOptions(params.ocr_options);
	return { model, images, prompt, task, schema, maxTokens: checkMaxTokens(params.max_tokens, model) };
}

/**
 * POST /compatible-mode/v1/chat/completions (no ocr_options there: tasks are asked for by prompt)
 * @param {unknown} body
 * @param {import('./models').Region} region
 * @returns {GenerationRequest}
 */
function parseCompatible(body, region) {
	const model = checkModel(body, region);
	const b = /** @type {Record<string, unknown>} */ (body);
	if (b.stream === true) throw errors.invalidParameter('Streaming is not emulated: send "stream": false.');
	const content = singleUserContent(b.messages);
	const { images, prompt } = splitContent(
		content,
		(e) => {
			if (e.type !== 'image_url') return null;
			const url = isObject(e.image_url) ? e.image_url.url : e.image_url;
			// the vendor samples put min_pixels/max_pixels beside image_url; inside it is accepted too
			const options = isObject(e.image_url) ? { ...e.image_url, ...e } : e;
			return { ref: url, options };
		},
		(e) => (e.type === 'text' ? textEntry(e) : null),
	);
	return { model, images, prompt, maxTokens: checkMaxTokens(b.max_tokens, model) };
}

module.exports = { parseNative, parseCompatible, schemaDepth };
