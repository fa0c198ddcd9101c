import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { findModel, modelOptions } from '../helpers/models';
import { listModelIds } from '../transport';

/** The stable model name, first in every list (it is the parameter's default). */
const STABLE_MODEL = 'qwen-vl-ocr';

/**
 * OCR models among everything DashScope lists (chat, vision, embedding models...): `qwen-vl-ocr`,
 * its snapshots, and later Qwen OCR models named the same way (`qwen…-ocr…`).
 */
export function isOcrModel(modelId: string): boolean {
	return /^qwen[\w.-]*-ocr/i.test(modelId);
}

/**
 * The option shown for a model id: the model table's label and note; a snapshot the table does not know
 * yet is named like the others, any other model by its id.
 */
export function labelFor(modelId: string): INodePropertyOptions {
	if (findModel(modelId)) return modelOptions([modelId])[0];
	const snapshot = /^qwen-vl-ocr-(\d{4}-\d{2}-\d{2})$/.exec(modelId);
	return {
		name: snapshot ? `Qwen-VL-OCR ${snapshot[1]}` : modelId,
		value: modelId,
		description: 'Listed by DashScope for this credential; not in this node\'s model table yet (no price or limits known)',
	};
}

/** Stable name first, then newest first (snapshot dates sort as text; `-latest` before any date). */
function byListOrder(a: string, b: string): number {
	if (a === STABLE_MODEL || b === STABLE_MODEL) return a === STABLE_MODEL ? -1 : 1;
	return a < b ? 1 : a > b ? -1 : 0;
}

/**
 * `loadOptions` of the Model field: the OCR models DashScope lists for the selected credential
 * (`GET /compatible-mode/v1/models`), labelled from the model table. When the list cannot be had
 * (no credential yet, a wrong key, a gateway without the endpoint) or holds no OCR model, the
 * built-in list. The model the node already uses is always offered, so a saved workflow never shows
 * its model as unsupported; any other name can still be typed as an expression.
 */
export async function getModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	let listed: string[] = [];
	try {
		listed = (await listModelIds.call(this)).filter(isOcrModel);
	} catch {
		// The built-in list below: the editor must offer models even when DashScope cannot be asked.
	}
	const options: INodePropertyOptions[] = listed.length > 0 ? [...new Set(listed)].sort(byListOrder).map(labelFor) : modelOptions();
	const current = this.getCurrentNodeParameter('model');
	if (typeof current === 'string' && current.trim() !== '' && !current.startsWith('=') && !options.some((option) => option.value === current)) {
		options.push({ ...labelFor(current), description: 'The model this node uses; DashScope does not list it for this credential' });
	}
	return options;
}
