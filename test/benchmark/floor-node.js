// @ts-check
'use strict';

/**
 * The compliant floor: the least a community node must do to send the Qwen OCR node's requests the
 * way n8n expects (binary through the helpers, the key through n8n's authenticated request helper),
 * and nothing else. Measured in the same harness as the node (test/engine/harness.js), it is the bar
 * the node is held to: whatever the node costs on top of it is the node's own code.
 *
 * Per execution: one `this.getCredentials`, passed to every request as
 * `additionalCredentialOptions.credentialsDecrypted` (n8n would otherwise decrypt per request).
 * Per item: `this.helpers.getBinaryDataBuffer`, base64 data URL, the node's body (same shape, same
 * task parameters: `template` is the body the node sent, captured at the emulator), the node's
 * request options, `this.helpers.httpRequestWithAuthentication`. At most `concurrency` items at a time
 * (a plain promise pool). No validation, no retries, no parsing: the answer body is the output item.
 */

const CREDENTIAL_TYPE = 'qwenOcrApi';
const GENERATION_PATH = '/api/v1/services/aigc/multimodal-generation/generation';

/**
 * @param {{ model: string, input: { messages: Array<{ role: string, content: Array<Record<string, unknown>> }> }, parameters?: Record<string, unknown> }} template
 *   a generation body the node sent; its image is replaced per item.
 */
function createFloorNode(template) {
	const message = template.input.messages[0];
	const imageIndex = message.content.findIndex((part) => typeof part.image === 'string');
	if (imageIndex < 0) throw new Error('floor: the template has no image part');
	const { image: _image, ...imageOptions } = message.content[imageIndex];
	const otherParts = message.content.filter((_, index) => index !== imageIndex);
	const parameters = template.parameters ?? {};

	return {
		description: {
			displayName: 'Compliant Floor',
			name: 'qwenOcrFloor',
			group: ['transform'],
			version: 1,
			description: 'Benchmark floor: the Qwen OCR request and nothing else',
			defaults: { name: 'Compliant Floor' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [
				{ displayName: 'Binary Property', name: 'binaryPropertyName', type: 'string', default: 'data' },
				{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 1 },
			],
		},

		/** @this {import('n8n-workflow').IExecuteFunctions} */
		async execute() {
			const items = this.getInputData();
			const concurrency = Math.max(1, Number(this.getNodeParameter('concurrency', 0)));
			const property = String(this.getNodeParameter('binaryPropertyName', 0));
			const data = await this.getCredentials(CREDENTIAL_TYPE);
			/** @type {import('n8n-workflow').ICredentialsDecrypted} */
			const credentialsDecrypted = {
				id: this.getNode().credentials?.[CREDENTIAL_TYPE]?.id ?? '',
				name: CREDENTIAL_TYPE,
				type: CREDENTIAL_TYPE,
				data,
			};
			const url = `${String(data.baseUrl).replace(/\/+$/, '')}${GENERATION_PATH}`;
			/** @type {import('n8n-workflow').INodeExecutionData[]} */
			const out = new Array(items.length);

			const one = async (/** @type {number} */ i) => {
				const buffer = await this.helpers.getBinaryDataBuffer(i, property);
				const mimeType = items[i].binary?.[property]?.mimeType ?? 'application/octet-stream';
				const body = {
					model: template.model,
					input: { messages: [{ role: message.role, content: [{ image: `data:${mimeType};base64,${buffer.toString('base64')}`, ...imageOptions }, ...otherParts] }] },
					parameters,
				};
				const response = /** @type {{ body: import('n8n-workflow').IDataObject }} */ (
					await this.helpers.httpRequestWithAuthentication.call(
						this,
						CREDENTIAL_TYPE,
						{
							method: 'POST',
							url,
							body,
							headers: { Accept: 'application/json' },
							json: true,
							timeout: 120000,
							returnFullResponse: true,
							ignoreHttpStatusErrors: true,
						},
						{ credentialsDecrypted },
					)
				);
				out[i] = { json: response.body, pairedItem: { item: i } };
			};

			let next = 0;
			const worker = async () => {
				while (next < items.length) await one(next++);
			};
			await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
			return [out];
		},
	};
}

module.exports = { createFloorNode, GENERATION_PATH };
