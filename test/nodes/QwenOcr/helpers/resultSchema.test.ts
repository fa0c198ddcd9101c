import {
	applySchemaShape,
	compileSchemaRows,
	DEFAULT_INVOICE_FIELDS,
	SchemaError,
	schemaPaths,
	validateResultSchema,
} from '../../../../nodes/QwenOcr/helpers/resultSchema';
import type { SchemaFieldRow } from '../../../../nodes/QwenOcr/helpers/resultSchema';

/** The result_schema of the vendor's key_information_extraction sample, and the kv_result it answered. */
const VENDOR_SCHEMA = {
	乘車日期: '對應圖中乘車日期時間,格式為年-月-日,比如2025-03-05',
	發票代碼: '提取圖中的發票代碼,通常為一組數字或字母組合',
	發票號碼: '提取發票上的號碼,通常由純數字組成。',
};
const VENDOR_KV_RESULT = { 乘車日期: '2013-06-29', 發票代碼: '221021325353', 發票號碼: '10283819' };

const rows = (...keys: string[]): SchemaFieldRow[] => keys.map((key) => ({ key, description: `about ${key}` }));

function schemaError(run: () => unknown): SchemaError {
	try {
		run();
	} catch (error) {
		if (error instanceof SchemaError) return error;
		throw error;
	}
	throw new Error('expected a SchemaError');
}

describe('compileSchemaRows', () => {
	it('builds flat, nested and list fields', () => {
		expect(
			compileSchemaRows([
				{ key: 'invoice_number', description: 'The number' },
				{ key: 'seller.name', description: ' Seller name ' },
				{ key: 'seller.address', description: '' },
				{ key: 'items[].amount', description: 'Amount' },
				{ key: 'items[].description', description: 'What' },
				{ key: 'tags[]', description: 'A tag' },
			]),
		).toEqual({
			invoice_number: 'The number',
			seller: { name: 'Seller name', address: '' },
			items: [{ amount: 'Amount', description: 'What' }],
			tags: ['A tag'],
		});
	});

	it('reproduces the vendor schema from Chinese keys', () => {
		const fields = Object.entries(VENDOR_SCHEMA).map(([key, description]) => ({ key, description }));
		expect(compileSchemaRows(fields)).toEqual(VENDOR_SCHEMA);
		expect(compileSchemaRows([{ key: ' 賣方 . 名稱 ', description: '賣方名稱' }, { key: 'line items[].unit-price', description: '' }])).toEqual({
			賣方: { 名稱: '賣方名稱' },
			'line items': [{ 'unit-price': '' }],
		});
	});

	it('allows three levels and rejects four', () => {
		expect(compileSchemaRows(rows('a.b.c', 'items[].price.amount', 'x[].y[].z'))).toEqual({
			a: { b: { c: 'about a.b.c' } },
			items: [{ price: { amount: 'about items[].price.amount' } }],
			x: [{ y: [{ z: 'about x[].y[].z' }] }],
		});
		const error = schemaError(() => compileSchemaRows(rows('ok', 'a.b.c.d')));
		expect(error.message).toBe('Row 2 (`a.b.c.d`): the key has 4 levels; Qwen-OCR allows at most 3, such as `items[].price.amount`.');
		expect(error.rowIndex).toBe(1);
	});

	it.each([
		[['a', 'a'], 'Row 2 (`a`): the field `a` is already defined by Row 1 (`a`). Remove one of the two rows.'],
		[['items[].a', 'items[].a'], 'Row 2 (`items[].a`): the field `items.a` is already defined by Row 1 (`items[].a`).'],
		[['seller', 'seller.name'], 'Row 2 (`seller.name`): `seller` is used as a group of fields (object) here but as a single value in Row 1 (`seller`).'],
		[['seller.name', 'x', 'seller'], 'Row 3 (`seller`): `seller` is used as a single value here but as a group of fields (object) in Row 1 (`seller.name`).'],
		[['items[].x', 'items.y'], 'Row 2 (`items.y`): `items` is used as a group of fields (object) here but as a list of objects in Row 1 (`items[].x`).'],
		[['items.y', 'items[].x'], 'Row 2 (`items[].x`): `items` is used as a list of objects here but as a group of fields (object) in Row 1 (`items.y`).'],
		[['tags[]', 'tags[].x'], 'Row 2 (`tags[].x`): `tags` is used as a list of objects here but as a list of values in Row 1 (`tags[]`).'],
		[['items', 'items[]'], 'Row 2 (`items[]`): `items` is used as a list of values here but as a single value in Row 1 (`items`).'],
		[['a.b', 'a.b.c'], 'Row 2 (`a.b.c`): `a.b` is used as a group of fields (object) here but as a single value in Row 1 (`a.b`).'],
	])('rejects %j', (keys, message) => {
		const error = schemaError(() => compileSchemaRows(rows(...keys)));
		expect(error.message.startsWith(message)).toBe(true);
		expect(error.rowIndex).toBe(keys.length - 1);
	});

	it.each([
		['a..b', 'a part of the key is empty'],
		['.a', 'a part of the key is empty'],
		['a.', 'a part of the key is empty'],
		['[]', 'a part of the key is empty'],
		['a/b', '"a/b" contains characters a key cannot have'],
		['price($)', '"price($)" contains characters'],
		['a[0]', '"a[0]" contains characters'],
		['a[][]', 'lists of lists are not supported'],
	])('rejects the key %j', (key, problem) => {
		expect(schemaError(() => compileSchemaRows(rows('fine', key))).message).toContain(`Row 2 (\`${key}\`): ${problem}`);
	});

	it('rejects an empty key that has a description, and skips blank rows', () => {
		expect(schemaError(() => compileSchemaRows([{ key: ' ', description: 'orphan' }])).message).toBe(
			'Row 1: the key is empty. Enter the field name, such as `invoice_number`.',
		);
		expect(compileSchemaRows([{ key: '', description: '' }, { key: 'a', description: 'A' }])).toEqual({ a: 'A' });
	});

	it('asks for a field, or Extract All Fields, when the list is empty', () => {
		for (const list of [[], [{ key: '', description: ' ' }]]) {
			const error = schemaError(() => compileSchemaRows(list));
			expect(error.message).toBe('The field list is empty. Add at least one field to extract, or choose "Extract All Fields".');
			expect(error.rowIndex).toBeUndefined();
		}
	});

	it('keeps __proto__ as an ordinary key', () => {
		const schema = compileSchemaRows(rows('__proto__.x', 'constructor'));
		expect(Object.keys(schema)).toEqual(['__proto__', 'constructor']);
		expect(Object.getPrototypeOf(schema)).toBe(Object.prototype);
		expect(JSON.parse(JSON.stringify(schema))).toEqual(JSON.parse('{"__proto__": {"x": "about __proto__.x"}, "constructor": "about constructor"}'));
	});
});

describe('validateResultSchema', () => {
	it('accepts the vendor schema as an object or as JSON text', () => {
		expect(validateResultSchema(VENDOR_SCHEMA)).toEqual(VENDOR_SCHEMA);
		expect(validateResultSchema(JSON.stringify(VENDOR_SCHEMA))).toEqual(VENDOR_SCHEMA);
	});

	it('accepts nested objects and one-element lists up to three levels', () => {
		const schema = { seller: { name: 'n', address: { city: 'c' } }, items: [{ amount: 'a', tax: { rate: 'r' } }], tags: ['t'] };
		expect(validateResultSchema(schema)).toBe(schema);
	});

	it.each<[unknown, string, string | undefined]>([
		['{"a": ', 'Result schema is not valid JSON', undefined],
		['[1]', 'Result schema must be a JSON object', undefined],
		[null, 'Result schema must be a JSON object', undefined],
		[{}, 'Result schema: `(root)` is an empty object', ''],
		[{ a: 1 }, 'Result schema: `a` is number; a field\'s value must be its description (text), an object of fields, or a one-element list.', 'a'],
		[{ seller: { age: null } }, 'Result schema: `seller.age` is null', 'seller.age'],
		[{ seller: {} }, 'Result schema: `seller` is an empty object', 'seller'],
		[{ items: ['a', 'b'] }, 'Result schema: the list `items` has 2 elements', 'items'],
		[{ items: [] }, 'Result schema: the list `items` has 0 elements', 'items'],
		[{ items: [3] }, 'Result schema: `items[0]` must be a description (text) or an object.', 'items[0]'],
		[{ a: { b: { c: { d: 'x' } } } }, 'Result schema: `a.b.c.d` is nested 4 levels deep; Qwen-OCR allows at most 3.', 'a.b.c.d'],
		[{ items: [{ x: { y: { z: 'deep' } } }] }, 'Result schema: `items[0].x.y.z` is nested 4 levels deep', 'items[0].x.y.z'],
		[{ ' ': 'blank' }, 'Result schema: `(root)` has an empty key.', ' '],
	])('rejects %j', (value, message, path) => {
		const error = schemaError(() => validateResultSchema(value));
		expect(error.message.startsWith(message)).toBe(true);
		expect(error.path).toBe(path);
	});
});

describe('applySchemaShape', () => {
	it('keeps the vendor kv_result as it is and fills what is missing with null', () => {
		expect(applySchemaShape(VENDOR_SCHEMA, VENDOR_KV_RESULT)).toEqual(VENDOR_KV_RESULT);
		expect(applySchemaShape(VENDOR_SCHEMA, { 發票代碼: '221021325353' })).toEqual({ 乘車日期: null, 發票代碼: '221021325353', 發票號碼: null });
	});

	const schema = compileSchemaRows(rows('total', 'seller.name', 'seller.address', 'items[].amount', 'items[].description', 'tags[]'));

	it('shapes nested objects and list elements, keeps extra fields after the schema fields', () => {
		const shaped = applySchemaShape(schema, { extra: 1, seller: { name: 'ACME', vat: 'X' }, items: [{ amount: 5 }, 'odd element'], total: '9.50' });
		expect(shaped).toEqual({
			total: '9.50',
			seller: { name: 'ACME', address: null, vat: 'X' },
			items: [{ amount: 5, description: null }, 'odd element'],
			tags: [],
			extra: 1,
		});
		expect(Object.keys(shaped)).toEqual(['total', 'seller', 'items', 'tags', 'extra']);
	});

	it('fills missing or null objects and lists', () => {
		expect(applySchemaShape(schema, { seller: null })).toEqual({ total: null, seller: { name: null, address: null }, items: [], tags: [] });
	});

	it('wraps a single object where a list of objects is expected, and keeps other surprises', () => {
		expect(applySchemaShape(schema, { items: { amount: 3 }, seller: 'ACME Ltd', tags: 'urgent' })).toEqual({
			total: null,
			seller: 'ACME Ltd',
			items: [{ amount: 3, description: null }],
			tags: 'urgent',
		});
	});

	it('treats data that is not an object as empty, but unwraps a one-object list', () => {
		const empty = { total: null, seller: { name: null, address: null }, items: [], tags: [] };
		expect(applySchemaShape(schema, 'text')).toEqual(empty);
		expect(applySchemaShape(schema, undefined)).toEqual(empty);
		expect(applySchemaShape(schema, [{ total: '1' }, { total: '2' }])).toEqual(empty);
		expect(applySchemaShape(schema, [{ total: '1' }])).toEqual({ ...empty, total: '1' });
	});

	it('does not read keys from the prototype', () => {
		expect(applySchemaShape({ constructor: 'c', toString: 't' }, {})).toEqual({ constructor: null, toString: null });
	});
});

describe('schemaPaths', () => {
	it('lists the leaf paths', () => {
		expect(schemaPaths({ a: 'x', b: { c: 'y', d: { e: 'z' } }, items: [{ amount: 'q' }], tags: ['t'] })).toEqual(['a', 'b.c', 'b.d.e', 'items[].amount', 'tags[]']);
	});
});

describe('DEFAULT_INVOICE_FIELDS', () => {
	it('compiles to a valid schema whose paths are the row keys', () => {
		const schema = compileSchemaRows(DEFAULT_INVOICE_FIELDS);
		expect(validateResultSchema(schema)).toBe(schema);
		expect(schemaPaths(schema)).toEqual(DEFAULT_INVOICE_FIELDS.map((row) => row.key));
	});

	it('tells the model the formats', () => {
		const descriptions = Object.fromEntries(DEFAULT_INVOICE_FIELDS.map((row) => [row.key, row.description]));
		expect(descriptions.invoice_date).toContain('YYYY-MM-DD');
		expect(descriptions.total_amount).toContain('as a number without currency symbols');
		expect(descriptions['items[].unit_price']).toContain('as a number');
		expect(DEFAULT_INVOICE_FIELDS.every((row) => row.description.length > 10)).toBe(true);
	});
});
