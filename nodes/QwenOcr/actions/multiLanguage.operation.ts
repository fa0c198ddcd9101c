import type { INodeProperties } from 'n8n-workflow';

import type { OcrOperation } from '../helpers/interfaces';
import { wholeText } from '../helpers/answerText';

/** Multi-language recognition: text in many scripts (Latin, Cyrillic, Arabic, CJK, ...). */
export const description: INodeProperties[] = [];

export const multiLanguage: OcrOperation = {
	value: 'multiLanguage',
	name: 'Recognize Multi-Language Text',
	action: 'Recognize multi language text in an image',
	description: 'Read text in several languages and scripts as plain text',
	properties: description,
	buildRequest: () => ({ task: 'multi_lan' }),
	parse({ answer }) {
		// The whole answer: fences go only when the answer is one fenced block (a screenshot of code keeps its prose).
		const { text, complete } = wholeText(answer.text);
		return { items: [{ json: { text } }], partial: !complete };
	},
};
