/**
 * Typed fields of the key information extraction: the model answers every field as text, and this module turns
 * the text into what the row's `type` says (a JSON number, an ISO date, a boolean…) and reports the required
 * fields that are missing and the values that cannot be read. Nothing is guessed: a value that cannot be read
 * for certain stays the original value in the output and is listed under `invalid` with the reason.
 *
 * Decisions (each one is tested in test/nodes/QwenOcr/helpers/fieldTypes.test.ts):
 * - Empty values (null, undefined, text that is empty after trimming) are null, never invalid; a required empty
 *   field is listed under `missing`. For the non-text types, a placeholder written instead of a value ("null",
 *   "none", "N/A", "-", "—", "/", "无"…) is empty too; for `string` only empty text is (a "-" may be a value).
 * - Numbers: thousands separators `,` `.` space (also no-break and narrow no-break spaces) and apostrophes
 *   (1'234.50); decimal point or comma; Indian grouping (1,23,456.78); currency symbols (every Unicode currency
 *   sign, also US$, HK$, R$…), ISO codes (USD, EUR, CHF…) and words (元, 円, 원, Rs., kr, zł…) before or after
 *   the number, never inside it; full-width digits and punctuation (１２３．５) are read as ASCII.
 * - Negative numbers: a leading `-` (also − U+2212, – U+2013, ‐ ‒ ﹣ －), a trailing `-` (12.00-), or
 *   accounting parentheses (12.00); more than one of these is invalid. A leading `+` is allowed.
 * - "CR" / "DR" (credit / debit) markers are invalid: whether a credit is negative depends on the document.
 * - "12,-" and "12.–" (no cents) are 12. A percent sign is allowed for `number` and `integer` ("20%" → 20,
 *   not 0.2) and invalid for `amount` or together with a currency.
 * - Units and other text ("2 pcs", "approx. 5", "1.5k") are invalid: the type hint asks for a bare number.
 * - Both `.` and `,` present: the last one is the decimal separator and must appear once ("1.234,50",
 *   "1,234.50"); one separator repeated is grouping ("1,234,567"). These are decided by their form, whatever the
 *   Decimal Separator option says.
 * - One `.` or `,` followed by other than three digits is the decimal separator ("12,5" → 12.5, "1234,5").
 *   Followed by exactly three digits it is also the decimal separator when the part before it is 0 ("0,123" →
 *   0.123: a thousands group never starts with 0), longer than three digits ("1234.567") or itself grouped by
 *   spaces or apostrophes ("1 234,567"). Otherwise ("1.234", "1,234") the Decimal Separator option decides.
 *   With `auto`: an `amount`, and a `number` or `integer` written with a currency ("¥3,200", "$1,500"), is read
 *   as thousands (3200) because money has at most two decimals, unless a three-decimal currency (KWD, BHD, OMR,
 *   JOD, TND, LYD, IQD) is named, which stays undecided; an `integer` is read as thousands when the decimal
 *   reading is not whole ("4,200" → 4200, never 4.2); anything else ("1.234" as a number, "2,000" or "1.000" as
 *   an integer, which may be a German 2 or 1) is invalid and the reason says to set the option.
 * - A value is kept exactly as a JSON number: amounts are not rounded to two decimals. Values with more than
 *   15 significant digits are invalid (a JSON number cannot hold them exactly; use `string` for IDs).
 * - `integer`: the number must be whole after reading ("12.00" → 12, "12.5" is invalid).
 * - A JSON number is kept as it is (`integer` still checks it is whole; NaN and Infinity are invalid).
 * - Dates become `YYYY-MM-DD`: ISO and year-first forms with `-` `/` `.` or spaces, 8 digits (YYYYMMDD only),
 *   年月日 / 년월일, month names in English (also abbreviated, "Sept") and in German, French, Spanish, Italian,
 *   Portuguese and Dutch, ordinals (5th, 1er), weekdays (English, German, French, Spanish, 星期二) ignored. A time
 *   after the date ("18:32", "T10:00:00Z", "6:32 PM") is dropped; the date is taken as written, with no time zone
 *   conversion.
 * - Day and month: when one of them is above 12 or both are equal, the date is clear whatever the Date Order
 *   option; otherwise DMY reads 05/03/2024 as 5 March and MDY as May 3. With YMD, a date with the year last
 *   and day and month both ≤ 12 is invalid (the option does not say which comes first). With a two-digit year
 *   and no four-digit part, the option also says where the year is (DMY/MDY: last, YMD: first), except that a
 *   first part above 31 can only be a year.
 * - Two-digit years: 00–69 are 2000–2069, 70–99 are 1970–1999. Years must be 1000–9999.
 * - The calendar is checked (2024-02-30, 2023-02-29 and month 13 are invalid).
 * - A JSON number for a date is read only as YYYYMMDD (20240305); timestamps and spreadsheet serials are invalid.
 * - Booleans: true/false, yes/no, y/n, t/f, 1/0, on/off, checked/unchecked, ✓ ✔ ☑ ☒ / ☐, ja/nein, oui/non,
 *   sí/no, 是/否, 有/无 (無, 没有), 对/错; case-insensitive; anything else is invalid. JSON 1 and 0 are true and false.
 * - `string`: text is trimmed (inner spacing kept); a JSON number or boolean becomes its text; an object or a
 *   list is invalid (the field asked for one value).
 * - Required: a value that is present but invalid is listed only under `invalid`, not under `missing`. A
 *   required field inside a list that is empty, null or absent reports the list once (`items`), not each field.
 * - The structure of the data not matching the field (text where a group of fields or a list is expected) is
 *   listed under `invalid` with the path where it differs (e.g. `seller`).
 */

import { hasOwn, isPlainObject, setOwn } from './objects';

export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'amount';
export type DecimalSeparatorOption = 'auto' | '.' | ',';
export type DateOrder = 'DMY' | 'MDY' | 'YMD';

export interface CoerceOptions {
	decimalSeparator: DecimalSeparatorOption;
	dateOrder: DateOrder;
}

export type Coerced = { ok: true; value: string | number | boolean | null } | { ok: false; reason: string };

export interface TypedFieldRow {
	key: string;
	description: string;
	type?: FieldType;
	required?: boolean;
}

export interface ValidationReport {
	valid: boolean;
	missing: string[];
	invalid: Array<{ path: string; value: unknown; expected: FieldType; reason: string }>;
}

export const FIELD_TYPES: readonly FieldType[] = ['string', 'number', 'integer', 'boolean', 'date', 'amount'];

export const DEFAULT_COERCE_OPTIONS: CoerceOptions = { decimalSeparator: 'auto', dateOrder: 'DMY' };

export function isFieldType(value: unknown): value is FieldType {
	return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

const EMPTY: Coerced = { ok: true, value: null };

function ok(value: string | number | boolean): Coerced {
	return { ok: true, value };
}

function fail(reason: string): Coerced {
	return { ok: false, reason };
}

function quote(text: string): string {
	return JSON.stringify(text);
}


/** What a non-scalar value is, for reasons. */
function describeStructure(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (isPlainObject(value)) return 'a group of fields (object)';
	if (typeof value === 'string') return 'text';
	if (typeof value === 'number') return 'a number';
	if (typeof value === 'boolean') return 'a boolean';
	return typeof value;
}

// ---------------------------------------------------------------------------------------------------------------
// Text normalisation
// ---------------------------------------------------------------------------------------------------------------

const MINUS_SIGNS = /[\u2010\u2011\u2012\u2013\u2212\uFE63]/g;
const APOSTROPHES = /[\u2018\u2019\u02BC\u2032`\u00B4]/g;

/**
 * Full-width ASCII (！…～, so ０-９ ，．－（）％) and the ideographic space to ASCII; every minus form to `-`;
 * every apostrophe form to `'`; runs of whitespace (also no-break, narrow no-break and thin spaces) to one
 * space; trimmed. Not NFKC, which would also turn ² into 2.
 */
function normalizeText(text: string): string {
	let out = '';
	for (const char of text) {
		const code = char.charCodeAt(0);
		if (code >= 0xff01 && code <= 0xff5e) out += String.fromCharCode(code - 0xfee0);
		else if (code === 0x3000) out += ' ';
		else out += char;
	}
	return out.replace(MINUS_SIGNS, '-').replace(APOSTROPHES, "'").replace(/\s+/g, ' ').trim();
}

/** Written instead of a value when there is none; read as empty for the types other than `string`. */
const PLACEHOLDERS = new Set(['null', 'none', 'nil', 'n/a', 'n.a.', 'na', '-', '--', '---', '—', '/', '无', '無', '空']);

// ---------------------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------------------

/** Currencies with three decimals: with one of them, "1.234" may be 1.234 even as an amount. */
const THREE_DECIMAL_CURRENCIES = ['KWD', 'BHD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD'];

const CURRENCY_CODES = [
	'USD', 'EUR', 'GBP', 'CNY', 'RMB', 'JPY', 'KRW', 'INR', 'CHF', 'CAD', 'AUD', 'NZD', 'HKD', 'TWD', 'NTD', 'MOP',
	'SGD', 'MYR', 'THB', 'IDR', 'PHP', 'VND', 'SEK', 'NOK', 'DKK', 'ISK', 'PLN', 'CZK', 'HUF', 'RON', 'BGN', 'HRK',
	'RSD', 'RUB', 'UAH', 'TRY', 'ILS', 'AED', 'SAR', 'QAR', 'EGP', 'ZAR', 'NGN', 'KES', 'MXN', 'BRL', 'ARS', 'CLP',
	'COP', 'PEN', 'MAD', 'PKR', 'BDT', 'LKR',
	...THREE_DECIMAL_CURRENCIES,
];

/** Currency words: before or after the number (case-sensitive, so "12 ft" is not forints), longest first. */
const CURRENCY_WORDS = [
	'人民币', '人民幣', '新台币', '新台幣', '美元', '欧元', '歐元', '日元', '日圆', '日圓', '港元', '港币', '港幣', '英镑', '英鎊',
	'韩元', '韓元', '元整', '圆整', '圓整', '元', '圆', '圓', '块', '塊', '円', '원', 'Rs\\.?', 'kr\\.?', 'zł', 'Kč', 'Ft', 'lei',
	'S?Fr\\.?', 'руб\\.?',
];

/** A currency sign with optional letters before it (US$, HK$, R$, NT$), an ISO code, or a currency word. */
const CURRENCY_SOURCE = `(?:(?<![\\p{L}])[A-Z]{0,3}\\p{Sc}|(?<![\\p{L}])(?:${[...CURRENCY_CODES, ...CURRENCY_CODES.map((code) => code.toLowerCase())].join('|')})(?![\\p{L}])|(?<![A-Za-z])(?:${CURRENCY_WORDS.join('|')})(?![A-Za-z]))`;
const CURRENCY = new RegExp(CURRENCY_SOURCE, 'gu');
const CURRENCY_INSIDE_NUMBER = new RegExp(`\\d\\s*${CURRENCY_SOURCE}\\s*\\d`, 'u');
const THREE_DECIMAL_CURRENCY = new RegExp(`(?<![\\p{L}])(?:${THREE_DECIMAL_CURRENCIES.join('|')})(?![\\p{L}])`, 'iu');
const CREDIT_DEBIT = /(?<![\p{L}])(?:cr|dr)\.?(?![\p{L}])/iu;

type NumericKind = 'number' | 'integer' | 'amount';

const TYPE_NAMES: Record<FieldType, string> = {
	string: 'text',
	number: 'a number',
	integer: 'a whole number',
	amount: 'an amount',
	date: 'a date',
	boolean: 'true or false',
};

function countOf(text: string, char: string): number {
	return text.split(char).length - 1;
}

/** Thousands groups: the first 1-3 digits, the others 3 (or Indian: first 1-2, middle 2, last 3, with `,`). */
function validGrouping(groups: string[], separator: string): boolean {
	if (!groups.every((group) => /^\d+$/.test(group))) return false;
	const [first, ...rest] = groups;
	if (first.length > 3 || rest.length === 0 || rest[rest.length - 1].length !== 3) return false;
	const middle = rest.slice(0, -1);
	if (middle.every((group) => group.length === 3)) return true;
	return separator === ',' && first.length <= 2 && middle.every((group) => group.length === 2);
}

type Split = { intPart: string; fracPart: string } | { reason: string };

/** Where the decimal separator is in digits with separators (`.` `,` space `'`). */
function splitDecimal(body: string, kind: NumericKind, option: DecimalSeparatorOption, money: { currency: boolean; threeDecimals: boolean }): Split {
	const dots = countOf(body, '.');
	const commas = countOf(body, ',');
	let decimal: '.' | ',' | null = null;
	if (dots > 0 && commas > 0) {
		decimal = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
		if (countOf(body, decimal) > 1) return { reason: `"${decimal}" appears several times after the other separator` };
	} else if (dots + commas === 1) {
		const separator = dots === 1 ? '.' : ',';
		const [before, after] = body.split(separator);
		const beforeDigits = before.replace(/[ ']/g, '');
		const decided = after.length !== 3 || /^0*$/.test(beforeDigits) || before !== beforeDigits || before.length > 3;
		if (decided) decimal = separator;
		else if (option === 'auto') {
			// Money has at most two decimals: an amount, or a number written with a currency (¥3,200), has a
			// thousands group after the separator, unless a three-decimal currency is named.
			const isMoney = (kind === 'amount' || money.currency) && !money.threeDecimals;
			// A whole number has no decimals: as an integer 4,200 can only be 4200, but 2,000 may be 2 (a German 2.000 is 2).
			const onlyGrouped = kind === 'integer' && !/^0+$/.test(after);
			if (!isMoney && !onlyGrouped) {
				const decimalReading = Number(`${before}.${after}`);
				const groupedReading = Number(`${before}${after}`);
				return {
					reason: `cannot tell whether "${separator}" is a decimal or a thousands separator (${decimalReading} or ${groupedReading}); set the Decimal Separator option to "." or "," to decide`,
				};
			}
			decimal = null;
		} else decimal = option === separator ? separator : null;
	}

	const [intPart, fracPart = ''] = decimal === null ? [body] : body.split(decimal);
	if (!/^\d*$/.test(fracPart)) return { reason: 'unexpected characters after the decimal separator' };
	const groupChars = ['.', ',', ' ', "'"].filter((char) => intPart.includes(char));
	if (groupChars.length > 1) return { reason: `mixes thousands separators (${groupChars.map((char) => `"${char}"`).join(', ')})` };
	if (groupChars.length === 1) {
		const groups = intPart.split(groupChars[0]);
		if (!validGrouping(groups, groupChars[0])) return { reason: 'the thousands separators are not in groups of three digits' };
		return { intPart: groups.join(''), fracPart };
	}
	return { intPart, fracPart };
}

function parseNumeric(raw: string, kind: NumericKind, option: DecimalSeparatorOption): Coerced {
	const original = quote(raw.trim());
	const invalid = (problem: string): Coerced => fail(`${original} is not ${TYPE_NAMES[kind]}: ${problem}`);
	let text = normalizeText(raw);
	if (PLACEHOLDERS.has(text.toLowerCase())) return EMPTY;
	if (CURRENCY_INSIDE_NUMBER.test(text)) return invalid('a currency stands inside the number');
	const threeDecimals = THREE_DECIMAL_CURRENCY.test(text);
	let hasCurrency = false;
	text = text
		.replace(CURRENCY, () => {
			hasCurrency = true;
			return ' ';
		})
		.replace(/\s+/g, ' ')
		.trim();
	if (CREDIT_DEBIT.test(text)) {
		return invalid('a credit/debit marker (CR/DR) does not say the sign for certain; ask for a signed number in the field description');
	}
	// "12,-" or "12.–": no cents.
	text = text.replace(/(\d)\s?[.,](?:-{1,2}|—)$/, '$1');

	let signs = 0;
	let negative = false;
	if (text.startsWith('(') && text.endsWith(')')) {
		negative = true;
		signs++;
		text = text.slice(1, -1).trim();
	}
	if (text.startsWith('-') || text.startsWith('+')) {
		negative = negative || text.startsWith('-');
		signs++;
		text = text.slice(1).trim();
	}
	if (text.startsWith('(') && text.endsWith(')')) {
		signs++; // "-(12.00)": a minus outside the parentheses too
		text = text.slice(1, -1).trim();
	}
	if (text.endsWith('-')) {
		negative = true;
		signs++;
		text = text.slice(0, -1).trim();
	}
	if (signs > 1) return invalid('it has more than one sign (a minus, plus or accounting parentheses)');

	if (text.endsWith('%')) {
		text = text.slice(0, -1).trim();
		if (kind === 'amount') return invalid('a percentage is not an amount');
		if (hasCurrency) return invalid('it has both a currency and a percent sign');
	}

	if (/\p{L}/u.test(text)) return invalid('it contains text (units or words are not read)');
	if (!/\d/.test(text)) return invalid('it has no digits');
	if (!/^[\d., ']+$/.test(text)) return invalid('it contains characters that are not part of a number');
	const split = splitDecimal(text, kind, option, { currency: hasCurrency, threeDecimals });
	if ('reason' in split) return invalid(split.reason);
	const { intPart, fracPart } = split;

	const significant = (intPart + fracPart.replace(/0+$/, '')).replace(/^0+/, '');
	if (significant.length > 15) {
		return invalid('it has more than 15 significant digits, more than a JSON number holds exactly (use the type string for identifiers)');
	}
	const magnitude = Number(`${intPart === '' ? '0' : intPart}.${fracPart === '' ? '0' : fracPart}`);
	const value = negative && magnitude !== 0 ? -magnitude : magnitude;
	if (kind === 'integer' && !Number.isInteger(value)) return invalid(`${value} is not a whole number`);
	return ok(value);
}

function coerceNumeric(value: unknown, kind: NumericKind, option: DecimalSeparatorOption): Coerced {
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return fail(`${String(value)} is not ${TYPE_NAMES[kind]}`);
		if (kind === 'integer' && !Number.isInteger(value)) return fail(`${value} is not a whole number`);
		return ok(value === 0 ? 0 : value);
	}
	if (typeof value === 'string') return parseNumeric(value, kind, option);
	return fail(`${describeStructure(value)} is not ${TYPE_NAMES[kind]}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------------

const MONTH_NAMES: Array<[number, string[]]> = [
	[1, ['january', 'jan', 'januar', 'jänner', 'janvier', 'janv', 'enero', 'ene', 'gennaio', 'gen', 'janeiro', 'januari']],
	[2, ['february', 'feb', 'febr', 'februar', 'février', 'fevrier', 'févr', 'fevr', 'febrero', 'febbraio', 'fevereiro', 'fev', 'februari']],
	[3, ['march', 'mar', 'märz', 'maerz', 'marz', 'mrz', 'mär', 'mars', 'marzo', 'março', 'marco', 'maart']],
	[4, ['april', 'apr', 'avril', 'avr', 'abril', 'abr', 'aprile']],
	[5, ['may', 'mai', 'mayo', 'maggio', 'mag', 'maio', 'mei']],
	[6, ['june', 'jun', 'juni', 'juin', 'junio', 'giugno', 'giu', 'junho']],
	[7, ['july', 'jul', 'juli', 'juillet', 'juil', 'julio', 'luglio', 'lug', 'julho']],
	[8, ['august', 'aug', 'août', 'aout', 'agosto', 'ago', 'augustus']],
	[9, ['september', 'sep', 'sept', 'septembre', 'septiembre', 'setiembre', 'set', 'settembre', 'setembro']],
	[10, ['october', 'oct', 'oktober', 'okt', 'octobre', 'octubre', 'ottobre', 'ott', 'outubro', 'out']],
	[11, ['november', 'nov', 'novembre', 'noviembre', 'novembro']],
	[12, ['december', 'dec', 'dezember', 'dez', 'décembre', 'decembre', 'déc', 'diciembre', 'dic', 'dicembre', 'dezembro']],
];

const MONTHS = new Map<string, number>(MONTH_NAMES.flatMap(([month, names]) => names.map((name): [string, number] => [name, month])));

const WEEKDAYS = [
	'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
	'mon', 'tue', 'tues', 'wed', 'weds', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun',
	'montag', 'dienstag', 'mittwoch', 'donnerstag', 'freitag', 'samstag', 'sonntag',
	'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche',
	'lunes', 'martes', 'miércoles', 'miercoles', 'jueves', 'viernes', 'sábado', 'sabado', 'domingo',
];

/** Ignored around a date: weekdays and little words ("5th of March", "5 de marzo de 2024", "le 5 mars"). */
const DATE_NOISE = new Set([...WEEKDAYS, 'of', 'the', 'on', 'de', 'del', 'el', 'le', 'am', 'den', 'der']);

/** A weekday before a numeric date: "Tue 05/03/2024", "Dienstag, 05.03.2024". */
const LEADING_WEEKDAY = new RegExp(`^(?:${WEEKDAYS.join('|')})\\.?,?\\s+(?=\\d)`, 'u');

/** A time after the date: "18:32", "T10:00:00.000Z", ", 6:32 PM", "at 18:32 +08:00". */
const TRAILING_TIME =
	/(?:(?<=\d)T|(?<=[日号號일])\s*|\s*,\s*|\s+)(?:(?:at|um|à|a las)\s+)?\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:z|utc|gmt|[+-]\d{1,2}(?::?\d{2})?))?$/iu;
const CJK_WEEKDAY = /\s*[(（]?\s*(?:星期|礼拜|禮拜|周|週)[一二三四五六日天]\s*[)）]?\s*/gu;
const CJK_DATE = /^(\d{4}|\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日号號일]?$/u;
const NUMERIC_DATE = /^(\d{1,4})(?:\s*[-/.]\s*|\s+)(\d{1,2})(?:\s*[-/.]\s*|\s+)(\d{1,4})\.?$/;

function fullYear(digits: string): number {
	const year = Number(digits);
	if (digits.length !== 2) return year;
	return year < 70 ? 2000 + year : 1900 + year;
}

function daysInMonth(year: number, month: number): number {
	if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const MONTH_LABELS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The ISO date, or why the parts are not a calendar day. */
function calendarDate(year: number, month: number, day: number): { iso: string } | { reason: string } {
	if (year < 1000 || year > 9999) return { reason: `the year ${year} is out of range` };
	if (month < 1 || month > 12) return { reason: `there is no month ${month}` };
	const days = daysInMonth(year, month);
	if (day < 1 || day > days) return { reason: `${MONTH_LABELS[month - 1]} ${year} has no day ${day}` };
	const pad = (part: number) => String(part).padStart(2, '0');
	return { iso: `${year}-${pad(month)}-${pad(day)}` };
}

type DateParts = { year: number; month: number; day: number } | { reason: string };

/** Day and month from the two parts of a year-first-or-last date: clear when one is above 12 or both are equal. */
function dayAndMonth(first: number, second: number, order: DateOrder, yearDigits: string): DateParts {
	const year = fullYear(yearDigits);
	if (first > 12 && second > 12) return { reason: `neither ${first} nor ${second} can be a month` };
	if (first > 12 || first === second) return { year, month: second, day: first };
	if (second > 12) return { year, month: first, day: second };
	if (order === 'DMY') return { year, month: second, day: first };
	if (order === 'MDY') return { year, month: first, day: second };
	return {
		reason: `cannot tell the day from the month (${first} and ${second} can both be either); set the Date Order option to DMY or MDY`,
	};
}

function numericDateParts(parts: [string, string, string], order: DateOrder): DateParts {
	const [a, b, c] = parts;
	if (a.length === 4) return { year: Number(a), month: Number(b), day: Number(c) };
	if (a.length > 2) return { reason: 'the year must have four or two digits' };
	if (c.length === 4 || c.length === 2) {
		// With a two-digit year, YMD (or a first part that can only be a year) puts it first.
		if (c.length === 2 && (order === 'YMD' || Number(a) > 31)) return { year: fullYear(a), month: Number(b), day: Number(c) };
		return dayAndMonth(Number(a), Number(b), order, c);
	}
	return { reason: 'the year must have four or two digits' };
}

function namedMonthParts(text: string): DateParts | null {
	const tokens = text.match(/\d+(?:st|nd|rd|th|er|º|ª)?|\p{L}+/gu) ?? [];
	if (!tokens.some((token) => /\p{L}/u.test(token[0]))) return null;
	if (text.replace(/\d+(?:st|nd|rd|th|er|º|ª)?|\p{L}+/gu, '').replace(/[\s,.\-/']/g, '') !== '') {
		return { reason: 'it contains characters that are not part of a date' };
	}
	let month: number | undefined;
	const numbers: Array<{ digits: string; ordinal: boolean }> = [];
	for (const token of tokens) {
		const number = /^(\d+)(\D*)$/u.exec(token);
		if (number !== null) {
			numbers.push({ digits: number[1], ordinal: number[2] !== '' });
			continue;
		}
		if (DATE_NOISE.has(token)) continue;
		const named = MONTHS.get(token);
		if (named === undefined) return { reason: `"${token}" is not a month name` };
		if (month !== undefined) return { reason: 'it names more than one month' };
		month = named;
	}
	if (month === undefined) return { reason: 'it has no month' };
	if (numbers.length !== 2) return { reason: numbers.length < 2 ? 'it needs a day and a year' : 'it has too many numbers' };
	let [dayPart, yearPart] = numbers;
	if ((dayPart.digits.length === 4 && yearPart.digits.length !== 4) || (yearPart.ordinal && !dayPart.ordinal)) {
		[dayPart, yearPart] = [yearPart, dayPart];
	}
	if (dayPart.digits.length > 2) return { reason: `${dayPart.digits} cannot be a day` };
	if (yearPart.digits.length !== 4 && yearPart.digits.length !== 2) return { reason: 'the year must have four or two digits' };
	return { year: fullYear(yearPart.digits), month, day: Number(dayPart.digits) };
}

function dateParts(text: string, order: DateOrder): DateParts {
	const cjk = CJK_DATE.exec(text);
	if (cjk !== null) return { year: fullYear(cjk[1]), month: Number(cjk[2]), day: Number(cjk[3]) };
	if (/^\d{8}$/.test(text)) return { year: Number(text.slice(0, 4)), month: Number(text.slice(4, 6)), day: Number(text.slice(6)) };
	const numeric = NUMERIC_DATE.exec(text);
	if (numeric !== null) return numericDateParts([numeric[1], numeric[2], numeric[3]], order);
	return namedMonthParts(text) ?? { reason: 'it is not a recognisable date' };
}

function parseDate(raw: string, order: DateOrder): Coerced {
	let text = normalizeText(raw).normalize('NFC').toLowerCase();
	if (PLACEHOLDERS.has(text)) return EMPTY;
	text = text.replace(CJK_WEEKDAY, ' ').trim().replace(TRAILING_TIME, '').trim().replace(LEADING_WEEKDAY, '');
	const parts = dateParts(text, order);
	const result = 'reason' in parts ? parts : calendarDate(parts.year, parts.month, parts.day);
	if ('reason' in result) return fail(`${quote(raw.trim())} is not a date: ${result.reason}`);
	return ok(result.iso);
}

function coerceDate(value: unknown, order: DateOrder): Coerced {
	if (typeof value === 'string') return parseDate(value, order);
	if (typeof value === 'number' && Number.isInteger(value) && value >= 10000101 && value <= 99991231) {
		return parseDate(String(value), order);
	}
	return fail(`${typeof value === 'number' ? String(value) : describeStructure(value)} is not a date (write it as YYYY-MM-DD)`);
}

// ---------------------------------------------------------------------------------------------------------------
// Booleans and text
// ---------------------------------------------------------------------------------------------------------------

const TRUE_WORDS = new Set(['true', 'yes', 'y', 't', '1', 'on', 'checked', 'ticked', '✓', '✔', '☑', '☒', 'ja', 'oui', 'sí', 'sì', 'si', '是', '有', '对', '對']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'f', '0', 'off', 'unchecked', 'unticked', '☐', 'nein', 'non', '否', '无', '無', '没有', '沒有', '错', '錯']);

function coerceBoolean(value: unknown): Coerced {
	if (typeof value === 'boolean') return ok(value);
	if (value === 1 || value === 0) return ok(value === 1);
	if (typeof value !== 'string') return fail(`${typeof value === 'number' ? String(value) : describeStructure(value)} is not true or false`);
	const text = normalizeText(value).normalize('NFC').toLowerCase();
	if (TRUE_WORDS.has(text)) return ok(true);
	if (FALSE_WORDS.has(text)) return ok(false);
	if (PLACEHOLDERS.has(text)) return EMPTY;
	return fail(`${quote(value.trim())} is not true or false (yes/no, 1/0, checked/unchecked, 是/否 are read)`);
}

function coerceString(value: unknown): Coerced {
	if (typeof value === 'string') return ok(value.trim());
	if (typeof value === 'boolean' || typeof value === 'bigint') return ok(String(value));
	if (typeof value === 'number') return Number.isFinite(value) ? ok(String(value)) : fail(`${String(value)} is not a value`);
	return fail(`${describeStructure(value)} where a single text value was expected`);
}

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

/**
 * `value` as `type`: ok with the JSON value (null when empty), or not ok with the reason, which quotes the value
 * and says what to change when an option decides.
 */
export function coerceValue(value: unknown, type: FieldType, options: CoerceOptions): Coerced {
	if (value === null || value === undefined) return EMPTY;
	if (typeof value === 'string' && value.trim() === '') return EMPTY;
	const decimalSeparator = options.decimalSeparator === '.' || options.decimalSeparator === ',' ? options.decimalSeparator : 'auto';
	const dateOrder = options.dateOrder === 'MDY' || options.dateOrder === 'YMD' ? options.dateOrder : 'DMY';
	switch (type) {
		case 'number':
		case 'integer':
		case 'amount':
			return coerceNumeric(value, type, decimalSeparator);
		case 'date':
			return coerceDate(value, dateOrder);
		case 'boolean':
			return coerceBoolean(value);
		default:
			return coerceString(value);
	}
}

const TYPE_HINTS: Record<FieldType, string> = {
	string: '',
	number: ' (a number without units or thousands separators, e.g. 1234.5)',
	integer: ' (a whole number without units or thousands separators, e.g. 12)',
	amount: ' (a number without currency symbols or thousands separators, e.g. 1234.50; a minus sign for negative amounts)',
	date: ' (date as YYYY-MM-DD)',
	boolean: ' (true or false)',
};

/** Text appended to a row's description in result_schema so the model answers in the form we read best. */
export function typeHint(type: FieldType): string {
	return TYPE_HINTS[type] ?? '';
}

/** The rows with their type hint appended to the description (trimmed, so an empty description is just the hint). */
export function withTypeHints(rows: TypedFieldRow[]): Array<{ key: string; description: string }> {
	return rows.map((row) => ({ key: row.key, description: `${row.description ?? ''}${typeHint(row.type ?? 'string')}`.trim() }));
}

interface PathSegment {
	name: string;
	isArray: boolean;
}

/** `items[].amount` → items (list), amount; null for a blank or malformed key (compileSchemaRows reports those). */
function parseKey(key: string): PathSegment[] | null {
	if ((key ?? '').trim() === '') return null;
	const segments: PathSegment[] = [];
	for (const part of key.split('.')) {
		let name = part.trim();
		const isArray = name.endsWith('[]');
		if (isArray) name = name.slice(0, -2).trim();
		if (name === '') return null;
		segments.push({ name, isArray });
	}
	return segments;
}

function cloneJson(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(cloneJson);
	if (isPlainObject(value)) {
		const copy: Record<string, unknown> = {};
		for (const key of Object.keys(value)) setOwn(copy, key, cloneJson(value[key]));
		return copy;
	}
	return value;
}

/**
 * Coerces every typed leaf of `data` (shape of the compiled schema; arrays via `items[].x` paths) in place-copy
 * and reports missing required and uncoercible values. The input is not changed. Paths in the report: `total`,
 * `seller.name`, `items[1].amount`, `tags[0]`; a required field in an empty or absent list reports the list
 * (`items`). Empty values become null; an invalid value stays as it was. Keys not named by a row are left alone.
 */
export function applyFieldTypes(
	data: Record<string, unknown>,
	rows: TypedFieldRow[],
	options: CoerceOptions,
): { data: Record<string, unknown>; validation: ValidationReport } {
	const output = (isPlainObject(data) ? cloneJson(data) : {}) as Record<string, unknown>;
	const missing: string[] = [];
	const invalid: ValidationReport['invalid'] = [];
	const reported = new Set<string>();

	const addMissing = (path: string) => {
		if (!missing.includes(path)) missing.push(path);
	};
	const addStructural = (path: string, value: unknown, expected: FieldType, wanted: string) => {
		if (reported.has(path)) return;
		reported.add(path);
		invalid.push({ path, value, expected, reason: `\`${path}\` is ${describeStructure(value)}, not ${wanted}` });
	};

	for (const row of rows) {
		const segments = parseKey(row.key);
		if (segments === null) continue;
		const type: FieldType = isFieldType(row.type) ? row.type : 'string';
		const required = row.required === true;

		const leaf = (value: unknown, path: string, store: ((value: unknown) => void) | undefined) => {
			const result = coerceValue(value, type, options);
			if (!result.ok) {
				invalid.push({ path, value, expected: type, reason: result.reason });
				return;
			}
			if (result.value === null && required) addMissing(path);
			if (store !== undefined && value !== undefined && result.value !== value) store(result.value);
		};

		const walk = (container: Record<string, unknown> | undefined, index: number, prefix: string): void => {
			const segment = segments[index];
			const path = prefix === '' ? segment.name : `${prefix}.${segment.name}`;
			const isLast = index === segments.length - 1;
			const value = container !== undefined && hasOwn(container, segment.name) ? container[segment.name] : undefined;

			if (!segment.isArray) {
				if (isLast) {
					leaf(value, path, container === undefined ? undefined : (coerced) => setOwn(container, segment.name, coerced));
				} else if (value === undefined || value === null) {
					walk(undefined, index + 1, path);
				} else if (isPlainObject(value)) {
					walk(value, index + 1, path);
				} else {
					addStructural(path, value, type, 'a group of fields (object)');
				}
				return;
			}

			if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
				if (required) addMissing(path);
				return;
			}
			if (!Array.isArray(value)) {
				addStructural(path, value, type, 'a list');
				return;
			}
			value.forEach((element: unknown, position) => {
				const elementPath = `${path}[${position}]`;
				if (isLast) leaf(element, elementPath, (coerced) => (value[position] = coerced));
				else if (element === undefined || element === null) walk(undefined, index + 1, elementPath);
				else if (isPlainObject(element)) walk(element, index + 1, elementPath);
				else addStructural(elementPath, element, type, 'a group of fields (object)');
			});
		};

		walk(output, 0, '');
	}

	return { data: output, validation: { valid: missing.length === 0 && invalid.length === 0, missing, invalid } };
}
