/** Types of the DashScope Qwen-OCR emulator (test/emulator/index.js). */

export type Region = 'intl' | 'us' | 'cn';

export type OcrTask =
	| 'text_recognition'
	| 'advanced_recognition'
	| 'key_information_extraction'
	| 'table_parsing'
	| 'document_parsing'
	| 'formula_recognition'
	| 'multi_lan';

export interface EmulatorOptions {
	/** The valid key (Bearer). Default 'sk-emulator-test'. */
	apiKey?: string;
	/** More valid keys, e.g. to test that oss:// uploads are bound to the key that uploaded them. */
	additionalApiKeys?: string[];
	/** 0 (default) = a random free port. Always binds 127.0.0.1. */
	port?: number;
	/** Delay before every generation/chat answer. Default 0. */
	latencyMs?: number;
	/** Decides which models exist (qwen-vl-ocr-latest: cn only) and the image-token patch. Default 'intl'. */
	region?: Region;
	/** Token bucket per API key for generation/chat requests; null (default) = unlimited. */
	ratePerMinute?: number | null;
	/** Send Retry-After with rate-limit 429s (the real API documents none). Default false. */
	sendRetryAfter?: boolean;
	/** Where fixture images and their .truth.json sidecars are. Default test/fixtures/images. */
	fixturesDir?: string;
	/** Larger request bodies get 413 BadRequest.TooLarge. Default 64 MiB. */
	maxBodyBytes?: number;
	/**
	 * More OCR model ids GET /compatible-mode/v1/models lists (e.g. a snapshot only this emulator knows,
	 * to tell a loaded list from the node's built-in one). Names matching qwen…ocr are accepted anyway.
	 */
	extraModels?: string[];
	/** Temporary uploads kept, the oldest dropped first. Default: all (a benchmark sending gigabytes sets it). */
	maxStoredUploads?: number;
}

/**
 * One injected fault, consumed by the next generation/chat request that passes the API-key check.
 * Applied in this order: wait `delayMs`, then `drop` (socket destroyed, no answer), `html` (a non-JSON
 * proxy page, status default 502), `status` (an error answer; code defaults by status: 429
 * Throttling.RateQuota, 503 ModelUnavailable, 504 RequestTimeOut, other 5xx InternalError), otherwise a
 * normal answer changed by `truncate` / `omitOcrResult`.
 */
export interface Fault {
	status?: number;
	code?: string;
	message?: string;
	/** Adds a Retry-After header (seconds) to a status fault. */
	retryAfterSeconds?: number;
	drop?: boolean;
	html?: boolean;
	/** Answer 200 with a JSON body of about this many bytes, streamed (to test the client's size cap). */
	oversizeBytes?: number;
	/** Answer this much later (on top of the latency), e.g. to trigger client time-outs. */
	delayMs?: number;
	/** Cut the answer text roughly in half mid-token, finish_reason "length", no ocr_result. */
	truncate?: boolean;
	/** Answer without ocr_result (KIE must then parse the text). */
	omitOcrResult?: boolean;
	/** Answer exactly this (text, optional ocr_result, finish_reason default "stop"), after all validation. */
	answer?: { text: string; ocrResult?: Record<string, unknown>; finishReason?: string };
	/** Report these token counts in `usage` instead of the computed ones (e.g. to check prices by hand). */
	tokens?: { textTokens?: number; imageTokens?: number; outputTokens?: number };
}

export interface ImageLogEntry {
	source: 'data' | 'url' | 'oss';
	/** MIME type declared in a data URL. */
	mime?: string;
	sniffedFormat?: 'png' | 'jpeg' | 'bmp' | 'tiff' | 'webp' | 'heic' | 'gif';
	bytes: number;
	/** SHA-256 of the image bytes: the same document sent twice (billed twice) has the same hash. */
	sha256: string;
	width?: number;
	height?: number;
	min_pixels?: number;
	max_pixels?: number;
	enable_rotate?: boolean;
}

export interface RequestLogEntry {
	method: string;
	path: string;
	query: Record<string, string>;
	/** Lower-cased header names, as received (authorization included: this log is for tests only). */
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON body, or null (not JSON, multipart, empty). */
	body: any;
	/** HTTP status sent; 0 while in flight or when the socket was dropped. */
	status: number;
	/** DashScope code of an error answer (OSS code for uploads; 'DROPPED' / 'HTML' for those faults). */
	code: string | undefined;
	requestId: string;
	/** Images of a generation request, in order, as far as they were read. */
	images: ImageLogEntry[];
	model: string | undefined;
	/** ocr_options.task as requested (native only). */
	task: string | undefined;
	/** The task the answer was produced as (from ocr_options, from a vendor prompt, or text_recognition). */
	answeredAs: string | undefined;
	/** Chat stand-in (a non-OCR Qwen model on the compatible endpoint, lib/chat.js): what it answered. */
	chat?: { kind: 'tool_calls' | 'final_answer' | 'chat'; tool?: string; arguments?: unknown; answer?: string };
	/** The injected fault this request consumed. */
	fault: Fault | undefined;
	/** Object key stored by a successful OSS upload. */
	uploadedKey: string | undefined;
	/** The usage a successful generation answer carried. */
	usage?: Record<string, unknown>;
	startedAt: number;
	endedAt: number | undefined;
}

export interface EmulatorStats {
	/** Generation + chat requests being served now (including latency waits). */
	inFlight: number;
	maxInFlight: number;
	/** Generation + chat requests received since start/reset. */
	generationRequests: number;
}

export interface Emulator {
	/** 'http://127.0.0.1:PORT' — use as the credential's custom base URL. */
	readonly baseUrl: string;
	readonly port: number;
	readonly apiKey: string;
	readonly region: Region;
	/** Live log, one entry per HTTP request (same array across reset()). */
	readonly requests: RequestLogEntry[];
	/** Live counters (same object across reset()). */
	readonly stats: EmulatorStats;
	enqueueFaults(list: Fault[]): void;
	/** Answers every generation/chat request whose raw body contains `bodyContains` with `fault` (before the queue, without consuming it). */
	addFaultRule(bodyContains: string, fault: Fault): void;
	/** Faults not consumed yet. */
	pendingFaults(): number;
	setLatency(ms: number): void;
	/** How long an OSS upload takes before it is stored; a client that gives up first stores nothing. */
	setUploadLatency(ms: number): void;
	/** null disables the limit. Resets the buckets. */
	/** Token bucket refilled at perMinute; `burst` = capacity (default one second's worth); `windowMs` = fixed windows instead. */
	setRateLimit(perMinute: number | null, opts?: { sendRetryAfter?: boolean; burst?: number; windowMs?: number }): void;
	/** Clears the log, faults, stats, rate limit and latency (uploads are kept). */
	reset(): void;
	/** Stops the server and destroys open sockets. */
	close(): Promise<void>;
}

export function startEmulator(options?: EmulatorOptions): Promise<Emulator>;
