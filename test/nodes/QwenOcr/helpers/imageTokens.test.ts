import { estimateImageTokens, imagePatchSize, smartResize } from '../../../../nodes/QwenOcr/helpers/imageTokens';

describe('smartResize', () => {
	it('rounds halves to even like Python round()', () => {
		// 80/32 = 2.5 → 2, 48/32 = 1.5 → 2
		expect(smartResize(80, 48, 1, 1e9, 32)).toEqual({ height: 64, width: 64 });
		// 70/28 = 2.5 → 2, 42/28 = 1.5 → 2
		expect(smartResize(70, 42, 1, 1e9, 28)).toEqual({ height: 56, width: 56 });
	});

	it('scales small images up to min_pixels', () => {
		// round(20/32) = 1 → 32×32 < 3072; beta = sqrt(3072/400); ceil(20·beta/32) = 2
		expect(smartResize(20, 20, 3072, 8388608, 32)).toEqual({ height: 64, width: 64 });
	});

	it('scales large images down below max_pixels', () => {
		// 992×992 > 102400; beta = sqrt(1e6/102400) = 3.125; floor(1000/3.125/32) = 10
		expect(smartResize(1000, 1000, 3072, 102400, 32)).toEqual({ height: 320, width: 320 });
	});

	it('keeps the vendor formula for thin images', () => {
		expect(smartResize(11, 2200, 3072, 8388608, 32)).toEqual({ height: 32, width: 800 });
	});

	it('rejects sizes that are not positive', () => {
		expect(() => smartResize(0, 10, 3072, 8388608, 32)).toThrow(RangeError);
		expect(() => smartResize(10, Number.NaN, 3072, 8388608, 32)).toThrow(RangeError);
	});
});

describe('imagePatchSize', () => {
	it.each([
		['qwen-vl-ocr-2025-11-20', 'intl', 32],
		['qwen-vl-ocr-1120', 'cn', 32],
		['qwen-vl-ocr-latest', 'cn', 32],
		['qwen-vl-ocr-2025-08-28', 'cn', 28],
		['qwen-vl-ocr-2025-04-13', 'cn', 28],
		['qwen-vl-ocr-2024-10-28', 'cn', 28],
		['qwen-vl-ocr-0413', 'cn', 28],
		['qwen-vl-ocr', 'us', 32],
		['qwen-vl-ocr', 'cn', 28],
		['qwen-vl-ocr', 'intl', 28],
		['qwen-vl-ocr', 'custom', 28],
		['  QWEN-VL-OCR-2025-08-28 ', 'cn', 28],
		['qwen3.5-ocr', 'intl', 32],
	])('%s in %s → %d', (model, region, patch) => {
		expect(imagePatchSize(model, region)).toBe(patch);
	});
});

describe('estimateImageTokens', () => {
	it('matches the vendor multi_lan sample: 6000×3000 PNG on qwen-vl-ocr-2025-11-20 → 8194 image tokens', () => {
		expect(estimateImageTokens(6000, 3000, { model: 'qwen-vl-ocr-2025-11-20', region: 'intl' })).toBe(8194);
	});

	it('matches the vendor quickstart sample: 689×487 JPEG on a 28-patch model → 427 image tokens', () => {
		expect(estimateImageTokens(689, 487, { model: 'qwen-vl-ocr-2025-04-13', region: 'cn' })).toBe(427);
	});

	it('matches the vendor document_parsing sample: 1500×1734 on a 28-patch model → 3350 image tokens', () => {
		expect(estimateImageTokens(1500, 1734, { model: 'qwen-vl-ocr', region: 'cn' })).toBe(3350);
	});

	it('uses each patch size with its own default bounds', () => {
		// 28: max 28·28·8192 → 2520×2520; 32: max 32·32·8192 → 2880×2880; both 8100 tokens + 2
		expect(estimateImageTokens(10000, 10000, { model: 'qwen-vl-ocr-2025-08-28', region: 'cn' })).toBe(8102);
		expect(estimateImageTokens(10000, 10000, { model: 'qwen-vl-ocr-2025-11-20', region: 'cn' })).toBe(8102);
		// thin strip: 28 → 28×812 = 29 tokens, 32 → 32×800 = 25 tokens
		expect(estimateImageTokens(2200, 11, { model: 'qwen-vl-ocr-2025-08-28', region: 'cn' })).toBe(31);
		expect(estimateImageTokens(2200, 11, { model: 'qwen-vl-ocr-2025-11-20', region: 'cn' })).toBe(27);
	});

	it('honours explicit min and max pixels', () => {
		expect(estimateImageTokens(1000, 1000, { model: 'qwen-vl-ocr-2025-11-20', region: 'intl', maxPixels: 102400 })).toBe(102);
		expect(estimateImageTokens(20, 20, { model: 'qwen-vl-ocr-2025-11-20', region: 'intl', minPixels: 3072 })).toBe(6);
	});
});
