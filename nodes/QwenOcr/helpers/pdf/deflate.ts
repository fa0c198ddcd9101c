/**
 * DEFLATE (RFC 1951) and zlib (RFC 1950) compression in plain TypeScript, for the PNG encoder (the node may not
 * import node:zlib). LZ77 with hash chains and zlib's per-level search limits (greedy for levels 1-3, one-step
 * lazy matching for 4-9); each block of up to 32K symbols is written stored, fixed or dynamic Huffman, whichever
 * is smallest.
 */
import { adler32Work } from './checksum';
import {
	CODE_LENGTH_ORDER,
	DIST_BASE,
	DIST_EXTRA,
	LENGTH_BASE,
	LENGTH_EXTRA,
	fixedDistanceLengths,
	fixedLiteralLengths,
} from './deflateTables';
import { buildCodeLengths, canonicalCodes } from './huffman';
import { runSync, SLICE_UNITS, type Work } from './work';

const WINDOW_MASK = 0x7fff;
/** Matches reach back fewer than this many bytes (32K window). */
const MAX_DISTANCE = 0x8000;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 15;
const HASH_MASK = (1 << HASH_BITS) - 1;
/** zlib drops a 3-byte match farther than this: coding the distance costs more than the literals. */
const TOO_FAR = 4096;
const BLOCK_SYMBOLS = 1 << 15;

/** zlib's configuration table: good/lazy/nice lengths and chain limit per level. */
interface LevelConfig {
	/** Past this match length the chain search is cut to a quarter. */
	good: number;
	/** Lazy mode: skip the next position's search past this length. Greedy mode: don't index longer matches. */
	lazy: number;
	/** Stop searching once a match this long is found. */
	nice: number;
	chain: number;
	lazyMatching: boolean;
}

const LEVELS: LevelConfig[] = [
	{ good: 0, lazy: 0, nice: 0, chain: 0, lazyMatching: false },
	{ good: 4, lazy: 4, nice: 8, chain: 4, lazyMatching: false },
	{ good: 4, lazy: 5, nice: 16, chain: 8, lazyMatching: false },
	{ good: 4, lazy: 6, nice: 32, chain: 32, lazyMatching: false },
	{ good: 4, lazy: 4, nice: 16, chain: 16, lazyMatching: true },
	{ good: 8, lazy: 16, nice: 32, chain: 32, lazyMatching: true },
	{ good: 8, lazy: 16, nice: 128, chain: 128, lazyMatching: true },
	{ good: 8, lazy: 32, nice: 128, chain: 256, lazyMatching: true },
	{ good: 32, lazy: 128, nice: 258, chain: 1024, lazyMatching: true },
	{ good: 32, lazy: 258, nice: 258, chain: 4096, lazyMatching: true },
];

/** Length (3..258) → index of its length symbol (0..28 for symbols 257..285). */
const LENGTH_SYMBOL = new Uint8Array(MAX_MATCH + 1);
/** Distance (1..32768) → distance symbol. */
const DIST_SYMBOL = new Uint8Array(MAX_DISTANCE + 1);
for (let s = 0; s < 29; s++) {
	for (let l = LENGTH_BASE[s]; l < LENGTH_BASE[s] + (1 << LENGTH_EXTRA[s]) && l <= MAX_MATCH; l++) LENGTH_SYMBOL[l] = s;
}
for (let s = 0; s < 30; s++) {
	for (let d = DIST_BASE[s]; d < DIST_BASE[s] + (1 << DIST_EXTRA[s]) && d <= MAX_DISTANCE; d++) DIST_SYMBOL[d] = s;
}

let fixedCodes: { litLengths: Uint8Array; litCodes: Uint16Array; distLengths: Uint8Array; distCodes: Uint16Array };

function getFixedCodes(): typeof fixedCodes {
	if (!fixedCodes) {
		const litLengths = fixedLiteralLengths();
		const distLengths = fixedDistanceLengths();
		fixedCodes = {
			litLengths,
			litCodes: canonicalCodes(litLengths),
			distLengths,
			distCodes: canonicalCodes(distLengths),
		};
	}
	return fixedCodes;
}

/** LSB-first bit output into a growing buffer. */
class BitWriter {
	buf: Uint8Array;
	pos = 0;
	private bits = 0;
	private count = 0;

	constructor(capacity: number) {
		this.buf = new Uint8Array(Math.max(capacity, 1024));
	}

	/** Makes room for `bytes` more bytes (callers reserve per block, so write() needs no bounds check). */
	reserve(bytes: number): void {
		const need = this.pos + bytes + 8;
		if (need <= this.buf.length) return;
		let capacity = this.buf.length * 2;
		while (capacity < need) capacity *= 2;
		const bigger = new Uint8Array(capacity);
		bigger.set(this.buf.subarray(0, this.pos));
		this.buf = bigger;
	}

	write(value: number, n: number): void {
		this.bits |= value << this.count;
		this.count += n;
		while (this.count >= 8) {
			this.buf[this.pos++] = this.bits & 0xff;
			this.bits >>>= 8;
			this.count -= 8;
		}
	}

	alignToByte(): void {
		if (this.count > 0) this.write(0, 8 - this.count);
	}

	writeBytes(bytes: Uint8Array): void {
		this.buf.set(bytes, this.pos);
		this.pos += bytes.length;
	}

	result(): Uint8Array {
		this.alignToByte();
		return this.buf.slice(0, this.pos);
	}
}

/** Symbols of the block being collected: a literal byte (dist 0) or a match (length, dist). */
interface Block {
	syms: Uint16Array;
	dists: Uint16Array;
	count: number;
	litFreq: Uint32Array;
	distFreq: Uint32Array;
}

function writeStored(out: BitWriter, data: Uint8Array, start: number, end: number, final: boolean): void {
	out.reserve(end - start + 5 * Math.ceil((end - start) / 65535 + 1));
	let pos = start;
	do {
		const size = Math.min(65535, end - pos);
		const last = final && pos + size === end;
		out.write(last ? 1 : 0, 3);
		out.alignToByte();
		out.write(size & 0xff, 8);
		out.write(size >>> 8, 8);
		out.write(~size & 0xff, 8);
		out.write((~size >>> 8) & 0xff, 8);
		out.writeBytes(data.subarray(pos, pos + size));
		pos += size;
	} while (pos < end);
}

/** Bits for the block's symbols with the given codes, extra bits included. */
function dataBits(block: Block, litLengths: Uint8Array, distLengths: Uint8Array): number {
	let bits = 0;
	for (let s = 0; s < 286; s++) bits += block.litFreq[s] * litLengths[s];
	for (let s = 0; s < 29; s++) bits += block.litFreq[257 + s] * LENGTH_EXTRA[s];
	for (let s = 0; s < 30; s++) bits += block.distFreq[s] * (distLengths[s] + DIST_EXTRA[s]);
	return bits;
}

/** A dynamic block's header: the code lengths, run-length coded with symbols 16 (repeat), 17 and 18 (zeros). */
interface DynamicHeader {
	litCount: number;
	distCount: number;
	clCount: number;
	clLengths: Uint8Array;
	clCodes: Uint16Array;
	/** Code-length symbols, each followed by its extra-bit value in `extras`. */
	symbols: number[];
	extras: number[];
	bits: number;
}

function dynamicHeader(litLengths: Uint8Array, distLengths: Uint8Array): DynamicHeader {
	let litCount = 286;
	while (litCount > 257 && !litLengths[litCount - 1]) litCount--;
	let distCount = 30;
	while (distCount > 1 && !distLengths[distCount - 1]) distCount--;
	const all = new Uint8Array(litCount + distCount);
	all.set(litLengths.subarray(0, litCount));
	all.set(distLengths.subarray(0, distCount), litCount);
	const symbols: number[] = [];
	const extras: number[] = [];
	const clFreq = new Uint32Array(19);
	for (let i = 0; i < all.length; ) {
		const value = all[i];
		let run = 1;
		while (i + run < all.length && all[i + run] === value) run++;
		i += run;
		if (value === 0) {
			while (run >= 11) {
				const n = Math.min(run, 138);
				symbols.push(18);
				extras.push(n - 11);
				run -= n;
			}
			if (run >= 3) {
				symbols.push(17);
				extras.push(run - 3);
				run = 0;
			}
		} else {
			symbols.push(value);
			extras.push(0);
			run--;
			while (run >= 3) {
				const n = Math.min(run, 6);
				symbols.push(16);
				extras.push(n - 3);
				run -= n;
			}
		}
		for (; run > 0; run--) {
			symbols.push(value);
			extras.push(0);
		}
	}
	for (const s of symbols) clFreq[s]++;
	const clLengths = buildCodeLengths(clFreq, 7);
	let clCount = 19;
	while (clCount > 4 && !clLengths[CODE_LENGTH_ORDER[clCount - 1]]) clCount--;
	let bits = 3 + 5 + 5 + 4 + 3 * clCount;
	for (let s = 0; s < 19; s++) bits += clFreq[s] * clLengths[s];
	bits += clFreq[16] * 2 + clFreq[17] * 3 + clFreq[18] * 7;
	return { litCount, distCount, clCount, clLengths, clCodes: canonicalCodes(clLengths), symbols, extras, bits };
}

function writeSymbols(
	out: BitWriter,
	block: Block,
	litLengths: Uint8Array,
	litCodes: Uint16Array,
	distLengths: Uint8Array,
	distCodes: Uint16Array,
): void {
	const { syms, dists, count } = block;
	for (let k = 0; k < count; k++) {
		const dist = dists[k];
		if (dist === 0) {
			const lit = syms[k];
			out.write(litCodes[lit], litLengths[lit]);
			continue;
		}
		const length = syms[k];
		const ls = LENGTH_SYMBOL[length];
		out.write(litCodes[257 + ls], litLengths[257 + ls]);
		if (LENGTH_EXTRA[ls]) out.write(length - LENGTH_BASE[ls], LENGTH_EXTRA[ls]);
		const ds = DIST_SYMBOL[dist];
		out.write(distCodes[ds], distLengths[ds]);
		if (DIST_EXTRA[ds]) out.write(dist - DIST_BASE[ds], DIST_EXTRA[ds]);
	}
	out.write(litCodes[256], litLengths[256]);
}

/** Writes the collected block as stored, fixed or dynamic Huffman, whichever is smallest; then resets it. */
function flushBlock(out: BitWriter, block: Block, data: Uint8Array, start: number, end: number, final: boolean): void {
	block.litFreq[256]++;
	const litLengths = buildCodeLengths(block.litFreq, 15);
	const distLengths = buildCodeLengths(block.distFreq, 15);
	const header = dynamicHeader(litLengths, distLengths);
	const dynamicSize = header.bits + dataBits(block, litLengths, distLengths);
	const fixed = getFixedCodes();
	const fixedSize = 3 + dataBits(block, fixed.litLengths, fixed.distLengths);
	const storedSize = (end - start) * 8 + 40 * Math.max(1, Math.ceil((end - start) / 65535)) + 7;
	if (storedSize <= fixedSize && storedSize <= dynamicSize) {
		writeStored(out, data, start, end, final);
	} else if (fixedSize <= dynamicSize) {
		out.reserve((fixedSize >>> 3) + 16);
		out.write(final ? 1 : 0, 1);
		out.write(1, 2);
		writeSymbols(out, block, fixed.litLengths, fixed.litCodes, fixed.distLengths, fixed.distCodes);
	} else {
		out.reserve((dynamicSize >>> 3) + 16);
		out.write(final ? 1 : 0, 1);
		out.write(2, 2);
		out.write(header.litCount - 257, 5);
		out.write(header.distCount - 1, 5);
		out.write(header.clCount - 4, 4);
		for (let i = 0; i < header.clCount; i++) out.write(header.clLengths[CODE_LENGTH_ORDER[i]], 3);
		for (let i = 0; i < header.symbols.length; i++) {
			const s = header.symbols[i];
			out.write(header.clCodes[s], header.clLengths[s]);
			if (s === 16) out.write(header.extras[i], 2);
			else if (s === 17) out.write(header.extras[i], 3);
			else if (s === 18) out.write(header.extras[i], 7);
		}
		writeSymbols(out, block, litLengths, canonicalCodes(litLengths), distLengths, canonicalCodes(distLengths));
	}
	block.count = 0;
	block.litFreq.fill(0);
	block.distFreq.fill(0);
}

/**
 * The longest match for position `cur` along the hash chain starting at `cand` that beats `best`: returns
 * (length << 16) | distance, or 0 when nothing longer was found.
 */
function longestMatch(
	data: Uint8Array,
	prev: Int32Array,
	cand: number,
	cur: number,
	best: number,
	chain: number,
	nice: number,
): number {
	// No Math.* here: hot code avoids global lookups (slow in vm contexts such as test runners).
	const left = data.length - cur;
	const maxLength = left < MAX_MATCH ? left : MAX_MATCH;
	if (best >= maxLength) return 0;
	if (nice > maxLength) nice = maxLength;
	const limit = cur > MAX_DISTANCE ? cur - MAX_DISTANCE : -1;
	const first = data[cur];
	const second = data[cur + 1];
	let endByte = data[cur + best];
	let result = 0;
	do {
		// Cheap rejections first: the byte that would make the match longer, then the first two.
		if (data[cand + best] === endByte && data[cand] === first && data[cand + 1] === second) {
			let len = 2;
			while (len < maxLength && data[cand + len] === data[cur + len]) len++;
			if (len > best) {
				best = len;
				result = (len << 16) | (cur - cand);
				if (len >= nice) break;
				endByte = data[cur + best];
			}
		}
		cand = prev[cand & WINDOW_MASK];
	} while (cand > limit && --chain > 0);
	return result;
}

/** Where compress() stopped: the match finder's tables and the loop's variables. */
interface CompressState {
	head: Int32Array;
	prev: Int32Array;
	block: Block;
	count: number;
	blockStart: number;
	i: number;
	/** Lazy mode: a match found at i - 1 waits to see whether i has a longer one. */
	pending: boolean;
	prevLength: number;
	prevDist: number;
}

/**
 * Compresses in slices of SLICE_UNITS input bytes. The loop lives in compressSlice, a plain function: V8 does
 * not optimize a long loop inside a generator while it runs (no on-stack replacement there), so a generator
 * only calls it.
 */
function* compress(data: Uint8Array, config: LevelConfig, out: BitWriter): Work<void> {
	const state: CompressState = {
		head: new Int32Array(1 << HASH_BITS).fill(-1),
		prev: new Int32Array(MAX_DISTANCE),
		block: {
			syms: new Uint16Array(BLOCK_SYMBOLS),
			dists: new Uint16Array(BLOCK_SYMBOLS),
			count: 0,
			litFreq: new Uint32Array(286),
			distFreq: new Uint32Array(30),
		},
		count: 0,
		blockStart: 0,
		i: 0,
		pending: false,
		prevLength: 0,
		prevDist: 0,
	};
	while (state.i < data.length) {
		compressSlice(data, config, out, state, state.i + SLICE_UNITS);
		if (state.i < data.length) yield;
	}
	const n = data.length;
	const { block } = state;
	let count = state.count;
	if (state.pending) {
		block.syms[count] = data[n - 1];
		block.dists[count++] = 0;
		block.litFreq[data[n - 1]]++;
	}
	block.count = count;
	flushBlock(out, block, data, state.blockStart, n, true);
}

function compressSlice(data: Uint8Array, config: LevelConfig, out: BitWriter, state: CompressState, until: number): void {
	const n = data.length;
	const { head, prev, block } = state;
	const { syms, dists, litFreq, distFreq } = block;
	const { good, lazy, nice, chain, lazyMatching } = config;
	let { count, blockStart, i, pending, prevLength, prevDist } = state;
	while (i < n && i < until) {
		let length = 0;
		let dist = 0;
		if (i + 2 < n) {
			const h = ((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & HASH_MASK;
			const cand = head[h];
			prev[i & WINDOW_MASK] = cand;
			head[h] = i;
			if (cand >= 0 && i - cand < MAX_DISTANCE && (!lazyMatching || prevLength < lazy)) {
				const match = longestMatch(
					data,
					prev,
					cand,
					i,
					pending && prevLength > MIN_MATCH - 1 ? prevLength : MIN_MATCH - 1,
					prevLength >= good ? chain >> 2 : chain,
					nice,
				);
				if (match) {
					length = match >>> 16;
					dist = match & 0xffff;
					if (length === MIN_MATCH && dist > TOO_FAR) length = 0;
				}
			}
		}
		let emitLength = 0;
		let emitDist = 0;
		let emitLiteral = -1;
		let advance = 1;
		if (!lazyMatching) {
			if (length >= MIN_MATCH) {
				emitLength = length;
				emitDist = dist;
				advance = length;
			} else {
				emitLiteral = data[i];
			}
		} else if (pending && prevLength >= MIN_MATCH && length <= prevLength) {
			// The match at i - 1 wins; i is already indexed, so continue from its end.
			emitLength = prevLength;
			emitDist = prevDist;
			advance = prevLength - 1;
			pending = false;
			prevLength = 0;
		} else {
			if (pending) emitLiteral = data[i - 1];
			pending = true;
			prevLength = length;
			prevDist = dist;
		}
		if (emitLength) {
			syms[count] = emitLength;
			dists[count++] = emitDist;
			litFreq[257 + LENGTH_SYMBOL[emitLength]]++;
			distFreq[DIST_SYMBOL[emitDist]]++;
			// Index the positions inside the match (greedy mode skips long ones for speed, as zlib does).
			if (lazyMatching || emitLength <= lazy) {
				const end = i + advance < n - 2 ? i + advance : n - 2;
				for (let j = i + 1; j < end; j++) {
					const h = ((data[j] << 10) ^ (data[j + 1] << 5) ^ data[j + 2]) & HASH_MASK;
					prev[j & WINDOW_MASK] = head[h];
					head[h] = j;
				}
			}
		} else if (emitLiteral >= 0) {
			syms[count] = emitLiteral;
			dists[count++] = 0;
			litFreq[emitLiteral]++;
		}
		i += advance;
		if (count === BLOCK_SYMBOLS) {
			// Symbols so far cover the input up to i, less the byte still pending in lazy mode.
			const covered = pending ? i - 1 : i;
			block.count = count;
			flushBlock(out, block, data, blockStart, covered, false);
			count = 0;
			blockStart = covered;
		}
	}
	state.count = count;
	state.blockStart = blockStart;
	state.i = i;
	state.pending = pending;
	state.prevLength = prevLength;
	state.prevDist = prevDist;
}

/** Raw DEFLATE data for `data`; `level` 0 (stored) to 9 (smallest), 6 by default as in zlib. */
export function deflate(data: Uint8Array, level = 6): Uint8Array {
	return runSync(deflateWork(data, level));
}

/** deflate() as resumable work (see work.ts). */
export function* deflateWork(data: Uint8Array, level = 6): Work<Uint8Array> {
	const config = LEVELS[Math.max(0, Math.min(9, Math.round(level)))];
	const out = new BitWriter((data.length >>> 1) + 1024);
	if (config.chain === 0) writeStored(out, data, 0, data.length, true);
	else yield* compress(data, config, out);
	return out.result();
}

/** zlib data (RFC 1950: header, DEFLATE data, Adler-32) for `data`. */
export function zlibCompress(data: Uint8Array, level = 6): Uint8Array {
	return runSync(zlibCompressWork(data, level));
}

/** zlibCompress() as resumable work (see work.ts). */
export function* zlibCompressWork(data: Uint8Array, level = 6): Work<Uint8Array> {
	const body = yield* deflateWork(data, level);
	const out = new Uint8Array(body.length + 6);
	// CMF 0x78: deflate with a 32K window; FLG chosen so the 16-bit header is a multiple of 31 (no dictionary).
	out[0] = 0x78;
	out[1] = 0x9c;
	out.set(body, 2);
	const sum = yield* adler32Work(data);
	out[body.length + 2] = sum >>> 24;
	out[body.length + 3] = (sum >>> 16) & 0xff;
	out[body.length + 4] = (sum >>> 8) & 0xff;
	out[body.length + 5] = sum & 0xff;
	return out;
}
