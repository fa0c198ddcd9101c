import type { INodeProperties } from 'n8n-workflow';

import type { CustomPrices } from '../helpers/cost';
import { modelFieldDescription, priceTableDate } from '../helpers/models';

/** Fields every operation shares: where the image comes from, the model, and the options. */

export const inputProperties: INodeProperties[] = [
	{
		displayName: 'Input Type',
		name: 'inputType',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'An image in a binary property of the input item' },
			{ name: 'Image URL', value: 'url', description: 'A public http(s) URL that DashScope downloads' },
			{ name: 'Base64', value: 'base64', description: 'Base64 image data or a data:image/...;base64 URL' },
		],
		default: 'binary',
		description: 'Where the image comes from',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'data',
		hint: 'The name of the input item\'s binary property holding the image',
		displayOptions: { show: { inputType: ['binary'] } },
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/invoice.png',
		description: 'A public http(s) URL of the image. DashScope downloads it itself, so it must be reachable from the internet.',
		displayOptions: { show: { inputType: ['url'] } },
	},
	{
		displayName: 'Base64 Data',
		name: 'base64Data',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'iVBORw0KGgo... or data:image/png;base64,iVBORw0KGgo...',
		description: 'The image as base64 text. The real image format is detected from the data.',
		displayOptions: { show: { inputType: ['base64'] } },
	},
	{
		displayName: 'Model Name or ID',
		name: 'model',
		type: 'options',
		// The OCR models DashScope lists for the credential, else the model table's list
		// (methods/loadOptions.ts); any other model name is typed as an expression.
		typeOptions: { loadOptionsMethod: 'getModels' },
		default: 'qwen-vl-ocr',
		description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: modelFieldDescription(),
	},
];

/** Options every operation shares; operations add their own entries (shown only for them). */
const sharedOptions: INodeProperties[] = [
	{
		displayName: 'PDF Pages',
		name: 'pages',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1-3, 5 or 2-last',
		description: 'Which pages of a scanned PDF to read; empty reads every page',
		displayOptions: { show: { '/inputType': ['binary', 'base64'] } },
	},
	{
		displayName: 'PDF Max Pages',
		name: 'maxPages',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'The most pages read from one PDF (0 = no limit), to cap cost on long documents',
		displayOptions: { show: { '/inputType': ['binary', 'base64'] } },
	},
	{
		displayName: 'PDF Output',
		name: 'pdfOutput',
		type: 'options',
		options: [
			{ name: 'One Item per Page', value: 'perPage', description: 'Each page is its own item with page and pageCount in _qwenOcr' },
			{ name: 'One Item per Document', value: 'perDocument', description: 'Pages merged into one item: text joined, fields merged, line items concatenated; pages[] keeps each page' },
		],
		default: 'perPage',
		displayOptions: { show: { '/inputType': ['binary', 'base64'] } },
	},
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 64 },
		default: 5,
		description: 'The most requests in flight at once. The node slows down by itself when DashScope throttles.',
	},
	{
		displayName: 'Custom Prices',
		name: 'customPrices',
		type: 'collection',
		placeholder: 'Add Price',
		default: {},
		description: `Your own prices for _qwenOcr.cost instead of the built-in table (vendor page of ${priceTableDate}), e.g. for a discount, a gateway or a custom base URL. Set both prices.`,
		options: [
			{
				displayName: 'Currency',
				name: 'currency',
				type: 'string',
				default: 'USD',
				description: 'Currency of the prices, e.g. USD or CNY',
			},
			{
				displayName: 'Input Price per Million Tokens',
				name: 'inputPerMillion',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 6 },
				default: 0,
				description: 'Price of one million input tokens (image and prompt)',
			},
			{
				displayName: 'Output Price per Million Tokens',
				name: 'outputPerMillion',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 6 },
				default: 0,
				description: 'Price of one million output tokens (the answer)',
			},
		],
	},
	{
		displayName: 'Enable Rotation Correction',
		name: 'enableRotate',
		type: 'boolean',
		default: false,
		description: 'Whether DashScope should straighten rotated or skewed images before reading them',
	},
	{
		displayName: 'Include Metadata',
		name: 'includeMetadata',
		type: 'boolean',
		default: true,
		description: 'Whether to add _qwenOcr with model, task, request ID, token usage and truncation flags to each item',
	},
	{
		displayName: 'Include Raw Text',
		name: 'includeRawText',
		type: 'boolean',
		default: false,
		description: 'Whether to add the model\'s answer as received under _qwenOcr.rawText (always added when the answer was incomplete)',
	},
	{
		displayName: 'Keep Binary Data',
		name: 'keepBinary',
		type: 'boolean',
		default: true,
		description: 'Whether output items keep the input item\'s binary data, e.g. to archive or attach the file after extraction',
	},
	{
		displayName: 'Max Pixels',
		name: 'maxPixels',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Upper bound on image pixels after the model\'s resize (0 = model default, 8,388,608). Lower it to save tokens on large scans.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 20 },
		default: 8,
		description: 'How often one request is retried after throttling (429), server errors or dropped connections. Errors in the request itself are never retried; a request that timed out or lost its connection after it was sent is retried at most once (it may have been billed).',
	},
	{
		displayName: 'Max Retry Wait (Ms)',
		name: 'maxRetryWait',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 120000,
		description: 'The longest one item waits in total across its retries, in milliseconds',
	},
	{
		displayName: 'Max Tokens',
		name: 'maxTokens',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 8192 },
		default: 0,
		description: 'Longest answer in tokens (0 = model default, 4,096). Above 4,096 needs qwen-vl-ocr-2025-11-20 or an approved quota.',
	},
	{
		displayName: 'Min Pixels',
		name: 'minPixels',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Lower bound on image pixels: smaller images are upscaled (0 = model default, 3,072). Raise it for tiny text.',
	},
	{
		displayName: 'Timeout (Ms)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1000 },
		default: 360000,
		description: 'How long one request may take before it is abandoned, in milliseconds. The default fits an 8,192-token answer. DashScope may still process and bill a request that timed out, so it is retried at most once.',
	},
];

/** The `options` collection: shared entries and the operations' own, in alphabetical order. */
export function buildOptionsProperty(operationOptions: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...sharedOptions, ...operationOptions].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

export interface NodeOptions {
	concurrency: number;
	customPrices?: CustomPrices;
	dateOrder: 'DMY' | 'MDY' | 'YMD';
	decimalSeparator: 'auto' | '.' | ',';
	maxPages: number;
	pages: string;
	pdfOutput: 'perPage' | 'perDocument';
	enableRotate: boolean;
	headerRow: number;
	needsReviewOutput: boolean;
	includeMetadata: boolean;
	includeRawText: boolean;
	keepBinary: boolean;
	maxPixels: number;
	maxRetries: number;
	maxRetryWait: number;
	maxTokens: number;
	minPixels: number;
	tableOutput: 'tables' | 'rows';
	timeout: number;
}

export const DEFAULT_OPTIONS: NodeOptions = {
	concurrency: 5,
	dateOrder: 'DMY',
	decimalSeparator: 'auto',
	maxPages: 0,
	pages: '',
	pdfOutput: 'perPage',
	enableRotate: false,
	headerRow: 0,
	needsReviewOutput: false,
	includeMetadata: true,
	includeRawText: false,
	keepBinary: true,
	maxPixels: 0,
	maxRetries: 8,
	maxRetryWait: 120000,
	maxTokens: 0,
	minPixels: 0,
	tableOutput: 'tables',
	timeout: 360000,
};
