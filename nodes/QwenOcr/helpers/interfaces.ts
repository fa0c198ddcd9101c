import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ArithmeticCheck } from './arithmetic';
import type { TypedFieldRow } from './fieldTypes';

export type OperationName =
	| 'textRecognition'
	| 'advancedRecognition'
	| 'keyInformationExtraction'
	| 'tableParsing'
	| 'documentParsing'
	| 'formulaRecognition'
	| 'multiLanguage'
	| 'customPrompt';

/** `ocr_options.task` values of the native API. */
export type OcrTask =
	| 'text_recognition'
	| 'advanced_recognition'
	| 'key_information_extraction'
	| 'table_parsing'
	| 'document_parsing'
	| 'formula_recognition'
	| 'multi_lan';

/** The task-specific part of one generation request. */
export interface TaskRequest {
	task?: OcrTask;
	taskConfig?: IDataObject;
	/** Free instruction sent as the message's text entry. */
	prompt?: string;
	/** KIE: the result_schema sent, used to give every schema key a value in the output. */
	resultSchema?: IDataObject;
	/** KIE: the typed rows behind the schema (types and required flags), when it was built from rows. */
	fieldRows?: TypedFieldRow[];
	/** KIE presets: the document's arithmetic to check (invoice, receipt). */
	checks?: ArithmeticCheck[];
}

/** The first choice of a native generation answer. */
export interface OcrAnswer {
	text: string;
	ocrResult?: IDataObject;
	finishReason?: string;
}

export interface ImageSize {
	width: number;
	height: number;
}

export interface ParseInput {
	answer: OcrAnswer;
	request: TaskRequest;
	/** Real size of the input image when known (binary and base64 input). */
	imageSize?: ImageSize;
	itemIndex: number;
}

export interface ParsedItem {
	json: IDataObject;
	/** Item-specific metadata merged into `_qwenOcr` (e.g. tableIndex, rowIndex). */
	meta?: IDataObject;
}

export interface ParseResult {
	items: ParsedItem[];
	/** The answer was structurally incomplete and the parse is best effort. */
	partial: boolean;
}

/** One operation of the node: its fields, its request part and its parser, in one file. */
export interface OcrOperation {
	value: OperationName;
	name: string;
	action: string;
	description: string;
	properties: INodeProperties[];
	/** Entries this operation adds to the shared Options collection. */
	options?: INodeProperties[];
	buildRequest(this: IExecuteFunctions, itemIndex: number): TaskRequest;
	parse(this: IExecuteFunctions, input: ParseInput): ParseResult;
}
