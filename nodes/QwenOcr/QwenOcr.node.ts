import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { buildOptionsProperty, inputProperties } from './actions/common';
import { OPERATIONS } from './actions';
import { router } from './actions/router';
import { qwenOcrApiTest } from './methods/credentialTest';
import { getModels } from './methods/loadOptions';
import { MODEL_TABLE } from './helpers/models';

/** Names (and aliases) of the models without built-in tasks, for the editor hint. */
const MODELS_WITHOUT_TASKS = MODEL_TABLE.filter((model) => !model.builtInTasks).flatMap((model) => [model.name, ...model.aliases]);

export class QwenOcr implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Qwen OCR',
		name: 'qwenOcr',
		icon: { light: 'file:qwenOcr.svg', dark: 'file:qwenOcr.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { textRecognition: "Recognize Text", advancedRecognition: "Text With Positions", keyInformationExtraction: "Extract Key Information", tableParsing: "Parse Table", documentParsing: "Parse Document", formulaRecognition: "Recognize Formula", multiLanguage: "Multi-Language Text", customPrompt: "Custom Prompt" }[$parameter["operation"]] }}',
		description: 'Read text, fields, tables and formulas from images with Alibaba Cloud Qwen-OCR',
		defaults: { name: 'Qwen OCR' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// A second output, "Needs Review", when key information extraction routes incomplete documents.
		outputs: `={{ $parameter.operation === "keyInformationExtraction" && $parameter.options?.needsReviewOutput ? [{ type: "${NodeConnectionTypes.Main}", displayName: "Valid" }, { type: "${NodeConnectionTypes.Main}", displayName: "Needs Review" }] : ["${NodeConnectionTypes.Main}"] }}`,
		credentials: [{ name: 'qwenOcrApi', required: true, testedBy: 'qwenOcrApiTest' }],
		hints: [
			{
				message:
					'qwen-vl-ocr-2024-10-28 has no built-in tasks: the node sends the task\'s documented prompt instead, so text positions (boxes) are not available and results may be less structured.',
				type: 'warning',
				location: 'ndv',
				whenToDisplay: 'always',
				displayCondition: `={{ ${JSON.stringify(MODELS_WITHOUT_TASKS)}.includes($parameter["model"]) && $parameter["operation"] !== "customPrompt" }}`,
			},
			{
				message:
					'DashScope downloads image URLs itself: a URL on localhost, an intranet or behind a login fails. Download the file first and use the Binary File input instead.',
				type: 'info',
				location: 'ndv',
				whenToDisplay: 'always',
				displayCondition: '={{ $parameter["inputType"] === "url" }}',
			},
			{
				message: 'Some answers were cut off (finish reason "length" or incomplete output): those items have _qwenOcr.truncated = true. Raise the Max Tokens option or split the image.',
				type: 'warning',
				location: 'outputPane',
				whenToDisplay: 'afterExecution',
				displayCondition: '={{ $json._qwenOcr?.truncated === true }}',
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: OPERATIONS.map(({ name, value, action, description }) => ({ name, value, action, description })),
				default: 'textRecognition',
			},
			...inputProperties,
			...OPERATIONS.flatMap((operation) => operation.properties),
			buildOptionsProperty(OPERATIONS.flatMap((operation) => operation.options ?? [])),
		],
	};

	methods = { credentialTest: { qwenOcrApiTest }, loadOptions: { getModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
