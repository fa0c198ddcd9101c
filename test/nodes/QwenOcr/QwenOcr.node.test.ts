import { createHash } from 'crypto';

import { API_KEY, binaryItem, fixture, generationRequests, runQwenOcr, truth, useEmulator } from '../../engine/qwenOcr';

describe('Qwen OCR node in the n8n engine: text recognition', () => {
	const emulator = useEmulator();

	const base = { operation: 'textRecognition' };

	it('binary input: one native request with the sniffed MIME type, pixels and Bearer key; { text } items paired', async () => {
		// The PNG claims to be a JPEG: the node must send what the bytes are.
		const items = [binaryItem('invoice.png', 'data', 'image/jpeg'), binaryItem('receipt.jpg')];
		const { items: out, error } = await runQwenOcr(emulator, { ...base, options: { minPixels: 3072, maxPixels: 2000000 } }, items);
		expect(error).toBeUndefined();
		expect(out).toHaveLength(2);
		expect(out[0].json.text).toBe(truth('invoice.png').text);
		expect(out[1].json.text).toBe(truth('receipt.jpg').text);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);

		const requests = generationRequests(emulator);
		expect(requests).toHaveLength(2);
		const byFormat = Object.fromEntries(requests.map((request) => [request.images?.[0]?.sniffedFormat as string, request]));
		const png = byFormat.png;
		expect(png.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(png.body.model).toBe('qwen-vl-ocr');
		expect(png.body.parameters).toEqual({ ocr_options: { task: 'text_recognition' } });
		const content = (png.body.input as any).messages[0].content;
		expect(content).toHaveLength(1);
		expect(content[0].image.startsWith('data:image/png;base64,')).toBe(true);
		expect(content[0].min_pixels).toBe(3072);
		expect(content[0].max_pixels).toBe(2000000);
		const sent = Buffer.from(content[0].image.split(',')[1], 'base64');
		expect(createHash('sha256').update(sent).digest('hex')).toBe(createHash('sha256').update(fixture('invoice.png')).digest('hex'));
		expect(byFormat.jpeg.images?.[0]?.mime).toBe('image/jpeg');
	});

	it('URL input: the URL is passed through for DashScope to download', async () => {
		const url = `${emulator.baseUrl}/fixtures/receipt.jpg`;
		const { items: out, error } = await runQwenOcr(emulator, { ...base, inputType: 'url', imageUrl: url });
		expect(error).toBeUndefined();
		expect(out[0].json.text).toBe(truth('receipt.jpg').text);
		const [request] = generationRequests(emulator);
		expect((request.body.input as any).messages[0].content[0].image).toBe(url);
		expect(out[0].pairedItem).toEqual({ item: 0 });
	});

	it('base64 input, raw and as a data URL with a wrong declared MIME type', async () => {
		const b64 = fixture('invoice.png').toString('base64');
		const raw = await runQwenOcr(emulator, { ...base, inputType: 'base64', base64Data: b64 });
		expect(raw.error).toBeUndefined();
		expect(raw.items[0].json.text).toBe(truth('invoice.png').text);
		const dataUrl = await runQwenOcr(emulator, { ...base, inputType: 'base64', base64Data: `data:image/webp;base64,${b64}` });
		expect(dataUrl.error).toBeUndefined();
		const requests = generationRequests(emulator);
		expect(requests).toHaveLength(2);
		for (const request of requests) {
			expect((request.body.input as any).messages[0].content[0].image.startsWith('data:image/png;base64,')).toBe(true);
		}
	});

	it('metadata: model, task, request id, usage, finish reason and an image token estimate', async () => {
		const { items: out } = await runQwenOcr(emulator, base, [binaryItem('invoice.png')]);
		const meta = out[0].json._qwenOcr as Record<string, unknown>;
		const [request] = generationRequests(emulator);
		expect(meta).toMatchObject({ model: 'qwen-vl-ocr', task: 'text_recognition', finishReason: 'stop', truncated: false });
		expect(meta.requestId).toBe(request.requestId);
		expect((meta.usage as any).image_tokens).toBeGreaterThan(0);
		expect(meta.estimatedImageTokens).toBe((meta.usage as any).image_tokens);
		expect(out[0].binary?.data).toBeDefined();

		const { items: bare } = await runQwenOcr(emulator, { ...base, options: { includeMetadata: false, keepBinary: false } }, [binaryItem('invoice.png')]);
		expect(bare[0].json._qwenOcr).toBeUndefined();
		expect(bare[0].binary).toBeUndefined();
	});

	it('a wrong API key gives a NodeApiError with DashScope code, message and request id, never the key', async () => {
		const wrongKey = 'sk-wrong-key-should-never-leak-42';
		const { error, items } = await runQwenOcr(emulator, base, [binaryItem('invoice.png')], { apiKey: wrongKey });
		expect(items).toHaveLength(0);
		expect(error).toBeDefined();
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toContain('InvalidApiKey');
		expect(error?.message).toContain('Invalid API-key provided');
		const [request] = generationRequests(emulator);
		expect((error as any).context.requestId).toBe(request.requestId);
		expect((error as any).httpCode).toBe('401');
		expect(JSON.stringify({ ...error, message: error?.message, description: error?.description, stack: error?.stack })).not.toContain(wrongKey);

		const failed = await runQwenOcr(emulator, base, [binaryItem('invoice.png')], { apiKey: wrongKey, continueOnFail: true });
		expect(failed.items[0].json.error).toMatchObject({ code: 'InvalidApiKey', httpStatus: 401, requestId: expect.any(String) });
		expect(JSON.stringify(failed.items)).not.toContain(wrongKey);
	});
});
