/** Small checks on JSON values the model returns, shared by the schema, typing and merging code. */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function hasOwn(target: object, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(target, key);
}

export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
	// defineProperty, not assignment: a `__proto__` key must stay data, not replace the prototype.
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
