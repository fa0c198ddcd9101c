// @ts-check
'use strict';

/**
 * Minimal multipart/form-data parser for the OSS PostObject upload. Keeps the parts in order because
 * OSS requires `file` to be the last field.
 */

/** @typedef {{ name: string, filename?: string, contentType?: string, data: Buffer }} Part */

/** @param {string | undefined} contentType @returns {string | null} */
function boundaryOf(contentType) {
	if (!contentType || !/^multipart\/form-data/i.test(contentType)) return null;
	const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	return m ? (m[1] || m[2]) : null;
}

/** @param {string} headerBlock */
function parsePartHeaders(headerBlock) {
	/** @type {Record<string, string>} */
	const headers = {};
	for (const line of headerBlock.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	const disposition = headers['content-disposition'] || '';
	const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition);
	const filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition);
	if (!/^form-data/i.test(disposition) || !name) throw new Error('part without a form-data Content-Disposition name');
	return { name: name[1], filename: filename ? filename[1] : undefined, contentType: headers['content-type'] };
}

/**
 * @param {Buffer} body
 * @param {string | undefined} contentType
 * @returns {Part[]}
 * @throws {Error} when the body is not well-formed multipart/form-data
 */
function parseMultipart(body, contentType) {
	const boundary = boundaryOf(contentType);
	if (!boundary) throw new Error('Content-Type is not multipart/form-data with a boundary');
	const delimiter = Buffer.from(`--${boundary}`);
	/** @type {Part[]} */
	const parts = [];
	let pos = body.indexOf(delimiter);
	if (pos < 0) throw new Error('boundary not found in body');
	for (;;) {
		pos += delimiter.length;
		if (body.toString('latin1', pos, pos + 2) === '--') return parts; // closing delimiter
		if (body.toString('latin1', pos, pos + 2) !== '\r\n') throw new Error('malformed delimiter line');
		const headerEnd = body.indexOf('\r\n\r\n', pos + 2);
		if (headerEnd < 0) throw new Error('part headers not terminated');
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
		if (next < 0) throw new Error('closing boundary missing');
		const headers = parsePartHeaders(body.toString('utf8', pos + 2, headerEnd));
		parts.push({ ...headers, data: body.subarray(headerEnd + 4, next) });
		pos = next + 2;
	}
}

module.exports = { parseMultipart };
