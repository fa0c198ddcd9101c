// Lint as n8n verifies community packages: n8n's community-node rules (what its scanner runs)
// plus every rule set of eslint-plugin-n8n-nodes-base.
import tsParser from '@typescript-eslint/parser';
import * as jsoncParser from 'jsonc-eslint-parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import communityNodes from '@n8n/eslint-plugin-community-nodes';

const base = n8nNodesBase.configs;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'coverage/**', '.tools/**', '*.js', '*.mjs'] },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase, ...communityNodes.configs.recommended.plugins },
		rules: { ...communityNodes.configs.recommended.rules, 'no-console': 'error' },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...base.credentials.rules,
			// Applies only to n8n's own repository (slugs of docs.n8n.io); community packages link a URL.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...base.nodes.rules,
			// These two still ask for the string 'main'; n8n's current community rule
			// (node-connection-type-literal) requires NodeConnectionTypes.Main instead.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase, ...communityNodes.configs.recommended.plugins },
		rules: { ...base.community.rules, ...communityNodes.configs.recommended.rules },
	},
];
