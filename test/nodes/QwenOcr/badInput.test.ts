/**
 * The bad-input suite: every input check (before any request) and every DashScope error code of
 * the API table, one case each. Each case runs through n8n's engine twice with the bad item between
 * two good ones:
 * - without continueOnFail the node stops with the expected error class, the bad item's index and
 *   a message that says what is wrong (input checks: no request was sent for that item);
 * - with continueOnFail the two good items succeed and the bad one becomes an error item, in order.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryItem, fixture, generationRequests, runQwenOcr, useEmulator } from '../../engine/qwenOcr';
import { bytesItem, makeBmp, makeJpeg, makePng } from '../../engine/images';
import { tiffLittle, webpExtended } from '../../engine/imageHeaders';

const emulator = useEmulator();

const pdf = (name: string) => readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'pdf', name));
const pdfItem = (name: string) => bytesItem(pdf(name), name, 'application/pdf');
const GIF = Buffer.from('R0lGODlhFAAUAIAAAP///wAAACH5BAEAAAAALAAAAAAUABQAAAIRhI+py+0Po5y02ouz3rz7rxUAOw==', 'base64');

type Operation = 'textRecognition' | 'keyInformationExtraction' | 'customPrompt';
type InputType = 'binary' | 'url' | 'base64';

interface BadInputCase {
	name: string;
	/** Node parameters for all three items (the good ones must pass them too). */
	parameters?: IDataObject;
	operation?: Operation;
	/** How the items pass their image (default binary); the good items use the same. */
	input?: InputType;
	/** The bad item (index 1); omit when the parameters are what is bad. */
	item?: INodeExecutionData | ((baseUrl: string) => INodeExecutionData);
	/** The answer to every request of the bad item (API error cases). */
	fault?: IDataObject;
	errorClass: 'NodeOperationError' | 'NodeApiError';
	message: RegExp;
	/** The DashScope code (API errors). */
	code?: string;
	httpStatus?: number;
	description?: RegExp;
	/** Generation requests the bad item makes: 0 for input checks, more for retried API errors. */
	requests: number;
	/** The parameters themselves are bad, so every item fails the same way (the error names item 0). */
	allItems?: boolean;
}

const URL_PARAMETERS = { inputType: 'url', imageUrl: '={{ $json.url }}' };
const BASE64_PARAMETERS = { inputType: 'base64', base64Data: '={{ $json.base64 }}' };
/** Marks the bad item's requests, so the emulator can answer them (URL input). */
const BAD_MARKER = 'case=bad';
const badUrlItem = (baseUrl: string) => ({ json: { url: `${baseUrl}/fixtures/invoice.png?${BAD_MARKER}` } });

function goodItem(input: InputType, baseUrl: string): INodeExecutionData {
	if (input === 'url') return { json: { url: `${baseUrl}/fixtures/invoice.png` } };
	if (input === 'base64') return { json: { base64: fixture('invoice.png').toString('base64') } };
	return binaryItem('invoice.png');
}

/** An API error answered to every request of the bad item. */
function apiCase(httpStatus: number, code: string, message: string, description: RegExp, retryable = false): BadInputCase {
	return {
		name: `API ${httpStatus} ${code}: ${message.slice(0, 48)}${retryable ? ' (retried, then reported)' : ' (not retried)'}`,
		input: 'url',
		parameters: URL_PARAMETERS,
		item: badUrlItem,
		fault: { status: httpStatus, code, message },
		errorClass: 'NodeApiError',
		message: new RegExp(`\\[${code.replace(/\./g, '\\.')}\\]`),
		code,
		httpStatus,
		description,
		requests: retryable ? 2 : 1,
	};
}

const inputCase = (name: string, item: INodeExecutionData, message: RegExp, description?: RegExp, parameters?: IDataObject): BadInputCase => ({
	name,
	item,
	parameters,
	errorClass: 'NodeOperationError',
	message,
	description,
	requests: 0,
});

const urlCase = (name: string, url: string, message: RegExp): BadInputCase => ({
	...inputCase(name, { json: { url } }, message, undefined, URL_PARAMETERS),
	input: 'url',
});

const base64Case = (name: string, value: string, message: RegExp): BadInputCase => ({
	...inputCase(name, { json: { base64: value } }, message, undefined, BASE64_PARAMETERS),
	input: 'base64',
});

const schemaCase = (name: string, parameters: IDataObject, message: RegExp): BadInputCase => ({
	name,
	operation: 'keyInformationExtraction',
	parameters,
	errorClass: 'NodeOperationError',
	message,
	requests: 0,
	allItems: true,
});

const CASES: BadInputCase[] = [
	// Binary properties
	inputCase('missing binary property (lists the existing ones)', binaryItem('invoice.png', 'attachment_0'), /No binary property "data"/, /attachment_0/),
	inputCase('item without any binary data', { json: { id: 1 } }, /No binary property "data"/, /no binary data/),
	inputCase('"*" on an item without binary data', { json: { id: 1 } }, /no binary properties/, undefined, { binaryPropertyName: '*' }),
	inputCase(
		'one of several comma-separated properties missing',
		{ ...binaryItem('invoice.png', 'front'), json: { properties: 'front, back' } },
		/No binary property "back"/,
		/front/,
		{ binaryPropertyName: '={{ $json.properties ?? "data" }}' },
	),
	// Bytes that are not a usable image (sniffed, never the MIME type or file name)
	inputCase('empty file', bytesItem(Buffer.alloc(0), 'empty.png', 'image/png'), /is empty/),
	inputCase('text file labelled image/png', bytesItem(Buffer.from('hello world, not an image'), 'note.png', 'image/png'), /not a supported image/),
	inputCase('HTML error page saved as .jpg', bytesItem(Buffer.from('<!DOCTYPE html><html><body>404</body></html>'), 'scan.jpg', 'image/jpeg'), /not a supported image/),
	inputCase('ZIP / office document labelled image/jpeg', bytesItem(Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000word/document.xml'), 'a.jpg', 'image/jpeg'), /not a supported image/),
	inputCase('SVG (XML) image', bytesItem(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"/>'), 'logo.svg', 'image/svg+xml'), /not a supported image/),
	inputCase('GIF (unsupported format)', bytesItem(GIF, 'a.gif', 'image/gif'), /GIF images are not accepted/),
	inputCase('PNG cut off inside its header', bytesItem(makePng(100, 100).subarray(0, 20), 'cut.png', 'image/png'), /damaged PNG file: its image size cannot be read/, /cut off/),
	inputCase('JPEG cut off before its frame header', bytesItem(fixture('receipt.jpg').subarray(0, 30), 'cut.jpg', 'image/jpeg'), /damaged JPEG file/, /cut off/),
	// Size rules
	inputCase('width of 10 px', bytesItem(makePng(10, 40), 'narrow.png', 'image/png'), /10×40 px.*above 10 px/),
	inputCase('height of 10 px', bytesItem(makePng(40, 10), 'flat.png', 'image/png'), /40×10 px.*above 10 px/),
	inputCase('1×1 tracking pixel', bytesItem(makePng(1, 1), 'pixel.png', 'image/png'), /1×1 px/),
	inputCase('aspect ratio 201:1 (wide)', bytesItem(makePng(4020, 20), 'strip.png', 'image/png'), /aspect ratio of 201:1/),
	inputCase('aspect ratio 207:1 (tall)', bytesItem(makePng(15, 3100), 'column.png', 'image/png'), /aspect ratio of 207:1/),
	inputCase('BMP above 4K', bytesItem(makeBmp(4000, 2500), 'big.bmp', 'image/bmp'), /4000×2500 px BMP; above 4K/),
	inputCase('TIFF above 4K', bytesItem(Buffer.from(tiffLittle(5000, 3000)), 'big.tif', 'image/tiff'), /5000×3000 px TIFF; above 4K/),
	inputCase('WEBP above 4K', bytesItem(Buffer.from(webpExtended(4096, 4096)), 'big.webp', 'image/webp'), /4096×4096 px WEBP; above 4K/),
	inputCase('12 MB JPEG file', bytesItem(makeJpeg(2900, 2900), 'huge.jpg', 'image/jpeg'), /The image is 1[1-3]\.\d MB; DashScope accepts at most 10 MB/, /Resize or recompress/),
	// URL input
	urlCase('URL that is not a URL', 'invoice dot png', /"invoice dot png" is not a valid URL/),
	urlCase('empty URL', '', /"" is not a valid URL/),
	urlCase('file:// URL', 'file:///etc/passwd', /must use http or https, not file:/),
	urlCase('ftp:// URL', 'ftp://example.com/a.png', /must use http or https, not ftp:/),
	urlCase('javascript: URL', 'javascript:alert(1)', /must use http or https, not javascript:/),
	// Base64 input
	base64Case('malformed data URL (no base64 marker)', 'data:image/png,notbase64', /data URL is malformed/),
	base64Case('data URL without a comma', 'data:image/png;base64', /data URL is malformed/),
	base64Case('text that is not base64', 'this is not base64!', /does not contain base64/),
	base64Case('empty base64 field', '', /does not contain base64|is empty/),
	base64Case('base64 of a text file', Buffer.from('just some text, no image here').toString('base64'), /not a supported image/),
	base64Case('base64 string over 10 MB (a 12 MB file)', makeJpeg(2900, 2900).toString('base64'), /DashScope accepts at most 10 MB/),
	// PDF input
	inputCase('corrupt PDF', bytesItem(Buffer.from('%PDF-1.7\n%garbage without objects'), 'scan.pdf', 'application/pdf'), /PDF/),
	inputCase('encrypted PDF', pdfItem('encrypted.pdf'), /encrypted|password/i, /qpdf --decrypt/),
	inputCase('born-digital PDF page (no scan)', pdfItem('born-digital.pdf'), /not a scan|no image|born/i, /not a scan/),
	inputCase('PDF page as JPEG 2000', pdfItem('jpx.pdf'), /JPX|JPEG 2000/i, /Convert the PDF/),
	inputCase('PDF page range past the last page', pdfItem('scan-jpeg.pdf'), /page|range/i, /Fix the Pages option/, { options: { pages: '5-7' } }),
	// Extraction schema and prompt (parameters: every item fails; the first one is named)
	schemaCase('result schema is not JSON', { schemaSource: 'json', resultSchema: '{"invoice_number": ' }, /Item 0: Result schema is not valid JSON/),
	schemaCase('result schema is a JSON array', { schemaSource: 'json', resultSchema: '["invoice_number"]' }, /Item 0: Result schema must be a JSON object/),
	schemaCase('result schema nested 4 levels', { schemaSource: 'json', resultSchema: '{"a": {"b": {"c": {"d": "too deep"}}}}' }, /nested 4 levels deep/),
	schemaCase('result schema with an empty object', { schemaSource: 'json', resultSchema: '{"seller": {}}' }, /`seller` is an empty object/),
	schemaCase('field list with an empty key', { schemaSource: 'fields', schemaFields: { fields: [{ key: ' ', description: 'x' }] } }, /the key is empty/),
	schemaCase('field list empty', { schemaSource: 'fields', schemaFields: { fields: [] } }, /The field list is empty/),
	schemaCase(
		'field list with a conflicting path',
		{ schemaSource: 'fields', schemaFields: { fields: [{ key: 'seller', description: 'x' }, { key: 'seller.name', description: 'y' }] } },
		/seller/,
	),
	{ name: 'custom prompt empty', operation: 'customPrompt', parameters: { prompt: '   ' }, errorClass: 'NodeOperationError', message: /Item 0: The prompt is empty/, requests: 0, allItems: true },
	// Every error code of the API table
	apiCase(400, 'InvalidParameter', 'The image length and width do not meet the model restrictions.', /./),
	apiCase(400, 'InvalidParameter', 'Download the media resource timed out during the data inspection process.', /could not download the image URL/),
	apiCase(400, 'InvalidParameter', 'Exceeded limit on max bytes per data-uri item : 10485760', /too large/),
	apiCase(400, 'InvalidParameter', 'Model not exist.', /not available in this region/),
	apiCase(400, 'DataInspectionFailed', 'Input data may contain inappropriate content.', /content moderation/),
	apiCase(400, 'Arrearage', 'Access denied, please make sure your account is in good standing.', /overdue payment/),
	apiCase(401, 'InvalidApiKey', 'Invalid API-key provided.', /Keys only work in the region/),
	apiCase(403, 'AccessDenied', 'Access denied.', /may not use this model/),
	apiCase(403, 'AccessDenied.Unpurchased', 'Access to model denied. Please make sure you are eligible for using the model.', /may not use this model/),
	apiCase(403, 'Model.AccessDenied', 'Model access denied.', /may not use this model/),
	apiCase(404, 'ModelNotFound', 'Model can not be found.', /not available in this region/),
	apiCase(404, 'model_not_supported', 'Unsupported model `qwen-vl-ocr-x` for OpenAI compatibility mode.', /not available in this region/),
	apiCase(413, 'BadRequest.TooLarge', 'Payload Too Large', /too large/),
	apiCase(429, 'Throttling', 'Requests throttling triggered.', /rate limit/, true),
	apiCase(429, 'Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.', /rate limit/, true),
	apiCase(429, 'Throttling.BurstRate', 'Request rate increased too quickly.', /rate limit/, true),
	apiCase(429, 'Throttling.AllocationQuota', 'Allocated quota exceeded, please increase your quota limit.', /rate limit/, true),
	apiCase(500, 'InternalError', 'An internal error has occured, please try again later.', /temporary problem/, true),
	apiCase(500, 'InternalError.Algo', 'An internal error has occured during execution.', /temporary problem/, true),
	apiCase(500, 'InternalError.Timeout', 'An internal timeout error has occured.', /temporary problem/, true),
	apiCase(500, 'SystemError', 'An system error has occured, please try again later.', /temporary problem/, true),
	apiCase(500, 'ModelServiceFailed', 'Failed to request model service.', /temporary problem/, true),
	apiCase(500, 'RequestTimeOut', 'Request timed out, please try again later.', /temporary problem/, true),
	apiCase(500, 'ModelServingError', 'The model serving failed.', /temporary problem/, true),
	apiCase(503, 'ModelUnavailable', 'Model is unavailable, please try again later.', /temporary problem/, true),
	// Answers that are not DashScope JSON, and no answer at all
	{
		name: 'API 502 HTML page from a proxy (retried, then reported)',
		input: 'url',
		parameters: URL_PARAMETERS,
		item: badUrlItem,
		fault: { html: true },
		errorClass: 'NodeApiError',
		message: /HTTP 502 from the server/,
		httpStatus: 502,
		description: /temporary problem/,
		requests: 2,
	},
	{
		name: 'answer over 16 MB (read no further, not retried)',
		input: 'url',
		parameters: URL_PARAMETERS,
		item: badUrlItem,
		fault: { oversizeBytes: 40 * 1024 * 1024 },
		errorClass: 'NodeApiError',
		message: /The answer was larger than 16 MB and was not read/,
		httpStatus: 200,
		description: /./,
		requests: 1,
	},
	{
		name: 'connection dropped on every attempt (retried, then reported)',
		input: 'url',
		parameters: URL_PARAMETERS,
		item: badUrlItem,
		fault: { drop: true },
		errorClass: 'NodeApiError',
		message: /DashScope request failed: the connection was closed before DashScope answered/,
		code: 'ECONNRESET',
		description: /connection to DashScope failed/,
		requests: 2,
	},
	{
		name: 'no answer within the Timeout option (retried, then reported)',
		input: 'url',
		parameters: { ...URL_PARAMETERS, options: { timeout: 500 } },
		item: badUrlItem,
		fault: { delayMs: 3000 },
		errorClass: 'NodeApiError',
		message: /DashScope request failed: no answer within the Timeout option/,
		code: 'ETIMEDOUT',
		description: /raise the Timeout option/,
		requests: 2,
	},
];

async function runCase(testCase: BadInputCase, continueOnFail: boolean) {
	const input = testCase.input ?? 'binary';
	const bad = typeof testCase.item === 'function' ? testCase.item(emulator.baseUrl) : testCase.item;
	const items = [goodItem(input, emulator.baseUrl), bad ?? goodItem(input, emulator.baseUrl), goodItem(input, emulator.baseUrl)];
	const { options: caseOptions, ...parameters } = testCase.parameters ?? {};
	// One request at a time, one retry: the bad item's requests are easy to count.
	const options = { concurrency: 1, maxRetries: 1, ...((caseOptions as IDataObject) ?? {}) };
	if (testCase.fault) emulator.addFaultRule(BAD_MARKER, testCase.fault);
	const result = await runQwenOcr(emulator, { operation: testCase.operation ?? 'textRecognition', ...parameters, options }, items, { continueOnFail });
	const requests = generationRequests(emulator);
	const badRequests = testCase.fault ? requests.filter((request) => JSON.stringify(request.body ?? {}).includes(BAD_MARKER)).length : undefined;
	return { ...result, items: result.items, requests, badRequests };
}

describe('bad-input suite', () => {
	it(`has at least 40 distinct cases (${CASES.length})`, () => {
		expect(new Set(CASES.map((testCase) => testCase.name)).size).toBe(CASES.length);
		expect(CASES.length).toBeGreaterThanOrEqual(40);
	});

	describe.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
		const badIndex = testCase.allItems ? 0 : 1;

		it(`stops with a ${testCase.errorClass} for item ${badIndex} saying what is wrong`, async () => {
			const { error, items, requests, badRequests } = await runCase(testCase, false);
			expect(items).toHaveLength(0);
			expect(error?.name).toBe(testCase.errorClass);
			expect(error?.message).toMatch(testCase.message);
			expect((error?.context as IDataObject | undefined)?.itemIndex).toBe(badIndex);
			if (testCase.errorClass === 'NodeOperationError') expect(error?.message).toMatch(new RegExp(`^Item ${badIndex}: `));
			if (testCase.description) expect(error?.description).toMatch(testCase.description);
			if (testCase.code) expect((error?.context as IDataObject).dashScopeCode).toBe(testCase.code);
			if (testCase.httpStatus) expect((error?.context as IDataObject).httpStatus).toBe(testCase.httpStatus);
			if (testCase.errorClass === 'NodeApiError' && testCase.httpStatus && testCase.code) {
				expect((error?.context as IDataObject).requestId).toEqual(expect.any(String));
			}
			if (badRequests !== undefined) expect(badRequests).toBe(testCase.requests);
			// Input checks: item 0's request only; none at all when the parameters are bad.
			else expect(requests).toHaveLength(testCase.allItems ? 0 : 1);
		});

		it('with continueOnFail: the good items succeed, the bad one is an error item in its place', async () => {
			const { error, items } = await runCase(testCase, true);
			expect(error).toBeUndefined();
			expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			items.forEach((item, index) => {
				const bad = testCase.allItems || index === 1;
				if (!bad) {
					expect(item.json.error).toBeUndefined();
					return;
				}
				const itemError = item.json.error as IDataObject;
				expect(itemError.message).toMatch(testCase.allItems ? new RegExp(testCase.message.source.replace('Item 0', `Item ${index}`)) : testCase.message);
				if (testCase.code) expect(itemError.code).toBe(testCase.code);
				if (testCase.httpStatus) expect(itemError.httpStatus).toBe(testCase.httpStatus);
			});
		});
	});
});

describe('what the checks let through', () => {
	it('a data URL whose MIME type lies is sent with the sniffed type', async () => {
		const png = fixture('invoice.png').toString('base64');
		const result = await runQwenOcr(emulator, { operation: 'textRecognition', inputType: 'base64', base64Data: `data:image/jpeg;base64,${png}` });
		expect(result.error).toBeUndefined();
		const image = (generationRequests(emulator)[0].body.input as IDataObject & { messages: Array<{ content: IDataObject[] }> }).messages[0].content[0].image as string;
		expect(image.startsWith('data:image/png;base64,')).toBe(true);
	});

	it('a JPEG named .png with MIME type image/png is sent as JPEG', async () => {
		const result = await runQwenOcr(emulator, { operation: 'textRecognition' }, [bytesItem(fixture('receipt.jpg'), 'receipt.png', 'image/png')]);
		expect(result.error).toBeUndefined();
		expect(generationRequests(emulator)[0].images?.[0]).toMatchObject({ mime: 'image/jpeg', sniffedFormat: 'jpeg' });
	});

	it('a 4K+ JPEG and an 11×11 PNG pass the size rules', async () => {
		const result = await runQwenOcr(emulator, { operation: 'textRecognition' }, [
			bytesItem(makeJpeg(4000, 2400, { coefficients: 4 }), 'wide.jpg', 'image/jpeg'),
			bytesItem(makePng(11, 11), 'small.png', 'image/png'),
		]);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(2);
	});
});
