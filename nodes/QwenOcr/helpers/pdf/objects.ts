/**
 * PDF object model. Names are plain JS strings (their bytes as Latin-1 characters) because they are compared
 * far more often than anything else; PDF strings are byte arrays wrapped in PdfString so the two never mix.
 */

export class PdfString {
	constructor(readonly bytes: Uint8Array) {}
}

/** An indirect reference `num gen R`. */
export class PdfRef {
	constructor(
		readonly num: number,
		readonly gen: number,
	) {}
}

export class PdfDict {
	readonly map = new Map<string, PdfValue>();

	get(key: string): PdfValue | undefined {
		return this.map.get(key);
	}

	set(key: string, value: PdfValue): void {
		this.map.set(key, value);
	}

	has(key: string): boolean {
		return this.map.has(key);
	}
}

/** A stream: its dictionary and its still-encoded bytes. */
export class PdfStream {
	constructor(
		readonly dict: PdfDict,
		readonly raw: Uint8Array,
		/** Object number, when it came from an indirect object (for cycle checks and messages). */
		readonly num?: number,
	) {}
}

export type PdfValue = null | boolean | number | string | PdfString | PdfRef | PdfDict | PdfStream | PdfValue[];

/** The dictionary of a dict or stream value. */
export function dictOf(value: unknown): PdfDict | undefined {
	if (value instanceof PdfDict) return value;
	if (value instanceof PdfStream) return value.dict;
	return undefined;
}

export function isName(value: unknown, name?: string): value is string {
	return typeof value === 'string' && (name === undefined || value === name);
}

export function isNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}
