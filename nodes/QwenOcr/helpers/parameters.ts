import type { IExecuteFunctions } from 'n8n-workflow';

/** Whether a parameter holds an expression anywhere, i.e. may differ between items. */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(hasExpression);
	return false;
}

function rawParameter(context: IExecuteFunctions, path: string): unknown {
	let value: unknown = context.getNode().parameters;
	for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
	return value;
}

/** Per node run and parameter: its value when it has no expression, PER_ITEM when it has one. */
const PER_ITEM = Symbol('per item');
const fixedValues = new WeakMap<IExecuteFunctions, Map<string, unknown>>();

/**
 * A node parameter for one item. n8n resolves expressions item by item; a parameter without one
 * has the same value for every item, so it is read once per run (on long runs n8n's parameter
 * resolution is a visible share of the node's own CPU time). Callers must not mutate the value.
 */
export function itemParameter<T>(context: IExecuteFunctions, path: string, itemIndex: number, fallback: T): T {
	let values = fixedValues.get(context);
	if (!values) fixedValues.set(context, (values = new Map()));
	if (!values.has(path)) {
		values.set(path, hasExpression(rawParameter(context, path)) ? PER_ITEM : context.getNodeParameter(path, itemIndex, fallback));
	}
	const value = values.get(path);
	return (value === PER_ITEM ? context.getNodeParameter(path, itemIndex, fallback) : value) as T;
}
