// @ts-check
'use strict';

/**
 * What the "model" says. The emulator does no OCR: it recognises a fixture image by the SHA-256 of its
 * bytes and answers from the image's `<name>.truth.json` sidecar, shaped like the vendor's samples for
 * each built-in task. Unknown images get a deterministic placeholder answer so generated benchmark
 * images still work.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const FIXTURES_DIR = path.join(__dirname, '..', '..', 'fixtures');
const TASK_PROMPTS = /** @type {Record<string, string>} */ (
	JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, 'vendor', 'task-prompts.json'), 'utf8'))
);
const KIE_PROMPTS = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, 'vendor', 'kie-prompts.json'), 'utf8'));
const TASKS = Object.keys(TASK_PROMPTS);
/** The prompt the models use when the request has no text (vendor page: "若未傳入,則會使用預設的Prompt"). */
const DEFAULT_PROMPT = TASK_PROMPTS.text_recognition;

/**
 * @typedef {{ text: string, location: number[], rotate_rect: number[] }} TruthLine
 * @typedef {{ width: number, height: number, format?: string, text: string, lines: TruthLine[],
 *   fields?: Record<string, unknown>, table_html?: string, latex?: string, multi_lan_text?: string }} Truth
 * @typedef {{ name: string, file: string, contentType: string, truth: Truth }} Fixture
 */

const CONTENT_TYPES = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.bmp': 'image/bmp', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.webp': 'image/webp', '.heic': 'image/heic' };

/**
 * Loads every image of a directory that has a sidecar, keyed by the SHA-256 of its bytes.
 * @param {string} dir
 * @returns {{ bySha: Map<string, Fixture>, byName: Map<string, Fixture> }}
 */
function loadFixtures(dir) {
	const bySha = new Map();
	const byName = new Map();
	for (const name of fs.readdirSync(dir)) {
		const ext = path.extname(name).toLowerCase();
		const contentType = CONTENT_TYPES[/** @type {keyof typeof CONTENT_TYPES} */ (ext)];
		const sidecar = path.join(dir, `${path.basename(name, ext)}.truth.json`);
		if (!contentType || !fs.existsSync(sidecar)) continue;
		const file = path.join(dir, name);
		const fixture = { name, file, contentType, truth: JSON.parse(fs.readFileSync(sidecar, 'utf8')) };
		bySha.set(sha256(fs.readFileSync(file)), fixture);
		byName.set(name, fixture);
	}
	return { bySha, byName };
}

/** @param {Buffer} buf */
function sha256(buf) {
	return crypto.createHash('sha256').update(buf).digest('hex');
}

/** @param {number} width @param {number} height @returns {Truth} */
function unknownImageTruth(width, height) {
	return { width, height, text: `(unrecognised image ${width}x${height})`, lines: [], fields: {} };
}

// ---------------------------------------------------------------------------------------------------
// Prompt → task (compatible mode, and native requests without ocr_options)

/**
 * Recognises the vendor's fixed task prompts, which is how compatible-mode clients ask for a task.
 * text_recognition and multi_lan share one prompt; it answers as text_recognition.
 * @param {string} prompt
 * @returns {{ task: string, schema?: object } | null}
 */
function taskFromPrompt(prompt) {
	const text = prompt.trim();
	if (text === '') return null;
	for (const task of TASKS) {
		if (task !== 'key_information_extraction' && text === TASK_PROMPTS[task].trim()) return { task };
	}
	if (text.startsWith(KIE_PROMPTS.all_fields.trim())) return { task: 'key_information_extraction' };
	if (text.startsWith(KIE_PROMPTS.with_schema.trim())) {
		return { task: 'key_information_extraction', schema: schemaFromPrompt(text) };
	}
	return null;
}

/** The compatible-mode KIE prompt ends with the JSON schema; an unreadable schema means "all fields". */
function schemaFromPrompt(text) {
	const start = text.indexOf('{');
	const end = text.lastIndexOf('}');
	if (start < 0 || end < start) return undefined;
	try {
		const schema = JSON.parse(text.slice(start, end + 1));
		return schema && typeof schema === 'object' && !Array.isArray(schema) ? schema : undefined;
	} catch {
		return undefined;
	}
}

// ---------------------------------------------------------------------------------------------------
// Key information extraction

/**
 * Fills a result_schema from the truth fields, as the model fills the template: object keys recurse, an
 * array `[template]` maps every truth element through the template, absent values become null (an absent
 * list becomes []). Without a schema every field is returned.
 * @param {unknown} schema
 * @param {unknown} truth
 * @returns {unknown}
 */
function fillSchema(schema, truth) {
	if (Array.isArray(schema)) {
		const template = schema[0];
		return Array.isArray(truth) ? truth.map((el) => fillSchema(template, el)) : [];
	}
	if (schema && typeof schema === 'object') {
		const source = truth && typeof truth === 'object' && !Array.isArray(truth) ? /** @type {Record<string, unknown>} */ (truth) : {};
		/** @type {Record<string, unknown>} */
		const out = {};
		for (const key of Object.keys(schema)) out[key] = fillSchema(/** @type {Record<string, unknown>} */ (schema)[key], source[key]);
		return out;
	}
	// a leaf of the schema is a description: the model answers with text
	if (truth === undefined || truth === null) return null;
	return typeof truth === 'object' ? JSON.stringify(truth) : String(truth);
}

// ---------------------------------------------------------------------------------------------------
// Task answers

/**
 * Python json.dumps spacing (", " and ": "), which is what the model's JSON text looks like.
 * @param {unknown} v
 * @returns {string}
 */
function pyDumps(v) {
	if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
	if (v && typeof v === 'object') {
		return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x)}`).join(', ')}}`;
	}
	return JSON.stringify(v);
}

/**
 * The advanced_recognition `text`: rotated rectangles in the model's 0–1000 normalised units, inside a
 * json fence closed without a newline, as in the vendor sample. Lines near ±90° have width and height
 * swapped, so those are normalised against the other axis.
 * @param {Truth} truth
 */
function posListText(truth) {
	const nx = (v) => Math.round((v * 1000) / truth.width);
	const ny = (v) => Math.round((v * 1000) / truth.height);
	const posList = truth.lines.map((l) => {
		const [cx, cy, w, h, angle] = l.rotate_rect;
		const upright = Math.abs(angle) > 45;
		return { rotate_rect: [nx(cx), ny(cy), upright ? ny(w) : nx(w), upright ? nx(h) : ny(h), angle], text: l.text };
	});
	return '```json\n' + pyDumps([{ pos_list: posList }]) + '```';
}

function escapeHtml(s) {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** @param {Truth} truth */
function tableHtml(truth) {
	return truth.table_html ?? `<table>\n  <tr>\n    <td>${escapeHtml(truth.text)}</td>\n  </tr>\n</table>`;
}

/**
 * @typedef {{ text: string, ocrResult?: Record<string, unknown> }} Answer
 */

/**
 * Answer of one task for one image.
 * @param {string} task
 * @param {Truth} truth
 * @param {{ schema?: object, withOcrResult: boolean }} opts withOcrResult: false when the task was only
 *   recognised from the prompt (the real service adds ocr_result only for ocr_options tasks)
 * @returns {Answer}
 */
function answerTask(task, truth, opts) {
	const ocr = (/** @type {Record<string, unknown>} */ result) => (opts.withOcrResult ? result : undefined);
	switch (task) {
		case 'advanced_recognition':
			return {
				text: posListText(truth),
				ocrResult: ocr({ words_info: truth.lines.map((l) => ({ rotate_rect: l.rotate_rect, location: l.location, text: l.text })) }),
			};
		case 'key_information_extraction': {
			const kv = opts.schema ? fillSchema(opts.schema, truth.fields || {}) : structuredClone(truth.fields || {});
			return { text: '```json\n' + JSON.stringify(kv, null, 4) + '\n```', ocrResult: ocr({ kv_result: kv }) };
		}
		case 'table_parsing':
			return { text: '```html\n' + tableHtml(truth) + '\n```' };
		case 'document_parsing':
			return { text: '```latex\n' + (truth.latex ?? truth.text) + '\n```' };
		case 'formula_recognition':
			return { text: '$$' + (truth.latex ?? truth.text) + '$$' };
		case 'multi_lan':
			return { text: truth.multi_lan_text || truth.text };
		default:
			return { text: truth.text };
	}
}

/**
 * Several images in one request: text tasks read every page in order; structured tasks answer for the
 * first image (built-in tasks are documented with one image).
 * @param {string} task
 * @param {Truth[]} truths
 * @param {{ schema?: object, withOcrResult: boolean }} opts
 * @returns {Answer}
 */
function answerForImages(task, truths, opts) {
	if ((task === 'text_recognition' || task === 'multi_lan') && truths.length > 1) {
		return { text: truths.map((t) => answerTask(task, t, opts).text).join('\n') };
	}
	return answerTask(task, truths[0], opts);
}

// ---------------------------------------------------------------------------------------------------
// Tokens

/** Python's round(): halves go to the even neighbour. Used so smart_resize matches the vendor's code. */
function pyRound(x) {
	const r = Math.round(x);
	return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The vendor's smart_resize, with the patch as the rounding factor.
 * @returns {[number, number]} [h_bar, w_bar]
 */
function smartResize(height, width, minPixels, maxPixels, patch) {
	let hBar = pyRound(height / patch) * patch;
	let wBar = pyRound(width / patch) * patch;
	if (hBar * wBar > maxPixels) {
		const beta = Math.sqrt((height * width) / maxPixels);
		hBar = Math.floor(height / beta / patch) * patch;
		wBar = Math.floor(width / beta / patch) * patch;
	} else if (hBar * wBar < minPixels) {
		const beta = Math.sqrt(minPixels / (height * width));
		hBar = Math.ceil((height * beta) / patch) * patch;
		wBar = Math.ceil((width * beta) / patch) * patch;
	}
	return [hBar, wBar];
}

const DEFAULT_MIN_PIXELS = 32 * 32 * 3;
const DEFAULT_MAX_PIXELS = 8192 * 32 * 32;

/** Image tokens = resized pixels / patch² + 2 (vision begin/end markers). */
function imageTokens(width, height, minPixels, maxPixels, patch) {
	const [h, w] = smartResize(height, width, minPixels ?? DEFAULT_MIN_PIXELS, maxPixels ?? DEFAULT_MAX_PIXELS, patch);
	return Math.floor((h * w) / (patch * patch)) + 2;
}

/** Rough text token count: one token per three characters. */
function textTokens(text) {
	return Math.ceil(Array.from(text).length / 3);
}

/**
 * Cuts an answer that does not fit max_tokens, as the model stops at the limit.
 * @returns {{ text: string, truncated: boolean }}
 */
function fitToMaxTokens(text, maxTokens) {
	const chars = Array.from(text);
	if (Math.ceil(chars.length / 3) <= maxTokens) return { text, truncated: false };
	return { text: chars.slice(0, maxTokens * 3).join(''), truncated: true };
}

/** Cuts roughly in half, moved forward so the cut falls inside a word (mid-token, like a real cut-off). */
function cutInHalf(text) {
	const chars = Array.from(text);
	let at = Math.floor(chars.length / 2);
	while (at < chars.length - 1 && (/\s/.test(chars[at - 1] ?? ' ') || /\s/.test(chars[at]))) at++;
	return chars.slice(0, Math.max(1, at)).join('');
}

module.exports = {
	TASKS, TASK_PROMPTS, KIE_PROMPTS, DEFAULT_PROMPT, FIXTURES_DIR,
	loadFixtures, sha256, unknownImageTruth, taskFromPrompt, fillSchema, answerTask, answerForImages,
	smartResize, imageTokens, textTokens, fitToMaxTokens, cutInHalf,
};
