// @ts-check
'use strict';

/**
 * Image inputs: data URLs, http(s) URLs (downloaded, loopback only: the emulator never leaves the host)
 * and oss:// keys from the temporary-upload flow. Checks follow the vendor page's "映像限制" section.
 */

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const { errors } = require('./errors');
const { sniffFormat, imageSize, MIME_BY_FORMAT } = require('./image-info');

const MAX_DATA_URI_CHARS = 10485760; // "以 Base 64 編碼傳入時:編碼後的字串不超過10MB"
const MAX_URL_BYTES = 10 * 1024 * 1024; // "以公網 URL 和本地路徑傳入時:單個映像的大小不超過10MB"
const DOWNLOAD_TIMEOUT_MS = 10000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const MSG = {
	badUrl: 'The provided URL does not appear to be valid. Ensure it is correctly formatted.',
	downloadTimeout: 'Download the media resource timed out during the data inspection process.',
	dataUriTooLarge: `Exceeded limit on max bytes per data-uri item : ${MAX_DATA_URI_CHARS}`,
	notBase64: 'The data URL is not valid base64: only "data:image/<format>;base64,<data>" is supported.',
	notImage: 'The input is not a valid image: the data is not a supported image format (BMP, JPEG, PNG, TIFF, WEBP, HEIC).',
	undecodable: 'Failed to decode the image during the data inspection process.',
	ossNativeOnly: 'oss:// resources are only supported by the native DashScope API (/api/v1/services/aigc/multimodal-generation/generation).',
	ossHeader: 'The oss:// resource can only be used with the header X-DashScope-OssResourceResolve: enable.',
	ossUnknown: 'The oss:// resource was not found: upload it first with a policy from /api/v1/uploads, with the same API key and model.',
};

/**
 * @typedef {{ source: 'data'|'url'|'oss', mime?: string, sniffedFormat?: string, bytes: number, sha256: string, width?: number,
 *   height?: number, min_pixels?: number, max_pixels?: number, enable_rotate?: boolean }} ImageLog
 * @typedef {{ buffer: Buffer, width: number, height: number, log: ImageLog }} ResolvedImage
 * @typedef {{ ossAllowed: boolean, ossResolve: boolean, lookupOss: (key: string) => Buffer | null }} ImageContext
 *   ossAllowed: false on the compatible endpoint (temporary uploads are a native-API feature)
 */

/**
 * Validates the per-image options that sit beside the image (native entry, or compatible-mode part).
 * @param {Record<string, unknown>} entry
 * @returns {{ min_pixels?: number, max_pixels?: number, enable_rotate?: boolean }}
 */
function imageOptions(entry) {
	/** @type {{ min_pixels?: number, max_pixels?: number, enable_rotate?: boolean }} */
	const out = {};
	for (const key of /** @type {const} */ (['min_pixels', 'max_pixels'])) {
		const v = entry[key];
		if (v === undefined) continue;
		if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw errors.invalidParameter(`${key} must be a positive number.`);
		out[key] = v;
	}
	if (out.min_pixels !== undefined && out.max_pixels !== undefined && out.min_pixels > out.max_pixels) {
		throw errors.invalidParameter('min_pixels must not be greater than max_pixels.');
	}
	if (entry.enable_rotate !== undefined) {
		if (typeof entry.enable_rotate !== 'boolean') throw errors.invalidParameter('enable_rotate must be a boolean.');
		out.enable_rotate = entry.enable_rotate;
	}
	return out;
}

/** @param {string} url @returns {{ buffer: Buffer, mime: string }} */
function decodeDataUrl(url) {
	if (url.length > MAX_DATA_URI_CHARS) throw errors.invalidParameter(MSG.dataUriTooLarge);
	const m = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
	if (!m || !/;base64$/i.test(m[2])) throw errors.invalidParameter(MSG.notBase64);
	const mime = m[1].toLowerCase();
	const b64 = m[3];
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) throw errors.invalidParameter(MSG.notBase64);
	if (!mime.startsWith('image/')) throw errors.invalidParameter(`${MSG.notImage} Declared MIME type: ${mime || '(none)'}.`);
	return { buffer: Buffer.from(b64, 'base64'), mime };
}

/** Downloads a loopback URL (the fixture route or a test's own server), capped at 10 MB. */
function download(url) {
	return new Promise((resolve, reject) => {
		const client = url.protocol === 'https:' ? https : http;
		const req = client.get(url, { timeout: DOWNLOAD_TIMEOUT_MS }, (res) => {
			if (res.statusCode !== 200) {
				res.resume();
				reject(errors.invalidParameter(`Download the media resource failed: the server answered HTTP ${res.statusCode}.`));
				return;
			}
			/** @type {Buffer[]} */
			const chunks = [];
			let size = 0;
			res.on('data', (c) => {
				size += c.length;
				if (size > MAX_URL_BYTES) {
					req.destroy();
					reject(errors.invalidParameter('The media resource exceeds the size limit of 10MB.'));
				} else chunks.push(c);
			});
			res.on('end', () => resolve(Buffer.concat(chunks)));
			res.on('error', () => reject(errors.invalidParameter(MSG.downloadTimeout)));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', () => reject(errors.invalidParameter(MSG.downloadTimeout)));
	});
}

/**
 * Fetches the bytes of one image reference.
 * @param {string} ref
 * @param {ImageContext} ctx
 * @returns {Promise<{ buffer: Buffer, source: 'data'|'url'|'oss', mime?: string }>}
 */
async function loadImage(ref, ctx) {
	if (ref.startsWith('data:')) return { ...decodeDataUrl(ref), source: 'data' };
	if (ref.startsWith('oss://')) {
		if (!ctx.ossAllowed) throw errors.invalidParameter(MSG.ossNativeOnly);
		if (!ctx.ossResolve) throw errors.invalidParameter(MSG.ossHeader);
		const buffer = ctx.lookupOss(ref.slice('oss://'.length));
		if (!buffer) throw errors.invalidParameter(MSG.ossUnknown);
		return { buffer, source: 'oss' };
	}
	/** @type {URL} */
	let url;
	try {
		url = new URL(ref);
	} catch {
		throw errors.invalidParameter(MSG.badUrl);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw errors.invalidParameter(MSG.badUrl);
	// The real service downloads from the internet; the emulator must not, so other hosts behave like an
	// unreachable server.
	if (!LOOPBACK_HOSTS.has(url.hostname)) throw errors.invalidParameter(MSG.downloadTimeout);
	return { buffer: await download(url), source: 'url' };
}

/**
 * Format and size checks of the vendor's image limits. Fills `log` as it learns, so a rejected image
 * still shows what was sniffed.
 * @param {Buffer} buffer
 * @param {string | undefined} declaredMime
 * @param {ImageLog} log
 */
function checkImage(buffer, declaredMime, log) {
	const format = sniffFormat(buffer);
	log.sniffedFormat = format ?? undefined;
	if (!format || format === 'gif') throw errors.invalidParameter(MSG.notImage);
	if (declaredMime !== undefined && declaredMime !== MIME_BY_FORMAT[format]) {
		throw errors.invalidParameter(
			`The MIME type of the data URL (${declaredMime}) does not match the image data (${MIME_BY_FORMAT[format]}).`,
		);
	}
	const size = imageSize(buffer, format);
	if (!size || !size.width || !size.height) throw errors.invalidParameter(MSG.undecodable);
	const { width, height } = size;
	Object.assign(log, { width, height });
	if (width <= 10 || height <= 10) {
		throw errors.invalidParameter(
			`The image length and width do not meet the model restrictions. [height:${height} or width:${width} must be larger than 10]`,
		);
	}
	if (Math.max(width, height) / Math.min(width, height) > 200) {
		throw errors.invalidParameter(`The image aspect ratio must not exceed 200:1 (got ${width}x${height}).`);
	}
	if (format !== 'jpeg' && format !== 'png' && Math.max(width, height) > 3840) {
		throw errors.invalidParameter(`Images above 4K resolution must be JPEG or PNG (got ${format} ${width}x${height}).`);
	}
	return { width, height };
}

/**
 * @param {unknown} ref the `image` value (native) or `image_url.url` (compatible mode)
 * @param {Record<string, unknown>} optionsEntry where min_pixels / max_pixels / enable_rotate sit
 * @param {ImageContext} ctx
 * @param {ImageLog[]} logs the request log's image list; the entry is added as soon as the bytes are known
 * @returns {Promise<ResolvedImage>}
 */
async function resolveImage(ref, optionsEntry, ctx, logs) {
	if (typeof ref !== 'string' || ref === '') throw errors.invalidParameter(MSG.badUrl);
	const options = imageOptions(optionsEntry);
	const { buffer, source, mime } = await loadImage(ref, ctx);
	/** @type {ImageLog} */
	const sha256 = crypto.createHash('sha256').update(buffer).digest('hex');
	const log = { source, mime, sniffedFormat: undefined, bytes: buffer.length, sha256, width: undefined, height: undefined, ...options };
	logs.push(log);
	const { width, height } = checkImage(buffer, mime, log);
	return { buffer, width, height, log };
}

module.exports = { resolveImage, imageOptions, MAX_DATA_URI_CHARS };
