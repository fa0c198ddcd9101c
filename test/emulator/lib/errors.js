// @ts-check
'use strict';

/**
 * Error catalogue of the emulator. Every failure is an ApiError carrying the native DashScope code; the
 * OpenAI-compatible endpoint translates it with `toCompatible`. Messages follow the wording the real
 * service uses where it is known (vendor docs, recorded responses); the rest are written in the same style.
 * Messages never contain the API key.
 */

class ApiError extends Error {
	/**
	 * @param {number} status HTTP status
	 * @param {string} code DashScope code, e.g. "InvalidParameter"
	 * @param {string} message
	 * @param {{ compatStatus?: number, compatCode?: string, compatType?: string, compatMessage?: string }} [compat]
	 *   overrides for the OpenAI-compatible body, where the real service differs (e.g. unknown model → 404)
	 */
	constructor(status, code, message, compat = {}) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.compat = compat;
		/** @type {Record<string, string>} extra response headers, e.g. Retry-After */
		this.headers = {};
	}

	/** @param {Record<string, string>} headers */
	withHeaders(headers) {
		Object.assign(this.headers, headers);
		return this;
	}
}

const MISSING_PARAMS = 'Required parameter(s) missing or invalid, please check the request parameters.';

const errors = {
	invalidApiKey: () => new ApiError(401, 'InvalidApiKey', 'Invalid API-key provided.', {
		compatCode: 'invalid_api_key',
		compatMessage: 'Incorrect API key provided. ',
	}),
	/** @param {string} message */
	invalidParameter: (message) => new ApiError(400, 'InvalidParameter', message),
	missingParameter: () => new ApiError(400, 'InvalidParameter', MISSING_PARAMS),
	/** @param {string} model */
	modelNotExist: (model) => new ApiError(400, 'InvalidParameter', 'Model not exist.', {
		compatStatus: 404,
		compatCode: 'model_not_found',
		compatMessage: `The model \`${model}\` does not exist or you do not have access to it.`,
	}),
	rateQuota: () => new ApiError(429, 'Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.', {
		compatCode: 'limit_requests',
		compatType: 'limit_requests',
	}),
	tooLarge: () => new ApiError(413, 'BadRequest.TooLarge', 'Payload Too Large: the request body exceeds the size limit.'),
	/** @param {string} path */
	notFound: (path) => new ApiError(404, 'NotFound', `The requested resource ${path} was not found.`),
};

/** Default messages for injected faults, by code. */
const FAULT_MESSAGES = {
	'Throttling': 'Requests throttling triggered.',
	'Throttling.RateQuota': 'Requests rate limit exceeded, please try again later.',
	'Throttling.BurstRate': 'Request rate increased too quickly. To ensure system stability, please adjust your client logic to scale requests more smoothly over time.',
	'Throttling.AllocationQuota': 'Allocated quota exceeded, please increase your quota limit.',
	'InternalError': 'An internal error has occured, please try again later or contact service support.',
	'InternalError.Timeout': 'An internal timeout error has occured during execution, please try again later or contact service support.',
	'ModelUnavailable': 'Model is unavailable, please try again later.',
	'ModelServiceFailed': 'Failed to request model service.',
	'SystemError': 'An system error has occured, please try again later.',
	'RequestTimeOut': 'Request timed out, please try again later.',
};

/** Code used for an injected fault that only gives a status. */
function defaultCodeForStatus(status) {
	if (status === 429) return 'Throttling.RateQuota';
	if (status === 503) return 'ModelUnavailable';
	if (status === 504) return 'RequestTimeOut';
	if (status >= 500) return 'InternalError';
	if (status === 401) return 'InvalidApiKey';
	return 'InvalidParameter';
}

/** @param {{ status?: number, code?: string, message?: string }} fault */
function faultError(fault) {
	const status = fault.status ?? 500;
	const code = fault.code ?? defaultCodeForStatus(status);
	const message = fault.message ?? FAULT_MESSAGES[/** @type {keyof typeof FAULT_MESSAGES} */ (code)] ?? 'Injected fault.';
	if (code.startsWith('Throttling')) return new ApiError(status, code, message, { compatCode: 'limit_requests', compatType: 'limit_requests' });
	return new ApiError(status, code, message);
}

/** "InternalError.Timeout" → "internal_error_timeout", the style of the compatible endpoint's codes. */
function snakeCase(code) {
	return code.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Native body: {"code","message","request_id"}. */
function nativeBody(err, requestId) {
	return { code: err.code, message: err.message, request_id: requestId };
}

/**
 * OpenAI-compatible body {"error":{message,type,param,code}} plus the ids the service adds at top level.
 * @returns {{ status: number, body: object }}
 */
function toCompatible(err, requestId) {
	const c = err.compat || {};
	const code = c.compatCode ?? (err.code === 'InvalidParameter' ? 'invalid_parameter_error' : snakeCase(err.code));
	const type = c.compatType ?? (err.status < 500 ? 'invalid_request_error' : snakeCase(err.code));
	return {
		status: c.compatStatus ?? err.status,
		body: {
			error: { message: c.compatMessage ?? err.message, type, param: null, code },
			id: `chatcmpl-${requestId}`,
			request_id: requestId,
		},
	};
}

/** OSS PostObject errors are XML documents. */
function ossErrorXml(code, message, requestId) {
	const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	return [
		'<?xml version="1.0" encoding="UTF-8"?>',
		'<Error>',
		`  <Code>${esc(code)}</Code>`,
		`  <Message>${esc(message)}</Message>`,
		`  <RequestId>${esc(requestId)}</RequestId>`,
		'  <HostId>127.0.0.1</HostId>',
		'</Error>',
		'',
	].join('\n');
}

class OssError extends Error {
	/** @param {number} status @param {string} code @param {string} message */
	constructor(status, code, message) {
		super(message);
		this.name = 'OssError';
		this.status = status;
		this.code = code;
	}
}

module.exports = { ApiError, OssError, errors, faultError, nativeBody, toCompatible, ossErrorXml, MISSING_PARAMS };
