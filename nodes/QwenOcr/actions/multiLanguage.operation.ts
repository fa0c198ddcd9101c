import type { INodeProperties } from 'n8n-workflow';

import type { OcrOperation } from '../helpers/interfaces';
import { stripFence } from '../helpers/answerText';

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
		const { content: text, complete } = stripFence(answer.text);
		return { items: [{ json: { text } }], partial: !complete };
	},
};
