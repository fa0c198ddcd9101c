/**
 * Undoing /DecodeParms predictors (§7.4.4.4): TIFF predictor 2 and the PNG predictors 10-15, whose rows each
 * start with their own filter-type byte. xref streams and img2pdf's PNG-derived images depend on them.
 */

export interface PredictorParams {
	predictor: number;
	colors: number;
	bitsPerComponent: number;
	columns: number;
}

export function applyPredictor(data: Uint8Array, params: PredictorParams): Uint8Array {
	const { predictor, colors, bitsPerComponent: bpc, columns } = params;
	if (predictor === 2) return undoTiff(data, colors, bpc, columns);
	if (predictor < 10) return data;
	const rowBytes = Math.ceil((colors * bpc * columns) / 8);
	const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
	// A last row cut short is kept as far as it goes.
	const rows = Math.ceil(data.length / (rowBytes + 1));
	const out = new Uint8Array(rows * rowBytes);
	let outLength = 0;
	for (let y = 0; y < rows; y++) {
		const src = y * (rowBytes + 1);
		const type = data[src];
		const available = data.length - src - 1;
		const n = available < rowBytes ? available : rowBytes;
		const row = y * rowBytes;
		const up = row - rowBytes;
		for (let i = 0; i < n; i++) {
			const x = data[src + 1 + i];
			const left = i >= bpp ? out[row + i - bpp] : 0;
			const above = y > 0 ? out[up + i] : 0;
			let value: number;
			switch (type) {
				case 1:
					value = x + left;
					break;
				case 2:
					value = x + above;
					break;
				case 3:
					value = x + ((left + above) >> 1);
					break;
				case 4: {
					const upperLeft = y > 0 && i >= bpp ? out[up + i - bpp] : 0;
					const p = left + above - upperLeft;
					const pa = p > left ? p - left : left - p;
					const pb = p > above ? p - above : above - p;
					const pc = p > upperLeft ? p - upperLeft : upperLeft - p;
					value = x + (pa <= pb && pa <= pc ? left : pb <= pc ? above : upperLeft);
					break;
				}
				default:
					// 0 (None) and unknown types, which lenient readers also copy as they are.
					value = x;
			}
			out[row + i] = value;
		}
		outLength = row + (n > 0 ? n : 0);
	}
	return out.subarray(0, outLength);
}

/** TIFF predictor 2: each sample is stored as the difference from the same component of the pixel to its left. */
function undoTiff(data: Uint8Array, colors: number, bpc: number, columns: number): Uint8Array {
	const out = Uint8Array.from(data);
	const rowBytes = Math.ceil((colors * bpc * columns) / 8);
	for (let row = 0; row + rowBytes <= out.length; row += rowBytes) {
		if (bpc === 8) {
			for (let i = colors; i < rowBytes; i++) out[row + i] = out[row + i] + out[row + i - colors];
		} else if (bpc === 16) {
			for (let i = 2 * colors; i + 1 < rowBytes; i += 2) {
				const sum = ((out[row + i] << 8) | out[row + i + 1]) + ((out[row + i - 2 * colors] << 8) | out[row + i - 2 * colors + 1]);
				out[row + i] = (sum >> 8) & 0xff;
				out[row + i + 1] = sum & 0xff;
			}
		} else {
			// 1, 2 or 4 bits: work sample by sample.
			const mask = (1 << bpc) - 1;
			const samples = colors * columns;
			const get = (k: number): number => (out[row + ((k * bpc) >> 3)] >> (8 - bpc - ((k * bpc) & 7))) & mask;
			for (let k = colors; k < samples; k++) {
				const value = (get(k) + get(k - colors)) & mask;
				const byte = row + ((k * bpc) >> 3);
				const shift = 8 - bpc - ((k * bpc) & 7);
				out[byte] = (out[byte] & ~(mask << shift)) | (value << shift);
			}
		}
	}
	return out;
}
