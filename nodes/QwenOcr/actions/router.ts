import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { DashScopeConnection, RetryPolicy } from '../transport';
import { cancelSignal, dashScopeRequest, GENERATION_PATH, getConnection, uploadTemporaryFile } from '../transport';
import { errorToItemJson } from '../helpers/errors';
import type { ImageUnit, ItemImage } from '../helpers/imageInput';
import { itemImages, releaseEncoded } from '../helpers/imageInput';
import { mergePageResults } from '../helpers/mergePages';
import type { CoerceOptions } from '../helpers/fieldTypes';
import { applyFieldTypes } from '../helpers/fieldTypes';
import { estimateImageTokens, pixelBudget } from '../helpers/imageTokens';
import { costMetadata } from '../helpers/cost';
import { withArithmetic } from '../helpers/arithmetic';
import { bytesWithDataUrl } from '../helpers/image';
import { promptForTask } from '../helpers/taskPrompts';
import { supportsBuiltInTasks } from '../helpers/models';
import type { Settled } from '../helpers/concurrency';
import { ItemLimit, runBounded, settle, sharedPacers, SlotLease, Slots } from '../helpers/concurrency';
import type { OcrAnswer, OcrOperation, OperationName, ParseResult, TaskRequest } from '../helpers/interfaces';
import type { NodeOptions } from './common';
import { DEFAULT_OPTIONS } from './common';
import { OPERATIONS_BY_NAME } from './index';
import { itemParameter } from '../helpers/parameters';

function readOptions(this: IExecuteFunctions, itemIndex: number): NodeOptions {
	const options = itemParameter(this, 'options', itemIndex, {}) as Partial<NodeOptions>;
	return { ...DEFAULT_OPTIONS, ...options };
}


/** Where an inline image's data URL goes in the body's JSON (see `generationBodyBytes`). */
const INLINE_IMAGE = '\u0000qwen-ocr-inline-image\u0000';

/** The native generation request body for one image and one task (an inline image as a placeholder). */
export function buildGenerationBody(model: string, image: ItemImage, task: TaskRequest, options: NodeOptions): IDataObject {
	const imageEntry: IDataObject = { image: image.inline ? INLINE_IMAGE : image.image };
	if (options.minPixels > 0) imageEntry.min_pixels = options.minPixels;
	if (options.maxPixels > 0) imageEntry.max_pixels = options.maxPixels;
	// A PDF page's JPEG is passed through as stored: when the page shows it turned, DashScope straightens it.
	if (options.enableRotate || image.rotate) imageEntry.enable_rotate = true;
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

/**
 * The request body to send: JSON, with an inline image's data URL encoded straight into the bytes
 * (one copy of the encoded image per request, dropped once it is answered).
 */
export function generationBodyBytes(model: string, image: ItemImage, task: TaskRequest, options: NodeOptions): IDataObject | Buffer {
	const body = buildGenerationBody(model, image, task, options);
	if (!image.inline) return body;
	const json = JSON.stringify(body);
	const at = json.indexOf(JSON.stringify(INLINE_IMAGE));
	return bytesWithDataUrl(`${json.slice(0, at)}"`, image.inline.data, image.inline.mimeType, `"${json.slice(at + JSON.stringify(INLINE_IMAGE).length)}`);
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

/** What one image (a file or a PDF page) gave. */
interface UnitOutcome {
	unit: ImageUnit;
	parsed: ParseResult;
	metadata: IDataObject;
	truncated: boolean;
}

/** Where an image came from, added to `_qwenOcr` when the item had several files or pages. */
function unitMeta(unit: ImageUnit): IDataObject {
	return {
		...(unit.page !== undefined ? { page: unit.page, pageCount: unit.pageCount } : {}),
		...(unit.binaryPropertyName !== undefined ? { binaryPropertyName: unit.binaryPropertyName } : {}),
	};
}

interface ItemContext {
	operation: OcrOperation;
	connection: DashScopeConnection;
	itemIndex: number;
	options: NodeOptions;
	model: string;
	request: TaskRequest;
	retry: RetryPolicy;
	/** The request slots of the run, shared by every item and page. */
	slots: Slots;
}

/** What a request's answer needs of its image, kept while the encoded image itself is dropped between attempts. */
type ImageFacts = Pick<ItemImage, 'size' | 'frameUncertain' | 'rotate' | 'warnings'>;

function imageFacts(image: ItemImage): ImageFacts {
	return { size: image.size, frameUncertain: image.frameUncertain, rotate: image.rotate, warnings: image.warnings };
}

/**
 * One image's requests, holding `lease` (a request slot, taken by the caller before anything was
 * read). The image is read and encoded here, inside the slot; while it waits to retry it keeps
 * nothing (the next attempt reads and encodes it again), and it is released when its requests are
 * done. A big image's temporary upload runs inside the same slot.
 */
async function processUnit(this: IExecuteFunctions, context: ItemContext, unit: ImageUnit, lease: SlotLease): Promise<UnitOutcome> {
	const { connection, itemIndex, options, model, request } = context;
	let image: ItemImage | undefined;
	const load = async () => (image ??= await unit.load());
	const drop = () => {
		releaseEncoded(image);
		image = undefined;
	};
	const retry: RetryPolicy = {
		...context.retry,
		slots: lease,
		onWaiting: (waiting) => {
			if (waiting) drop();
			context.retry.onWaiting?.(waiting);
		},
	};
	try {
		// No local keeps the image: `image` is its only holder, so `drop` frees it.
		const [facts, tooLargeInline] = await load().then((loaded) => [imageFacts(loaded), loaded.upload !== undefined] as const);
		const headers: IDataObject = {};
		let ossUrl: string | undefined;
		if (tooLargeInline) {
			let uploading: ItemImage | undefined;
			const file = async () => {
				uploading = await load();
				const { upload } = uploading;
				if (!upload) throw new NodeOperationError(this.getNode(), 'The image changed while it was uploaded', { itemIndex });
				// The multipart body becomes the one copy of the file: nothing here keeps the bytes.
				image = undefined;
				uploading.upload = undefined;
				return upload;
			};
			try {
				ossUrl = await uploadTemporaryFile.call(this, connection, model, file, retry, itemIndex, options.timeout);
			} finally {
				releaseEncoded(uploading); // counted until the upload is done
			}
			drop(); // uploaded: the generation request carries only its oss:// URL
			headers['X-DashScope-OssResourceResolve'] = 'enable';
		}
		const body = async () => generationBodyBytes(model, ossUrl !== undefined ? { image: ossUrl, rotate: facts.rotate } : await load(), request, options);
		return await sendGeneration.call(this, context, unit, facts, body, headers, retry);
	} finally {
		drop();
	}
}

async function sendGeneration(
	this: IExecuteFunctions,
	context: ItemContext,
	unit: ImageUnit,
	image: ImageFacts,
	body: () => Promise<IDataObject | Buffer>,
	headers: IDataObject,
	retry: RetryPolicy,
): Promise<UnitOutcome> {
	const { operation, connection, itemIndex, options, model, request } = context;
	const { size } = image;
	const response = await dashScopeRequest.call(
		this,
		connection,
		{ method: 'POST', path: GENERATION_PATH, body, headers: { 'Content-Type': 'application/json', ...headers }, timeoutMs: options.timeout, billed: true },
		retry,
		itemIndex,
	);
	const answer = readAnswer(response.body);
	// An Exif-turned JPEG: the frame the boxes use is a guess, so they are not clamped to it.
	const parsed = operation.parse.call(this, { answer, request, imageSize: image.frameUncertain ? undefined : size, itemIndex });
	const truncated = parsed.partial || answer.finishReason === 'length';
	const metadata: IDataObject = options.includeMetadata
		? {
				model,
				task: request.task ?? null,
				requestId: response.body.request_id ?? null,
				inputSha256: unit.inputSha256 ?? null,
				usage: response.body.usage ?? null,
				...costMetadata(response.body.usage as IDataObject | undefined, model, connection.region, options.customPrices),
				finishReason: answer.finishReason ?? null,
				truncated,
				estimatedImageTokens: size
					? estimateImageTokens(size.width, size.height, {
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
	// What the PDF reader repaired or guessed on this page is never silent.
	if (image.warnings?.length) metadata.warnings = image.warnings;
	return { unit, parsed, metadata: { ...metadata, ...unitMeta(unit) }, truncated };
}

function routed(this: IExecuteFunctions, context: ItemContext, json: IDataObject, meta: IDataObject, truncated: boolean): RoutedItem {
	const input = this.getInputData()[context.itemIndex];
	const validation = meta.validation as { valid?: boolean } | undefined;
	return {
		data: {
			json: Object.keys(meta).length ? { ...json, _qwenOcr: meta } : { ...json },
			...(context.options.keepBinary && input.binary ? { binary: input.binary } : {}),
			pairedItem: { item: context.itemIndex },
		},
		needsReview: truncated || validation?.valid === false,
	};
}

/** What one request cost: on the first item it produced only, so summing over items counts it once. */
const PER_REQUEST_KEYS = ['usage', 'estimatedImageTokens', 'cost'];

/** The metadata of a request's second and later items: its per-request figures `null`, same requestId. */
function withoutPerRequestFigures(metadata: IDataObject): IDataObject {
	const rest = { ...metadata };
	for (const key of PER_REQUEST_KEYS) if (key in rest) rest[key] = null;
	return rest;
}

/** Items of one image; a PDF page's items also carry `page` and `pageCount` (never over an extracted field). */
function perUnitItems(this: IExecuteFunctions, context: ItemContext, outcome: UnitOutcome): RoutedItem[] {
	const { page, pageCount } = outcome.unit;
	return outcome.parsed.items.map((item, index) => {
		const json = page === undefined ? item.json : { page, pageCount, ...item.json };
		const metadata = index === 0 ? outcome.metadata : withoutPerRequestFigures(outcome.metadata);
		return routed.call(this, context, json, { ...metadata, ...(item.meta ?? {}) }, outcome.truncated);
	});
}

/** One item for a whole PDF (`pdfOutput = perDocument`): pages merged, each page's result kept in `pages`. */
function perDocumentItem(this: IExecuteFunctions, context: ItemContext, outcomes: UnitOutcome[]): RoutedItem[] {
	if (outcomes.some((outcome) => outcome.parsed.items.length !== 1)) {
		// Rows or line items as items: nothing to merge, the items of every page follow each other.
		return outcomes.flatMap((outcome) => perUnitItems.call(this, context, outcome));
	}
	const pages = outcomes.map((outcome) => ({ page: outcome.unit.page, ...outcome.parsed.items[0].json }) as IDataObject);
	const firstNonNull = context.operation.value === 'keyInformationExtraction';
	const merged = mergePageResults(outcomes.map((outcome) => outcome.parsed.items[0].json), firstNonNull);
	const truncated = outcomes.some((outcome) => outcome.truncated);
	const meta: IDataObject = { ...outcomes[0].metadata, pages: outcomes.map((outcome) => outcome.unit.page) };
	delete meta.page;
	if (context.options.includeMetadata) {
		meta.truncated = truncated;
		meta.requestId = outcomes.map((outcome) => outcome.metadata.requestId);
		const usage = sumUsage(outcomes.map((outcome) => outcome.metadata.usage as IDataObject | null));
		meta.usage = usage;
		delete meta.costNote;
		Object.assign(meta, costMetadata(usage, context.model, context.connection.region, context.options.customPrices));
		meta.estimatedImageTokens = outcomes.reduce((sum, outcome) => sum + (Number(outcome.metadata.estimatedImageTokens) || 0), 0);
	}
	const warnings = outcomes.flatMap((outcome) => (outcome.metadata.warnings as string[] | undefined) ?? []);
	if (warnings.length) meta.warnings = warnings;
	else delete meta.warnings;
	const rawTexts = outcomes.map((outcome) => outcome.metadata.rawText).filter((text) => typeof text === 'string');
	if (rawTexts.length) meta.rawText = rawTexts.join('\n\n');
	else delete meta.rawText;
	const validations = outcomes.map((outcome) => outcome.parsed.items[0].meta?.validation).filter(Boolean);
	if (validations.length && context.request.fieldRows) {
		meta.validation = validateMerged(merged, context) as unknown as IDataObject;
	}
	return [routed.call(this, context, { ...merged, pages, pageCount: outcomes[0].unit.pageCount ?? outcomes.length }, meta, truncated)];
}

function validateMerged(merged: IDataObject, context: ItemContext) {
	const coerce: CoerceOptions = {
		decimalSeparator: context.options.decimalSeparator,
		dateOrder: context.options.dateOrder,
	};
	const typed = applyFieldTypes(merged, context.request.fieldRows ?? [], coerce);
	return withArithmetic(typed.validation, typed.data, context.request.checks);
}

/** Adds up the token counts of several answers. */
function sumUsage(usages: Array<IDataObject | null>): IDataObject {
	const total: IDataObject = {};
	for (const usage of usages) {
		for (const key of ['input_tokens', 'output_tokens', 'total_tokens', 'image_tokens']) {
			if (typeof usage?.[key] === 'number') total[key] = ((total[key] as number) ?? 0) + (usage[key] as number);
		}
	}
	return total;
}

/**
 * Runs the item's images as request slots free up: the next image is read (a file, a PDF opened, a
 * page decoded) only once a slot is free for it, so an item holds no more images than there are
 * slots, whatever its page count. Without continueOnFail no image starts after a failure.
 */
async function runImages(
	this: IExecuteFunctions,
	context: ItemContext,
	continueOnFail: boolean,
): Promise<{ units: ImageUnit[]; results: Array<Settled<UnitOutcome>> }> {
	const { options, itemIndex } = context;
	const signal = cancelSignal(this);
	const pixels = pixelBudget({
		model: context.model,
		region: context.connection.region,
		minPixels: options.minPixels || undefined,
		maxPixels: options.maxPixels || undefined,
	});
	const images = itemImages.call(this, itemIndex, { pages: options.pages, maxPages: options.maxPages, pixels });
	const units: ImageUnit[] = [];
	const running: Array<Promise<Settled<UnitOutcome>>> = [];
	let failed = false;
	while (images.hasNext && (continueOnFail || !failed)) {
		const lease = new SlotLease(context.slots);
		// A cancel ends the wait for a slot at once (holding none): no further image is read or sent.
		const granted = await settle(lease.acquire(signal));
		if (!granted.ok) {
			await Promise.all(running);
			throw granted.error;
		}
		if (failed && !continueOnFail) {
			lease.release();
			break;
		}
		const next = await settle(images.next());
		if (!next.ok) {
			// The file could not be read or opened: the item fails once its running images are done.
			lease.release();
			await Promise.all(running);
			throw next.error;
		}
		const unit = next.value;
		units.push(unit);
		const outcome = settle(processUnit.call(this, context, unit, lease)).then((result) => {
			if (!result.ok) failed = true;
			return result;
		});
		running.push(outcome.finally(() => lease.release()));
	}
	return { units, results: await Promise.all(running) };
}

async function processItem(this: IExecuteFunctions, context: ItemContext, continueOnFail: boolean): Promise<RoutedItem[]> {
	const { options, itemIndex } = context;
	const { units, results } = await runImages.call(this, context, continueOnFail);
	const failure = results.find((result) => !result.ok);
	if (failure && !failure.ok && !continueOnFail) throw failure.error;
	const isPdf = units.some((unit) => unit.page !== undefined);
	if (options.pdfOutput !== 'perDocument' || !isPdf) {
		// Files and pages in their order, a failed one (continueOnFail) in its place.
		return results.flatMap((result, index) => {
			return result.ok ? perUnitItems.call(this, context, result.value) : [errorItem.call(this, itemIndex, result.error, units[index])];
		});
	}
	// One item per PDF: the pages that worked merged, then the pages that failed (continueOnFail).
	const groups = new Map<string, UnitOutcome[]>();
	const failed: RoutedItem[] = [];
	results.forEach((result, index) => {
		if (!result.ok) {
			failed.push(errorItem.call(this, itemIndex, result.error, units[index]));
			return;
		}
		const { unit } = result.value;
		const key = unit.page === undefined ? `file:${index}` : `pdf:${unit.binaryPropertyName ?? ''}`;
		groups.set(key, [...(groups.get(key) ?? []), result.value]);
	});
	const merged = [...groups].flatMap(([key, group]) =>
		key.startsWith('pdf:') ? perDocumentItem.call(this, context, group) : perUnitItems.call(this, context, group[0]),
	);
	return [...merged, ...failed];
}

/**
 * A failed item or page with continueOnFail: `{ error: { message, code, requestId, httpStatus, page?,
 * pageCount?, binaryPropertyName? } }` and nothing else, so "Continue (using error output)" routes it;
 * with the Needs Review output and "Continue (regular output)" it goes there, never to Valid.
 */
function errorItem(this: IExecuteFunctions, itemIndex: number, error: unknown, unit: Partial<ImageUnit> = {}): RoutedItem {
	return { data: { json: { error: errorToItemJson(error, unit) }, pairedItem: { item: itemIndex } }, needsReview: true };
}

/** Runs the chosen operation over all input items, in parallel within the Concurrency option. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operationName = this.getNodeParameter('operation', 0) as OperationName;
	const operation = OPERATIONS_BY_NAME[operationName];
	if (!operation) throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported`);
	const connection = await getConnection.call(this);
	const signal = cancelSignal(this);
	const firstOptions = readOptions.call(this, 0);
	const concurrency = Math.max(1, Math.floor(firstOptions.concurrency));
	// Requests in flight never pass the limit, however many items and pages run at once.
	const slots = new Slots(concurrency);
	// A rate quota is met by pacing request starts (learnt from 429s), not by cutting concurrency.
	// Every execution of this process using the same credential and endpoint shares the pacer.
	const pacer = sharedPacers.pacerFor(connection.baseUrl, String(connection.credentials.data?.apiKey ?? ''));
	const continueOnFail = this.continueOnFail();
	// An item waiting to retry holds no request slot: another item may start meanwhile.
	const itemLimit = new ItemLimit(concurrency);
	const results = await runBounded(
		items.length,
		itemLimit,
		async (itemIndex) => {
			const options = readOptions.call(this, itemIndex);
			const retry: RetryPolicy = {
				maxRetries: options.maxRetries,
				maxRetryWaitMs: options.maxRetryWait,
				onWaiting: (waiting) => itemLimit.setWaiting(waiting),
				pacer,
			};
			const model = String(itemParameter(this, 'model', itemIndex, 'qwen-vl-ocr')).trim() || 'qwen-vl-ocr';
			const request = operation.buildRequest.call(this, itemIndex);
			const context: ItemContext = { operation, connection, itemIndex, options, model, request, retry, slots };
			return await processItem.call(this, context, continueOnFail);
		},
		!continueOnFail,
		signal,
	);
	if (signal?.aborted) {
		// Stop or Timeout Workflow: n8n discards this node's output; say why the items were not read.
		throw new NodeOperationError(this.getNode(), 'The execution was canceled: Qwen OCR stopped reading', {
			description: 'Items not finished before the cancel were neither sent nor retried.',
		});
	}
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
			(splitReview ? review : output).push(errorItem.call(this, itemIndex, result.error).data);
			continue;
		}
		if (result.error instanceof NodeApiError || result.error instanceof NodeOperationError) throw result.error;
		throw new NodeOperationError(this.getNode(), result.error as Error, { itemIndex });
	}
	return splitReview ? [output, review] : [output];
}
