import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ImageSize, OcrOperation } from '../helpers/interfaces';
import { isStructurallyComplete, wholeText } from '../helpers/answerText';

/**
 * Advanced recognition: every text line with its box. Boxes come from `ocr_result.words_info`,
 * which is in pixels of the original image; the 0-1000 boxes in the answer text are not used.
 */
export const description: INodeProperties[] = [];

export interface RecognizedLine {
	text: string;
	location: number[];
	rotateRect: number[];
}

function clamp(value: number, max: number | undefined): number {
	const rounded = Math.round(value);
	if (max === undefined) return rounded;
	return Math.min(Math.max(rounded, 0), max);
}

function numbers(value: unknown): number[] {
	return Array.isArray(value) ? value.map(Number).filter((n) => Number.isFinite(n)) : [];
}

/** Corners (x1,y1,...,x4,y4) clamped into the image: the API reports boxes slightly outside it. */
export function clampLocation(location: number[], size?: ImageSize): number[] {
	return location.map((value, index) => clamp(value, index % 2 === 0 ? size?.width : size?.height));
}

/** [cx, cy, w, h, angle]: the centre is kept inside the image, size and angle as given. */
export function clampRotateRect(rect: number[], size?: ImageSize): number[] {
	return rect.map((value, index) => {
		if (index === 0) return clamp(value, size?.width);
		if (index === 1) return clamp(value, size?.height);
		return value;
	});
}

export function wordsInfoToLines(wordsInfo: unknown, size?: ImageSize): RecognizedLine[] {
	if (!Array.isArray(wordsInfo)) return [];
	return wordsInfo
		.filter((word): word is IDataObject => typeof word === 'object' && word !== null)
		.map((word) => ({
			text: typeof word.text === 'string' ? word.text : '',
			location: clampLocation(numbers(word.location), size),
			rotateRect: clampRotateRect(numbers(word.rotate_rect), size),
		}));
}

export const advancedRecognition: OcrOperation = {
	value: 'advancedRecognition',
	name: 'Recognize Text With Positions',
	action: 'Recognize text lines with positions',
	description: 'Read every text line with its bounding box in image pixels',
	properties: description,
	buildRequest: () => ({ task: 'advanced_recognition' }),
	parse({ answer, imageSize }) {
		const wordsInfo = answer.ocrResult?.words_info;
		// A cut answer has an open fence; the vendor's own complete answer leaves its JSON unclosed, so only the
		// fence counts. A missing words_info is no cut: the model just gave no boxes.
		const partial = !isStructurallyComplete('text', answer.text);
		if (!Array.isArray(wordsInfo)) {
			// Without words_info (qwen-vl-ocr-2024-10-28 on the task's prompt, a proxy stripping ocr_result) there
			// are no trustworthy boxes: the model's text is all there is.
			return { items: [{ json: { text: wholeText(answer.text).text, lines: [] } }], partial };
		}
		const lines = wordsInfoToLines(wordsInfo, imageSize);
		const text = lines.map((line) => line.text).join('\n');
		return { items: [{ json: { text, lines: lines as unknown as IDataObject[] } }], partial };
	},
};
