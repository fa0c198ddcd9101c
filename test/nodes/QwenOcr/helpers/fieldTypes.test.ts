import {
	applyFieldTypes,
	coerceValue,
	DEFAULT_COERCE_OPTIONS,
	FIELD_TYPES,
	isFieldType,
	typeHint,
	withTypeHints,
} from '../../../../nodes/QwenOcr/helpers/fieldTypes';
import type { CoerceOptions, FieldType, TypedFieldRow } from '../../../../nodes/QwenOcr/helpers/fieldTypes';
import { compileSchemaRows } from '../../../../nodes/QwenOcr/helpers/resultSchema';

const AUTO: CoerceOptions = { decimalSeparator: 'auto', dateOrder: 'DMY' };
const DOT: CoerceOptions = { decimalSeparator: '.', dateOrder: 'DMY' };
const COMMA: CoerceOptions = { decimalSeparator: ',', dateOrder: 'DMY' };
const MDY: CoerceOptions = { decimalSeparator: 'auto', dateOrder: 'MDY' };
const YMD: CoerceOptions = { decimalSeparator: 'auto', dateOrder: 'YMD' };

/** The coerced value, or throws with the reason (so a failing case shows why). */
function value(input: unknown, type: FieldType, options: CoerceOptions = AUTO): unknown {
	const result = coerceValue(input, type, options);
	if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be read as ${type}: ${result.reason}`);
	return result.value;
}

/** The reason a value cannot be read, or throws with the value it was read as. */
function reason(input: unknown, type: FieldType, options: CoerceOptions = AUTO): string {
	const result = coerceValue(input, type, options);
	if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be invalid as ${type}, got ${JSON.stringify(result.value)}`);
	return result.reason;
}

describe('coerceValue: empty values', () => {
	it.each<[unknown, FieldType]>([
		[null, 'string'],
		[undefined, 'string'],
		['', 'string'],
		['   ', 'string'],
		['\u00a0\n', 'number'],
		[null, 'amount'],
		['', 'date'],
		[undefined, 'boolean'],
		['', 'integer'],
	])('%j as %s is null', (input, type) => {
		expect(coerceValue(input, type, AUTO)).toEqual({ ok: true, value: null });
	});

	it.each<[string, FieldType]>([
		['null', 'number'],
		['N/A', 'amount'],
		['n/a', 'date'],
		['-', 'amount'],
		['—', 'amount'],
		['--', 'integer'],
		['/', 'date'],
		['None', 'boolean'],
		['无', 'amount'],
		['NULL', 'date'],
	])('placeholder %j as %s is null', (input, type) => {
		expect(value(input, type)).toBeNull();
	});

	it('keeps placeholders as text for string fields', () => {
		expect(value('-', 'string')).toBe('-');
		expect(value('N/A', 'string')).toBe('N/A');
	});
});

describe('coerceValue: numbers and amounts', () => {
	it.each<[string, FieldType, number]>([
		// plain and signs
		['1234.50', 'amount', 1234.5],
		['0', 'number', 0],
		['42', 'integer', 42],
		['+5', 'number', 5],
		['-5', 'number', -5],
		['- 5', 'number', -5],
		['−5', 'number', -5],
		['–5', 'amount', -5],
		['12.00-', 'amount', -12],
		['(12.00)', 'amount', -12],
		['( 1,234.50 )', 'amount', -1234.5],
		['-0', 'number', 0],
		['.5', 'number', 0.5],
		['12.', 'number', 12],
		// thousands and decimal separators
		['1,234.50', 'number', 1234.5],
		['1.234,50', 'number', 1234.5],
		['1,234,567', 'number', 1234567],
		['1.234.567', 'integer', 1234567],
		['1.234.567,89', 'amount', 1234567.89],
		['1,234,567.89', 'amount', 1234567.89],
		['12,5', 'number', 12.5],
		['1234,5', 'number', 1234.5],
		['1,2345', 'number', 1.2345],
		['0,123', 'number', 0.123],
		['0.500', 'number', 0.5],
		['1234.567', 'number', 1234.567],
		['1234,567', 'number', 1234.567],
		['1 234,56', 'amount', 1234.56],
		['1\u00a0234,56', 'amount', 1234.56],
		['1\u202f234\u202f567,89', 'amount', 1234567.89],
		['1 234 567', 'integer', 1234567],
		["1'234.50", 'amount', 1234.5],
		['1’234’567.80', 'amount', 1234567.8],
		["1'234", 'integer', 1234],
		['1 234,567', 'number', 1234.567],
		['1,23,456.78', 'amount', 123456.78],
		['12,34,56,789', 'amount', 123456789],
		['12,-', 'amount', 12],
		['12.–', 'amount', 12],
		// currencies anywhere
		['1.234,50 €', 'amount', 1234.5],
		['€1,234.50', 'amount', 1234.5],
		['€ -12.50', 'amount', -12.5],
		['-€12.50', 'amount', -12.5],
		['$(12.00)', 'amount', -12],
		['(USD 12.00)', 'amount', -12],
		['¥3,200', 'amount', 3200],
		['￥3,200.00', 'amount', 3200],
		['3200元', 'amount', 3200],
		['人民币 3,200.00 元', 'amount', 3200],
		['3,200元整', 'amount', 3200],
		['100美元', 'amount', 100],
		['5,000円', 'amount', 5000],
		['₩50,000', 'amount', 50000],
		['₹1,23,456.00', 'amount', 123456],
		['Rs. 1,234.50', 'amount', 1234.5],
		['£12.99', 'amount', 12.99],
		['CHF 1\'234.50', 'amount', 1234.5],
		['Fr. 12.–', 'amount', 12],
		['USD 1,234.56', 'amount', 1234.56],
		['1,234.56 USD', 'amount', 1234.56],
		['EUR1.234,56', 'amount', 1234.56],
		['usd 12.50', 'amount', 12.5],
		['US$ 1,000.00', 'amount', 1000],
		['HK$88.80', 'amount', 88.8],
		['R$ 1.234,56', 'amount', 1234.56],
		['CNY 99.00', 'amount', 99],
		['RMB 99', 'amount', 99],
		['JPY 1,000', 'amount', 1000],
		['GBP -3.50', 'amount', -3.5],
		['1 234,56 zł', 'amount', 1234.56],
		['499 kr', 'amount', 499],
		// full-width
		['１，２３４．５０', 'amount', 1234.5],
		['（１２．００）', 'amount', -12],
		['１２．００－', 'amount', -12],
		['￥１２３', 'amount', 123],
		// percent
		['20%', 'number', 20],
		['20 %', 'number', 20],
		['-2.5%', 'number', -2.5],
		['１３％', 'integer', 13],
		// integers
		['12.00', 'integer', 12],
		['1,000,000', 'integer', 1000000],
		['007', 'integer', 7],
		// exact, not rounded
		['1234.5678', 'amount', 1234.5678],
		['0.125', 'amount', 0.125],
		['999999999999999', 'number', 999999999999999],
	])('%j as %s is %d', (input, type, expected) => {
		expect(value(input, type)).toBe(expected);
	});

	it.each<[unknown, FieldType, number]>([
		[1234.5, 'amount', 1234.5],
		[-12, 'number', -12],
		[0.1, 'amount', 0.1],
		[12, 'integer', 12],
		[-0, 'number', 0],
	])('JSON number %j as %s is kept', (input, type, expected) => {
		expect(value(input, type)).toBe(expected);
	});

	it.each<[unknown, FieldType, RegExp]>([
		['abc', 'number', /contains text/],
		['2 pcs', 'number', /contains text/],
		['approx. 5', 'number', /contains text/],
		['1.5k', 'number', /contains text/],
		['12.50', 'integer', /not a whole number/],
		[12.5, 'integer', /not a whole number/],
		['1.2.3', 'number', /groups of three/],
		['12 34', 'number', /groups of three/],
		['1,23.45', 'number', /groups of three/],
		['1,234.567.89', 'number', /appears several times/],
		['1.234,5.6', 'number', /appears several times/],
		['1 234.567,89', 'number', /mixes thousands separators/],
		['-(12.00)', 'amount', /more than one sign/],
		['(-12.00)', 'amount', /more than one sign/],
		['-12.00-', 'amount', /more than one sign/],
		['+12-', 'amount', /more than one sign/],
		['100.00 CR', 'amount', /CR\/DR/],
		['DR 100.00', 'amount', /CR\/DR/],
		['20%', 'amount', /percentage is not an amount/],
		['$20%', 'number', /currency and a percent/],
		['1$234', 'amount', /currency stands inside/],
		['€', 'amount', /no digits/],
		['12 ft', 'number', /contains text/],
		['1234567890123456', 'number', /15 significant digits/],
		['1#2', 'number', /not part of a number/],
		[Number.NaN, 'number', /is not a number/],
		[Number.POSITIVE_INFINITY, 'amount', /is not an amount/],
		[true, 'number', /a boolean is not a number/],
		[{ value: 1 }, 'amount', /group of fields/],
		[[1, 2], 'integer', /a list is not a whole number/],
	])('%j as %s is invalid', (input, type, why) => {
		expect(reason(input, type)).toMatch(why);
	});

	it('quotes the original value in the reason', () => {
		expect(reason(' 2 pcs ', 'number')).toBe('"2 pcs" is not a number: it contains text (units or words are not read)');
	});
});

describe('coerceValue: one separator followed by three digits', () => {
	it.each<[string, FieldType]>([
		['1.234', 'number'],
		['1,234', 'number'],
		['-12.345', 'number'],
		['20,000%', 'number'],
		['2,000', 'integer'],
		['1.000', 'integer'],
		['12.000', 'integer'],
		['KWD 1,500', 'number'],
	])('%j as %s is undecidable with auto', (input, type) => {
		expect(reason(input, type)).toMatch(/cannot tell whether "[.,]" is a decimal or a thousands separator .*set the Decimal Separator option/);
	});

	it('says both readings', () => {
		expect(reason('1.234', 'number')).toBe(
			'"1.234" is not a number: cannot tell whether "." is a decimal or a thousands separator (1.234 or 1234); set the Decimal Separator option to "." or "," to decide',
		);
	});

	it('reads amounts as thousands with auto, unless a three-decimal currency is named', () => {
		expect(value('1.234', 'amount')).toBe(1234);
		expect(value('1,234', 'amount')).toBe(1234);
		expect(value('¥3,200', 'amount')).toBe(3200);
		expect(reason('KWD 1.234', 'amount')).toMatch(/cannot tell/);
		expect(reason('1,234 BHD', 'amount')).toMatch(/cannot tell/);
		expect(value('KWD 1.234', 'amount', DOT)).toBe(1.234);
	});

	it('reads a number written with a currency as thousands, as an amount is (money has at most two decimals)', () => {
		expect(value('¥3,200', 'number')).toBe(3200);
		expect(value('$1,500', 'number')).toBe(1500);
		expect(value('€ 1.234', 'number')).toBe(1234);
		expect(value('1.500 €', 'number')).toBe(1500);
		expect(value('USD 2,000', 'integer')).toBe(2000);
		expect(value('3,200元', 'number')).toBe(3200);
		// The option still decides when set; the other forms are read as before.
		expect(value('$1,500', 'number', COMMA)).toBe(1.5);
		expect(value('$1,500.25', 'number')).toBe(1500.25);
		expect(value('$12,50', 'number')).toBe(12.5);
	});

	it('reads one separator as thousands for an integer only when the decimal reading is not whole', () => {
		expect(value('4,200', 'integer')).toBe(4200);
		expect(value('1,234', 'integer')).toBe(1234);
		expect(value('1.050', 'integer')).toBe(1050);
		// 2,000 may be 2 (German 2.000 is two) or 2000: reported, with both readings.
		expect(reason('2,000', 'integer')).toBe(
			'"2,000" is not a whole number: cannot tell whether "," is a decimal or a thousands separator (2 or 2000); set the Decimal Separator option to "." or "," to decide',
		);
		expect(reason('1.000', 'integer')).toMatch(/\(1 or 1000\)/);
		// Only integers: as a number, 4,200 may still be 4.2.
		expect(reason('4,200', 'number')).toMatch(/\(4\.2 or 4200\)/);
	});

	it('follows the Decimal Separator option', () => {
		expect(value('1.234', 'number', DOT)).toBe(1.234);
		expect(value('1,234', 'number', DOT)).toBe(1234);
		expect(value('1.234', 'number', COMMA)).toBe(1234);
		expect(value('1,234', 'number', COMMA)).toBe(1.234);
		expect(value('1.234', 'amount', DOT)).toBe(1.234);
		expect(value('1,234', 'integer', DOT)).toBe(1234);
		expect(reason('1.234', 'integer', DOT)).toMatch(/not a whole number/);
	});

	it('decides by form when the form is clear, whatever the option', () => {
		expect(value('1.234,50', 'number', DOT)).toBe(1234.5);
		expect(value('1,234.50', 'number', COMMA)).toBe(1234.5);
		expect(value('1,234,567', 'number', COMMA)).toBe(1234567);
		expect(value('12,5', 'number', DOT)).toBe(12.5);
		expect(value('0,123', 'number', DOT)).toBe(0.123);
	});
});

describe('coerceValue: dates', () => {
	it.each<[unknown, string]>([
		['2024-03-05', '2024-03-05'],
		['2024/03/05', '2024-03-05'],
		['2024.03.05', '2024-03-05'],
		['2024-3-5', '2024-03-05'],
		['2024. 3. 5.', '2024-03-05'],
		['20240305', '2024-03-05'],
		[20240305, '2024-03-05'],
		['2024年3月5日', '2024-03-05'],
		['2024年03月05号', '2024-03-05'],
		['2024年3月5號', '2024-03-05'],
		['２０２４年３月５日', '2024-03-05'],
		['2024 年 3 月 5 日', '2024-03-05'],
		['24年3月5日', '2024-03-05'],
		['2024년 3월 5일', '2024-03-05'],
		['2024年3月5日（星期二）', '2024-03-05'],
		['2024年3月5日 18:32', '2024-03-05'],
		['2024年3月5日18:32', '2024-03-05'],
		['5 March 2024', '2024-03-05'],
		['March 5, 2024', '2024-03-05'],
		['Mar 5 2024', '2024-03-05'],
		['Mar. 5, 2024', '2024-03-05'],
		['05-Mar-2024', '2024-03-05'],
		['05-MAR-24', '2024-03-05'],
		['5-Mar-99', '1999-03-05'],
		['2024-Mar-05', '2024-03-05'],
		['5th March 2024', '2024-03-05'],
		['March 5th, 2024', '2024-03-05'],
		['the 5th of March, 2024', '2024-03-05'],
		['Tuesday, 5 March 2024', '2024-03-05'],
		['Tue, Mar 5, 2024', '2024-03-05'],
		["5 Mar '24", '2024-03-05'],
		['1 Sept 2024', '2024-09-01'],
		['5. März 2024', '2024-03-05'],
		['5. Maerz 2024', '2024-03-05'],
		['31. Dezember 2023', '2023-12-31'],
		['1er mars 2024', '2024-03-01'],
		['le 5 février 2024', '2024-02-05'],
		['5 août 2024', '2024-08-05'],
		['5 de marzo de 2024', '2024-03-05'],
		['15 diciembre 2024', '2024-12-15'],
		['5 maggio 2024', '2024-05-05'],
		['5 maart 2024', '2024-03-05'],
		['05/03/2024', '2024-03-05'],
		['05.03.2024', '2024-03-05'],
		['5-3-2024', '2024-03-05'],
		['05/03/24', '2024-03-05'],
		['25/03/2024', '2024-03-25'],
		['03/25/2024', '2024-03-25'],
		['3/25/24', '2024-03-25'],
		['07/07/2024', '2024-07-07'],
		['31/12/69', '2069-12-31'],
		['31/12/70', '1970-12-31'],
		['01/01/00', '2000-01-01'],
		['99/12/31', '1999-12-31'],
		['29/02/2024', '2024-02-29'],
		['2000-02-29', '2000-02-29'],
		['2024-03-05 18:32', '2024-03-05'],
		['2024-03-05 18:32:05', '2024-03-05'],
		['2024-03-05T10:00:00Z', '2024-03-05'],
		['2024-03-05T23:30:00.000-05:00', '2024-03-05'],
		['2024-03-05T10:00:00+08:00', '2024-03-05'],
		['05/03/2024, 6:32 PM', '2024-03-05'],
		['March 5, 2024 at 10:00 a.m.', '2024-03-05'],
		['  2024-03-05  ', '2024-03-05'],
		['Tue 05/03/2024', '2024-03-05'],
		['Dienstag, 05.03.2024 um 18:32', '2024-03-05'],
	])('%j is %s', (input, expected) => {
		expect(value(input, 'date')).toBe(expected);
	});

	it('reads ambiguous day and month by the Date Order option', () => {
		expect(value('05/03/2024', 'date', AUTO)).toBe('2024-03-05');
		expect(value('05/03/2024', 'date', MDY)).toBe('2024-05-03');
		expect(value('3/5/24', 'date', AUTO)).toBe('2024-05-03');
		expect(value('3/5/24', 'date', MDY)).toBe('2024-03-05');
		expect(value('24/03/05', 'date', YMD)).toBe('2024-03-05');
		expect(value('24/03/05', 'date', AUTO)).toBe('2005-03-24');
		expect(reason('05/03/2024', 'date', YMD)).toMatch(/cannot tell the day from the month.*set the Date Order option to DMY or MDY/);
	});

	it('is unambiguous when a part is above 12, whatever the option', () => {
		for (const options of [AUTO, MDY, YMD]) {
			expect(value('25/03/2024', 'date', options)).toBe('2024-03-25');
			expect(value('03/25/2024', 'date', options)).toBe('2024-03-25');
			expect(value('2024-03-05', 'date', options)).toBe('2024-03-05');
		}
		expect(value('13/05/24', 'date', MDY)).toBe('2024-05-13');
		expect(value('05/13/24', 'date', AUTO)).toBe('2024-05-13');
	});

	it.each<[unknown, RegExp]>([
		['2024-02-30', /February 2024 has no day 30/],
		['2023-02-29', /February 2023 has no day 29/],
		['1900-02-29', /February 1900 has no day 29/],
		['31/04/2024', /April 2024 has no day 31/],
		['2024-13-01', /no month 13/],
		['2024-00-10', /no month 0/],
		['32/13/2024', /neither 32 nor 13 can be a month/],
		['20241305', /no month 13/],
		['05032024', /no month 3|no day|out of range/],
		['2024-03', /not a recognisable date/],
		['March 2024', /needs a day and a year/],
		['5 March', /needs a day and a year/],
		['5 Foo 2024', /"foo" is not a month name/],
		['5 March April 2024', /more than one month/],
		['yesterday', /not a month name/],
		['18:32', /not a recognisable date/],
		['5/3', /not a recognisable date/],
		['05/03/202', /four or two digits/],
		['0024-03-05', /year 24 is out of range/],
		['5 March 2024 !', /not part of a date/],
		['2024年13月5日', /no month 13/],
		[1709596800000, /is not a date/],
		[45356, /is not a date/],
		[true, /a boolean is not a date/],
		[{ date: '2024-03-05' }, /group of fields/],
	])('%j is invalid', (input, why) => {
		expect(reason(input, 'date')).toMatch(why);
	});
});

describe('coerceValue: booleans', () => {
	it.each<[unknown, boolean]>([
		[true, true],
		[false, false],
		['true', true],
		['False', false],
		['TRUE', true],
		['yes', true],
		['No', false],
		['y', true],
		['N', false],
		['1', true],
		['0', false],
		[1, true],
		[0, false],
		['checked', true],
		['Unchecked', false],
		['☑', true],
		['☐', false],
		['✓', true],
		['是', true],
		['否', false],
		['有', true],
		['无', false],
		['無', false],
		['没有', false],
		['ja', true],
		['Nein', false],
		['oui', true],
		['sí', true],
		[' yes ', true],
		['１', true],
	])('%j is %s', (input, expected) => {
		expect(value(input, 'boolean')).toBe(expected);
	});

	it.each<unknown>(['maybe', '2', 2, 'x', 'yes please', [true], { checked: true }])('%j is invalid', (input) => {
		expect(reason(input, 'boolean')).toMatch(/is not true or false/);
	});
});

describe('coerceValue: strings', () => {
	it.each<[unknown, string]>([
		['INV-001', 'INV-001'],
		['  ACME  Ltd \n', 'ACME  Ltd'],
		[12345, '12345'],
		[12.5, '12.5'],
		[true, 'true'],
		['００７', '００７'],
	])('%j is %j', (input, expected) => {
		expect(value(input, 'string')).toBe(expected);
	});

	it.each<unknown>([{ name: 'ACME' }, ['a', 'b'], Number.NaN])('%j is invalid', (input) => {
		expect(reason(input, 'string')).toMatch(/where a single text value was expected|is not a value/);
	});

	it('treats an unknown type as string', () => {
		expect(value(' x ', 'text' as FieldType)).toBe('x');
	});
});

describe('typeHint', () => {
	it('gives a hint for every type but string', () => {
		expect(typeHint('string')).toBe('');
		expect(typeHint('number')).toBe(' (a number without units or thousands separators, e.g. 1234.5)');
		expect(typeHint('integer')).toBe(' (a whole number without units or thousands separators, e.g. 12)');
		expect(typeHint('amount')).toBe(
			' (a number without currency symbols or thousands separators, e.g. 1234.50; a minus sign for negative amounts)',
		);
		expect(typeHint('date')).toBe(' (date as YYYY-MM-DD)');
		expect(typeHint('boolean')).toBe(' (true or false)');
		for (const type of FIELD_TYPES) expect(typeHint(type)).toMatch(/^(| \(.+\))$/);
	});

	it('appends hints to row descriptions for compileSchemaRows', () => {
		const rows: TypedFieldRow[] = [
			{ key: 'total', description: 'The total', type: 'amount', required: true },
			{ key: 'date', description: '', type: 'date' },
			{ key: 'number', description: 'The invoice number' },
		];
		expect(compileSchemaRows(withTypeHints(rows))).toEqual({
			total: 'The total (a number without currency symbols or thousands separators, e.g. 1234.50; a minus sign for negative amounts)',
			date: '(date as YYYY-MM-DD)',
			number: 'The invoice number',
		});
	});

	it('recognises field types', () => {
		expect(FIELD_TYPES.every(isFieldType)).toBe(true);
		expect(isFieldType('text')).toBe(false);
		expect(isFieldType(undefined)).toBe(false);
		expect(DEFAULT_COERCE_OPTIONS).toEqual({ decimalSeparator: 'auto', dateOrder: 'DMY' });
	});
});

describe('applyFieldTypes', () => {
	const INVOICE_ROWS: TypedFieldRow[] = [
		{ key: 'invoice_number', description: 'Number', required: true },
		{ key: 'invoice_date', description: 'Date', type: 'date', required: true },
		{ key: 'paid', description: 'Paid?', type: 'boolean' },
		{ key: 'seller.name', description: 'Seller', type: 'string', required: true },
		{ key: 'seller.tax_id', description: 'Tax ID', type: 'string' },
		{ key: 'total_amount', description: 'Total', type: 'amount', required: true },
		{ key: 'items[].description', description: 'What', type: 'string' },
		{ key: 'items[].quantity', description: 'How many', type: 'integer' },
		{ key: 'items[].amount', description: 'Line total', type: 'amount', required: true },
		{ key: 'tags[]', description: 'Tag', type: 'string' },
	];

	it('coerces every typed leaf and reports a complete invoice as valid', () => {
		const data = {
			invoice_number: ' INV-7 ',
			invoice_date: '05.03.2024',
			paid: '是',
			seller: { name: 'ACME GmbH', tax_id: '' },
			total_amount: '1.234,50 €',
			items: [
				{ description: 'Widget', quantity: '2', amount: '(12.00)' },
				{ description: 'Gadget', quantity: 3, amount: 1246.5 },
			],
			tags: [' urgent ', 'paper'],
			extra: ' kept as is ',
		};
		const { data: out, validation } = applyFieldTypes(data, INVOICE_ROWS, AUTO);
		expect(out).toEqual({
			invoice_number: 'INV-7',
			invoice_date: '2024-03-05',
			paid: true,
			seller: { name: 'ACME GmbH', tax_id: null },
			total_amount: 1234.5,
			items: [
				{ description: 'Widget', quantity: 2, amount: -12 },
				{ description: 'Gadget', quantity: 3, amount: 1246.5 },
			],
			tags: ['urgent', 'paper'],
			extra: ' kept as is ',
		});
		expect(validation).toEqual({ valid: true, missing: [], invalid: [] });
	});

	it('reports missing required fields with nested and array paths', () => {
		const data = {
			invoice_number: '',
			invoice_date: null,
			seller: null,
			total_amount: 'N/A',
			items: [{ amount: '5' }, { amount: null }, null, { amount: '  ' }],
		};
		const { data: out, validation } = applyFieldTypes(data, INVOICE_ROWS, AUTO);
		expect(validation.valid).toBe(false);
		expect(validation.missing).toEqual([
			'invoice_number',
			'invoice_date',
			'seller.name',
			'total_amount',
			'items[1].amount',
			'items[2].amount',
			'items[3].amount',
		]);
		expect(validation.invalid).toEqual([]);
		expect(out).toEqual({
			invoice_number: null,
			invoice_date: null,
			seller: null,
			total_amount: null,
			items: [{ amount: 5 }, { amount: null }, null, { amount: null }],
		});
	});

	it('reports an empty or absent list once for its required fields', () => {
		const rows: TypedFieldRow[] = [
			{ key: 'items[].description', description: '', required: true },
			{ key: 'items[].amount', description: '', type: 'amount', required: true },
			{ key: 'tags[]', description: '', required: true },
			{ key: 'notes[]', description: '' },
		];
		expect(applyFieldTypes({ items: [], tags: null, notes: [] }, rows, AUTO).validation).toEqual({
			valid: false,
			missing: ['items', 'tags'],
			invalid: [],
		});
		expect(applyFieldTypes({}, rows, AUTO).validation.missing).toEqual(['items', 'tags']);
		expect(applyFieldTypes({ items: [{ description: 'x', amount: '1' }], tags: ['a', ''] }, rows, AUTO).validation.missing).toEqual([
			'tags[1]',
		]);
	});

	it('follows three levels and lists inside lists', () => {
		const rows: TypedFieldRow[] = [
			{ key: 'a.b.c', description: '', type: 'integer', required: true },
			{ key: 'items[].price.amount', description: '', type: 'amount', required: true },
			{ key: 'x[].y[].z', description: '', type: 'boolean', required: true },
			{ key: ' seller . tax rate ', description: '', type: 'number' },
		];
		const data = {
			a: { b: { c: '1,000,000' } },
			items: [{ price: { amount: 'USD 9.99' } }, { price: null }],
			x: [{ y: [{ z: 'yes' }, { z: 'maybe' }] }, { y: [] }],
			seller: { 'tax rate': '19 %' },
		};
		const { data: out, validation } = applyFieldTypes(data, rows, AUTO);
		expect(out).toEqual({
			a: { b: { c: 1000000 } },
			items: [{ price: { amount: 9.99 } }, { price: null }],
			x: [{ y: [{ z: true }, { z: 'maybe' }] }, { y: [] }],
			seller: { 'tax rate': 19 },
		});
		expect(validation.missing).toEqual(['items[1].price.amount', 'x[1].y']);
		expect(validation.invalid).toEqual([
			{ path: 'x[0].y[1].z', value: 'maybe', expected: 'boolean', reason: expect.stringMatching(/not true or false/) },
		]);
	});

	it('keeps uncoercible values as they were and lists them', () => {
		const rows: TypedFieldRow[] = [
			{ key: 'total', description: '', type: 'amount', required: true },
			{ key: 'quantity', description: '', type: 'number' },
			{ key: 'date', description: '', type: 'date' },
			{ key: 'items[].amount', description: '', type: 'amount' },
		];
		const data = { total: 'about 12', quantity: '1.234', date: '2024-02-30', items: [{ amount: '5' }, { amount: '12 pcs' }] };
		const { data: out, validation } = applyFieldTypes(data, rows, AUTO);
		expect(out).toEqual({ total: 'about 12', quantity: '1.234', date: '2024-02-30', items: [{ amount: 5 }, { amount: '12 pcs' }] });
		expect(validation.valid).toBe(false);
		expect(validation.missing).toEqual([]);
		expect(validation.invalid).toEqual([
			{ path: 'total', value: 'about 12', expected: 'amount', reason: '"about 12" is not an amount: it contains text (units or words are not read)' },
			{ path: 'quantity', value: '1.234', expected: 'number', reason: expect.stringMatching(/Decimal Separator option/) },
			{ path: 'date', value: '2024-02-30', expected: 'date', reason: '"2024-02-30" is not a date: February 2024 has no day 30' },
			{ path: 'items[1].amount', value: '12 pcs', expected: 'amount', reason: expect.stringMatching(/contains text/) },
		]);
		expect(applyFieldTypes(data, rows, DOT).data.quantity).toBe(1.234);
	});

	it('reports data whose structure differs from the fields', () => {
		const rows: TypedFieldRow[] = [
			{ key: 'seller.name', description: '', required: true },
			{ key: 'seller.address', description: '' },
			{ key: 'items[].amount', description: '', type: 'amount' },
			{ key: 'tags[]', description: '' },
			{ key: 'buyer', description: '' },
		];
		const data = { seller: 'ACME', items: [{ amount: '1' }, 'oops'], tags: 'one', buyer: { name: 'Bob' } };
		const { data: out, validation } = applyFieldTypes(data, rows, AUTO);
		expect(out).toEqual({ seller: 'ACME', items: [{ amount: 1 }, 'oops'], tags: 'one', buyer: { name: 'Bob' } });
		expect(validation.missing).toEqual([]);
		expect(validation.invalid).toEqual([
			{ path: 'seller', value: 'ACME', expected: 'string', reason: '`seller` is text, not a group of fields (object)' },
			{ path: 'items[1]', value: 'oops', expected: 'amount', reason: '`items[1]` is text, not a group of fields (object)' },
			{ path: 'tags', value: 'one', expected: 'string', reason: '`tags` is text, not a list' },
			{ path: 'buyer', value: { name: 'Bob' }, expected: 'string', reason: 'a group of fields (object) where a single text value was expected' },
		]);
	});

	it('does not mutate its input', () => {
		const data = {
			total: '1,234.50',
			seller: { name: ' ACME ' },
			items: [{ amount: '(5.00)' }, { amount: '' }],
			tags: [' a '],
		};
		const snapshot = JSON.parse(JSON.stringify(data));
		const rows: TypedFieldRow[] = [
			{ key: 'total', description: '', type: 'amount' },
			{ key: 'seller.name', description: '' },
			{ key: 'items[].amount', description: '', type: 'amount', required: true },
			{ key: 'tags[]', description: '' },
		];
		const { data: out } = applyFieldTypes(data, rows, AUTO);
		expect(data).toEqual(snapshot);
		expect(out).not.toBe(data);
		expect(out.seller).not.toBe(data.seller);
		expect(out.items).not.toBe(data.items);
		expect(out).toEqual({ total: 1234.5, seller: { name: 'ACME' }, items: [{ amount: -5 }, { amount: null }], tags: ['a'] });
	});

	it('leaves absent optional fields absent, skips blank rows and treats a missing type as string', () => {
		const rows: TypedFieldRow[] = [
			{ key: '', description: '' },
			{ key: 'a', description: '' },
			{ key: 'b', description: '', type: 'number' },
		];
		const { data: out, validation } = applyFieldTypes({ a: 7 }, rows, AUTO);
		expect(out).toEqual({ a: '7' });
		expect(validation).toEqual({ valid: true, missing: [], invalid: [] });
	});

	it('keeps a __proto__ key as data', () => {
		const data = JSON.parse('{"__proto__": {"x": "1"}, "n": "2"}') as Record<string, unknown>;
		const { data: out } = applyFieldTypes(data, [{ key: 'n', description: '', type: 'integer' }], AUTO);
		expect(Object.keys(out)).toEqual(['__proto__', 'n']);
		expect(out.n).toBe(2);
		expect(({} as Record<string, unknown>).x).toBeUndefined();
	});
});
