/**
 * The default field rows of Extract Key Information are frozen: a workflow saved without `schemaFields` (through
 * the API, a template, or e2e workflow 03) must extract the same fields after the presets change. The invoice
 * preset is replaced here by a different one, as a later release may do, and the defaults must not move.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { binaryItem, generationRequests, runQwenOcr, useEmulator } from '../../../engine/qwenOcr';
import { QwenOcr } from '../../../../nodes/QwenOcr/QwenOcr.node';

jest.mock('../../../../nodes/QwenOcr/helpers/presets', () => {
	const actual = jest.requireActual('../../../../nodes/QwenOcr/helpers/presets');
	return {
		...actual,
		// A reworked invoice preset: other keys, other types, other required flags.
		presetRows: () => [
			{ key: 'number', type: 'string', required: true, description: 'Invoice no.' },
			{ key: 'issued', type: 'date', required: false, description: 'Issue date' },
			{ key: 'lines[].net', type: 'amount', required: false, description: 'Net amount' },
		],
	};
});

/** [key, type, required, description]: the rows as released in 0.1.0, written out. */
const PINNED: Array<[string, string, boolean, string]> = [
	['invoice_number', 'string', true, 'The invoice number exactly as printed'],
	['invoice_date', 'date', true, 'The invoice (issue) date'],
	['seller.name', 'string', false, 'Name of the seller (the company issuing the invoice)'],
	['seller.address', 'string', false, "The seller's full address on one line"],
	['seller.tax_id', 'string', false, "The seller's tax or VAT identification number"],
	['buyer.name', 'string', false, 'Name of the buyer (the customer billed)'],
	['buyer.address', 'string', false, "The buyer's full address on one line"],
	['buyer.tax_id', 'string', false, "The buyer's tax or VAT identification number"],
	['currency', 'string', false, 'The currency as an ISO 4217 code such as USD, EUR or CNY'],
	['subtotal', 'amount', false, 'The total before tax'],
	['tax_amount', 'amount', false, 'The total tax'],
	['total_amount', 'amount', true, 'The total amount due including tax'],
	['items[].description', 'string', false, 'Description of the line item'],
	['items[].quantity', 'number', false, 'Quantity of the line item'],
	['items[].unit_price', 'amount', false, 'Unit price of the line item'],
	['items[].amount', 'amount', false, 'Total of the line item'],
];

const emulator = useEmulator();

describe('default schemaFields rows', () => {
	it('are the pinned literal, whatever the invoice preset says', () => {
		const property = new QwenOcr().description.properties.find((entry: INodeProperties) => entry.name === 'schemaFields');
		const rows = (property?.default as { fields: IDataObject[] }).fields;
		expect(rows.map((row) => [row.key, row.type, row.required, row.description])).toEqual(PINNED);
	});

	it('a workflow saved without schemaFields sends the pinned schema and gets typed values', async () => {
		const { items, error } = await runQwenOcr(emulator, { operation: 'keyInformationExtraction' }, [binaryItem('invoice.png')]);
		expect(error).toBeUndefined();
		const schema = (generationRequests(emulator)[0].body.parameters as any).ocr_options.task_config.result_schema as IDataObject;
		expect(Object.keys(schema)).toEqual(['invoice_number', 'invoice_date', 'seller', 'buyer', 'currency', 'subtotal', 'tax_amount', 'total_amount', 'items']);
		expect(Object.keys((schema.items as IDataObject[])[0])).toEqual(['description', 'quantity', 'unit_price', 'amount']);
		expect(items[0].json).toMatchObject({ invoice_number: 'INV-2024-0042', invoice_date: '2024-03-05', total_amount: 164.4 });
		expect((items[0].json.items as IDataObject[])[0]).toEqual({ description: 'Blue Widget', quantity: 2, unit_price: 12.5, amount: 25 });
	});
});
