/**
 * The Model field's live list (loadOptions `getModels`), called through n8n-core's LoadOptionsContext
 * as n8n's server does for the editor, against the emulator's GET /compatible-mode/v1/models (modelled:
 * the vendor page does not document it).
 */
import { modelOptions } from '../../../../nodes/QwenOcr/helpers/models';

const KNOWN_MODELS = modelOptions();
import { isOcrModel, labelFor } from '../../../../nodes/QwenOcr/methods/loadOptions';
import { API_KEY, binaryItem, generationRequests, loadModelOptions, runQwenOcr, startTestEmulator, useEmulator } from '../../../engine/qwenOcr';

/** A snapshot only this emulator lists: it can only appear when the list really was loaded. */
const EMULATOR_ONLY = 'qwen-vl-ocr-2026-02-02';
const emulator = useEmulator({ extraModels: [EMULATOR_ONLY] });

const modelRequests = () => emulator.requests.filter((request) => request.path === '/compatible-mode/v1/models');
const builtIn = KNOWN_MODELS.map((model) => model.value);

describe('Model field: models loaded from DashScope', () => {
	it('offers the OCR models the credential\'s region lists, labelled, stable name first', async () => {
		const options = await loadModelOptions({ baseUrl: emulator.baseUrl });
		expect(options.map((option) => option.value)).toEqual([
			'qwen-vl-ocr',
			EMULATOR_ONLY,
			'qwen-vl-ocr-2025-11-20',
			'qwen-vl-ocr-2025-08-28',
			'qwen-vl-ocr-2025-04-13',
			'qwen-vl-ocr-2024-10-28',
		]);
		// Singapore has no -latest (Beijing only); chat, vision and embedding models are left out.
		expect(options.find((option) => option.value === 'qwen-vl-ocr-2025-11-20')).toEqual(KNOWN_MODELS.find((model) => model.value === 'qwen-vl-ocr-2025-11-20'));
		expect(options.find((option) => option.value === EMULATOR_ONLY)).toMatchObject({ name: 'Qwen-VL-OCR 2026-02-02', description: expect.stringContaining('not in this node\'s model table') });
		const [request] = modelRequests();
		expect(modelRequests()).toHaveLength(1);
		expect(request).toMatchObject({ method: 'GET', status: 200 });
		expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(JSON.stringify(options)).not.toContain(API_KEY);
	});

	it('a Beijing account lists qwen-vl-ocr-latest', async () => {
		const beijing = await startTestEmulator({ region: 'cn' });
		try {
			const values = (await loadModelOptions({ baseUrl: beijing.baseUrl })).map((option) => option.value);
			expect(values.slice(0, 2)).toEqual(['qwen-vl-ocr', 'qwen-vl-ocr-latest']);
			expect(values).not.toContain(EMULATOR_ONLY);
		} finally {
			await beijing.close();
		}
	});

	it('asks the credential\'s custom base URL (trailing slash and all), not another server', async () => {
		const other = await startTestEmulator({ extraModels: ['qwen-vl-ocr-2030-01-01'] });
		try {
			const values = (await loadModelOptions({ baseUrl: `${other.baseUrl}/` })).map((option) => option.value);
			expect(values).toContain('qwen-vl-ocr-2030-01-01');
			expect(values).not.toContain(EMULATOR_ONLY);
			expect(other.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /compatible-mode/v1/models']);
			expect(modelRequests()).toHaveLength(0);
		} finally {
			await other.close();
		}
	});

	it('keeps the model a saved node uses even when DashScope does not list it', async () => {
		const options = await loadModelOptions({ baseUrl: emulator.baseUrl }, { parameters: { operation: 'textRecognition', model: 'qwen-vl-ocr-latest' } });
		expect(options.map((option) => option.value)).toContain(EMULATOR_ONLY);
		expect(options[options.length - 1]).toMatchObject({ value: 'qwen-vl-ocr-latest', description: expect.stringContaining('does not list it') });
		// An expression is the user's own name: nothing to add.
		const withExpression = await loadModelOptions({ baseUrl: emulator.baseUrl }, { parameters: { model: '={{ "qwen-vl-ocr-9999" }}' } });
		expect(withExpression.map((option) => option.value)).not.toContain('qwen-vl-ocr-9999');
		expect(withExpression.some((option) => option.value.startsWith('='))).toBe(false);
	});
});

describe('Model field: the built-in list when DashScope cannot be asked', () => {
	it('a wrong API key (401 InvalidApiKey)', async () => {
		const options = await loadModelOptions({ baseUrl: emulator.baseUrl, apiKey: 'sk-wrong' });
		expect(options.map((option) => option.value)).toEqual(builtIn);
		expect(options[0]).toEqual(KNOWN_MODELS[0]);
		expect(modelRequests().map((request) => request.status)).toEqual([401]);
	});

	it('a server that is not reachable', async () => {
		const gone = await startTestEmulator();
		const baseUrl = gone.baseUrl;
		await gone.close();
		expect((await loadModelOptions({ baseUrl })).map((option) => option.value)).toEqual(builtIn);
	});

	it('a gateway without the model list (404)', async () => {
		const options = await loadModelOptions({ baseUrl: `${emulator.baseUrl}/gateway` });
		expect(options.map((option) => option.value)).toEqual(builtIn);
		expect(emulator.requests.map((request) => [request.path, request.status])).toEqual([['/gateway/compatible-mode/v1/models', 404]]);
	});

	it('no credential selected yet: no request at all', async () => {
		const options = await loadModelOptions({ baseUrl: emulator.baseUrl }, { withCredential: false });
		expect(options.map((option) => option.value)).toEqual(builtIn);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('Model field: the value the node runs with', () => {
	it('a loaded model, the stable name of saved workflows, and any name typed as an expression', async () => {
		for (const model of [EMULATOR_ONLY, 'qwen-vl-ocr', '=qwen-vl-ocr-2025-04-13']) {
			emulator.reset();
			const { items, error } = await runQwenOcr(emulator, { operation: 'textRecognition', model }, [binaryItem('receipt.jpg')]);
			expect(error).toBeUndefined();
			expect(items).toHaveLength(1);
			expect(generationRequests(emulator).map((request) => request.body.model)).toEqual([model.replace(/^=/, '')]);
		}
	});

	it('a workflow saved without a model runs with the default qwen-vl-ocr', async () => {
		const { error } = await runQwenOcr(emulator, { operation: 'textRecognition' }, [binaryItem('receipt.jpg')]);
		expect(error).toBeUndefined();
		expect(generationRequests(emulator).map((request) => request.body.model)).toEqual(['qwen-vl-ocr']);
	});
});

describe('labelFor and isOcrModel', () => {
	it('labels known models from the model table and others by their id', () => {
		for (const model of KNOWN_MODELS) expect(labelFor(model.value)).toEqual(model);
		expect(labelFor('qwen3.5-ocr')).toMatchObject({ name: 'qwen3.5-ocr', value: 'qwen3.5-ocr' });
		expect(labelFor('qwen-vl-ocr-2026-02-02')).toMatchObject({ name: 'Qwen-VL-OCR 2026-02-02', value: 'qwen-vl-ocr-2026-02-02' });
	});

	it('picks Qwen OCR models out of a DashScope list', () => {
		const listed = ['qwen-max', 'qwen-vl-max', 'qwen3-vl-plus', 'qwen-vl-ocr', 'qwen-vl-ocr-2025-11-20', 'qwen3.5-ocr', 'text-embedding-v3', 'wanx-ocr-helper'];
		expect(listed.filter(isOcrModel)).toEqual(['qwen-vl-ocr', 'qwen-vl-ocr-2025-11-20', 'qwen3.5-ocr']);
	});
});
