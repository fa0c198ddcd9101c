import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { OcrOperation, ParsedItem } from '../helpers/interfaces';
import { stripFence } from '../helpers/answerText';
import { isEmptyRow, parseHtmlTables, pickHeaderRow, rowsToObjects } from '../helpers/htmlTable';
import { itemParameter } from '../helpers/parameters';

/**
 * Table parsing: the model answers HTML; it becomes rectangular rows (spans expanded), or one item
 * per body row keyed by the header row with `tableOutput = rows`.
 */
export const description: INodeProperties[] = [];

/** Table entries of the shared Options collection. */
export const options: INodeProperties[] = [
	{
		displayName: 'Header Row',
		name: 'headerRow',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'For Table Rows output: the 1-based row that holds the column names. 0 detects it: the first row as wide as the table (skips a title row).',
		displayOptions: { show: { '/operation': ['tableParsing'] } },
	},
	{
		displayName: 'Table Output',
		name: 'tableOutput',
		type: 'options',
		options: [
			{ name: 'Tables', value: 'tables', description: 'One item per image with tables[].rows and the HTML' },
			{ name: 'Table Rows', value: 'rows', description: 'One item per table body row, keyed by the header row' },
		],
		default: 'tables',
		displayOptions: { show: { '/operation': ['tableParsing'] } },
	},
];

export const tableParsing: OcrOperation = {
	value: 'tableParsing',
	name: 'Parse Table',
	action: 'Parse tables in an image',
	description: 'Turn tables in an image into rows, or one item per table row',
	properties: description,
	options,
	buildRequest: () => ({ task: 'table_parsing' }),
	parse({ answer, itemIndex }) {
		const fenced = stripFence(answer.text);
		const { tables, complete } = parseHtmlTables(fenced.content);
		const partial = !fenced.complete || !complete;
		const output = itemParameter(this, 'options.tableOutput', itemIndex, 'tables') as string;
		if (output !== 'rows') {
			return { items: [{ json: { tables: tables as unknown as IDataObject[], html: fenced.content } }], partial };
		}
		const headerRow = itemParameter(this, 'options.headerRow', itemIndex, 0) as number;
		const items: ParsedItem[] = [];
		tables.forEach((table, tableIndex) => {
			const headerIndex = pickHeaderRow(table.rows, headerRow);
			for (const { rowIndex, values } of rowsToObjects(table.rows, headerIndex)) {
				// Blank rows (the model transcribes empty form lines) would become empty items.
				if (isEmptyRow(table.rows[rowIndex])) continue;
				items.push({ json: values, meta: { tableIndex, rowIndex } });
			}
		});
		// No table (or no body row) in the image: one item all the same, so no input item vanishes.
		if (items.length === 0) items.push({ json: {}, meta: { tableIndex: null, rowIndex: null, tableCount: tables.length } });
		return { items, partial };
	},
};
