/**
 * Arithmetic checks of an extracted invoice or receipt: do the printed figures add up? A model that misreads one
 * digit gives a document whose lines, subtotal, tax and total disagree; such a document goes to Needs Review.
 *
 * Tolerance (rounding on the printed document): a sum may be off by 0.01 per addend beyond the first (at least
 * 0.01: subtotal + tax = total within 0.01, three line amounts = subtotal within 0.02); quantity × unit price may be off by 0.01 plus 0.005 per unit (unit prices are often
 * printed rounded to the cent). A check whose figures are not all numbers (null, or a value that could not be read
 * and is already listed in `validation.invalid`) is not made.
 */
import { isPlainObject } from './objects';

/** One term of a sum: a field, added or subtracted; `optional` terms count as 0 when null (e.g. a discount). */
export interface Term {
	path: string;
	sign: 1 | -1;
	optional?: boolean;
}

export type ArithmeticCheck =
	/** Per line of `list`: `list[i].quantity × list[i].unitPrice = list[i].amount`. */
	| { kind: 'lineProduct'; list: string; quantity: string; unitPrice: string; amount: string }
	/** The lines' `field` add up to the document's `total`. */
	| { kind: 'lineSum'; list: string; field: string; total: string }
	/** Document fields: the terms add up to `total` (subtotal + tax = total). */
	| { kind: 'fieldSum'; terms: Term[]; total: string };

export interface Mismatch {
	/** The rule that failed, written with the fields' paths, e.g. `subtotal + tax_amount = total_amount`. */
	check: string;
	/** The figure the other fields give. */
	expected: number;
	/** The figure printed on the document. */
	found: number;
}

const CENT = 0.01;
/** Floating-point slack, far below a cent. */
const EPSILON = 1e-9;

function valueAt(data: unknown, path: string): unknown {
	return path.split('.').reduce<unknown>((value, key) => (isPlainObject(value) ? value[key] : undefined), data);
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Rounded to 1e-6 so figures like 0.1 + 0.2 read as the decimals they are. */
const tidy = (value: number) => Math.round(value * 1e6) / 1e6;

function sumTolerance(figures: number): number {
	return CENT * Math.max(1, figures - 1);
}

function lines(data: unknown, list: string): unknown[] {
	const value = valueAt(data, list);
	return Array.isArray(value) ? value : [];
}

function checkLineProducts(data: unknown, check: Extract<ArithmeticCheck, { kind: 'lineProduct' }>): Mismatch[] {
	const mismatches: Mismatch[] = [];
	lines(data, check.list).forEach((entry, index) => {
		const quantity = valueAt(entry, check.quantity);
		const unitPrice = valueAt(entry, check.unitPrice);
		const amount = valueAt(entry, check.amount);
		if (!isNumber(quantity) || !isNumber(unitPrice) || !isNumber(amount)) return;
		const expected = quantity * unitPrice;
		if (Math.abs(expected - amount) <= CENT + 0.005 * Math.abs(quantity) + EPSILON) return;
		const line = `${check.list}[${index}]`;
		mismatches.push({ check: `${line}.${check.quantity} × ${line}.${check.unitPrice} = ${line}.${check.amount}`, expected: tidy(expected), found: amount });
	});
	return mismatches;
}

function checkLineSum(data: unknown, check: Extract<ArithmeticCheck, { kind: 'lineSum' }>): Mismatch[] {
	const total = valueAt(data, check.total);
	const values = lines(data, check.list).map((line) => valueAt(line, check.field));
	if (!isNumber(total) || values.length === 0 || !values.every(isNumber)) return [];
	const expected = (values as number[]).reduce((sum, value) => sum + value, 0);
	if (Math.abs(expected - total) <= sumTolerance(values.length) + EPSILON) return [];
	return [{ check: `sum(${check.list}[].${check.field}) = ${check.total}`, expected: tidy(expected), found: total }];
}

function checkFieldSum(data: unknown, check: Extract<ArithmeticCheck, { kind: 'fieldSum' }>): Mismatch[] {
	const total = valueAt(data, check.total);
	if (!isNumber(total)) return [];
	let expected = 0;
	let figures = 0;
	for (const term of check.terms) {
		const value = valueAt(data, term.path);
		if (isNumber(value)) {
			expected += term.sign * value;
			figures++;
		} else if (!(term.optional && (value === null || value === undefined))) {
			return [];
		}
	}
	if (figures === 0 || Math.abs(expected - total) <= sumTolerance(figures) + EPSILON) return [];
	const formula = check.terms.map((term, index) => `${index === 0 ? (term.sign < 0 ? '-' : '') : term.sign < 0 ? ' - ' : ' + '}${term.path}`).join('');
	return [{ check: `${formula} = ${check.total}`, expected: tidy(expected), found: total }];
}

/** Every check that fails on the (typed) extracted document, in the order the checks are given. */
export function arithmeticMismatches(data: unknown, checks: readonly ArithmeticCheck[]): Mismatch[] {
	return checks.flatMap((check) => {
		switch (check.kind) {
			case 'lineProduct':
				return checkLineProducts(data, check);
			case 'lineSum':
				return checkLineSum(data, check);
			default:
				return checkFieldSum(data, check);
		}
	});
}

/** The validation report with the arithmetic's `mismatches` added (any makes it invalid); unchanged without checks. */
export function withArithmetic<Report extends { valid: boolean }>(
	validation: Report,
	data: unknown,
	checks: readonly ArithmeticCheck[] | undefined,
): Report & { mismatches?: Mismatch[] } {
	if (!checks?.length) return validation;
	const mismatches = arithmeticMismatches(data, checks);
	return { ...validation, valid: validation.valid && mismatches.length === 0, mismatches };
}
