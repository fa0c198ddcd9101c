/**
 * n8n's filesystem binary mode (N8N_DEFAULT_BINARY_DATA_MODE=filesystem): binaries live on disk and
 * the node reads each item's file when its request starts. Its own file: the mode is per process.
 */
import { binaryItem, runQwenOcr, truth, useEmulator } from '../../engine/qwenOcr';

const emulator = useEmulator();

it('reads binaries stored on disk, and output items keep the stored reference', async () => {
	const items = [binaryItem('receipt.jpg'), binaryItem('invoice.png')];
	const { items: out, error } = await runQwenOcr(emulator, { operation: 'textRecognition' }, items, { binaryMode: 'filesystem' });
	expect(error).toBeUndefined();
	expect(out.map((item) => item.json.text)).toEqual([truth('receipt.jpg').text, truth('invoice.png').text]);
	expect(out[0].binary?.data.id).toMatch(/^filesystem/);
	expect(out[0].binary?.data.data).not.toMatch(/^\/9j/); // not the base64 bytes in memory
});
