import type { INodeProperties } from 'n8n-workflow';

import type { OcrOperation } from '../helpers/interfaces';
import { inputError } from '../helpers/errors';
import { isStructurallyComplete, jsonAnswer, wholeText } from '../helpers/answerText';
import { itemParameter } from '../helpers/parameters';

/**
 * Custom prompt: a free instruction, no built-in task. `text` is the whole answer; `data` holds it parsed when
 * the answer is JSON (the whole answer, or one fenced JSON block among prose).
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. List every product name and price on this shelf label as JSON',
		description: 'What the model should do with the image. Ask for JSON to get it parsed into the data field.',
		displayOptions: { show: { operation: ['customPrompt'] } },
	},
];

export const customPrompt: OcrOperation = {
	value: 'customPrompt',
	name: 'Custom Prompt',
	action: 'Read an image with a custom prompt',
	description: 'Send your own instruction with the image; JSON answers are parsed',
	properties: description,
	buildRequest(itemIndex) {
		const prompt = String(itemParameter(this, 'prompt', itemIndex, '')).trim();
		if (!prompt) {
			throw inputError(this.getNode(), itemIndex, 'The prompt is empty', 'Enter an instruction in the Prompt field, or pick a built-in operation such as Recognize Text.');
		}
		return { prompt };
	},
	parse({ answer }) {
		const { text } = wholeText(answer.text);
		// The answer may be JSON, HTML or LaTeX as the prompt asked: any of them left open at the end is a cut.
		const partial = !isStructurallyComplete('any', answer.text);
		// data only when the answer is JSON (whole, or one fenced block), never from brackets in prose.
		const json = jsonAnswer(answer.text);
		if (json === undefined) return { items: [{ json: { text } }], partial };
		return { items: [{ json: { text, data: json.value as never } }], partial };
	},
};
