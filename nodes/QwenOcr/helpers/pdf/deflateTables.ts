/** RFC 1951 tables shared by the decoder (inflate.ts) and the encoder (deflate.ts). */

/** Base match length of length symbols 257..285. */
export const LENGTH_BASE = new Uint16Array([
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]);
/** Extra bits after length symbols 257..285. */
export const LENGTH_EXTRA = new Uint8Array([
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
/** Base distance of distance symbols 0..29. */
export const DIST_BASE = new Uint16Array([
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
	8193, 12289, 16385, 24577,
]);
/** Extra bits after distance symbols 0..29. */
export const DIST_EXTRA = new Uint8Array([
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** The order in which a dynamic block lists the code-length code's lengths. */
export const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Code lengths of the fixed literal/length code (block type 1). */
export function fixedLiteralLengths(): Uint8Array {
	const lengths = new Uint8Array(288);
	lengths.fill(8, 0, 144);
	lengths.fill(9, 144, 256);
	lengths.fill(7, 256, 280);
	lengths.fill(8, 280, 288);
	return lengths;
}

/** Code lengths of the fixed distance code (block type 1): 30 codes of 5 bits (30 and 31 never occur). */
export function fixedDistanceLengths(): Uint8Array {
	return new Uint8Array(30).fill(5);
}

/** `code` (of `length` bits) with its bits reversed: Huffman codes are packed starting from their last bit. */
export function reverseBits(code: number, length: number): number {
	let result = 0;
	for (let i = 0; i < length; i++) {
		result = (result << 1) | (code & 1);
		code >>>= 1;
	}
	return result;
}
