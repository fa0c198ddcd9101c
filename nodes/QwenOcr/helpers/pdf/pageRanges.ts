/** Page selections as users type them: "1-3, 5", "2-", "-3", "last", "3-last", or empty/"all" for every page. */
import { PdfError } from './errors';

/**
 * The 1-based page numbers `spec` selects, in the order given, without repeats. Throws PdfError ('page-range')
 * with a message saying what is wrong.
 */
export function parsePageRanges(spec: string, pageCount: number): number[] {
	const text = spec.trim().toLowerCase();
	if (text === '' || text === 'all' || text === '*') return Array.from({ length: pageCount }, (_, i) => i + 1);
	const pages: number[] = [];
	const seen = new Set<number>();
	const fail = (message: string): never => {
		throw new PdfError(message, 'page-range');
	};
	const page = (word: string, part: string): number => {
		if (word === 'last') return pageCount;
		if (!/^\d+$/.test(word)) return fail(`Invalid page range "${part}": use numbers like "1-3, 5", "4-" or "last"`);
		const n = Number(word);
		if (n < 1) fail(`Invalid page range "${part}": pages are numbered from 1`);
		if (n > pageCount) fail(`Page ${n} is out of range: the PDF has ${pageCount} page${pageCount === 1 ? '' : 's'}`);
		return n;
	};
	for (const raw of text.split(/[,;]/)) {
		const part = raw.trim();
		if (!part) continue;
		// Hyphen, en dash or em dash between the ends.
		const match = /^([^-\u2013\u2014]*?)\s*[-\u2013\u2014]\s*([^-\u2013\u2014]*)$/.exec(part);
		let from: number;
		let to: number;
		if (match) {
			from = match[1] ? page(match[1].trim(), part) : 1;
			to = match[2] ? page(match[2].trim(), part) : pageCount;
			if (!match[1] && !match[2]) fail(`Invalid page range "${part}"`);
			if (from > to) fail(`Invalid page range "${part}": it runs backwards; write ${to}-${from}`);
		} else {
			from = to = page(part, part);
		}
		for (let n = from; n <= to; n++) {
			if (!seen.has(n)) {
				seen.add(n);
				pages.push(n);
			}
		}
	}
	if (pages.length === 0) fail(`Invalid page range "${spec}": it selects no page`);
	return pages;
}
