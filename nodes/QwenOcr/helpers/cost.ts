/**
 * What one request cost: its token usage priced with the model table (or the user's own prices). The vendor page
 * bills 輸入 Token 數 × 輸入單價 + 輸出 Token 數 × 輸出單價, image tokens counting as input tokens.
 */
import type { IDataObject } from 'n8n-workflow';

import { findModel, priceFor, priceTableDate, REGION_NAMES } from './models';

/** `options.customPrices`: prices per million tokens that replace the table's. */
export interface CustomPrices {
	inputPerMillion?: number;
	outputPerMillion?: number;
	currency?: string;
}

export interface RequestCost {
	amount: number;
	currency: string;
	model: string;
	region: string;
	/** The vendor page's date of the prices used; null when `customPrices` set them. */
	priceTableDate: string | null;
}

export interface CostResult {
	cost: RequestCost | null;
	/** Why there is no cost (always set when `cost` is null). */
	costNote?: string;
}

const isPrice = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** The user's prices when both are numbers (n8n leaves unset collection entries out). */
function customPrice(custom: CustomPrices | undefined) {
	if (!custom || !isPrice(custom.inputPerMillion) || !isPrice(custom.outputPerMillion)) return undefined;
	const currency = String(custom.currency ?? '').trim() || 'USD';
	return { inputPerMillion: custom.inputPerMillion, outputPerMillion: custom.outputPerMillion, currency };
}

function tokens(usage: IDataObject, key: 'input_tokens' | 'output_tokens'): number | undefined {
	const value = usage[key];
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function whyUnpriced(model: string, region: string): string {
	if (!findModel(model)) return `The model "${model}" is not in the built-in price table: set the Custom Prices option to get a cost.`;
	if (!(region in REGION_NAMES)) {
		return 'The credential uses a custom base URL, so the region (and its prices) is unknown: set the Custom Prices option to get a cost.';
	}
	return `The price table lists no price for ${model} in ${REGION_NAMES[region as keyof typeof REGION_NAMES]}: set the Custom Prices option to get a cost.`;
}

/**
 * The cost of a request from its `usage` (`input_tokens`, `output_tokens`), for the model and the credential's
 * region (`intl`, `us`, `cn`, or `custom` for an unknown base URL). `customPrices` with both prices wins.
 */
export function requestCost(usage: IDataObject | null | undefined, model: string, region: string, custom?: CustomPrices): CostResult {
	const input = usage ? tokens(usage, 'input_tokens') : undefined;
	const output = usage ? tokens(usage, 'output_tokens') : undefined;
	if (input === undefined || output === undefined) return { cost: null, costNote: 'The answer reported no token usage.' };
	const own = customPrice(custom);
	if (!own && (isPrice(custom?.inputPerMillion) || isPrice(custom?.outputPerMillion))) {
		return { cost: null, costNote: 'The Custom Prices option needs both the input and the output price per million tokens.' };
	}
	const price = own ?? priceFor(model, region);
	if (!price) return { cost: null, costNote: whyUnpriced(model, region) };
	// Rounded to 1e-10 so the sums of binary fractions read as the decimal figures they are.
	const amount = Math.round(((input * price.inputPerMillion + output * price.outputPerMillion) / 1e6) * 1e10) / 1e10;
	return { cost: { amount, currency: price.currency, model, region, priceTableDate: own ? null : priceTableDate } };
}

/** `_qwenOcr.cost` and, when there is none, `_qwenOcr.costNote`. */
export function costMetadata(usage: IDataObject | null | undefined, model: string, region: string, custom?: CustomPrices): IDataObject {
	const { cost, costNote } = requestCost(usage, model, region, custom);
	return costNote === undefined ? { cost: cost as unknown as IDataObject } : { cost: null, costNote };
}
