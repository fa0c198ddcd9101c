/**
 * Test helpers: the Qwen OCR node (TypeScript sources) run through n8n-core's engine against
 * a fresh DashScope emulator.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { QwenOcr } from '../../nodes/QwenOcr/QwenOcr.node';
import { sharedPacers } from '../../nodes/QwenOcr/helpers/concurrency';
import { QwenOcrApi } from '../../credentials/QwenOcrApi.credentials';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runNode, loadOptions } = require('./harness');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startEmulator } = require('../emulator');

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'images');
export const API_KEY = 'sk-emulator-test-0123456789';

export interface Emulator {
	baseUrl: string;
	apiKey: string;
	requests: Array<IDataObject & { path: string; headers: Record<string, string>; body: IDataObject; images?: IDataObject[] }>;
	stats: { inFlight: number; maxInFlight: number; generationRequests: number };
	enqueueFaults(faults: IDataObject[]): void;
	/** Answers every generation request whose raw body contains `bodyContains` with `fault`. */
	addFaultRule(bodyContains: string, fault: IDataObject): void;
	setLatency(ms: number): void;
	setUploadLatency(ms: number): void;
	setRateLimit(perMinute: number | null): void;
	reset(): void;
	close(): Promise<void>;
}

export async function startTestEmulator(options: IDataObject = {}): Promise<Emulator> {
	return (await startEmulator({ apiKey: API_KEY, port: 0, ...options })) as Emulator;
}

/**
 * One emulator for a test file: started before its tests, reset before each, closed after. The
 * returned object forwards to the running emulator.
 */
export function useEmulator(options: IDataObject = {}): Emulator {
	let current: Emulator | undefined;
	beforeAll(async () => {
		current = await startTestEmulator(options);
	});
	afterAll(async () => {
		await current?.close();
	});
	// A reset emulator is a fresh account: the pacer executions of this process share (keyed by the
	// emulator's URL and key) must not carry what an earlier test's 429s taught into the next test.
	beforeEach(() => {
		current?.reset();
		sharedPacers.clear();
	});
	return new Proxy({} as Emulator, {
		get: (_target, key) => {
			if (!current) throw new Error('The emulator is not running yet (use it inside a test)');
			const value = (current as unknown as Record<string | symbol, unknown>)[key];
			return typeof value === 'function' ? value.bind(current) : value;
		},
	});
}

export function fixture(name: string): Buffer {
	return readFileSync(path.join(FIXTURES, name));
}

export function truth(name: string): IDataObject {
	return JSON.parse(readFileSync(path.join(FIXTURES, name.replace(/\.\w+$/, '.truth.json')), 'utf8')) as IDataObject;
}

/** An input item holding a fixture image as binary data (memory mode, as n8n stores small files). */
export function binaryItem(name: string, property = 'data', mimeType?: string): INodeExecutionData {
	const data = fixture(name);
	return {
		json: { file: name },
		binary: {
			[property]: {
				data: data.toString('base64'),
				mimeType: mimeType ?? (name.endsWith('.jpg') ? 'image/jpeg' : 'image/png'),
				fileName: name,
				fileExtension: name.split('.').pop(),
			},
		},
	};
}

export interface RunResult {
	items: INodeExecutionData[];
	/** Every output of the node (the second is "Needs Review" when enabled). */
	outputs: INodeExecutionData[][];
	error?: Error & IDataObject;
}

export async function runQwenOcr(
	emulator: Emulator,
	parameters: IDataObject,
	items: INodeExecutionData[] = [{ json: {} }],
	extra: {
		continueOnFail?: boolean;
		onError?: 'continueRegularOutput' | 'continueErrorOutput';
		apiKey?: string;
		binaryMode?: 'default' | 'filesystem';
		region?: 'intl' | 'us' | 'cn';
		onStart?: (cancel: () => void) => void;
		node?: QwenOcr;
	} = {},
): Promise<RunResult> {
	return (await runNode({
		node: extra.node ?? new QwenOcr(),
		credentialTypes: { qwenOcrApi: new QwenOcrApi() },
		// A DashScope region (its base URL pointed at the emulator by the test) or the emulator as a custom base URL.
		credentials: { qwenOcrApi: { region: extra.region ?? 'custom', baseUrl: emulator.baseUrl, apiKey: extra.apiKey ?? API_KEY } },
		parameters,
		items,
		continueOnFail: extra.continueOnFail,
		onError: extra.onError,
		onStart: extra.onStart,
		binaryMode: extra.binaryMode,
	})) as RunResult;
}

/** The generation requests the emulator received, in arrival order. */
export function generationRequests(emulator: Emulator) {
	return emulator.requests.filter((request) => request.path.endsWith('/multimodal-generation/generation'));
}

/**
 * The Model field's options as the editor loads them (n8n-core's LoadOptionsContext), for a node whose
 * credential has this base URL and key; `withCredential: false` = no credential selected yet.
 */
export async function loadModelOptions(
	credential: { baseUrl: string; apiKey?: string; region?: string },
	extra: { parameters?: IDataObject; withCredential?: boolean } = {},
): Promise<Array<{ name: string; value: string; description?: string }>> {
	return (await loadOptions({
		node: new QwenOcr(),
		credentialTypes: { qwenOcrApi: new QwenOcrApi() },
		credentials: { qwenOcrApi: { region: credential.region ?? 'custom', baseUrl: credential.baseUrl, apiKey: credential.apiKey ?? API_KEY } },
		method: 'getModels',
		parameters: extra.parameters ?? { operation: 'textRecognition' },
		withCredential: extra.withCredential,
	})) as Array<{ name: string; value: string; description?: string }>;
}
