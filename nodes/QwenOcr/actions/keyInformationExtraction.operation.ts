import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OcrOperation } from '../helpers/interfaces';
import { inputError } from '../helpers/errors';
import { parseJsonLenient } from '../helpers/answerText';
import type { SchemaFieldRow } from '../helpers/resultSchema';
import {
	applySchemaShape,
	compileSchemaRows,
	DEFAULT_INVOICE_FIELDS,
	SchemaError,
	validateResultSchema,
} from '../helpers/resultSchema';

/**
 * Key information extraction: fields named by a result_schema (built from rows, given as JSON, or
 * omitted to extract everything) come back as the item's top-level JSON.
 */
const show = { operation: ['keyInformationExtraction'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Fields to Extract',
		name: 'schemaSource',
		type: 'options',
		options: [
			{ name: 'Define Fields', value: 'fields', description: 'List the fields with the schema builder' },
			{ name: 'JSON Schema', value: 'json', description: 'Paste a result_schema as JSON' },
			{ name: 'All Fields', value: 'allFields', description: 'Let the model extract every field it finds' },
		],
		default: 'fields',
		displayOptions: { show },
	},
	{
		displayName: 'Fields',
		name: 'schemaFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Field',
		default: { fields: DEFAULT_INVOICE_FIELDS.map((row) => ({ ...row })) },
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
						description: 'Tells the model what to look for and in which format (e.g. date as YYYY-MM-DD)',
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

function buildSchema(source: string, rows: SchemaFieldRow[], json: unknown): IDataObject | undefined {
	if (source === 'allFields') return undefined;
	if (source === 'json') return validateResultSchema(json) as IDataObject;
	return compileSchemaRows(rows) as IDataObject;
}

export const keyInformationExtraction: OcrOperation = {
	value: 'keyInformationExtraction',
	name: 'Extract Key Information',
	action: 'Extract key information from a document',
	description: 'Pull named fields (invoice number, totals, line items...) out of invoices, receipts, IDs and forms',
	properties: description,
	buildRequest(itemIndex) {
		const source = this.getNodeParameter('schemaSource', itemIndex, 'fields') as string;
		const rows = (this.getNodeParameter('schemaFields.fields', itemIndex, []) as SchemaFieldRow[]) ?? [];
		const json = source === 'json' ? this.getNodeParameter('resultSchema', itemIndex, '{}') : undefined;
		try {
			const resultSchema = buildSchema(source, rows, json);
			return resultSchema
				? { task: 'key_information_extraction', taskConfig: { result_schema: resultSchema }, resultSchema }
				: { task: 'key_information_extraction' };
		} catch (error) {
			if (error instanceof SchemaError) {
				throw inputError(this.getNode(), itemIndex, error.message, 'Fix the field list (or the JSON schema) of the Extract Key Information operation.');
			}
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	},
	parse({ answer, request }) {
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
		const json = request.resultSchema ? applySchemaShape(request.resultSchema, record) : record;
		return { items: [{ json: json as IDataObject }], partial };
	},
};
