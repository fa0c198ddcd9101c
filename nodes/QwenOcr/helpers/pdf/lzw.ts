/**
 * LZWDecode (§7.4.4): 9- to 12-bit codes, most significant bit first, with the /EarlyChange variant. Output
 * that would pass `limit` bytes throws DecodeLimitError (one 12-bit code can stand for ~4,000 bytes).
 */
import { DecodeLimitError, noteBuffer } from './limits';

export interface LzwResult {
	data: Uint8Array;
	/** The data ended without an end-of-data code or hit an impossible code: `data` is what came before. */
	truncated: boolean;
}

export function lzwDecode(input: Uint8Array, earlyChange = 1, limit = Number.MAX_SAFE_INTEGER): LzwResult {
	const prefix = new Int16Array(4096);
	const suffix = new Uint8Array(4096);
	const length = new Uint16Array(4096);
	for (let i = 0; i < 256; i++) {
		suffix[i] = i;
		length[i] = 1;
		prefix[i] = -1;
	}
	let out = new Uint8Array(Math.min(Math.max(1024, input.length * 3), limit));
	noteBuffer(out.length);
	let op = 0;
	let width = 9;
	let next = 258;
	let previous = -1;
	let bits = 0;
	let count = 0;
	let pos = 0;
	for (;;) {
		while (count < width && pos < input.length) {
			bits = ((bits << 8) | input[pos++]) & 0xffffff;
			count += 8;
		}
		if (count < width) return { data: out.subarray(0, op), truncated: true };
		const code = (bits >> (count - width)) & ((1 << width) - 1);
		count -= width;
		if (code === 256) {
			width = 9;
			next = 258;
			previous = -1;
			continue;
		}
		if (code === 257) return { data: out.subarray(0, op), truncated: false };
		let entry: number;
		if (code < next) {
			entry = code;
		} else if (code === next && previous >= 0) {
			entry = -1;
		} else {
			return { data: out.subarray(0, op), truncated: true };
		}
		const size = entry >= 0 ? length[entry] : length[previous] + 1;
		if (op + size > out.length) {
			if (op + size > limit) throw new DecodeLimitError(limit);
			let capacity = Math.max(out.length * 2, 1024);
			while (capacity < op + size) capacity *= 2;
			capacity = Math.min(capacity, limit);
			noteBuffer(capacity);
			const bigger = new Uint8Array(capacity);
			bigger.set(out.subarray(0, op));
			out = bigger;
		}
		// Strings are stored as (prefix code, last byte): write them back to front.
		let k = entry >= 0 ? entry : previous;
		let at = op + (entry >= 0 ? size : size - 1) - 1;
		while (k >= 0) {
			out[at--] = suffix[k];
			k = prefix[k];
		}
		// The KwKwK case: the new string is the previous one plus its own first byte.
		if (entry < 0) out[op + size - 1] = out[op];
		if (previous >= 0 && next < 4096) {
			prefix[next] = previous;
			suffix[next] = out[op];
			length[next] = length[previous] + 1;
			next++;
			if (next + earlyChange >= 1 << width && width < 12) width++;
		}
		op += size;
		previous = code;
	}
}
