// @ts-check
'use strict';

/**
 * The temporary-upload flow: GET /api/v1/uploads?action=getPolicy issues a signed PostObject policy, the
 * client POSTs the file as multipart/form-data to `upload_host`, then refers to it as oss://<key> (with
 * the header X-DashScope-OssResourceResolve: enable). Uploaded files are bound to the API key and model
 * that asked for the policy, as the vendor binds them to the account and model.
 */

const crypto = require('node:crypto');
const { OssError } = require('./errors');

const POLICY_TTL_SECONDS = 300;
const MAX_FILE_SIZE_MB = 100;
const ACCESS_KEY_ID = 'LTAI5tEmulatorAccessKey';
const REQUIRED_FIELDS = ['OSSAccessKeyId', 'Signature', 'policy', 'key', 'x-oss-object-acl', 'x-oss-forbid-overwrite', 'success_action_status'];

/**
 * @typedef {{ policy: string, signature: string, uploadDir: string, expiresAt: number, apiKey: string, model: string }} IssuedPolicy
 * @typedef {{ bytes: Buffer, apiKey: string, model: string, contentType?: string }} StoredObject
 * @typedef {import('./multipart').Part} Part
 */

class OssStore {
	/** @param {number} [maxObjects] uploads kept (the oldest go first); a benchmark sending gigabytes sets it */
	constructor(maxObjects = Number.POSITIVE_INFINITY) {
		this.maxObjects = maxObjects;
		this.secret = crypto.randomBytes(16);
		/** @type {Map<string, IssuedPolicy>} policy (base64) → issue record */
		this.policies = new Map();
		/** @type {Map<string, StoredObject>} object key → file */
		this.objects = new Map();
	}

	/**
	 * @param {string} apiKey
	 * @param {string} model
	 * @param {string} uploadHost
	 */
	issuePolicy(apiKey, model, uploadHost) {
		const expiresAt = Date.now() + POLICY_TTL_SECONDS * 1000;
		// The real upload_dir has the same shape: bucket prefix / account hash / date / random id.
		const account = crypto.createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
		const uploadDir = `dashscope-instant/${account}/${new Date().toISOString().slice(0, 10)}/${crypto.randomUUID()}`;
		const policyDoc = {
			expiration: new Date(expiresAt).toISOString(),
			conditions: [
				['content-length-range', 0, MAX_FILE_SIZE_MB * 1024 * 1024],
				['starts-with', '$key', uploadDir],
				{ bucket: 'dashscope-instant' },
				{ 'x-oss-object-acl': 'private' },
				{ 'x-oss-forbid-overwrite': 'true' },
			],
		};
		const policy = Buffer.from(JSON.stringify(policyDoc)).toString('base64');
		const signature = crypto.createHmac('sha1', this.secret).update(policy).digest('base64');
		this.policies.set(policy, { policy, signature, uploadDir, expiresAt, apiKey, model });
		return {
			policy,
			signature,
			upload_dir: uploadDir,
			upload_host: uploadHost,
			expire_in_seconds: POLICY_TTL_SECONDS,
			max_file_size_mb: MAX_FILE_SIZE_MB,
			capacity_limit_mb: 999999999,
			oss_access_key_id: ACCESS_KEY_ID,
			x_oss_object_acl: 'private',
			x_oss_forbid_overwrite: 'true',
		};
	}

	/**
	 * Checks a PostObject form against its policy and stores the file.
	 * @param {Part[]} parts in body order
	 * @returns {string} the stored key
	 * @throws {OssError}
	 */
	upload(parts) {
		const last = parts[parts.length - 1];
		if (!last || last.name !== 'file') throw new OssError(400, 'InvalidArgument', 'The file field must be the last field of the form.');
		/** @type {Record<string, string>} */
		const fields = {};
		for (const p of parts.slice(0, -1)) fields[p.name] = p.data.toString('utf8');
		for (const name of REQUIRED_FIELDS) {
			if (fields[name] === undefined) throw new OssError(400, 'InvalidArgument', `Missing required form field: ${name}.`);
		}
		const issued = this.checkPolicy(fields);
		const key = fields.key;
		if (!key.startsWith(`${issued.uploadDir}/`) || key.length === issued.uploadDir.length + 1) {
			throw new OssError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "${issued.uploadDir}"]`);
		}
		if (last.data.length > MAX_FILE_SIZE_MB * 1024 * 1024) {
			throw new OssError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');
		}
		if (this.objects.has(key)) {
			throw new OssError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.');
		}
		this.objects.set(key, { bytes: last.data, apiKey: issued.apiKey, model: issued.model, contentType: fields['x-oss-content-type'] || last.contentType });
		for (const oldest of this.objects.keys()) {
			if (this.objects.size <= this.maxObjects) break;
			this.objects.delete(oldest);
		}
		return key;
	}

	/** @param {Record<string, string>} fields @returns {IssuedPolicy} */
	checkPolicy(fields) {
		if (fields.OSSAccessKeyId !== ACCESS_KEY_ID) {
			throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
		}
		const issued = this.policies.get(fields.policy);
		if (!issued || issued.signature !== fields.Signature) {
			throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
		}
		if (Date.now() > issued.expiresAt) throw new OssError(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
		const condition = (name, expected) => {
			if (fields[name] !== expected) {
				throw new OssError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ["eq", "$${name}", "${expected}"]`);
			}
		};
		condition('x-oss-object-acl', 'private');
		condition('x-oss-forbid-overwrite', 'true');
		// The DashScope flow asks for a 200 answer (the default 204 has no body either, but clients check 200).
		if (fields.success_action_status !== '200') {
			throw new OssError(400, 'InvalidArgument', 'success_action_status must be 200 in the DashScope upload flow.');
		}
		return issued;
	}

	/**
	 * Bytes of an uploaded object, only for the API key and model it was uploaded for.
	 * @param {string} key @param {string} apiKey @param {string} model
	 * @returns {Buffer | null}
	 */
	lookup(key, apiKey, model) {
		const obj = this.objects.get(key);
		return obj && obj.apiKey === apiKey && obj.model === model ? obj.bytes : null;
	}
}

module.exports = { OssStore, ACCESS_KEY_ID };
