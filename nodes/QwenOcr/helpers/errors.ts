import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** What DashScope said about a failed request, in either of its two error body shapes. */
export interface DashScopeFailure {
	httpStatus?: number;
	code?: string;
	message: string;
	requestId?: string;
	/** Seconds from a `Retry-After` header, when the server sent one. */
	retryAfterSeconds?: number;
	/** A transport-level failure (reset, time-out) rather than an HTTP answer. */
	networkCode?: string;
}

/** The error context keys this package sets on every NodeApiError it throws. */
export interface DashScopeErrorContext {
	dashScopeCode?: string;
	requestId?: string;
	httpStatus?: number;
	retryable: boolean;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ESOCKETTIMEDOUT',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
	'ERR_BAD_RESPONSE',
]);
const RETRYABLE_CODE_PREFIXES = ['Throttling', 'InternalError', 'SystemError', 'ModelServiceFailed', 'RequestTimeOut', 'ModelServingError', 'ModelUnavailable'];

/** Retry only what can succeed on a second try: throttling, server faults, dropped connections. */
export function isRetryable(failure: DashScopeFailure): boolean {
	if (failure.networkCode !== undefined) return RETRYABLE_NETWORK_CODES.has(failure.networkCode);
	if (failure.httpStatus !== undefined && [400, 401, 403, 404, 413].includes(failure.httpStatus)) return false;
	if (failure.httpStatus !== undefined && RETRYABLE_STATUS.has(failure.httpStatus)) return true;
	return RETRYABLE_CODE_PREFIXES.some((prefix) => failure.code?.startsWith(prefix) ?? false);
}

/**
 * A failure after which the request may still have been processed, and billed: it timed out, or its
 * connection dropped once it was sent. Only a failed name lookup surely never reached DashScope.
 */
export function maybeProcessed(failure: DashScopeFailure): boolean {
	return failure.networkCode !== undefined && failure.networkCode !== 'EAI_AGAIN';
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;
}

function asString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads a native (`{code, message, request_id}`) or compatible-mode (`{error: {...}}`) error body. */
export function parseErrorBody(httpStatus: number, body: unknown, headerRequestId?: string): DashScopeFailure {
	let parsed: unknown = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body);
		} catch {
			// Not JSON: a proxy or load balancer answered (HTML page). Keep a short, tag-free excerpt.
			const excerpt = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
			return {
				httpStatus,
				message: excerpt ? `HTTP ${httpStatus} from the server: ${excerpt}` : `HTTP ${httpStatus} with an empty body`,
				requestId: headerRequestId,
			};
		}
	}
	const record = asRecord(parsed) ?? {};
	const compatible = asRecord(record.error);
	const code = asString(record.code) ?? asString(compatible?.code) ?? asString(compatible?.type);
	const message =
		asString(record.message) ?? asString(compatible?.message) ?? `HTTP ${httpStatus} without an error message`;
	const requestId = asString(record.request_id) ?? asString(record.id) ?? headerRequestId;
	return { httpStatus, code, message, requestId };
}

/** What a user can do about each DashScope error code. */
function hintFor(failure: DashScopeFailure): string | undefined {
	const code = failure.code ?? '';
	if (code === 'InvalidApiKey' || code === 'invalid_api_key' || failure.httpStatus === 401) {
		return 'Check the API key in the Qwen OCR credential. Keys only work in the region they were created in: Singapore keys with the Singapore region, Beijing keys with Beijing, Virginia keys with Virginia.';
	}
	if (code === 'Arrearage') return 'Your Alibaba Cloud account has an overdue payment. Top up the account in the Billing console, then run the workflow again.';
	if (code === 'DataInspectionFailed') return 'The image or prompt was rejected by content moderation. This item cannot be processed as it is.';
	if (code.startsWith('AccessDenied') || code === 'Model.AccessDenied') {
		return 'This key may not use this model. Activate Model Studio and the model for the key\'s workspace, or choose a model available in your region.';
	}
	if (code === 'ModelNotFound' || code === 'model_not_supported' || /model not exist/i.test(failure.message)) {
		return 'The model name is not available in this region (for example qwen-vl-ocr-latest exists only in Beijing). Choose another model or region.';
	}
	if (code.startsWith('Throttling')) {
		return 'The account\'s rate limit was reached and retries did not get through. Lower the Concurrency option, raise Max Retries, or ask Alibaba Cloud for a higher quota.';
	}
	if (code === 'BadRequest.TooLarge' || /too large|data-uri|10485760/i.test(failure.message)) {
		return 'The image is too large. Files above about 7 MB are uploaded temporarily; above 10 MB, shrink or recompress the image first.';
	}
	if (failure.networkCode !== undefined) {
		return 'The connection to DashScope failed. Check the region / base URL of the credential and your network; raise the Timeout option for large images.';
	}
	if (failure.httpStatus !== undefined && failure.httpStatus >= 500) {
		return 'DashScope had a temporary problem and retries did not get through. Run the workflow again later.';
	}
	if (code === 'InvalidParameter' && /download/i.test(failure.message)) {
		return 'DashScope could not download the image URL. Use a public http(s) URL, or pass the file as binary data instead.';
	}
	return undefined;
}

const NETWORK_MESSAGES: Record<string, string> = {
	ECONNRESET: 'the connection was closed before DashScope answered',
	EPIPE: 'the connection was closed while the request was sent',
	UND_ERR_SOCKET: 'the connection was closed before DashScope answered',
	ETIMEDOUT: 'no answer within the Timeout option',
	ESOCKETTIMEDOUT: 'no answer within the Timeout option',
	ECONNABORTED: 'the connection was aborted',
	ECONNREFUSED: 'the server refused the connection',
	ENOTFOUND: 'the host name could not be resolved',
	EAI_AGAIN: 'the host name could not be resolved (DNS lookup failed)',
};

/** A NodeApiError carrying DashScope's code, message and request id (and never request headers). */
export function toNodeApiError(node: INode, failure: DashScopeFailure, itemIndex?: number): NodeApiError {
	const context: DashScopeErrorContext = {
		dashScopeCode: failure.code ?? failure.networkCode,
		requestId: failure.requestId,
		httpStatus: failure.httpStatus,
		retryable: isRetryable(failure),
	};
	// NodeApiError swaps any message naming ECONNRESET, ETIMEDOUT… (or carrying such a code) for a
	// generic sentence, one that even advises "Retry on Fail" though this node has retried already:
	// network failures get words instead, their code stays in the context.
	const details = failure.networkCode
		? (NETWORK_MESSAGES[failure.networkCode] ?? failure.message)
		: [failure.code ? `[${failure.code}]` : undefined, failure.message].filter(Boolean).join(' ');
	const descriptionParts = [hintFor(failure), failure.requestId ? `Request ID: ${failure.requestId}` : undefined];
	const error = new NodeApiError(
		node,
		{ code: failure.code ?? null, message: failure.message, request_id: failure.requestId ?? null } as JsonObject,
		{
			message: `DashScope request failed: ${details}`,
			description: descriptionParts.filter(Boolean).join(' '),
			httpCode: failure.httpStatus !== undefined ? String(failure.httpStatus) : undefined,
			itemIndex,
		},
	);
	Object.assign(error.context, context);
	return error;
}

/** Where a failed image came from: the PDF page and the binary property, when the item had several. */
export interface ErrorPlace {
	page?: number;
	pageCount?: number;
	binaryPropertyName?: string;
}

/**
 * The `error` of a failed item with `continueOnFail`: `{ message, code, requestId, httpStatus }` and
 * where the image came from. The item holds nothing else, so n8n's "Continue (using error output)"
 * moves it to the error output.
 */
export function errorToItemJson(error: unknown, place: ErrorPlace = {}): { message: string; code?: string; requestId?: string; httpStatus?: number; description?: string } & ErrorPlace {
	const where: ErrorPlace = {
		...(place.page !== undefined ? { page: place.page, pageCount: place.pageCount } : {}),
		...(place.binaryPropertyName !== undefined ? { binaryPropertyName: place.binaryPropertyName } : {}),
	};
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		const context = error.context as Partial<DashScopeErrorContext>;
		return {
			message: error.message,
			...(error.description ? { description: error.description } : {}),
			...(context.dashScopeCode ? { code: context.dashScopeCode } : {}),
			...(context.requestId ? { requestId: context.requestId } : {}),
			...(context.httpStatus !== undefined ? { httpStatus: context.httpStatus } : {}),
			...where,
		};
	}
	return { message: error instanceof Error ? error.message : String(error), ...where };
}

/** A user error in one item's input, with the item named and what to do. */
export function inputError(node: INode, itemIndex: number, message: string, description?: string): NodeOperationError {
	return new NodeOperationError(node, `Item ${itemIndex}: ${message}`, { itemIndex, description });
}
