// @ts-check
'use strict';

/**
 * Model rules from the vendor page's model tables and token-estimate section.
 *   - qwen-vl-ocr-latest exists only in Beijing (region "cn").
 *   - Max output: 8,192 for -2025-11-20 and -latest; 4,096 for qwen-vl-ocr, -2025-08-28, -2025-04-13 and
 *     -2024-10-28 (higher only after an approved request to the vendor). Newer OCR models not in the page
 *     (e.g. "qwen3.5-ocr") are assumed to behave like the newest snapshot.
 *   - Image token patch: 32×32 for -2025-11-20 and -latest, 28×28 for the others. The stable name
 *     qwen-vl-ocr: the Virginia (全球) table says it equals -2025-11-20 (32); the Beijing table says it
 *     equals -2025-08-28 (28); the Singapore (國際) table has no such note and lists the older
 *     generation's limits and price, so 28 there.
 *   - qwen-vl-ocr-2024-10-28 has no built-in tasks.
 */

/** @typedef {'intl'|'us'|'cn'} Region */

const KNOWN_MODELS = [
	'qwen-vl-ocr',
	'qwen-vl-ocr-latest',
	'qwen-vl-ocr-2025-11-20',
	'qwen-vl-ocr-2025-08-28',
	'qwen-vl-ocr-2025-04-13',
	'qwen-vl-ocr-2024-10-28',
];
const OLD_GENERATION = new Set(['qwen-vl-ocr-2025-08-28', 'qwen-vl-ocr-2025-04-13', 'qwen-vl-ocr-2024-10-28']);
const OCR_NAME = /^qwen[\w.-]*ocr/;

/** @param {string} model @param {Region} region */
function modelExists(model, region) {
	if (model === 'qwen-vl-ocr-latest') return region === 'cn';
	return KNOWN_MODELS.includes(model) || OCR_NAME.test(model);
}

/**
 * Non-OCR models an account also sees in the list (chat, vision, embedding), so a client has to pick
 * the OCR models out. Real DashScope model names; which of them a region offers is not modelled.
 */
const OTHER_LISTED_MODELS = ['qwen-max', 'qwen-plus', 'qwen-turbo', 'qwen-vl-max', 'qwen-vl-plus', 'qwen3-vl-plus', 'text-embedding-v3'];

/**
 * Model ids listed by GET /compatible-mode/v1/models, in no particular order. MODELLED, NOT
 * DOCUMENTED: the Qwen-OCR vendor page does not describe this endpoint. The answer follows the
 * OpenAI list shape that OpenAI clients read from DashScope's compatible mode (n8n's Alibaba Cloud
 * node reads the native, paged `GET /api/v1/models` instead): the region's OCR models, `extra` (models
 * only a test's emulator knows) and a few non-OCR models.
 * @param {Region} region @param {string[]} [extra]
 */
function listModels(region, extra = []) {
	const ocr = KNOWN_MODELS.filter((m) => modelExists(m, region));
	return [...OTHER_LISTED_MODELS.slice(0, 3), ...ocr, ...extra.filter((m) => !ocr.includes(m)), ...OTHER_LISTED_MODELS.slice(3)];
}

/** @param {string} model */
function maxOutputTokens(model) {
	return model === 'qwen-vl-ocr' || OLD_GENERATION.has(model) ? 4096 : 8192;
}

/** @param {string} model @param {Region} region */
function patchSize(model, region) {
	if (OLD_GENERATION.has(model)) return 28;
	if (model === 'qwen-vl-ocr') return region === 'us' ? 32 : 28;
	return 32;
}

/** @param {string} model */
function supportsBuiltInTasks(model) {
	return model !== 'qwen-vl-ocr-2024-10-28';
}

module.exports = { modelExists, listModels, maxOutputTokens, patchSize, supportsBuiltInTasks, DEFAULT_MAX_TOKENS: 4096 };
