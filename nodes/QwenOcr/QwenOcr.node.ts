import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { inputProperties, optionsProperty } from './actions/common';
import { OPERATIONS } from './actions';
import { router } from './actions/router';
import { qwenOcrApiTest } from './methods/credentialTest';

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
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'qwenOcrApi', required: true, testedBy: 'qwenOcrApiTest' }],
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
			optionsProperty,
		],
	};

	methods = { credentialTest: { qwenOcrApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
