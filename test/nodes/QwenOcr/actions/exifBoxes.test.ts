/** Boxes of an Exif-turned JPEG are kept as DashScope gives them: the frame they refer to is not documented. */
import { runQwenOcr, useEmulator } from '../../../engine/qwenOcr';
import { bytesItem, makeJpeg } from '../../../engine/images';
import { exifOrientation, jpegSegment } from '../../../engine/imageHeaders';

/** A real 400×600 JPEG with an Exif orientation segment after its SOI marker. */
function jpeg(width: number, height: number, orientation: number): Uint8Array {
	const plain = makeJpeg(width, height);
	return Buffer.concat([plain.subarray(0, 2), jpegSegment(0xe1, exifOrientation(orientation)), plain.subarray(2)]);
}

const emulator = useEmulator();

const words = (location: number[]) => ({ words_info: [{ text: 'Total 42.00', location, rotate_rect: [450, 100, 300, 40, 0] }] });

describe('Recognize Text With Positions and Exif orientation', () => {
	it('a JPEG stored 400×600 but shown turned (Exif 6): a box in the turned 600×400 frame is not cut to 400 wide', async () => {
		emulator.enqueueFaults([{ answer: { text: 'Total 42.00', ocrResult: words([300, 80, 590, 80, 590, 120, 300, 120]) } }]);
		const { items, error } = await runQwenOcr(emulator, { operation: 'advancedRecognition' }, [bytesItem(Buffer.from(jpeg(400, 600, 6)), 'turned.jpg', 'image/jpeg')]);
		expect(error).toBeUndefined();
		expect((items[0].json.lines as Array<{ location: number[] }>)[0].location).toEqual([300, 80, 590, 80, 590, 120, 300, 120]);
	});

	it('an upright JPEG (Exif 1) still has boxes clamped to its frame', async () => {
		emulator.enqueueFaults([{ answer: { text: 'Total 42.00', ocrResult: words([300, 80, 590, 80, 590, 120, 300, 120]) } }]);
		const { items } = await runQwenOcr(emulator, { operation: 'advancedRecognition' }, [bytesItem(Buffer.from(jpeg(400, 600, 1)), 'upright.jpg', 'image/jpeg')]);
		expect((items[0].json.lines as Array<{ location: number[] }>)[0].location).toEqual([300, 80, 400, 80, 400, 120, 300, 120]);
	});
});
