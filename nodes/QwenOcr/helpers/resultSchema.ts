/**
 * The `result_schema` of the key_information_extraction task: a JSON template whose values describe the fields
 * to extract ("模板最多支援 3 層嵌套": at most 3 levels). Built from rows of the node's field list or validated
 * from the user's JSON, and used to give every field of the answer a value.
 *
 * Paths: `invoice_number`, `seller.name` (an object), `items[].amount` (an array of objects: the array holds
 * one template element), `tags[]` (an array of values: `{"tags": ["<description>"]}`). Depth is the number of
 * path segments, `[]` not counted: `a.b.c` and `items[].amount.value` are 3 (allowed), `a.b.c.d` is 4.
 */

import { hasOwn, isPlainObject, setOwn } from './objects';

export interface SchemaFieldRow {
	key: string;
	description: string;
}

/** A schema the API would reject or that cannot be built; says which row or JSON path and what is wrong. */
export class SchemaError extends Error {
	/** 0-based index of the field row at fault (the message counts from 1). */
	rowIndex?: number;
	/** Path of the problem in a JSON schema, e.g. `items[0].amount`. */
	path?: string;

	constructor(message: string, location: { rowIndex?: number; path?: string } = {}) {
		super(message);
		this.name = 'SchemaError';
		this.rowIndex = location.rowIndex;
		this.path = location.path;
	}
}

export const MAX_SCHEMA_DEPTH = 3;

/** A key segment: letters, digits, `_`, `-`, spaces inside, and any non-ASCII character (e.g. 發票號碼). */
const SEGMENT_NAME = /^[A-Za-z0-9_\u0080-\uFFFF -]+$/;


// ---------------------------------------------------------------------------------------------------------------
// Field rows → schema
// ---------------------------------------------------------------------------------------------------------------

interface PathSegment {
	name: string;
	isArray: boolean;
}

/** What a path prefix is, and the row that made it so (for conflict messages). */
type NodeKind = 'value' | 'object' | 'valueArray' | 'objectArray';

interface NodeOrigin {
	kind: NodeKind;
	rowIndex: number;
	key: string;
}

const KIND_PHRASES: Record<NodeKind, string> = {
	value: 'a single value',
	object: 'a group of fields (object)',
	valueArray: 'a list of values',
	objectArray: 'a list of objects',
};

function rowLabel(rowIndex: number, key: string): string {
	return key === '' ? `Row ${rowIndex + 1}` : `Row ${rowIndex + 1} (\`${key}\`)`;
}

function parsePath(key: string, rowIndex: number): PathSegment[] {
	const fail = (problem: string) => new SchemaError(`${rowLabel(rowIndex, key)}: ${problem}`, { rowIndex });
	const segments = key.split('.').map((part) => {
		let name = part.trim();
		const isArray = name.endsWith('[]');
		if (isArray) name = name.slice(0, -2).trim();
		if (name === '') {
			throw fail('a part of the key is empty. Write names separated by single dots, such as `seller.name`.');
		}
		if (name.endsWith('[]')) throw fail('lists of lists are not supported; use `items[].values[]` instead.');
		if (!SEGMENT_NAME.test(name)) {
			throw fail(
				`"${name}" contains characters a key cannot have. Use letters (any language), digits, spaces, "_" and "-"; "." separates levels and "[]" marks a list.`,
			);
		}
		return { name, isArray };
	});
	if (segments.length > MAX_SCHEMA_DEPTH) {
		throw fail(`the key has ${segments.length} levels; Qwen-OCR allows at most ${MAX_SCHEMA_DEPTH}, such as \`items[].price.amount\`.`);
	}
	return segments;
}

function kindOf(segment: PathSegment, isLast: boolean): NodeKind {
	if (segment.isArray) return isLast ? 'valueArray' : 'objectArray';
	return isLast ? 'value' : 'object';
}

/** The path of the segments so far, `[]` left out: `items` and `items[]` are the same field. */
function canonicalPath(segments: PathSegment[], count: number): string {
	return segments
		.slice(0, count)
		.map((segment) => segment.name)
		.join('.');
}

function conflictError(rowIndex: number, key: string, path: string, wanted: NodeKind, existing: NodeOrigin): SchemaError {
	const where = rowLabel(rowIndex, key);
	const message =
		wanted === existing.kind
			? `${where}: the field \`${path}\` is already defined by ${rowLabel(existing.rowIndex, existing.key)}. Remove one of the two rows.`
			: `${where}: \`${path}\` is used as ${KIND_PHRASES[wanted]} here but as ${KIND_PHRASES[existing.kind]} in ${rowLabel(existing.rowIndex, existing.key)}. A field cannot be both: rename one of them.`;
	return new SchemaError(message, { rowIndex });
}

/** The schema value for a new path segment: a description, a one-element list, or an object to fill. */
function createNode(kind: NodeKind, description: string): unknown {
	switch (kind) {
		case 'value':
			return description;
		case 'valueArray':
			return [description];
		case 'object':
			return {};
		case 'objectArray':
			return [{}];
	}
}

/** The object new child fields go into: the object itself, or the template element of a list of objects. */
function childObject(node: unknown): Record<string, unknown> {
	return (Array.isArray(node) ? node[0] : node) as Record<string, unknown>;
}

function isBlankRow(row: SchemaFieldRow): boolean {
	return (row.key ?? '').trim() === '' && (row.description ?? '').trim() === '';
}

/**
 * Builds `result_schema` from field rows (blank rows are skipped). Throws SchemaError naming the row for an empty
 * list, an empty key or key part, invalid characters, more than 3 levels, a duplicate field, or a field used as
 * two different kinds (a value and an object, an object and a list…).
 */
export function compileSchemaRows(rows: SchemaFieldRow[]): Record<string, unknown> {
	const schema: Record<string, unknown> = {};
	const origins = new Map<string, NodeOrigin>();
	rows.forEach((row, rowIndex) => {
		if (isBlankRow(row)) return;
		const key = (row.key ?? '').trim();
		if (key === '') {
			throw new SchemaError(`${rowLabel(rowIndex, key)}: the key is empty. Enter the field name, such as \`invoice_number\`.`, {
				rowIndex,
			});
		}
		const description = (row.description ?? '').trim();
		const segments = parsePath(key, rowIndex);
		let parent = schema;
		segments.forEach((segment, index) => {
			const isLast = index === segments.length - 1;
			const kind = kindOf(segment, isLast);
			const path = canonicalPath(segments, index + 1);
			const existing = origins.get(path);
			if (existing !== undefined && (isLast || existing.kind !== kind)) {
				throw conflictError(rowIndex, key, path, kind, existing);
			}
			if (existing === undefined) {
				origins.set(path, { kind, rowIndex, key });
				setOwn(parent, segment.name, createNode(kind, description));
			}
			if (!isLast) parent = childObject(parent[segment.name]);
		});
	});
	if (Object.keys(schema).length === 0) {
		throw new SchemaError('The field list is empty. Add at least one field to extract, or choose "Extract All Fields".');
	}
	return schema;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON schema validation
// ---------------------------------------------------------------------------------------------------------------

function jsonPath(parent: string, key: string): string {
	return parent === '' ? key : `${parent}.${key}`;
}

function validateObject(value: Record<string, unknown>, path: string, depth: number): void {
	const keys = Object.keys(value);
	if (keys.length === 0) {
		throw new SchemaError(`Result schema: \`${path || '(root)'}\` is an empty object. Give it at least one field.`, { path });
	}
	for (const key of keys) {
		const childPath = jsonPath(path, key);
		if (key.trim() === '') throw new SchemaError(`Result schema: \`${path || '(root)'}\` has an empty key.`, { path: childPath });
		validateField(value[key], childPath, depth + 1);
	}
}

function validateField(value: unknown, path: string, depth: number): void {
	if (depth > MAX_SCHEMA_DEPTH) {
		throw new SchemaError(`Result schema: \`${path}\` is nested ${depth} levels deep; Qwen-OCR allows at most ${MAX_SCHEMA_DEPTH}.`, {
			path,
		});
	}
	if (typeof value === 'string') return;
	if (isPlainObject(value)) {
		validateObject(value, path, depth);
		return;
	}
	if (Array.isArray(value)) {
		if (value.length !== 1) {
			throw new SchemaError(
				`Result schema: the list \`${path}\` has ${value.length} elements; a list holds exactly one template element (a description or an object).`,
				{ path },
			);
		}
		const element = value[0];
		if (typeof element === 'string') return;
		if (!isPlainObject(element)) {
			throw new SchemaError(`Result schema: \`${path}[0]\` must be a description (text) or an object.`, { path: `${path}[0]` });
		}
		validateObject(element, `${path}[0]`, depth);
		return;
	}
	throw new SchemaError(
		`Result schema: \`${path}\` is ${value === null ? 'null' : typeof value}; a field's value must be its description (text), an object of fields, or a one-element list.`,
		{ path },
	);
}

function parseJson(text: string): { value: unknown } | { problem: string } {
	try {
		return { value: JSON.parse(text) };
	} catch (error) {
		return { problem: (error as Error).message };
	}
}

/**
 * Checks a user's result_schema (an object, or JSON text of one): a non-empty object whose values are
 * descriptions, objects, or one-element arrays of a description or an object, at most 3 levels deep. Returns
 * the object; throws SchemaError with the JSON path of the problem.
 */
export function validateResultSchema(value: unknown): Record<string, unknown> {
	let schema = value;
	if (typeof value === 'string') {
		const parsed = parseJson(value);
		if ('problem' in parsed) throw new SchemaError(`Result schema is not valid JSON: ${parsed.problem}`);
		schema = parsed.value;
	}
	if (!isPlainObject(schema)) {
		throw new SchemaError('Result schema must be a JSON object, such as {"invoice_number": "The invoice number"}.');
	}
	validateObject(schema, '', 0);
	return schema;
}

// ---------------------------------------------------------------------------------------------------------------
// Using a schema
// ---------------------------------------------------------------------------------------------------------------

/** A missing field: null for a value, [] for a list, an object of missing fields for an object. */
function emptyFor(template: unknown): unknown {
	if (Array.isArray(template)) return [];
	if (isPlainObject(template)) return shapeObject(template, {});
	return null;
}

function shapeElement(template: unknown, element: unknown): unknown {
	return isPlainObject(template) && isPlainObject(element) ? shapeObject(template, element) : element;
}

function shapeField(template: unknown, value: unknown): unknown {
	if (value === undefined || value === null) return emptyFor(template);
	if (Array.isArray(template)) {
		if (Array.isArray(value)) return value.map((element) => shapeElement(template[0], element));
		// A single object where a list of objects was asked for: the model found one element.
		if (isPlainObject(template[0]) && isPlainObject(value)) return [shapeObject(template[0], value)];
		return value;
	}
	return isPlainObject(template) && isPlainObject(value) ? shapeObject(template, value) : value;
}

function shapeObject(schema: Record<string, unknown>, data: Record<string, unknown>): Record<string, unknown> {
	const shaped: Record<string, unknown> = {};
	for (const key of Object.keys(schema)) {
		setOwn(shaped, key, shapeField(schema[key], hasOwn(data, key) ? data[key] : undefined));
	}
	for (const key of Object.keys(data)) {
		if (!hasOwn(shaped, key)) setOwn(shaped, key, data[key]);
	}
	return shaped;
}

/**
 * The model's data with every schema field present, in schema order, followed by any extra fields the model
 * returned. Missing or null: a value → null, a list → [], an object → its fields, recursively. List elements that
 * are objects are shaped by the template; a single object where a list of objects is expected becomes a one-
 * element list; any other unexpected type (a text where an object was asked for…) is kept as it is, so nothing
 * the model read is lost. Data that is not an object is treated as {}, except a list holding one object (a common
 * model quirk), which is unwrapped.
 */
export function applySchemaShape(schema: Record<string, unknown>, data: unknown): Record<string, unknown> {
	const unwrapped = Array.isArray(data) && data.length === 1 ? data[0] : data;
	return shapeObject(schema, isPlainObject(unwrapped) ? unwrapped : {});
}

/** Leaf paths of a schema: `invoice_number`, `seller.name`, `items[].amount`, `tags[]`. */
export function schemaPaths(schema: Record<string, unknown>): string[] {
	const paths: string[] = [];
	const walk = (node: Record<string, unknown>, prefix: string): void => {
		for (const key of Object.keys(node)) {
			const path = jsonPath(prefix, key);
			const value = node[key];
			if (Array.isArray(value)) {
				if (isPlainObject(value[0])) walk(value[0], `${path}[]`);
				else paths.push(`${path}[]`);
			} else if (isPlainObject(value)) {
				walk(value, path);
			} else {
				paths.push(path);
			}
		}
	};
	walk(schema, '');
	return paths;
}

// ---------------------------------------------------------------------------------------------------------------
// Default field list
// ---------------------------------------------------------------------------------------------------------------

const AMOUNT_FORMAT = 'as a number without currency symbols or thousands separators (e.g. 1234.50)';

/** The field list a new node starts with: a general invoice. */
export const DEFAULT_INVOICE_FIELDS: SchemaFieldRow[] = [
	{ key: 'invoice_number', description: 'The invoice number exactly as printed' },
	{ key: 'invoice_date', description: 'The invoice (issue) date in YYYY-MM-DD format' },
	{ key: 'seller.name', description: 'Name of the seller (the company issuing the invoice)' },
	{ key: 'seller.address', description: "The seller's full address on one line" },
	{ key: 'seller.tax_id', description: "The seller's tax or VAT identification number" },
	{ key: 'buyer.name', description: 'Name of the buyer (the customer billed)' },
	{ key: 'buyer.address', description: "The buyer's full address on one line" },
	{ key: 'currency', description: 'The currency as an ISO 4217 code such as USD, EUR or CNY' },
	{ key: 'subtotal', description: `The total before tax, ${AMOUNT_FORMAT}` },
	{ key: 'tax_amount', description: `The total tax, ${AMOUNT_FORMAT}` },
	{ key: 'total_amount', description: `The total amount due including tax, ${AMOUNT_FORMAT}` },
	{ key: 'items[].description', description: 'Description of the line item' },
	{ key: 'items[].quantity', description: 'Quantity of the line item as a number' },
	{ key: 'items[].unit_price', description: `Unit price of the line item, ${AMOUNT_FORMAT}` },
	{ key: 'items[].amount', description: `Total of the line item, ${AMOUNT_FORMAT}` },
];
