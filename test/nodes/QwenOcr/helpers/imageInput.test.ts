/** Large files through the engine: the temporary upload from about 7 MB, a clear error above 10 MB. */
import type { IDataObject } from 'n8n-workflow';

import { fixture, runQwenOcr, useEmulator } from '../../../engine/qwenOcr';
import { bytesItem, makeJpeg, makePng } from '../../../engine/images';

const emulator = useEmulator();

// Every input check, one case each: test/nodes/QwenOcr/badInput.test.ts.

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

	it('a 9 MB JPEG goes through the upload flow end to end', async () => {
		const jpeg = makeJpeg(2450, 2450);
		expect(jpeg.length).toBeGreaterThan(9 * 1024 * 1024);
		expect(jpeg.length).toBeLessThan(10 * 1024 * 1024);
		const result = await runQwenOcr(emulator, { operation: 'textRecognition', options: { includeMetadata: true } }, [bytesItem(jpeg, 'scan.jpg', 'image/jpeg')]);
		expect(result.error).toBeUndefined();
		expect(emulator.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
			'GET /api/v1/uploads',
			'POST /oss',
			'POST /api/v1/services/aigc/multimodal-generation/generation',
		]);
		const [, upload, generation] = emulator.requests;
		expect(upload.headers.authorization).toBeUndefined();
		expect(generation.headers['x-dashscope-ossresourceresolve']).toBe('enable');
		expect((generation.body.input as any).messages[0].content[0].image).toMatch(/^oss:\/\/.+\/image\.jpg$/);
		// The emulator read the uploaded file itself: a JPEG of the full size.
		expect(generation.images?.[0]).toMatchObject({ source: 'oss', sniffedFormat: 'jpeg', width: 2450, height: 2450, bytes: jpeg.length });
		expect(result.items[0].json.text).toBe('(unrecognised image 2450x2450)');
		expect((result.items[0].json._qwenOcr as IDataObject).requestId).toBe(generation.requestId);
	});

	it('a 12 MB file gets a clear error before any request (no upload either)', async () => {
		const jpeg = makeJpeg(2900, 2900);
		expect(jpeg.length).toBeGreaterThan(12 * 1024 * 1024);
		const result = await runQwenOcr(emulator, { operation: 'textRecognition' }, [bytesItem(jpeg, 'scan.jpg', 'image/jpeg')]);
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(/^Item 0: The image is 12\.\d MB; DashScope accepts at most 10 MB per image$/);
		expect(result.error?.description).toMatch(/Resize or recompress/);
		expect(emulator.requests).toHaveLength(0);
	});

	it('a 7 MB base64 string stays inline', async () => {
		const data = fixture('invoice.png');
		await runQwenOcr(emulator, { operation: 'textRecognition', inputType: 'base64', base64Data: data.toString('base64') });
		expect(emulator.requests.map((request) => request.path)).toEqual(['/api/v1/services/aigc/multimodal-generation/generation']);
	});
});
