// @ts-check
/**
 * Runs a node inside n8n-core's real execution engine (WorkflowExecute), the way n8n runs it:
 * a workflow "Start (trigger) -> node under test", real credential resolution through a
 * credentials helper that applies the credential type's `authenticate`, and n8n's
 * BinaryDataService for binary input (memory or filesystem mode).
 * Used by the jest tests (with the TypeScript sources) and by the demo (with dist/).
 */
// Quiet n8n's own logger (it prints every node error) unless the caller asks for it.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL ?? 'silent';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Container } = require('@n8n/di');
const { WorkflowExecute, ExecutionLifecycleHooks, BinaryDataService, BinaryDataConfig, LoadOptionsContext } = require('n8n-core');
const { Workflow, ICredentialsHelper } = require('n8n-workflow');

const NODE_TYPE = 'n8n-nodes-qwen-ocr.qwenOcr';
const TRIGGER_TYPE = 'n8n-nodes-base.manualTrigger';

/** Resolves `={{$credentials.x}}` templates of a generic `authenticate` block. */
function resolveTemplate(value, credentials) {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	return value.slice(1).replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key) => String(credentials[key] ?? ''));
}

class TestCredentialsHelper extends ICredentialsHelper {
	/** @param {Record<string, any>} credentialTypes @param {Record<string, any>} credentials */
	constructor(credentialTypes, credentials) {
		super();
		this.credentialTypes = credentialTypes;
		this.credentials = credentials;
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(credentials, typeName, requestOptions) {
		const type = this.credentialTypes[typeName];
		const auth = type?.authenticate;
		if (!auth) return requestOptions;
		if (typeof auth === 'function') return await auth(credentials, requestOptions);
		const options = { ...requestOptions, headers: { ...(requestOptions.headers ?? {}) } };
		for (const [key, value] of Object.entries(auth.properties.headers ?? {})) {
			options.headers[key] = resolveTemplate(value, credentials);
		}
		if (auth.properties.qs) {
			options.qs = { ...(options.qs ?? {}) };
			for (const [key, value] of Object.entries(auth.properties.qs)) options.qs[key] = resolveTemplate(value, credentials);
		}
		return options;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials() {
		throw new Error('not used in tests');
	}
	async getDecrypted(_additionalData, _nodeCredentials, type) {
		const data = this.credentials[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		return { ...data };
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties(type) {
		return this.credentialTypes[type]?.properties ?? [];
	}
}

let binaryModeReady;

/**
 * Sets up n8n's BinaryDataService once per process. `filesystem` stores binaries on disk as
 * n8n does with N8N_DEFAULT_BINARY_DATA_MODE=filesystem.
 * @param {'default' | 'filesystem'} mode
 */
async function initBinaryData(mode = 'default') {
	if (!binaryModeReady) {
		binaryModeReady = (async () => {
			const config = Container.get(BinaryDataConfig);
			config.mode = mode;
			config.availableModes = ['default', 'filesystem'];
			config.localStoragePath = path.join(os.tmpdir(), `qwen-ocr-binary-${process.pid}`);
			const service = Container.get(BinaryDataService);
			await service.init();
			return service;
		})();
	}
	return await binaryModeReady;
}

/**
 * A manual trigger that emits the given items. With `storeBinaries`, binary entries are stored
 * through n8n's own prepareBinaryData, as a Read File node does (on disk in filesystem mode).
 */
function triggerType(items, storeBinaries) {
	return {
		description: {
			displayName: 'Start',
			name: 'manualTrigger',
			group: ['trigger'],
			version: 1,
			description: '',
			defaults: { name: 'Start' },
			inputs: [],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			if (!storeBinaries) return [items];
			const stored = [];
			// An entry shared by many items (the benchmark's) is stored once, as a copied reference
			// is in n8n: storing it per item would put item-count × file size through this trigger.
			const once = new Map();
			for (const item of items) {
				const binary = {};
				for (const [key, value] of Object.entries(item.binary ?? {})) {
					// `file`: a path streamed to the store (the benchmark's big inputs never sit in memory whole).
					const content = value.file ? fs.createReadStream(value.file) : Buffer.from(value.data, 'base64');
					if (!once.has(value)) once.set(value, await this.helpers.prepareBinaryData(content, value.fileName, value.mimeType));
					binary[key] = once.get(value);
				}
				stored.push({ ...item, ...(item.binary ? { binary } : {}) });
			}
			return [stored];
		},
	};
}

/** What n8n's server hands node code besides the workflow (IWorkflowExecuteAdditionalData). */
function baseAdditionalData(credentialsHelper, currentNodeParameters = undefined) {
	return {
		credentialsHelper,
		variables: {},
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		currentNodeParameters,
		executionTimeoutTimestamp: undefined,
		userId: 'user-1',
		setExecutionStatus: () => {},
	};
}

/**
 * @typedef {object} RunOptions
 * @property {any} node The node type instance under test (e.g. new QwenOcr()).
 * @property {Record<string, any>} credentialTypes e.g. { qwenOcrApi: new QwenOcrApi() }
 * @property {Record<string, any>} credentials e.g. { qwenOcrApi: { region: 'custom', baseUrl, apiKey } }
 * @property {Record<string, any>} parameters The node's parameters.
 * @property {Array<{json: object, binary?: object}>} [items] Items the trigger emits (default: one empty item).
 * @property {boolean} [continueOnFail]
 * @property {'continueRegularOutput' | 'continueErrorOutput'} [onError] n8n's On Error setting (overrides continueOnFail).
 * @property {(cancel: () => void) => void} [onStart] Called once the run started, with a function that
 *   cancels the execution as n8n's Stop button and Timeout Workflow do (its cancel signal aborts).
 * @property {'default' | 'filesystem'} [binaryMode] How n8n stores binary data (per process: the first run decides).
 */

/**
 * Runs Start -> Qwen OCR once in WorkflowExecute and returns the node's output items.
 * @param {RunOptions} options
 */
async function runNode(options) {
	await initBinaryData(options.binaryMode ?? 'default');
	const items = options.items ?? [{ json: {} }];
	const types = { [TRIGGER_TYPE]: triggerType(items, options.binaryMode === 'filesystem'), [NODE_TYPE]: options.node };
	const nodeTypes = {
		getByName: (name) => types[name],
		getByNameAndVersion: (name) => types[name],
		getKnownTypes: () => ({}),
	};
	const nodes = [
		{ id: 'start', name: 'Start', type: TRIGGER_TYPE, typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'ocr',
			name: 'Qwen OCR',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { qwenOcrApi: { id: '1', name: 'Qwen OCR account' } },
			...(options.onError ? { onError: options.onError } : options.continueOnFail ? { onError: 'continueRegularOutput' } : {}),
		},
	];
	const connections = { Start: { main: [[{ node: 'Qwen OCR', type: 'main', index: 0 }]] } };
	const workflow = new Workflow({ id: 'test', nodes, connections, active: false, nodeTypes });
	const hooks = new ExecutionLifecycleHooks('manual', 'exec-1', { id: 'test', name: 'test', nodes, connections, active: false, settings: {} });
	/** @type {(run: any) => void} */
	let finish = () => {};
	const finished = new Promise((resolve) => (finish = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => finish(run));
	const additionalData = {
		...baseAdditionalData(new TestCredentialsHelper(options.credentialTypes, options.credentials)),
		executionId: 'exec-1',
		hooks,
	};
	const execute = new WorkflowExecute(/** @type {any} */ (additionalData), 'manual');
	const running = execute.run({ workflow, startNode: workflow.getNode('Start') });
	options.onStart?.(() => running.cancel());
	// After a cancel the engine reports the run as ended at once; this waits for the node to return too.
	await running;
	const run = await finished;
	const resultData = run.data.resultData;
	const nodeRun = resultData.runData['Qwen OCR']?.[0];
	return {
		items: nodeRun?.data?.main?.[0] ?? [],
		outputs: nodeRun?.data?.main ?? [],
		error: resultData.error ?? nodeRun?.error,
		run,
	};
}

/**
 * Calls a `loadOptions` method as the editor's request does in n8n's server
 * (DynamicNodeParametersService.getOptionsViaMethodName): a one-node workflow "Temp-Node" with the
 * node's current parameters and credentials, n8n-core's LoadOptionsContext, the parameters also as
 * `currentNodeParameters`.
 * @param {{ node: any, credentialTypes: Record<string, any>, credentials: Record<string, any>, method: string,
 *   parameters?: Record<string, any>, path?: string, withCredential?: boolean }} options
 *   withCredential false: the node has no credential selected yet.
 * @returns {Promise<Array<{ name: string, value: string | number | boolean, description?: string }>>}
 */
async function loadOptions(options) {
	const parameters = options.parameters ?? {};
	const types = { [NODE_TYPE]: options.node };
	const nodeTypes = { getByName: (name) => types[name], getByNameAndVersion: (name) => types[name], getKnownTypes: () => ({}) };
	const node = { id: 'uuid-1234', name: 'Temp-Node', type: NODE_TYPE, typeVersion: 1, position: [0, 0], parameters };
	if (options.withCredential !== false) node.credentials = { qwenOcrApi: { id: '1', name: 'Qwen OCR account' } };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = baseAdditionalData(new TestCredentialsHelper(options.credentialTypes, options.credentials), parameters);
	const context = new LoadOptionsContext(workflow, workflow.nodes['Temp-Node'], additionalData, options.path ?? 'parameters.model');
	const method = options.node.methods?.loadOptions?.[options.method];
	if (typeof method !== 'function') throw new Error(`the node has no loadOptions method ${options.method}`);
	return await method.call(context);
}

module.exports = { runNode, loadOptions, initBinaryData, TestCredentialsHelper, NODE_TYPE };
