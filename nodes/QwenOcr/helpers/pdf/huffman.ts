/** Building length-limited canonical Huffman codes for the DEFLATE encoder. */

/**
 * Code lengths (at most `maxBits`) for symbols with the given frequencies; unused symbols get 0. At least two
 * symbols always get a code, because some decoders reject a code with a single symbol.
 */
export function buildCodeLengths(freqs: Uint32Array, maxBits: number): Uint8Array {
	const n = freqs.length;
	const lengths = new Uint8Array(n);
	const used: number[] = [];
	for (let i = 0; i < n; i++) if (freqs[i]) used.push(i);
	for (let i = 0; used.length < 2 && i < n; i++) if (!freqs[i]) used.push(i);
	used.sort((a, b) => freqs[a] - freqs[b] || a - b);
	const count = used.length;
	const work = new Int32Array(count);
	for (let i = 0; i < count; i++) work[i] = freqs[used[i]] || 1;
	minimumRedundancy(work);
	// work[i] is now the optimal (unlimited) length of used[i]; cap the lengths while keeping the code complete.
	const perLength = new Int32Array(Math.max(33, maxBits + 1));
	for (let i = 0; i < count; i++) perLength[Math.min(work[i], 32)]++;
	for (let len = maxBits + 1; len <= 32; len++) {
		perLength[maxBits] += perLength[len];
		perLength[len] = 0;
	}
	let total = 0;
	for (let len = maxBits; len > 0; len--) total += perLength[len] << (maxBits - len);
	while (total !== 1 << maxBits) {
		// Over the Kraft limit: move one code from the longest length down and split a shorter one.
		perLength[maxBits]--;
		for (let len = maxBits - 1; len > 0; len--) {
			if (perLength[len]) {
				perLength[len]--;
				perLength[len + 1] += 2;
				break;
			}
		}
		total--;
	}
	// Rarest symbols (start of `used`) get the longest codes.
	let next = 0;
	for (let len = maxBits; len > 0; len--) {
		for (let k = perLength[len]; k > 0; k--) lengths[used[next++]] = len;
	}
	return lengths;
}

/**
 * In-place Huffman code lengths for frequencies sorted ascending (Moffat & Katajainen, "In-Place Calculation of
 * Minimum-Redundancy Codes", 1995): O(n) time, no tree allocation. Needs at least two entries.
 */
function minimumRedundancy(a: Int32Array): void {
	const n = a.length;
	if (n === 2) {
		a[0] = 1;
		a[1] = 1;
		return;
	}
	a[0] += a[1];
	let root = 0;
	let leaf = 2;
	for (let next = 1; next < n - 1; next++) {
		if (leaf >= n || a[root] < a[leaf]) {
			a[next] = a[root];
			a[root++] = next;
		} else {
			a[next] = a[leaf++];
		}
		if (leaf >= n || (root < next && a[root] < a[leaf])) {
			a[next] += a[root];
			a[root++] = next;
		} else {
			a[next] += a[leaf++];
		}
	}
	a[n - 2] = 0;
	for (let next = n - 3; next >= 0; next--) a[next] = a[a[next]] + 1;
	let available = 1;
	let used = 0;
	let depth = 0;
	let rootIndex = n - 2;
	let next = n - 1;
	while (available > 0) {
		while (rootIndex >= 0 && a[rootIndex] === depth) {
			used++;
			rootIndex--;
		}
		while (available > used) {
			a[next--] = depth;
			available--;
		}
		available = 2 * used;
		depth++;
		used = 0;
	}
}

/** Canonical codes for the given lengths, bit-reversed so they can be written LSB first. */
export function canonicalCodes(lengths: Uint8Array): Uint16Array {
	const count = new Uint16Array(16);
	for (let i = 0; i < lengths.length; i++) count[lengths[i]]++;
	count[0] = 0;
	const next = new Uint16Array(16);
	let code = 0;
	for (let len = 1; len <= 15; len++) {
		code = (code + count[len - 1]) << 1;
		next[len] = code;
	}
	const codes = new Uint16Array(lengths.length);
	for (let i = 0; i < lengths.length; i++) {
		const len = lengths[i];
		if (!len) continue;
		let c = next[len]++;
		let reversed = 0;
		for (let b = 0; b < len; b++) {
			reversed = (reversed << 1) | (c & 1);
			c >>>= 1;
		}
		codes[i] = reversed;
	}
	return codes;
}
