/**
 * Stream filters (§7.4): the general-purpose ones are decoded here; an image codec at the end of the chain
 * (DCT, JPX, CCITT fax, JBIG2) is left encoded and reported, since JPEG passes through as it is and the others
 * are refused with a message by the image code.
 */
import { PdfError } from './errors';
import { hasZlibHeader, InflateError, inflateRawWork, zlibDecompressWork } from './inflate';
import { isWhitespace } from './lexer';
import { DecodeLimitError, decodedBytes, MAX_STREAM_BYTES, mb, noteBuffer } from './limits';
import { lzwDecode } from './lzw';
import { type PdfValue, PdfDict, isNumber } from './objects';
import { applyPredictor } from './predictor';
import { runSync, type Work } from './work';

/** Codecs that produce images rather than bytes. */
const IMAGE_CODECS = new Set(['DCTDecode', 'JPXDecode', 'CCITTFaxDecode', 'JBIG2Decode']);

/** Abbreviated names used in inline images (§8.9.7, Table 94). */
const ABBREVIATIONS: Record<string, string> = {
	AHx: 'ASCIIHexDecode',
	A85: 'ASCII85Decode',
	LZW: 'LZWDecode',
	Fl: 'FlateDecode',
	RL: 'RunLengthDecode',
	CCF: 'CCITTFaxDecode',
	DCT: 'DCTDecode',
};

export interface Filter {
	name: string;
	params?: PdfDict;
}

export interface DecodedData {
	data: Uint8Array;
	/** A filter ran out of input before its end marker: `data` is what it produced. */
	truncated: boolean;
	/** The image codec still to apply (its input is `data`), if the chain ends with one. */
	codec?: Filter;
}

/** The /Filter chain of a stream dictionary with each filter's /DecodeParms; `resolve` follows references. */
export function filterChain(dict: PdfDict, resolve: (value: PdfValue | undefined) => PdfValue): Filter[] {
	const filter = resolve(dict.get('Filter') ?? dict.get('F'));
	const params = resolve(dict.get('DecodeParms') ?? dict.get('DP'));
	const names = Array.isArray(filter) ? filter.map((f) => resolve(f)) : filter === null ? [] : [filter];
	return names.map((name, i) => {
		if (typeof name !== 'string') throw new PdfError('Invalid /Filter entry in a stream', 'corrupt');
		const p = Array.isArray(params) ? resolve(params[i]) : i === 0 || !Array.isArray(filter) ? params : null;
		return { name: ABBREVIATIONS[name] ?? name, params: p instanceof PdfDict ? p : undefined };
	});
}

/**
 * Applies every filter of `chain` but a final image codec. No filter's output may pass `limit` bytes (64 MiB
 * unless the caller's budget has less left): the decoders stop there and a PdfError ('too-large') says so.
 */
export function decodeFilters(
	raw: Uint8Array,
	chain: Filter[],
	resolve: (value: PdfValue | undefined) => PdfValue,
	limit = MAX_STREAM_BYTES,
): DecodedData {
	return runSync(decodeFiltersWork(raw, chain, resolve, limit));
}

/** decodeFilters() as resumable work (see work.ts): Flate data, the bulk of a scan, is inflated in slices. */
export function* decodeFiltersWork(
	raw: Uint8Array,
	chain: Filter[],
	resolve: (value: PdfValue | undefined) => PdfValue,
	limit = MAX_STREAM_BYTES,
	/** The decoded size the caller expects (an image's samples): the output buffer starts at it. */
	expected = 0,
): Work<DecodedData> {
	let data = raw;
	let truncated = false;
	for (let i = 0; i < chain.length; i++) {
		const filter = chain[i];
		if (IMAGE_CODECS.has(filter.name)) {
			if (i === chain.length - 1) return { data, truncated, codec: filter };
			throw new PdfError(`${filter.name} is followed by other filters, which this reader does not support`, 'unsupported-image');
		}
		let result: { data: Uint8Array; truncated: boolean } | undefined;
		let failure: unknown;
		try {
			const last = i === chain.length - 1 || (i === chain.length - 2 && IMAGE_CODECS.has(chain[i + 1].name));
			result = yield* applyFilter(data, filter, resolve, limit, last ? expected : 0);
		} catch (error) {
			failure = error;
		}
		if (failure instanceof DecodeLimitError) throw tooLarge(filter.name, limit);
		if (failure !== undefined || !result) throw failure;
		data = result.data;
		truncated ||= result.truncated;
		if (data.length > decodedBytes.largestStream) decodedBytes.largestStream = data.length;
	}
	return { data, truncated };
}

/** A stream that decodes to more than the reader allows: a decompression bomb, or a scan too large to read. */
export function tooLarge(filter: string, limit: number): PdfError {
	return new PdfError(
		`A ${filter} stream decodes to more than ${mb(limit)}, the most this node decodes per stream and page ` +
			'(a decompression bomb, or a scan too large to read)',
		'too-large',
	);
}

function* applyFilter(
	data: Uint8Array,
	filter: Filter,
	resolve: (value: PdfValue | undefined) => PdfValue,
	limit: number,
	expected: number,
): Work<{ data: Uint8Array; truncated: boolean }> {
	switch (filter.name) {
		case 'FlateDecode':
			return predict(yield* flateDecode(data, limit, expected), filter.params, resolve);
		case 'LZWDecode': {
			const early = filter.params ? resolve(filter.params.get('EarlyChange')) : 1;
			return predict(lzwDecode(data, isNumber(early) ? early : 1, limit), filter.params, resolve);
		}
		case 'ASCIIHexDecode':
			return asciiHexDecode(data);
		case 'ASCII85Decode':
			return ascii85Decode(data, limit);
		case 'RunLengthDecode':
			return runLengthDecode(data, limit);
		case 'Crypt': {
			const name = filter.params ? resolve(filter.params.get('Name')) : 'Identity';
			if (name === 'Identity' || name === null) return { data, truncated: false };
			throw new PdfError('The PDF is encrypted (password-protected); remove the password first', 'encrypted');
		}
		default:
			throw new PdfError(`Unknown stream filter /${filter.name}`, 'unsupported-image');
	}
}

function* flateDecode(data: Uint8Array, limit: number, expected: number): Work<{ data: Uint8Array; truncated: boolean }> {
	if (data.length === 0) return { data, truncated: false };
	let failure: unknown;
	try {
		// Some writers leave out the zlib header; a header-less stream is raw DEFLATE.
		if (!hasZlibHeader(data)) return yield* inflateRawWork(data, 0, limit, expected);
		const result = yield* zlibDecompressWork(data, limit, expected);
		return { data: result.data, truncated: result.truncated };
	} catch (error) {
		failure = error;
	}
	if (failure instanceof InflateError) throw new PdfError(`Damaged compressed data in the PDF (${failure.message})`, 'corrupt');
	throw failure;
}

function predict(
	decoded: { data: Uint8Array; truncated: boolean },
	params: PdfDict | undefined,
	resolve: (value: PdfValue | undefined) => PdfValue,
): { data: Uint8Array; truncated: boolean } {
	if (!params) return decoded;
	const number = (key: string, fallback: number): number => {
		const value = resolve(params.get(key));
		return isNumber(value) ? value : fallback;
	};
	const predictor = number('Predictor', 1);
	if (predictor <= 1) return decoded;
	return {
		data: applyPredictor(decoded.data, {
			predictor,
			colors: number('Colors', 1),
			bitsPerComponent: number('BitsPerComponent', 8),
			columns: number('Columns', 1),
		}),
		truncated: decoded.truncated,
	};
}

export function asciiHexDecode(data: Uint8Array): { data: Uint8Array; truncated: boolean } {
	const out = new Uint8Array((data.length + 1) >> 1);
	let n = 0;
	let high = -1;
	for (let i = 0; i < data.length; i++) {
		const c = data[i];
		if (c === 0x3e) break;
		const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
		if (v < 0) continue;
		if (high < 0) {
			high = v;
		} else {
			out[n++] = (high << 4) | v;
			high = -1;
		}
	}
	if (high >= 0) out[n++] = high << 4;
	// Writers often leave out the '>' end marker: its absence does not mean data is missing.
	return { data: out.subarray(0, n), truncated: false };
}

export function ascii85Decode(data: Uint8Array, limit = Number.MAX_SAFE_INTEGER): { data: Uint8Array; truncated: boolean } {
	// At most 4 bytes per input character ('z'), and never more than `limit`.
	const out = new Uint8Array(Math.min(4 * data.length + 4, limit));
	noteBuffer(out.length);
	let n = 0;
	let group = 0;
	let count = 0;
	let i = data[0] === 0x3c && data[1] === 0x7e ? 2 : 0;
	for (; i < data.length; i++) {
		const c = data[i];
		if (isWhitespace(c)) continue;
		if (c === 0x7e) break;
		if (n + 4 > limit) throw new DecodeLimitError(limit);
		if (c === 0x7a && count === 0) {
			// 'z' stands for four zero bytes.
			n += 4;
			continue;
		}
		if (c < 33 || c > 117) break;
		group = group * 85 + (c - 33);
		if (++count === 5) {
			out[n++] = group >>> 24;
			out[n++] = (group >>> 16) & 0xff;
			out[n++] = (group >>> 8) & 0xff;
			out[n++] = group & 0xff;
			group = 0;
			count = 0;
		}
	}
	if (count > 1) {
		// A final partial group is padded with 'u' (84) and gives count - 1 bytes.
		if (n + count - 1 > limit) throw new DecodeLimitError(limit);
		for (let k = count; k < 5; k++) group = group * 85 + 84;
		for (let k = 0; k < count - 1; k++) out[n++] = (group >>> (24 - 8 * k)) & 0xff;
	}
	// As with ASCIIHex, a missing '~>' is common and harmless.
	return { data: out.subarray(0, n), truncated: false };
}

export function runLengthDecode(data: Uint8Array, limit = Number.MAX_SAFE_INTEGER): { data: Uint8Array; truncated: boolean } {
	// Two input bytes can stand for 128 output bytes.
	let out = new Uint8Array(Math.min(Math.max(1024, data.length * 2), limit));
	noteBuffer(out.length);
	let n = 0;
	let i = 0;
	let cut = false;
	while (i < data.length) {
		const length = data[i++];
		if (length === 128) break;
		const run = length < 128 ? length + 1 : 257 - length;
		if (n + run > out.length) {
			if (n + run > limit) throw new DecodeLimitError(limit);
			const bigger = new Uint8Array(Math.min(Math.max(out.length * 2, n + run), limit));
			noteBuffer(bigger.length);
			bigger.set(out.subarray(0, n));
			out = bigger;
		}
		if (length < 128) {
			const left = data.length - i;
			const available = left < run ? left : run;
			out.set(data.subarray(i, i + available), n);
			n += available;
			i += available;
			cut = available < run;
		} else {
			cut = i >= data.length;
			if (cut) break;
			out.fill(data[i++], n, n + run);
			n += run;
		}
	}
	// A run cut off by the end of the data is a truncation; a missing end-of-data byte (128) is not.
	return { data: out.subarray(0, n), truncated: cut };
}
