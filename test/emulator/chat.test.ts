/**
 * The emulator's scripted Qwen chat model (lib/chat.js): tool calls for an agent driving the Qwen OCR
 * node as a tool, and a final answer built from the tool's result.
 */
import { startEmulator, type Emulator } from './index';

const KEY = 'sk-emulator-test';
const CHAT = '/compatible-mode/v1/chat/completions';
type Json = any;

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ apiKey: KEY });
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => emu.reset());

async function chat(body: Json, key = KEY): Promise<{ status: number; json: Json; text: string; type: string | null }> {
	const res = await fetch(emu.baseUrl + CHAT, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let json: Json = null;
	try {
		json = JSON.parse(text);
	} catch {
		json = null;
	}
	return { status: res.status, json, text, type: res.headers.get('content-type') };
}

/** The tool n8n 2.x builds from the Qwen OCR node with $fromAI() parameters (zod → JSON schema). */
const OCR_TOOL = {
	type: 'function',
	function: {
		name: 'Qwen_OCR',
		description: 'Read text, fields, tables and formulas from images with Alibaba Cloud Qwen-OCR',
		parameters: {
			type: 'object',
			properties: {
				Image_URL: { type: 'string', description: 'The http(s) URL of the image to read' },
				Pages: { type: 'number' },
				Mode: { type: 'string', enum: ['textRecognition', 'keyInformationExtraction'] },
				Strict: { type: 'boolean', default: true },
			},
			required: ['Image_URL', 'Pages', 'Mode'],
			additionalProperties: false,
			$schema: 'http://json-schema.org/draft-07/schema#',
		},
	},
};
const OTHER_TOOL = { type: 'function', function: { name: 'calculator', description: 'Adds numbers', parameters: { type: 'object', properties: { a: { type: 'number' } } } } };
const PROMPT = 'Read the invoice at http://127.0.0.1:9/fixtures/invoice.png and tell me its number, using keyInformationExtraction';

function firstTurn(tools: Json[] = [OTHER_TOOL, OCR_TOOL]): Json {
	return {
		model: 'qwen-plus',
		messages: [
			{ role: 'system', content: 'You are a helpful assistant' },
			{ role: 'user', content: PROMPT },
		],
		tools,
	};
}

describe('scripted chat model (tools)', () => {
	it('calls the OCR tool with arguments generated from its JSON schema', async () => {
		const reply = await chat(firstTurn());
		expect(reply.status).toBe(200);
		expect(reply.json.object).toBe('chat.completion');
		const choice = reply.json.choices[0];
		expect(choice.finish_reason).toBe('tool_calls');
		expect(choice.message.role).toBe('assistant');
		expect(choice.message.tool_calls).toHaveLength(1);
		const call = choice.message.tool_calls[0];
		expect(call).toMatchObject({ type: 'function', id: expect.stringMatching(/^call_/), function: { name: 'Qwen_OCR' } });
		expect(JSON.parse(call.function.arguments)).toEqual({
			Image_URL: 'http://127.0.0.1:9/fixtures/invoice.png',
			Pages: 1,
			Mode: 'keyInformationExtraction',
			Strict: true,
		});
		expect(emu.requests[0]).toMatchObject({ task: 'chat', answeredAs: 'tool_calls', model: 'qwen-plus', chat: { tool: 'Qwen_OCR' } });
	});

	it('uses the emulator fixture when the user gives no URL', async () => {
		const body = firstTurn([OCR_TOOL]);
		body.messages[1].content = [{ type: 'text', text: 'What is the invoice number?' }];
		const reply = await chat(body);
		const args = JSON.parse(reply.json.choices[0].message.tool_calls[0].function.arguments);
		expect(args.Image_URL).toBe(`${emu.baseUrl}/fixtures/invoice.png`);
		expect(args.Mode).toBe('textRecognition');
	});

	it('answers from the tool result once it is in the conversation', async () => {
		const first = await chat(firstTurn());
		const assistant = first.json.choices[0].message;
		const body = firstTurn();
		body.messages.push(assistant, {
			role: 'tool',
			tool_call_id: assistant.tool_calls[0].id,
			content: JSON.stringify([{ invoice_number: 'INV-2024-0042', invoice_date: '2024-03-05', total_amount: 164.4, _qwenOcr: { requestId: 'x' } }]),
		});
		const reply = await chat(body);
		expect(reply.json.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'The invoice number is INV-2024-0042.' } });
		expect(emu.requests[1]).toMatchObject({ answeredAs: 'final_answer' });
	});

	it('reports a tool error and reads plain text results', async () => {
		const first = await chat(firstTurn());
		const assistant = first.json.choices[0].message;
		const withResult = (content: string) => {
			const body = firstTurn();
			body.messages.push(assistant, { role: 'tool', tool_call_id: assistant.tool_calls[0].id, content });
			return body;
		};
		const failed = await chat(withResult(JSON.stringify({ error: { message: 'InvalidApiKey: Invalid API-key provided.' } })));
		expect(failed.json.choices[0].message.content).toBe('The OCR tool failed: InvalidApiKey: Invalid API-key provided.');
		const text = await chat(withResult(JSON.stringify([{ text: 'Hello world' }])));
		expect(text.json.choices[0].message.content).toBe('The image reads:\nHello world');
	});

	it('streams the same answers as server-sent events', async () => {
		const reply = await chat({ ...firstTurn(), stream: true, stream_options: { include_usage: true } });
		expect(reply.type).toMatch(/^text\/event-stream/);
		const events = reply.text.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
		expect(events[events.length - 1]).toBe('[DONE]');
		const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
		const args = chunks.flatMap((c) => c.choices.flatMap((ch: Json) => ch.delta.tool_calls ?? [])).map((t: Json) => t.function.arguments).join('');
		expect(JSON.parse(args).Image_URL).toBe('http://127.0.0.1:9/fixtures/invoice.png');
		expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
		expect(chunks[chunks.length - 1].usage.total_tokens).toBeGreaterThan(0);
	});

	it('validates like the service: key, tool messages, tool definitions, models', async () => {
		expect((await chat(firstTurn(), 'sk-wrong')).status).toBe(401);
		const orphan = firstTurn();
		orphan.messages.push({ role: 'tool', tool_call_id: 'call_nope', content: '{}' });
		const bad = await chat(orphan);
		expect(bad.status).toBe(400);
		expect(bad.json.error.message).toMatch(/role 'tool' must be a response/);
		expect((await chat(firstTurn([{ type: 'function', function: { name: 'has space' } }]))).status).toBe(400);
		expect((await chat({ ...firstTurn(), model: 'gpt-4o-mini' })).status).toBe(404);
		const noOcrTool = await chat(firstTurn([OTHER_TOOL, { ...OTHER_TOOL, function: { ...OTHER_TOOL.function, name: 'other' } }]));
		expect(noOcrTool.json.choices[0].finish_reason).toBe('stop');
	});

	it('leaves OCR models to the OCR emulation', async () => {
		const reply = await chat({ ...firstTurn([OCR_TOOL]), model: 'qwen-vl-ocr' });
		expect(reply.status).toBe(400);
		expect(reply.json.error.message).toMatch(/System messages are not supported/);
	});
});
