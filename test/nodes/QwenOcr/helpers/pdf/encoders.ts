/** Reference encoders for filters node:zlib has no counterpart for, written from the PDF specification. */

/** LZWEncode with 9-12 bit codes and EarlyChange 1 (§7.4.4.2), emitting a clear code first. */
export function lzwEncode(data: Uint8Array): Buffer {
	const out: number[] = [];
	let bits = 0;
	let count = 0;
	let width = 9;
	const emit = (code: number): void => {
		bits = (bits << width) | code;
		count += width;
		while (count >= 8) {
			out.push((bits >>> (count - 8)) & 0xff);
			count -= 8;
		}
		bits &= (1 << count) - 1;
	};
	let table = new Map<string, number>();
	let next = 258;
	const reset = (): void => {
		table = new Map();
		for (let i = 0; i < 256; i++) table.set(String.fromCharCode(i), i);
		next = 258;
		width = 9;
	};
	reset();
	emit(256);
	let current = '';
	for (const byte of data) {
		const candidate = current + String.fromCharCode(byte);
		if (table.has(candidate)) {
			current = candidate;
			continue;
		}
		emit(table.get(current)!);
		table.set(candidate, next++);
		// Early change: the width grows one code before the table fills the current width.
		if (next + 1 > 1 << width && width < 12) width++;
		if (next >= 4094) {
			emit(256);
			reset();
		}
		current = String.fromCharCode(byte);
	}
	if (current) emit(table.get(current)!);
	emit(257);
	if (count > 0) out.push((bits << (8 - count)) & 0xff);
	return Buffer.from(out);
}

/** RunLengthEncode (§7.4.5): literal runs and repeats, ended by 128. */
export function runLengthEncode(data: Uint8Array): Buffer {
	const out: number[] = [];
	let i = 0;
	while (i < data.length) {
		let run = 1;
		while (i + run < data.length && run < 128 && data[i + run] === data[i]) run++;
		if (run >= 2) {
			out.push(257 - run, data[i]);
			i += run;
			continue;
		}
		let literal = 1;
		while (i + literal < data.length && literal < 128 && data[i + literal] !== data[i + literal - 1]) literal++;
		out.push(literal - 1, ...data.subarray(i, i + literal));
		i += literal;
	}
	out.push(128);
	return Buffer.from(out);
}

/** ASCII85Encode (§7.4.3) with 'z' for zero groups and the ~> end marker. */
export function ascii85Encode(data: Uint8Array): Buffer {
	let text = '';
	for (let i = 0; i < data.length; i += 4) {
		const chunk = [0, 1, 2, 3].map((k) => data[i + k] ?? 0);
		const n = data.length - i >= 4 ? 4 : data.length - i;
		let value = ((chunk[0] << 24) | (chunk[1] << 16) | (chunk[2] << 8) | chunk[3]) >>> 0;
		if (value === 0 && n === 4) {
			text += 'z';
			continue;
		}
		const digits: string[] = [];
		for (let k = 0; k < 5; k++) {
			digits.unshift(String.fromCharCode(33 + (value % 85)));
			value = Math.floor(value / 85);
		}
		text += digits.slice(0, n + 1).join('');
	}
	// Line breaks inside the data must be ignored by the decoder.
	return Buffer.from(text.replace(/(.{60})/g, '$1\n') + '~>', 'latin1');
}
