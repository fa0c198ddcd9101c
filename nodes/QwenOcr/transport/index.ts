import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IHttpRequestOptions,
	ICredentialDataDecryptedObject,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DashScopeFailure } from '../helpers/errors';
import { isRetryable, maybeProcessed, parseErrorBody, toNodeApiError } from '../helpers/errors';
import type { PacerTicket, RatePacer, SlotLease } from '../helpers/concurrency';
import { ExecutionCanceled, pause } from '../helpers/concurrency';

/** The single HTTP door of the node: every DashScope call goes through `dashScopeRequest`. */

export const CREDENTIAL_TYPE = 'qwenOcrApi';

export const REGION_BASE_URLS: Record<string, string> = {
	intl: 'https://dashscope-intl.aliyuncs.com',
	us: 'https://dashscope-us.aliyuncs.com',
	cn: 'https://dashscope.aliyuncs.com',
};

export const GENERATION_PATH = '/api/v1/services/aigc/multimodal-generation/generation';
export const UPLOAD_POLICY_PATH = '/api/v1/uploads';
/**
 * DashScope's OpenAI-compatible model list (`{ object: 'list', data: [{ id, ... }] }`), as OpenAI
 * clients read it. Not on the Qwen-OCR vendor page (n8n's own Alibaba Cloud node reads the native,
 * paged `/api/v1/models` instead).
 */
export const MODELS_PATH = '/compatible-mode/v1/models';

/** Node methods that call DashScope: execution, and the editor's option loading (model list). */
export type DashScopeContext = IExecuteFunctions | ILoadOptionsFunctions;

export function resolveBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const region = (credentials.region as string | undefined) ?? 'intl';
	const url = region === 'custom' ? String(credentials.baseUrl ?? '').trim() : REGION_BASE_URLS[region];
	if (!url) throw new Error('The Qwen OCR credential has no base URL: set one or choose a region.');
	return url.replace(/\/+$/, '');
}

export interface DashScopeConnection {
	baseUrl: string;
	/** intl | us | cn, or `custom` when a custom base URL is not one of DashScope's own hosts. */
	region: string;
	/**
	 * The credential, decrypted once per execution and handed to n8n's authenticated request
	 * helper, which would otherwise decrypt it again for every request.
	 */
	credentials: ICredentialsDecrypted;
}

/** The region of a base URL, so token estimates stay right when a credential uses a custom URL. */
export function regionOf(baseUrl: string, configured: string): string {
	if (configured !== 'custom') return configured;
	const match = Object.entries(REGION_BASE_URLS).find(([, url]) => baseUrl.startsWith(url));
	return match ? match[0] : 'custom';
}

export async function getConnection(this: DashScopeContext): Promise<DashScopeConnection> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	try {
		const baseUrl = resolveBaseUrl(credentials);
		return {
			baseUrl,
			region: regionOf(baseUrl, (credentials.region as string | undefined) ?? 'intl'),
			credentials: { id: this.getNode().credentials?.[CREDENTIAL_TYPE]?.id ?? '', name: CREDENTIAL_TYPE, type: CREDENTIAL_TYPE, data: credentials },
		};
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error);
	}
}

export interface RetryPolicy {
	maxRetries: number;
	/** Total time one request may spend waiting between attempts. */
	maxRetryWaitMs: number;
	/** Called when the request starts (true) and ends (false) a wait before its next attempt. */
	onWaiting?: (waiting: boolean) => void;
	/**
	 * The image's request slot: each attempt takes it (unless held), a wait before a retry gives it
	 * back, and the caller releases it once the image is done (its requests share one slot).
	 */
	slots?: SlotLease;
	/** Shared pacing of request starts, learnt from throttling. */
	pacer?: RatePacer;
}

/** The execution's cancel signal (Stop, Timeout Workflow); older n8n versions may have none. */
export function cancelSignal(context: DashScopeContext): AbortSignal | undefined {
	// The editor's option-loading context has no execution to cancel, and older n8n have no signal.
	return 'getExecutionCancelSignal' in context && typeof context.getExecutionCancelSignal === 'function' ? context.getExecutionCancelSignal() : undefined;
}

/** Ends the node's work once the execution is canceled: nothing new starts after that. */
export function throwIfCanceled(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new ExecutionCanceled();
}

export const NO_RETRY: RetryPolicy = { maxRetries: 0, maxRetryWaitMs: 0 };

export interface DashScopeRequest {
	method: IHttpRequestMethods;
	path: string;
	/** A function is called for each attempt once it holds its slot, so a waiting retry keeps no body. */
	body?: IDataObject | Buffer | (() => Promise<IDataObject | Buffer>);
	qs?: IDataObject;
	headers?: IDataObject;
	timeoutMs?: number;
	/**
	 * A billed request (generation): one that timed out, or whose connection dropped after it was
	 * sent, may have been processed and billed, so it is retried at most once.
	 */
	billed?: boolean;
}

/**
 * The largest answer read. OCR answers are at most a few hundred KB (8,192 tokens of text plus
 * boxes); anything far larger is not DashScope speaking, and reading it whole could exhaust memory.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

/**
 * Exponential backoff with full jitter. When the server says when to come back (Retry-After), that
 * time plus up to 10 % of jitter: growing the wait further would only leave the quota unused.
 */
export function backoffDelayMs(attempt: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
	if (retryAfterSeconds !== undefined) return Math.floor(retryAfterSeconds * 1000 * (1 + 0.1 * random()));
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
	return Math.floor(random() * ceiling);
}

function headerValue(headers: IDataObject | undefined, name: string): string | undefined {
	const value = headers?.[name] ?? headers?.[name.toLowerCase()];
	return typeof value === 'string' ? value : undefined;
}

function parseRetryAfter(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds;
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

interface FullResponse {
	body: unknown;
	headers: IDataObject;
	statusCode: number;
}

interface ByteStream {
	on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
	on(event: 'end' | 'close', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	destroy(): unknown;
}

function isByteStream(value: unknown): value is ByteStream {
	return typeof value === 'object' && value !== null && typeof (value as ByteStream).on === 'function' && typeof (value as ByteStream).destroy === 'function';
}

/** The bytes of a stream, or undefined once they pass `limit` (the stream is then destroyed unread). */
async function readStream(stream: ByteStream, limit: number): Promise<Buffer | undefined> {
	return await new Promise((resolve, reject) => {
		const chunks: Uint8Array[] = [];
		let size = 0;
		let settled = false;
		const settle = (value: Buffer | undefined, error?: Error) => {
			if (settled) return;
			settled = true;
			if (error) reject(error);
			else resolve(value);
		};
		stream.on('data', (chunk) => {
			size += chunk.length;
			if (size > limit) {
				stream.destroy();
				settle(undefined);
			} else chunks.push(chunk);
		});
		stream.on('end', () => settle(chunks.length === 1 ? Buffer.from(chunks[0].buffer, chunks[0].byteOffset, chunks[0].byteLength) : Buffer.concat(chunks)));
		stream.on('error', (error) => settle(undefined, error));
		stream.on('close', () => settle(undefined, new Error('socket hang up')));
	});
}

/**
 * Reads a streamed answer up to `limit` bytes and parses it as JSON when it is JSON; `undefined`
 * when it is larger (the rest is never read).
 */
export async function readCappedBody(body: unknown, limit = MAX_RESPONSE_BYTES): Promise<{ value: unknown } | undefined> {
	if (!isByteStream(body)) return { value: body };
	const bytes = await readStream(body, limit);
	if (bytes === undefined) return undefined;
	const text = bytes.toString('utf8');
	if (text.trim() === '') return { value: undefined };
	try {
		return { value: JSON.parse(text) as unknown };
	} catch {
		return { value: text };
	}
}

/** A transport error (no HTTP answer) reduced to its code and message; request config and headers are dropped. */
function networkFailure(error: unknown): DashScopeFailure {
	const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
	const cause = (record.cause ?? {}) as Record<string, unknown>;
	const rawCode = [record.code, cause.code].find((value) => typeof value === 'string') as string | undefined;
	const message = error instanceof Error ? error.message : String(error);
	const timedOut = /timeout|timed out/i.test(message) || rawCode === 'ECONNABORTED';
	const networkCode = timedOut ? 'ETIMEDOUT' : /socket hang up/i.test(message) ? 'ECONNRESET' : (rawCode ?? 'ECONNRESET');
	return { networkCode, message: timedOut ? 'The request timed out' : message };
}

/**
 * Sends one DashScope request with the credential's Bearer key, retrying throttling, server faults
 * and dropped connections within the retry policy. Throws a NodeApiError with DashScope's code,
 * message and request id when the request finally fails.
 */
export async function dashScopeRequest(
	this: DashScopeContext,
	connection: DashScopeConnection,
	request: DashScopeRequest,
	retry: RetryPolicy,
	itemIndex?: number,
): Promise<{ body: IDataObject; headers: IDataObject }> {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${connection.baseUrl}${request.path}`,
		qs: request.qs,
		headers: { Accept: 'application/json', ...(request.headers ?? {}) },
		json: true,
		// Streamed, so the answer's size can be capped while it is read (n8n's helpers have no limit).
		encoding: 'stream',
		timeout: request.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	const signal = cancelSignal(this);
	let waitedMs = 0;
	let unknownOutcomes = 0;
	for (let attempt = 0; ; attempt++) {
		let failure: DashScopeFailure;
		await retry.slots?.acquire(signal);
		let ticket: PacerTicket | undefined;
		let paced = false;
		try {
			// The body is built for each attempt once the slot is held (a waiting retry keeps none).
			options.body = typeof request.body === 'function' ? await request.body() : request.body;
			throwIfCanceled(signal);
			ticket = await retry.pacer?.take(signal);
			paced = true;
		} finally {
			if (!paced) {
				// Canceled (or the image unreadable) before sending: hold neither body nor slot.
				options.body = undefined;
				retry.slots?.release();
			}
		}
		try {
			// Canceled while waiting: never start a request (n8n's helper would fail it, after our wait).
			throwIfCanceled(signal);
			const response = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, options, {
				credentialsDecrypted: connection.credentials,
			})) as FullResponse;
			const requestId = headerValue(response.headers, 'x-request-id') ?? headerValue(response.headers, 'x-dashscope-request-id');
			const read = await readCappedBody(response.body);
			const body = read?.value;
			const ok = response.statusCode >= 200 && response.statusCode < 300;
			if (ok && read && typeof body === 'object' && body !== null) {
				retry.pacer?.onSuccess(ticket);
				return { body: body as IDataObject, headers: response.headers };
			}
			if (!read) {
				failure = {
					httpStatus: response.statusCode,
					message: `The answer was larger than ${MAX_RESPONSE_BYTES / 1048576} MB and was not read; DashScope's answers are far smaller, so check the base URL of the credential`,
					requestId,
				};
			} else {
				failure = ok
					? { httpStatus: response.statusCode, message: 'DashScope answered without a JSON body', requestId }
					: parseErrorBody(response.statusCode, body, requestId);
			}
			failure.retryAfterSeconds = parseRetryAfter(headerValue(response.headers, 'retry-after'));
		} catch (error) {
			failure = networkFailure(error);
		}
		options.body = undefined;
		// Aborted by the cancel (n8n's helper aborts requests in flight): no failure to retry or report.
		throwIfCanceled(signal);
		if (failure.httpStatus === 429) {
			retry.pacer?.onThrottled(ticket, failure.retryAfterSeconds);
		} else {
			retry.pacer?.onFailure(ticket);
		}
		const delayMs = backoffDelayMs(attempt, failure.retryAfterSeconds);
		if (request.billed && maybeProcessed(failure)) unknownOutcomes++;
		if (
			!isRetryable(failure) ||
			attempt >= retry.maxRetries ||
			waitedMs + delayMs > retry.maxRetryWaitMs ||
			unknownOutcomes > 1
		) {
			throw toNodeApiError(this.getNode(), failure, itemIndex);
		}
		waitedMs += delayMs;
		// No slot while waiting: another image may use it.
		retry.slots?.release();
		retry.onWaiting?.(true);
		try {
			await pause(delayMs, signal);
		} finally {
			retry.onWaiting?.(false);
		}
	}
}

/** The editor waits on the model list: a slow or silent endpoint falls back to the built-in list soon. */
const MODEL_LIST_TIMEOUT_MS = 15_000;

/**
 * The model ids DashScope lists for the credential (its region, or the custom base URL): one
 * request, no retries, the credential's Bearer key as on every call.
 */
export async function listModelIds(this: ILoadOptionsFunctions): Promise<string[]> {
	const connection = await getConnection.call(this);
	const { body } = await dashScopeRequest.call(this, connection, { method: 'GET', path: MODELS_PATH, timeoutMs: MODEL_LIST_TIMEOUT_MS }, NO_RETRY);
	const data: unknown[] = Array.isArray(body.data) ? body.data : [];
	return data
		.map((entry) => (typeof entry === 'object' && entry !== null ? (entry as IDataObject).id : undefined))
		.filter((id): id is string => typeof id === 'string' && id.trim() !== '');
}

/**
 * The credential test's request: an upload policy is free, needs a valid key and answers
 * 401 InvalidApiKey otherwise. Credential tests run before the credential is saved, so they
 * get only the `request` helper of ICredentialTestFunctions and set the Bearer header themselves.
 */
export async function probeCredential(
	helpers: ICredentialTestFunctions['helpers'],
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	let baseUrl: string;
	try {
		baseUrl = resolveBaseUrl(data);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	try {
		const response = (await helpers.request({
			method: 'GET',
			uri: `${baseUrl}${UPLOAD_POLICY_PATH}`,
			qs: { action: 'getPolicy', model: 'qwen-vl-ocr' },
			headers: { Authorization: `Bearer ${String(data.apiKey ?? '')}` },
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: 20000,
		})) as { statusCode: number; body: unknown };
		if (response.statusCode >= 200 && response.statusCode < 300) {
			return { status: 'OK', message: 'Connection successful' };
		}
		const failure = parseErrorBody(response.statusCode, response.body);
		return { status: 'Error', message: `${failure.code ? `${failure.code}: ` : ''}${failure.message}` };
	} catch (error) {
		return { status: 'Error', message: `Could not reach ${baseUrl}: ${(error as Error).message}` };
	}
}

interface UploadPolicy {
	policy: string;
	signature: string;
	upload_dir: string;
	upload_host: string;
	oss_access_key_id: string;
	x_oss_object_acl: string;
	x_oss_forbid_overwrite: string;
	max_file_size_mb?: number;
}

/** A multipart/form-data body with the file part last, as OSS post-object requires. */
export function buildMultipart(fields: Array<[string, string]>, file: { name: string; mimeType: string; data: Uint8Array }): { body: Buffer; contentType: string } {
	const boundary = `----qwenOcr${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const parts: Buffer[] = fields.map(([name, value]) =>
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'),
	);
	parts.push(
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`,
			'utf8',
		),
		// A view, not a copy: the body below is the one copy of the file.
		Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength),
		Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
	);
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * The object key and the multipart body. Its own function so that nothing but the body refers to the
 * file once it is built: the caller drops its copy, and the file's bytes are freed during the upload.
 */
async function uploadForm(policy: UploadPolicy, file: () => Promise<{ name: string; mimeType: string; data: Uint8Array }>) {
	const { name, mimeType, data } = await file();
	const key = `${policy.upload_dir}/${name}`;
	const multipart = buildMultipart(
		[
			['OSSAccessKeyId', policy.oss_access_key_id],
			['Signature', policy.signature],
			['policy', policy.policy],
			['key', key],
			['x-oss-object-acl', policy.x_oss_object_acl],
			['x-oss-forbid-overwrite', policy.x_oss_forbid_overwrite],
			['success_action_status', '200'],
			['x-oss-content-type', mimeType],
		],
		{ name, mimeType, data },
	);
	return { key, multipart };
}

/**
 * DashScope's temporary upload for images too large to send inline (base64 string over 10 MB):
 * policy -> multipart upload to OSS -> `oss://` URL, valid 48 h for this model and account.
 * The OSS host gets the policy's signature, never the API key. `file` is read after the policy
 * came (a wait to retry the policy request holds no file), and the upload holds the request slot.
 */
export async function uploadTemporaryFile(
	this: IExecuteFunctions,
	connection: DashScopeConnection,
	model: string,
	file: () => Promise<{ name: string; mimeType: string; data: Uint8Array }>,
	retry: RetryPolicy,
	itemIndex: number,
	timeoutMs?: number,
): Promise<string> {
	const signal = cancelSignal(this);
	const { body } = await dashScopeRequest.call(
		this,
		connection,
		{ method: 'GET', path: UPLOAD_POLICY_PATH, qs: { action: 'getPolicy', model } },
		retry,
		itemIndex,
	);
	const policy = body.data as unknown as UploadPolicy | undefined;
	if (!policy?.upload_host || !policy.upload_dir) {
		throw toNodeApiError(this.getNode(), { message: 'DashScope returned no upload policy', requestId: body.request_id as string | undefined }, itemIndex);
	}
	await retry.slots?.acquire(signal);
	const { key, multipart } = await uploadForm(policy, file);
	let response: FullResponse;
	throwIfCanceled(signal);
	try {
		// n8n's plain request helper gets no cancel signal of its own: Stop must abort the upload
		// (a stored file bills storage), and a stalled upload must end within the Timeout option.
		response = (await this.helpers.httpRequest({
			method: 'POST',
			url: policy.upload_host,
			body: multipart.body,
			headers: { 'Content-Type': multipart.contentType },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			timeout: timeoutMs,
			...(signal ? { abortSignal: signal } : {}),
		})) as FullResponse;
	} catch (error) {
		throwIfCanceled(signal);
		throw toNodeApiError(this.getNode(), networkFailure(error), itemIndex);
	}
	if (response.statusCode < 200 || response.statusCode >= 300) {
		const text = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : String(response.body ?? '');
		const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
		const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? `HTTP ${response.statusCode}`;
		throw toNodeApiError(this.getNode(), { httpStatus: response.statusCode, code, message: `Temporary upload failed: ${message}` }, itemIndex);
	}
	return `oss://${key}`;
}
