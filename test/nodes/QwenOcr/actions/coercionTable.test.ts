/** 45 real-world value forms through the engine: the model's strings become typed values (or are reported). */
import type { IDataObject } from 'n8n-workflow';

import { binaryItem, runQwenOcr, useEmulator } from '../../../engine/qwenOcr';

const emulator = useEmulator();

// [model's answer, type, expected output] — `undefined` expected: not convertible, kept and reported.
const TABLE: Array<[string, string, unknown]> = [
	['1.234,50 €', 'amount', 1234.5],
	['(12.00)', 'amount', -12],
	['¥3,200', 'amount', 3200],
	['−5', 'number', -5],
	['12.00-', 'amount', -12],
	["CHF 1'234.50", 'amount', 1234.5],
	['USD 1,234.56', 'amount', 1234.56],
	['1 234,56', 'amount', 1234.56],
	['$ 99.99', 'amount', 99.99],
	['€1.000.000,00', 'amount', 1000000],
	['1,23,456.78', 'amount', 123456.78],
	['12,5', 'number', 12.5],
	['20%', 'number', 20],
	['１２３．５', 'number', 123.5],
	['+7', 'integer', 7],
	['12.00', 'integer', 12],
	['12.5', 'integer', undefined],
	['1.234', 'number', undefined],
	['¥3,200', 'number', 3200],
	['$1,500', 'number', 1500],
	['4,200', 'integer', 4200],
	['2,000', 'integer', undefined],
	['1.000', 'integer', undefined],
	['abc', 'amount', undefined],
	['N/A', 'amount', null],
	['2024-03-05', 'date', '2024-03-05'],
	['2024/03/05', 'date', '2024-03-05'],
	['20240305', 'date', '2024-03-05'],
	['2024年3月5日', 'date', '2024-03-05'],
	['２０２４年３月５日', 'date', '2024-03-05'],
	['5 March 2024', 'date', '2024-03-05'],
	['March 5, 2024', 'date', '2024-03-05'],
	['Mar 5 2024', 'date', '2024-03-05'],
	['05-Mar-2024', 'date', '2024-03-05'],
	['05/03/2024', 'date', '2024-03-05'],
	['13/03/2024', 'date', '2024-03-13'],
	['5.3.24', 'date', '2024-03-05'],
	['2024-03-05 18:32', 'date', '2024-03-05'],
	['2024-02-30', 'date', undefined],
	['yes', 'boolean', true],
	['No', 'boolean', false],
	['是', 'boolean', true],
	['checked', 'boolean', true],
	['maybe', 'boolean', undefined],
	['  INV-0042  ', 'string', 'INV-0042'],
];

it(`converts ${TABLE.length} value forms and reports what it cannot convert`, async () => {
	const kv: IDataObject = {};
	const fields = TABLE.map(([value, type], index) => {
		kv[`f${index}`] = value;
		return { key: `f${index}`, description: '', type, required: false };
	});
	emulator.enqueueFaults([{ answer: { text: '', ocrResult: { kv_result: kv } } }]);
	const { items, error } = await runQwenOcr(emulator, { operation: 'keyInformationExtraction', schemaFields: { fields } }, [binaryItem('invoice.png')]);
	expect(error).toBeUndefined();
	const json = items[0].json;
	const invalid = ((json._qwenOcr as IDataObject).validation as { invalid: Array<{ path: string; value: unknown }> }).invalid;
	TABLE.forEach(([value, , expected], index) => {
		if (expected === undefined) {
			expect({ index, value: json[`f${index}`] }).toEqual({ index, value });
			expect(invalid.some((entry) => entry.path === `f${index}` && entry.value === value)).toBe(true);
		} else {
			expect({ index, value: json[`f${index}`] }).toEqual({ index, value: expected });
		}
	});
	expect(invalid).toHaveLength(TABLE.filter(([, , expected]) => expected === undefined).length);
});
