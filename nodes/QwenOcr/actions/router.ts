import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { DashScopeConnection, RetryPolicy } from '../transport';
import { dashScopeRequest, GENERATION_PATH, getConnection, uploadTemporaryFile } from '../transport';
import { errorToItemJson } from '../helpers/errors';
import type { ItemImage } from '../helpers/imageInput';
import { loadItemImage } from '../helpers/imageInput';
import { estimateImageTokens } from '../helpers/imageTokens';
import { promptForTask, supportsBuiltInTasks } from '../helpers/taskPrompts';
import { AdaptiveLimit, runBounded } from '../helpers/concurrency';
import type { OcrAnswer, OcrOperation, OperationName, TaskRequest } from '../helpers/interfaces';
import type { NodeOptions } from './common';
import { DEFAULT_OPTIONS } from './common';
import { OPERATIONS_BY_NAME } from './index';

function readOptions(this: IExecuteFunctions, itemIndex: number): NodeOptions {
	const options = this.getNodeParameter('options', itemIndex, {}) as Partial<NodeOptions>;
	return { ...DEFAULT_OPTIONS, ...options };
}

/** The native generation request body for one image and one task. */
export function buildGenerationBody(model: string, image: ItemImage, task: TaskRequest, options: NodeOptions): IDataObject {
	const imageEntry: IDataObject = { image: image.image };
	if (options.minPixels > 0) imageEntry.min_pixels = options.minPixels;
	if (options.maxPixels > 0) imageEntry.max_pixels = options.maxPixels;
	if (options.enableRotate) imageEntry.enable_rotate = true;
	const content: IDataObject[] = [imageEntry];
	const parameters: IDataObject = {};
	if (task.task && !supportsBuiltInTasks(model)) {
		content.push({ text: promptForTask(task.task, task.resultSchema) });
	} else {
		if (task.prompt) content.push({ text: task.prompt });
		if (task.task) {
			parameters.ocr_options = task.taskConfig ? { task: task.task, task_config: task.taskConfig } : { task: task.task };
		}
	}
	if (options.maxTokens > 0) parameters.max_tokens = options.maxTokens;
	return { model, input: { messages: [{ role: 'user', content }] }, parameters };
}

/** The first choice's text and ocr_result from a native answer. */
export function readAnswer(body: IDataObject): OcrAnswer {
	const output = (body.output ?? {}) as IDataObject;
	const choice = ((output.choices as IDataObject[] | undefined) ?? [])[0] ?? {};
	const message = (choice.message ?? {}) as IDataObject;
	const content = message.content;
	const parts = Array.isArray(content) ? (content as IDataObject[]) : [{ text: content }];
	const text = parts.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
	const ocrResult = parts.find((part) => typeof part.ocr_result === 'object' && part.ocr_result !== null)?.ocr_result as
		| IDataObject
		| undefined;
	return { text, ocrResult, finishReason: choice.finish_reason as string | undefined };
}

/** An output item and whether it belongs on the "Needs Review" output. */
interface RoutedItem {
	data: INodeExecutionData;
	needsReview: boolean;
}

async function processItem(
	this: IExecuteFunctions,
	operation: OcrOperation,
	connection: DashScopeConnection,
	itemIndex: number,
	retry: RetryPolicy,
): Promise<RoutedItem[]> {
	const options = readOptions.call(this, itemIndex);
	const model = String(this.getNodeParameter('model', itemIndex, 'qwen-vl-ocr')).trim() || 'qwen-vl-ocr';
	const request = operation.buildRequest.call(this, itemIndex);
	const image = await loadItemImage.call(this, itemIndex);
	const headers: IDataObject = {};
	if (image.upload) {
		image.image = await uploadTemporaryFile.call(this, connection, model, image.upload, retry, itemIndex);
		image.upload = undefined; // release the file before the (long) generation request
		headers['X-DashScope-OssResourceResolve'] = 'enable';
	}
	const body = buildGenerationBody(model, image, request, options);
	const response = await dashScopeRequest.call(
		this,
		connection,
		{ method: 'POST', path: GENERATION_PATH, body, headers, timeoutMs: options.timeout },
		retry,
		itemIndex,
	);
	const answer = readAnswer(response.body);
	const parsed = operation.parse.call(this, { answer, request, imageSize: image.size, itemIndex });
	const truncated = parsed.partial || answer.finishReason === 'length';
	const metadata: IDataObject = options.includeMetadata
		? {
				model,
				task: request.task ?? null,
				requestId: response.body.request_id ?? null,
				usage: response.body.usage ?? null,
				finishReason: answer.finishReason ?? null,
				truncated,
				estimatedImageTokens: image.size
					? estimateImageTokens(image.size.width, image.size.height, {
							model,
							region: connection.region,
							minPixels: options.minPixels || undefined,
							maxPixels: options.maxPixels || undefined,
						})
					: null,
			}
		: truncated
			? { truncated }
			: {};
	if (options.includeRawText || truncated) metadata.rawText = answer.text;
	const input = this.getInputData()[itemIndex];
	return parsed.items.map((item) => {
		const meta = { ...metadata, ...(item.meta ?? {}) };
		const json: IDataObject = Object.keys(meta).length ? { ...item.json, _qwenOcr: meta } : { ...item.json };
		const validation = meta.validation as { valid?: boolean } | undefined;
		return {
			data: {
				json,
				...(options.keepBinary && input.binary ? { binary: input.binary } : {}),
				pairedItem: { item: itemIndex },
			},
			needsReview: truncated || validation?.valid === false,
		};
	});
}

/** Runs the chosen operation over all input items, in parallel within the Concurrency option. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operationName = this.getNodeParameter('operation', 0) as OperationName;
	const operation = OPERATIONS_BY_NAME[operationName];
	if (!operation) throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported`);
	const connection = await getConnection.call(this);
	const firstOptions = readOptions.call(this, 0);
	const limit = new AdaptiveLimit(Math.max(1, Math.floor(firstOptions.concurrency)));
	const continueOnFail = this.continueOnFail();
	const results = await runBounded(
		items.length,
		limit,
		async (itemIndex) => {
			const options = itemIndex === 0 ? firstOptions : readOptions.call(this, itemIndex);
			const retry: RetryPolicy = {
				maxRetries: options.maxRetries,
				maxRetryWaitMs: options.maxRetryWait,
				onThrottled: () => limit.onThrottled(),
				onSuccess: (durationMs) => limit.onSuccess(durationMs),
			};
			return await processItem.call(this, operation, connection, itemIndex, retry);
		},
		!continueOnFail,
	);
	const splitReview = operationName === 'keyInformationExtraction' && firstOptions.needsReviewOutput;
	const output: INodeExecutionData[] = [];
	const review: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < results.length; itemIndex++) {
		const result = results[itemIndex];
		if (result === undefined) continue; // not started: an earlier item failed without continueOnFail
		if (result.ok) {
			for (const { data, needsReview } of result.value) (splitReview && needsReview ? review : output).push(data);
			continue;
		}
		if (continueOnFail) {
			output.push({ json: { error: errorToItemJson(result.error) }, pairedItem: { item: itemIndex } });
			continue;
		}
		if (result.error instanceof NodeApiError || result.error instanceof NodeOperationError) throw result.error;
		throw new NodeOperationError(this.getNode(), result.error as Error, { itemIndex });
	}
	return splitReview ? [output, review] : [output];
}
