import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from './objects';

/**
 * Merges the results of a PDF's pages into one (`pdfOutput = perDocument`): lists are concatenated
 * (line items, text lines, tables), objects merged key by key, and single values either joined
 * (text and LaTeX, page after page) or, for extracted fields, the first page's non-null value
 * (an invoice number printed on every page is still one invoice number).
 */
export function mergePageResults(pages: IDataObject[], firstNonNull: boolean): IDataObject {
	return mergeValues(pages, firstNonNull) as IDataObject;
}

function mergeValues(values: unknown[], firstNonNull: boolean): unknown {
	const present = values.filter((value) => value !== null && value !== undefined);
	if (present.length === 0) return values.length ? null : undefined;
	if (present.every(Array.isArray)) return (present as unknown[][]).flat();
	if (present.every(isPlainObject)) {
		const keys = [...new Set((present as IDataObject[]).flatMap((value) => Object.keys(value)))];
		const merged: IDataObject = {};
		for (const key of keys) merged[key] = mergeValues((present as IDataObject[]).map((value) => value[key]), firstNonNull) as IDataObject[string];
		return merged;
	}
	if (!firstNonNull && present.every((value) => typeof value === 'string')) {
		return (present as string[]).filter((text) => text !== '').join('\n\n');
	}
	return present[0];
}
