import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { probeCredential } from '../transport';

/**
 * Credential test (`testedBy`): returns DashScope's own code and message for a failing key, which
 * a declarative credential test cannot (it shows only the HTTP status text).
 */
export async function qwenOcrApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await probeCredential(this.helpers, credential.data ?? {});
}
