/** Input checks before any request, through the engine: each a NodeOperationError naming the item and what to do. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryItem, fixture, generationRequests, runQwenOcr, useEmulator } from '../../../engine/qwenOcr';
import { bytesItem, makeBmp, makePng } from '../../../engine/images';

const emulator = useEmulator();

async function expectInputError(parameters: IDataObject, items: INodeExecutionData[], message: RegExp, description?: RegExp) {
	const result = await runQwenOcr(emulator, { operation: 'textRecognition', ...parameters }, items);
	expect(result.items).toHaveLength(0);
	expect(result.error?.name).toBe('NodeOperationError');
	expect(result.error?.message).toMatch(message);
	if (description) expect(result.error?.description).toMatch(description);
	expect(generationRequests(emulator)).toHaveLength(0);
}

describe('input checks before any request', () => {
	it('missing binary property lists the ones that exist', async () => {
		await expectInputError({ binaryPropertyName: 'file' }, [binaryItem('invoice.png', 'attachment_0')], /^Item 0: No binary property "file"/, /attachment_0/);
	});

	it('an item without any binary data says how to get some', async () => {
		await expectInputError({}, [{ json: {} }], /No binary property "data"/, /no binary data/);
	});

	it('empty data', async () => {
		await expectInputError({}, [bytesItem(Buffer.alloc(0), 'x.png', 'image/png')], /is empty/);
	});

	it('a PDF or text file labelled as an image is recognised by its bytes', async () => {
		await expectInputError({}, [bytesItem(Buffer.from('%PDF-1.7\n%...'), 'scan.png', 'image/png')], /PDF/);
		await expectInputError({}, [bytesItem(Buffer.from('hello world'), 'note.jpg', 'image/jpeg')], /not a supported image/);
	});

	it('unsupported format (GIF)', async () => {
		const gif = Buffer.from('R0lGODlhFAAUAIAAAP///wAAACH5BAEAAAAALAAAAAAUABQAAAIRhI+py+0Po5y02ouz3rz7rxUAOw==', 'base64');
		await expectInputError({}, [bytesItem(gif, 'a.gif', 'image/gif')], /GIF/);
	});

	it('too small, too elongated, and non-JPEG/PNG above 4K', async () => {
		await expectInputError({}, [bytesItem(makePng(10, 40), 'tiny.png', 'image/png')], /10/);
		await expectInputError({}, [bytesItem(makePng(4020, 20), 'strip.png', 'image/png')], /201|aspect|200/i);
		await expectInputError({}, [bytesItem(makeBmp(4000, 2500), 'big.bmp', 'image/bmp')], /4K|JPEG or PNG|3840/);
	});

	it('a file over 10 MB', async () => {
		await expectInputError({}, [bytesItem(makePng(1900, 1900, { noise: true }), 'huge.png', 'image/png')], /MB.*at most 10 MB/);
	});

	it('invalid URLs and non-http schemes', async () => {
		await expectInputError({ inputType: 'url', imageUrl: 'not a url' }, [{ json: {} }], /not a valid URL/);
		await expectInputError({ inputType: 'url', imageUrl: 'file:///etc/passwd' }, [{ json: {} }], /http or https/);
		await expectInputError({ inputType: 'url', imageUrl: 'ftp://example.com/a.png' }, [{ json: {} }], /http or https/);
	});

	it('malformed data URLs and non-base64 text', async () => {
		await expectInputError({ inputType: 'base64', base64Data: 'data:image/png,notbase64' }, [{ json: {} }], /data URL is malformed/);
		await expectInputError({ inputType: 'base64', base64Data: 'this is not base64!' }, [{ json: {} }], /does not contain base64/);
	});

	it('invalid result_schema JSON', async () => {
		const result = await runQwenOcr(emulator, { operation: 'keyInformationExtraction', schemaSource: 'json', resultSchema: '{"a": ' }, [binaryItem('invoice.png')]);
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(/^Item 0: .*JSON/);
	});

	it('names the failing item among good ones, and continueOnFail keeps the others in order', async () => {
		const items = [binaryItem('invoice.png'), bytesItem(Buffer.from('nope'), 'x.png', 'image/png'), binaryItem('receipt.jpg')];
		const failed = await runQwenOcr(emulator, { operation: 'textRecognition' }, items);
		expect(failed.error?.message).toMatch(/^Item 1: /);
		const kept = await runQwenOcr(emulator, { operation: 'textRecognition' }, items, { continueOnFail: true });
		expect(kept.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(typeof kept.items[0].json.text).toBe('string');
		expect((kept.items[1].json.error as IDataObject).message).toMatch(/^Item 1: .*not a supported image/);
		expect(typeof kept.items[2].json.text).toBe('string');
	});
});

describe('large files: temporary upload', () => {
	it('a ~8.7 MB image goes policy -> multipart upload -> oss:// with the resolve header', async () => {
		const big = makePng(1700, 1700, { noise: true });
		expect(big.length).toBeGreaterThan(7.9 * 1024 * 1024);
		const result = await runQwenOcr(emulator, { operation: 'textRecognition' }, [bytesItem(big, 'scan.png', 'image/png')]);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const paths = emulator.requests.map((request) => `${request.method} ${request.path}`);
		expect(paths).toEqual(['GET /api/v1/uploads', 'POST /oss', 'POST /api/v1/services/aigc/multimodal-generation/generation']);
		const [policy, upload, generation] = emulator.requests;
		expect(policy.query).toMatchObject({ action: 'getPolicy', model: 'qwen-vl-ocr' });
		expect(upload.headers.authorization).toBeUndefined(); // the OSS host never sees the API key
		const image = (generation.body.input as any).messages[0].content[0].image as string;
		expect(image).toMatch(/^oss:\/\/.+\/image\.png$/);
		expect(generation.headers['x-dashscope-ossresourceresolve']).toBe('enable');
		expect(generation.images?.[0]).toMatchObject({ source: 'oss', width: 1700, height: 1700 });
		expect((result.items[0].json._qwenOcr as IDataObject).estimatedImageTokens).toBeGreaterThan(0);
	});

	it('a 7 MB base64 string stays inline', async () => {
		const data = fixture('invoice.png');
		await runQwenOcr(emulator, { operation: 'textRecognition', inputType: 'base64', base64Data: data.toString('base64') });
		expect(emulator.requests.map((request) => request.path)).toEqual(['/api/v1/services/aigc/multimodal-generation/generation']);
	});
});
