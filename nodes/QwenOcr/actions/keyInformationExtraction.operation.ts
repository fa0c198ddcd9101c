import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OcrOperation, ParsedItem, TaskRequest } from '../helpers/interfaces';
import { inputError } from '../helpers/errors';
import { parseJsonLenient } from '../helpers/answerText';
import { applySchemaShape, compileSchemaRows, SchemaError, validateResultSchema } from '../helpers/resultSchema';
import type { CoerceOptions, TypedFieldRow } from '../helpers/fieldTypes';
import { applyFieldTypes, DEFAULT_COERCE_OPTIONS, withTypeHints } from '../helpers/fieldTypes';
import type { PresetLanguage, PresetName } from '../helpers/presets';
import { presetChecks, presetRows } from '../helpers/presets';
import { withArithmetic } from '../helpers/arithmetic';
import { itemParameter } from '../helpers/parameters';

/**
 * Key information extraction: fields named by a result_schema (built from typed rows, a preset,
 * given as JSON, or omitted to extract everything) come back as the item's top-level JSON, typed
 * (numbers, ISO dates) and validated; optionally one item per line item.
 */
const show = { operation: ['keyInformationExtraction'] };

const FIELD_TYPE_OPTIONS = [
	{ name: 'Amount', value: 'amount', description: 'Money: "1.234,50 €" becomes 1234.5' },
	{ name: 'Boolean', value: 'boolean', description: 'Yes/no, true/false, checked/unchecked' },
	{ name: 'Date', value: 'date', description: 'Any common date format becomes YYYY-MM-DD' },
	{ name: 'Integer', value: 'integer', description: 'A whole number' },
	{ name: 'Number', value: 'number', description: 'A number; thousands separators and units removed' },
	{ name: 'String', value: 'string', description: 'Text as printed' },
];

/**
 * The rows a new node starts with, and what a workflow saved without `schemaFields` (API, templates) reads: a
 * typical invoice. Frozen here, not derived from the invoice preset, so that improving a preset never changes
 * what a saved workflow extracts.
 */
export const DEFAULT_SCHEMA_FIELDS: ReadonlyArray<Readonly<Required<TypedFieldRow>>> = [
	{ key: 'invoice_number', type: 'string', required: true, description: 'The invoice number exactly as printed' },
	{ key: 'invoice_date', type: 'date', required: true, description: 'The invoice (issue) date' },
	{ key: 'seller.name', type: 'string', required: false, description: 'Name of the seller (the company issuing the invoice)' },
	{ key: 'seller.address', type: 'string', required: false, description: "The seller's full address on one line" },
	{ key: 'seller.tax_id', type: 'string', required: false, description: "The seller's tax or VAT identification number" },
	{ key: 'buyer.name', type: 'string', required: false, description: 'Name of the buyer (the customer billed)' },
	{ key: 'buyer.address', type: 'string', required: false, description: "The buyer's full address on one line" },
	{ key: 'buyer.tax_id', type: 'string', required: false, description: "The buyer's tax or VAT identification number" },
	{ key: 'currency', type: 'string', required: false, description: 'The currency as an ISO 4217 code such as USD, EUR or CNY' },
	{ key: 'subtotal', type: 'amount', required: false, description: 'The total before tax' },
	{ key: 'tax_amount', type: 'amount', required: false, description: 'The total tax' },
	{ key: 'total_amount', type: 'amount', required: true, description: 'The total amount due including tax' },
	{ key: 'items[].description', type: 'string', required: false, description: 'Description of the line item' },
	{ key: 'items[].quantity', type: 'number', required: false, description: 'Quantity of the line item' },
	{ key: 'items[].unit_price', type: 'amount', required: false, description: 'Unit price of the line item' },
	{ key: 'items[].amount', type: 'amount', required: false, description: 'Total of the line item' },
];

export const description: INodeProperties[] = [
	{
		displayName: 'Fields to Extract',
		name: 'schemaSource',
		type: 'options',
		options: [
			{ name: 'Define Fields', value: 'fields', description: 'List the fields with the schema builder' },
			{ name: 'Preset', value: 'preset', description: 'A ready-made field set: invoice, receipt, ID card, business license' },
			{ name: 'JSON Schema', value: 'json', description: 'Paste a result_schema as JSON' },
			{ name: 'All Fields', value: 'allFields', description: 'Let the model extract every field it finds' },
		],
		default: 'fields',
		displayOptions: { show },
	},
	{
		displayName: 'Preset',
		name: 'schemaPreset',
		type: 'options',
		options: [
			{ name: 'Business License', value: 'businessLicense' },
			{ name: 'ID Card', value: 'idCard' },
			{ name: 'Invoice', value: 'invoice' },
			{ name: 'Receipt', value: 'receipt' },
		],
		default: 'invoice',
		description: 'Typed fields for this kind of document; numbers, amounts and dates come back typed',
		displayOptions: { show: { ...show, schemaSource: ['preset'] } },
	},
	{
		displayName: 'Fields',
		name: 'schemaFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Field',
		default: { fields: DEFAULT_SCHEMA_FIELDS.map((row) => ({ ...row })) },
		description: 'Each row is one field. Nest with dots (seller.name) and mark lists with [] (items[].amount), at most 3 levels.',
		displayOptions: { show: { ...show, schemaSource: ['fields'] } },
		options: [
			{
				displayName: 'Field',
				name: 'fields',
				values: [
					{
						displayName: 'Key',
						name: 'key',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'e.g. invoice_number, seller.name or items[].amount',
						description: 'Output key. Dots nest objects; [] makes a list with one entry per line item.',
					},
					{
						displayName: 'Description',
						name: 'description',
						type: 'string',
						default: '',
						placeholder: 'e.g. The invoice number, usually printed top right',
						description: 'Tells the model what to look for. The type below is added to it automatically.',
					},
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: FIELD_TYPE_OPTIONS,
						default: 'string',
						description: 'The answer is converted to this type; a value that cannot be converted stays as text and is reported in _qwenOcr.validation',
					},
					{
						displayName: 'Required',
						name: 'required',
						type: 'boolean',
						default: false,
						description: 'Whether a missing value makes the item invalid (see the Needs Review Output option)',
					},
				],
			},
		],
	},
	{
		displayName: 'Result Schema (JSON)',
		name: 'resultSchema',
		type: 'json',
		default: '{\n  "invoice_number": "The invoice number",\n  "total_amount": "The total amount as a number"\n}',
		description: 'The result_schema: keys are output fields, values describe them; an array holds one template element. At most 3 levels.',
		displayOptions: { show: { ...show, schemaSource: ['json'] } },
	},
];

/** KIE entries of the shared Options collection. */
export const options: INodeProperties[] = [
	{
		displayName: 'Date Order',
		name: 'dateOrder',
		type: 'options',
		options: [
			{ name: 'Day/Month/Year', value: 'DMY' },
			{ name: 'Month/Day/Year (US)', value: 'MDY' },
			{ name: 'Year/Month/Day', value: 'YMD' },
		],
		default: 'DMY',
		description: 'How to read ambiguous dates such as 02/03/2024 in Date fields',
		displayOptions: { show: { '/operation': ['keyInformationExtraction'] } },
	},
	{
		displayName: 'Decimal Separator',
		name: 'decimalSeparator',
		type: 'options',
		options: [
			{ name: 'Detect', value: 'auto', description: 'Ambiguous values such as 1.234 are reported, not guessed' },
			{ name: 'Point (1,234.50)', value: '.' },
			{ name: 'Comma (1.234,50)', value: ',' },
		],
		default: 'auto',
		description: 'How to read numbers and amounts',
		displayOptions: { show: { '/operation': ['keyInformationExtraction'] } },
	},
	{
		displayName: 'Document Fields Key',
		name: 'documentFieldsKey',
		type: 'string',
		default: 'document',
		description: 'With Split Into Items: the key holding the document-level fields on each item',
		displayOptions: { show: { '/operation': ['keyInformationExtraction'] } },
	},
	{
		displayName: 'Needs Review Output',
		name: 'needsReviewOutput',
		type: 'boolean',
		default: false,
		description: 'Whether to add a second output, "Needs Review", for items with missing required fields, values that could not be converted, or a cut-off answer',
		displayOptions: { show: { '/operation': ['keyInformationExtraction'] } },
	},
	{
		displayName: 'Preset Language',
		name: 'presetLanguage',
		type: 'options',
		options: [
			{ name: 'English', value: 'en' },
			{ name: 'Chinese', value: 'zh' },
		],
		default: 'en',
		description: 'English: English keys for international documents. Chinese: the mainland document\'s own fields with Simplified Chinese keys (增值税发票, 购物小票, 居民身份证, 营业执照), e.g. 发票号码, 价税合计, 明细[].金额.',
		displayOptions: { show: { '/operation': ['keyInformationExtraction'] } },
	},
	{
		displayName: 'Split Into Items',
		name: 'splitArrayField',
		type: 'string',
		default: '',
		placeholder: 'e.g. items',
		description: 'Path of a list field: one output item per element (e.g. per line item), with the document fields alongside',
		displayOptions: { show: { '/operation': ['keyInformationExtraction'] } },
	},
];

function readRows(this: IExecuteFunctions, source: string, itemIndex: number): Pick<TaskRequest, 'fieldRows' | 'checks'> {
	if (source === 'preset') {
		const preset = itemParameter(this, 'schemaPreset', itemIndex, 'invoice') as PresetName;
		const language = itemParameter(this, 'options.presetLanguage', itemIndex, 'en') as PresetLanguage;
		return { fieldRows: presetRows(preset, language), checks: presetChecks(preset, language) };
	}
	const fieldRows = ((itemParameter(this, 'schemaFields.fields', itemIndex, []) as TypedFieldRow[]) ?? []).map((row) => ({
		key: row.key,
		description: row.description ?? '',
		type: row.type ?? 'string',
		required: row.required ?? false,
	}));
	return { fieldRows };
}

function buildRequest(this: IExecuteFunctions, itemIndex: number): TaskRequest {
	const source = itemParameter(this, 'schemaSource', itemIndex, 'fields') as string;
	if (source === 'allFields') return { task: 'key_information_extraction' };
	let resultSchema: IDataObject;
	let rows: Pick<TaskRequest, 'fieldRows' | 'checks'> = {};
	if (source === 'json') {
		resultSchema = validateResultSchema(itemParameter(this, 'resultSchema', itemIndex, '{}')) as IDataObject;
	} else {
		rows = readRows.call(this, source, itemIndex);
		// The type goes into the description too, so the model answers in that form.
		resultSchema = compileSchemaRows(withTypeHints(rows.fieldRows ?? [])) as IDataObject;
	}
	return { task: 'key_information_extraction', taskConfig: { result_schema: resultSchema }, resultSchema, ...rows };
}

function valueAt(data: IDataObject, path: string[]): unknown {
	return path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as IDataObject)[key] : undefined), data);
}

/** The document without the split list (a copy; nested parents kept). */
function withoutPath(data: IDataObject, path: string[]): IDataObject {
	const [head, ...rest] = path;
	const copy = { ...data };
	if (rest.length === 0) delete copy[head];
	else if (typeof copy[head] === 'object' && copy[head] !== null) copy[head] = withoutPath(copy[head] as IDataObject, rest);
	return copy;
}

/** One item per element of the list at `path`, each with the document-level fields under `documentKey`. */
function splitIntoItems(data: IDataObject, path: string, documentKey: string, meta: IDataObject): ParsedItem[] {
	const segments = path.replace(/\[\]$/, '').split('.').map((segment) => segment.trim()).filter(Boolean);
	const list = valueAt(data, segments);
	const document = withoutPath(data, segments);
	if (!Array.isArray(list) || list.length === 0) {
		// No elements: keep the document as one item so the invoice is not lost.
		return [{ json: { [documentKey]: document }, meta: { ...meta, arrayIndex: null } }];
	}
	return list.map((element, arrayIndex) => ({
		json: {
			...(typeof element === 'object' && element !== null && !Array.isArray(element) ? (element as IDataObject) : { value: element as never }),
			[documentKey]: document,
		},
		meta: { ...meta, arrayIndex },
	}));
}

export const keyInformationExtraction: OcrOperation = {
	value: 'keyInformationExtraction',
	name: 'Extract Key Information',
	action: 'Extract key information from a document',
	description: 'Pull named fields (invoice number, totals, line items...) out of invoices, receipts, IDs and forms',
	properties: description,
	options,
	buildRequest(itemIndex) {
		try {
			return buildRequest.call(this, itemIndex);
		} catch (error) {
			if (error instanceof SchemaError) {
				throw inputError(this.getNode(), itemIndex, error.message, 'Fix the field list (or the JSON schema) of the Extract Key Information operation.');
			}
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	},
	parse({ answer, request, itemIndex }) {
		const kv = answer.ocrResult?.kv_result;
		let fields: unknown;
		let partial = false;
		if (typeof kv === 'object' && kv !== null && !Array.isArray(kv)) {
			fields = kv;
		} else {
			// No kv_result (older model, compatible gateway): the same JSON is in the answer text.
			const parsed = parseJsonLenient(answer.text);
			fields = parsed?.value;
			partial = parsed === undefined || !parsed.complete;
		}
		const record = typeof fields === 'object' && fields !== null && !Array.isArray(fields) ? (fields as IDataObject) : {};
		if (fields !== undefined && record !== fields) partial = true;
		let json = request.resultSchema ? (applySchemaShape(request.resultSchema, record) as IDataObject) : record;
		const meta: IDataObject = {};
		if (request.fieldRows) {
			const coerceOptions: CoerceOptions = {
				decimalSeparator: itemParameter(this, 'options.decimalSeparator', itemIndex, DEFAULT_COERCE_OPTIONS.decimalSeparator) as CoerceOptions['decimalSeparator'],
				dateOrder: itemParameter(this, 'options.dateOrder', itemIndex, DEFAULT_COERCE_OPTIONS.dateOrder) as CoerceOptions['dateOrder'],
			};
			const typed = applyFieldTypes(json, request.fieldRows, coerceOptions);
			json = typed.data as IDataObject;
			meta.validation = withArithmetic(typed.validation, json, request.checks) as unknown as IDataObject;
		}
		const splitPath = String(itemParameter(this, 'options.splitArrayField', itemIndex, '')).trim();
		if (splitPath) {
			const documentKey = String(itemParameter(this, 'options.documentFieldsKey', itemIndex, 'document')).trim() || 'document';
			return { items: splitIntoItems(json, splitPath, documentKey, meta), partial };
		}
		return { items: [{ json, meta }], partial };
	},
};
