import type { IExecuteFunctions } from 'n8n-workflow';

import { hasExpression, itemParameter } from '../../../../nodes/QwenOcr/helpers/parameters';

/** A context whose getNodeParameter resolves `={{ $json.x }}` per item and counts its calls. */
function context(parameters: Record<string, unknown>) {
	const calls: string[] = [];
	const items = [{ x: 'a' }, { x: 'b' }];
	const resolve = (value: unknown, itemIndex: number): unknown => {
		if (typeof value === 'string' && value.startsWith('=')) return items[itemIndex].x;
		if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, itemIndex)]));
		return value;
	};
	const ctx = {
		getNode: () => ({ parameters }),
		getNodeParameter: (path: string, itemIndex: number, fallback: unknown) => {
			calls.push(`${path}@${itemIndex}`);
			const raw = path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], parameters);
			return raw === undefined ? fallback : resolve(raw, itemIndex);
		},
	} as unknown as IExecuteFunctions;
	return { ctx, calls };
}

describe('itemParameter', () => {
	it('reads a parameter without expressions once per run', () => {
		const { ctx, calls } = context({ model: 'qwen-vl-ocr-latest', options: { concurrency: 4 } });
		expect([0, 1, 2].map((i) => itemParameter(ctx, 'model', i, 'qwen-vl-ocr'))).toEqual(['qwen-vl-ocr-latest', 'qwen-vl-ocr-latest', 'qwen-vl-ocr-latest']);
		expect(itemParameter(ctx, 'options.timeout', 1, 120000)).toBe(120000);
		expect(itemParameter(ctx, 'options.timeout', 2, 120000)).toBe(120000);
		expect(calls).toEqual(['model@0', 'options.timeout@1']);
	});

	it('resolves a parameter with an expression for every item, also inside a collection', () => {
		const { ctx, calls } = context({ imageUrl: '={{ $json.x }}', options: { pages: '={{ $json.x }}' } });
		expect([0, 1].map((i) => itemParameter(ctx, 'imageUrl', i, ''))).toEqual(['a', 'b']);
		expect([0, 1].map((i) => (itemParameter(ctx, 'options', i, {}) as { pages: string }).pages)).toEqual(['a', 'b']);
		expect(calls).toEqual(['imageUrl@0', 'imageUrl@1', 'options@0', 'options@1']);
	});

	it('hasExpression looks into arrays and objects', () => {
		expect(hasExpression('plain')).toBe(false);
		expect(hasExpression({ a: [{ b: '={{ 1 }}' }] })).toBe(true);
		expect(hasExpression({ a: [1, 'x', null] })).toBe(false);
	});
});
