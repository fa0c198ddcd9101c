/** Reads a JPEG's frame header (SOFn) for its true size: PDF dictionaries occasionally disagree with the data. */

export interface JpegInfo {
	width: number;
	height: number;
	components: number;
}

export function readJpegInfo(data: Uint8Array): JpegInfo | undefined {
	if (data[0] !== 0xff || data[1] !== 0xd8) return undefined;
	let pos = 2;
	while (pos + 3 < data.length) {
		if (data[pos] !== 0xff) {
			pos++;
			continue;
		}
		const marker = data[pos + 1];
		if (marker === 0xff) {
			pos++;
			continue;
		}
		// Markers without a length: TEM, RST0-7, SOI.
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
			pos += 2;
			continue;
		}
		if (marker === 0xd9 || marker === 0xda) return undefined;
		const length = (data[pos + 2] << 8) | data[pos + 3];
		const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isFrame && pos + 9 < data.length) {
			return {
				height: (data[pos + 5] << 8) | data[pos + 6],
				width: (data[pos + 7] << 8) | data[pos + 8],
				components: data[pos + 9],
			};
		}
		pos += 2 + length;
	}
	return undefined;
}
