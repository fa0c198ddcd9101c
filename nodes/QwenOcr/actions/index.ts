import type { OcrOperation, OperationName } from '../helpers/interfaces';
import { textRecognition } from './textRecognition.operation';
import { advancedRecognition } from './advancedRecognition.operation';
import { keyInformationExtraction } from './keyInformationExtraction.operation';
import { tableParsing } from './tableParsing.operation';
import { documentParsing } from './documentParsing.operation';
import { formulaRecognition } from './formulaRecognition.operation';
import { multiLanguage } from './multiLanguage.operation';
import { customPrompt } from './customPrompt.operation';

/** Every operation of the node, in the order the editor lists them. */
export const OPERATIONS: OcrOperation[] = [
	textRecognition,
	advancedRecognition,
	keyInformationExtraction,
	tableParsing,
	documentParsing,
	formulaRecognition,
	multiLanguage,
	customPrompt,
];

export const OPERATIONS_BY_NAME = Object.fromEntries(OPERATIONS.map((op) => [op.value, op])) as Record<
	OperationName,
	OcrOperation
>;
