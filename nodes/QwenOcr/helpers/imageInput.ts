import type { IExecuteFunctions } from 'n8n-workflow';

import { inputError } from './errors';
import type { ImageSize } from './interfaces';
import type { ImageInfo } from './image';
import { checkImageLimits, isLikelyBase64, MAX_DATA_URL_LENGTH, MAX_URL_IMAGE_BYTES, parseDataUrl, sniffImage, toDataUrl } from './image';

/** The image of one item, ready for the request's `image` entry. */
export interface ItemImage {
	/** A data URL (binary/base64 input) or the user's http(s) URL. */
	image: string;
	/** Real pixel size, read from the image header; unknown for URL input. */
	size?: ImageSize;
	format?: ImageInfo['format'];
	/** Too large to send inline: the file goes through DashScope's temporary upload first. */
	upload?: { name: string; mimeType: string; data: Uint8Array };
}


function base64DataUrlLength(byteLength: number, info: ImageInfo): number {
	return `data:${info.mimeType};base64,`.length + Math.ceil(byteLength / 3) * 4;
}

/** Sniffs real bytes (never the declared MIME type or file name) and checks the API's limits. */
function fromBytes(this: IExecuteFunctions, itemIndex: number, data: Uint8Array, origin: string): ItemImage {
	if (data.length === 0) {
		throw inputError(this.getNode(), itemIndex, `The ${origin} is empty`, 'Pass an image file (PNG, JPEG, BMP, TIFF, WEBP or HEIC).');
	}
	const info = sniffImage(data);
	if (!info) {
		throw inputError(
			this.getNode(),
			itemIndex,
			`The ${origin} is not a supported image`,
			'Qwen OCR reads PNG, JPEG, BMP, TIFF, WEBP and HEIC images. Convert other files (PDF, GIF, documents) to an image first.',
		);
	}
	const problem = checkImageLimits(info);
	if (problem) throw inputError(this.getNode(), itemIndex, problem);
	const size = info.width !== undefined && info.height !== undefined ? { width: info.width, height: info.height } : undefined;
	if (data.length > MAX_URL_IMAGE_BYTES) {
		throw inputError(
			this.getNode(),
			itemIndex,
			`The image is ${(data.length / 1048576).toFixed(1)} MB; DashScope accepts at most 10 MB per image`,
			'Resize or recompress the image (e.g. JPEG at 85% quality) before this node.',
		);
	}
	// A base64 data URL is 4/3 of the file: from about 7 MB the inline string passes 10 MB.
	if (base64DataUrlLength(data.length, info) > MAX_DATA_URL_LENGTH) {
		return { image: '', size, format: info.format, upload: { name: `image.${info.format === 'jpeg' ? 'jpg' : info.format}`, mimeType: info.mimeType, data } };
	}
	return { image: toDataUrl(data, info), size, format: info.format };
}

async function fromBinary(this: IExecuteFunctions, itemIndex: number): Promise<ItemImage> {
	const propertyName = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	const binary = this.getInputData()[itemIndex]?.binary ?? {};
	if (!binary[propertyName]) {
		const existing = Object.keys(binary);
		throw inputError(
			this.getNode(),
			itemIndex,
			`No binary property "${propertyName}" on the input item`,
			existing.length
				? `The item has these binary properties: ${existing.join(', ')}. Set Input Binary Field to one of them.`
				: 'The item has no binary data. Read the file first (e.g. with an HTTP Request or Read/Write Files from Disk node), or choose Image URL or Base64 input.',
		);
	}
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	return fromBytes.call(this, itemIndex, data, `binary property "${propertyName}"`);
}

function fromUrl(this: IExecuteFunctions, itemIndex: number): ItemImage {
	const value = String(this.getNodeParameter('imageUrl', itemIndex, '')).trim();
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw inputError(this.getNode(), itemIndex, `"${value.slice(0, 100)}" is not a valid URL`, 'Enter a full http(s) URL such as https://example.com/invoice.png.');
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw inputError(this.getNode(), itemIndex, `Image URLs must use http or https, not ${url.protocol}`, 'For file data use the Binary File or Base64 input type.');
	}
	return { image: url.toString() };
}

function fromBase64(this: IExecuteFunctions, itemIndex: number): ItemImage {
	const value = String(this.getNodeParameter('base64Data', itemIndex, '')).trim();
	let base64 = value;
	if (value.startsWith('data:')) {
		const parsed = parseDataUrl(value);
		if (!parsed) {
			throw inputError(this.getNode(), itemIndex, 'The data URL is malformed', 'Use the form data:image/png;base64,<base64 data>, or pass the base64 data alone.');
		}
		base64 = parsed.base64;
	}
	if (!isLikelyBase64(base64)) {
		throw inputError(this.getNode(), itemIndex, 'The Base64 Data field does not contain base64 data', 'Pass the image encoded as base64, or use the Binary File input type.');
	}
	return fromBytes.call(this, itemIndex, Buffer.from(base64.replace(/\s+/g, ''), 'base64'), 'base64 data');
}

/** Reads and checks the item's image from its binary property, URL or base64 field. */
export async function loadItemImage(this: IExecuteFunctions, itemIndex: number): Promise<ItemImage> {
	const inputType = this.getNodeParameter('inputType', itemIndex, 'binary') as string;
	if (inputType === 'url') return fromUrl.call(this, itemIndex);
	if (inputType === 'base64') return fromBase64.call(this, itemIndex);
	return await fromBinary.call(this, itemIndex);
}
