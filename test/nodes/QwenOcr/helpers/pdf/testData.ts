/**
 * Deterministic test inputs. Hot loops avoid global lookups (Math.*): jest runs tests in a vm context, where
 * each global access is slow.
 */

const imul = Math.imul;

/** A small seeded PRNG (mulberry32) so test data is the same on every run. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = imul(t ^ (t >>> 15), t | 1);
		t ^= t + imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * Raster data like a grayscale scan: lines of dark "glyph" blobs of varying shapes on paper that is either
 * noisy everywhere (raw sensor noise, the worst case for compression) or clean white with sparse specks (as
 * scanners' background removal leaves it).
 */
export function scanLikePage(width: number, height: number, seed: number, paper: 'noisy' | 'clean' = 'noisy'): Uint8Array {
	const random = seededRandom(seed);
	const data = new Uint8Array(width * height);
	if (paper === 'noisy') for (let i = 0; i < data.length; i++) data[i] = 245 + ((random() * 8) | 0);
	else for (let i = 0; i < data.length; i++) data[i] = random() < 0.02 ? 225 + ((random() * 30) | 0) : 255;
	const lineHeight = 40;
	for (let top = 60; top + lineHeight < height - 60; top += lineHeight + 24) {
		let x = 80;
		while (x < width - 120) {
			const glyphWidth = 10 + ((random() * 18) | 0);
			const ink = 20 + ((random() * 60) | 0);
			const shape = ((random() * 4) | 0);
			for (let y = 0; y < lineHeight; y++) {
				for (let dx = 0; dx < glyphWidth; dx++) {
					const on =
						shape === 0
							? dx < 3 || dx > glyphWidth - 4
							: shape === 1
								? y < 4 || y > lineHeight - 5 || dx < 3
								: shape === 2
									? (dx - (y * glyphWidth) / lineHeight) ** 2 < 4
									: (dx - glyphWidth / 2) ** 2 + (y - lineHeight / 2) ** 2 < (glyphWidth / 2) ** 2;
					if (on) data[(top + y) * width + x + dx] = ink + ((random() * 10) | 0);
				}
			}
			x += glyphWidth + 4 + (random() < 0.15 ? 20 : 0);
		}
	}
	return data;
}
