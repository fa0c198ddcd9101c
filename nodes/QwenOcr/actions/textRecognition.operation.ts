import type { INodeProperties } from 'n8n-workflow';

import type { OcrOperation } from '../helpers/interfaces';
import { wholeText } from '../helpers/answerText';

/** Text recognition: all text of the image as one string, lines separated by newlines. */
export const description: INodeProperties[] = [];

export const textRecognition: OcrOperation = {
	value: 'textRecognition',
	name: 'Recognize Text',
	action: 'Recognize text in an image',
	description: 'Read all text of a document, screenshot or photo as plain text',
	properties: description,
	buildRequest: () => ({ task: 'text_recognition' }),
	parse({ answer }) {
		// The whole answer: fences go only when the answer is one fenced block (a screenshot of code keeps its prose).
		const { text, complete } = wholeText(answer.text);
		return { items: [{ json: { text } }], partial: !complete };
	},
};
