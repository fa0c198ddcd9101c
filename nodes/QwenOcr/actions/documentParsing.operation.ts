import type { INodeProperties } from 'n8n-workflow';

import type { OcrOperation } from '../helpers/interfaces';
import { isStructurallyComplete, stripFence } from '../helpers/answerText';

/** Document parsing: a scanned page or PDF image as LaTeX (headings, paragraphs, tables, formulas). */
export const description: INodeProperties[] = [];

export const documentParsing: OcrOperation = {
	value: 'documentParsing',
	name: 'Parse Document',
	action: 'Parse a document into structured text',
	description: 'Turn a scanned page into LaTeX that keeps headings, paragraphs, tables and formulas',
	properties: description,
	buildRequest: () => ({ task: 'document_parsing' }),
	parse({ answer }) {
		const fenced = stripFence(answer.text);
		// An open `document` is normal (the vendor's own sample never closes it); other open environments are cuts.
		const complete = isStructurallyComplete('latex', answer.text);
		return { items: [{ json: { latex: fenced.content } }], partial: !complete };
	},
};
