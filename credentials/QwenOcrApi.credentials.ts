import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Qwen OCR (Alibaba Cloud Model Studio / DashScope) API key.
 * Keys are issued per region and only work against that region's endpoint.
 * Tested by the node (`methods.credentialTest.qwenOcrApiTest`) so the editor shows
 * DashScope's own error message for a wrong key instead of a bare "Unauthorized".
 */
export class QwenOcrApi implements ICredentialType {
	name = 'qwenOcrApi';

	displayName = 'Qwen OCR API';

	icon: Icon = { light: 'file:../nodes/QwenOcr/qwenOcr.svg', dark: 'file:../nodes/QwenOcr/qwenOcr.dark.svg' };

	documentationUrl = 'https://www.alibabacloud.com/help/en/model-studio/get-api-key';

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{
					name: 'Singapore (International)',
					value: 'intl',
					description: 'dashscope-intl.aliyuncs.com — keys created in the international Model Studio console',
				},
				{
					name: 'Virginia (US)',
					value: 'us',
					description: 'dashscope-us.aliyuncs.com — keys created for the US region',
				},
				{
					name: 'Beijing (China Mainland)',
					value: 'cn',
					description: 'dashscope.aliyuncs.com — keys created in the China mainland console',
				},
				{
					name: 'Custom Base URL',
					value: 'custom',
					description: 'A gateway, proxy or local emulator that speaks the DashScope API',
				},
			],
			default: 'intl',
			description: 'Where your API key was created. Keys only work in their own region.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://dashscope-intl.aliyuncs.com',
			description: 'Base URL without a path, e.g. your API gateway',
			required: true,
			displayOptions: { show: { region: ['custom'] } },
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'sk-...',
			description: 'Model Studio API key of the selected region',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};
}
