import type { INodeProperties } from 'n8n-workflow';

import type { OcrOperation } from '../helpers/interfaces';
import { isStructurallyComplete, stripFence, stripMathDelimiters } from '../helpers/answerText';

/** Formula recognition: a printed or handwritten formula as LaTeX, without $$ delimiters. */
export const description: INodeProperties[] = [];

export const formulaRecognition: OcrOperation = {
	value: 'formulaRecognition',
	name: 'Recognize Formula',
	action: 'Recognize a formula',
	description: 'Read mathematical formulas as LaTeX strings',
	properties: description,
	buildRequest: () => ({ task: 'formula_recognition' }),
	parse({ answer }) {
		const fenced = stripFence(answer.text);
		const latex = stripMathDelimiters(fenced.content);
		const complete = isStructurallyComplete('latex', answer.text);
		return { items: [{ json: { latex } }], partial: !complete };
	},
};
