/** The page tree (§7.7.3): pages in order, with inherited /Resources, /MediaBox, /CropBox and /Rotate. */
import { PdfError } from './errors';
import { MAX_TREE_PAGES } from './limits';
import { PdfDict, type PdfValue, dictOf, isName, isNumber } from './objects';
import type { PdfFile } from './xref';

/** A rectangle as [left, bottom, right, top]. */
export type Box = [number, number, number, number];

export interface PageInfo {
	dict: PdfDict;
	resources?: PdfDict;
	mediaBox: Box;
	/** The visible area: the CropBox clipped to the MediaBox (the MediaBox when there is no CropBox). */
	visibleBox: Box;
	/** Clockwise degrees the page is turned when shown: 0, 90, 180 or 270. */
	rotate: number;
}

/** US Letter, what readers assume when a page has no usable MediaBox. */
const DEFAULT_BOX: Box = [0, 0, 612, 792];
const MAX_TREE_DEPTH = 64;

interface Inherited {
	resources?: PdfDict;
	mediaBox?: PdfValue;
	cropBox?: PdfValue;
	rotate?: PdfValue;
}

export function collectPages(file: PdfFile): PageInfo[] {
	const pages: PageInfo[] = [];
	const root = dictOf(file.resolve(file.trailer.get('Root')));
	const tree = dictOf(file.get(root, 'Pages'));
	if (tree) walk(file, tree, {}, new Set(), 0, pages);
	if (pages.length === 0) {
		// Last resort for a broken tree: every /Type /Page object, in object-number order.
		for (const num of file.objectNumbers()) {
			const dict = dictOf(file.fetch(num));
			if (dict && isName(dict.get('Type'), 'Page')) pages.push(makePage(file, dict, {}));
		}
	}
	return pages;
}

function walk(file: PdfFile, node: PdfDict, inherited: Inherited, seen: Set<PdfDict>, depth: number, pages: PageInfo[]): void {
	if (seen.has(node) || depth > MAX_TREE_DEPTH) return;
	seen.add(node);
	const kids = file.get(node, 'Kids');
	const type = file.get(node, 'Type');
	if (Array.isArray(kids) && !isName(type, 'Page')) {
		const own: Inherited = {
			resources: dictOf(file.get(node, 'Resources')) ?? inherited.resources,
			mediaBox: file.get(node, 'MediaBox') ?? inherited.mediaBox,
			cropBox: file.get(node, 'CropBox') ?? inherited.cropBox,
			rotate: file.get(node, 'Rotate') ?? inherited.rotate,
		};
		for (const kid of kids) {
			const dict = dictOf(file.resolve(kid));
			if (dict) walk(file, dict, own, seen, depth + 1, pages);
		}
		return;
	}
	if (pages.length >= MAX_TREE_PAGES) {
		throw new PdfError(
			`The PDF's page tree lists more than ${MAX_TREE_PAGES.toLocaleString('en-US')} pages; the file is damaged or built to overload readers`,
			'too-many-pages',
		);
	}
	pages.push(makePage(file, node, inherited));
}

function makePage(file: PdfFile, dict: PdfDict, inherited: Inherited): PageInfo {
	const mediaBox = toBox(file, file.get(dict, 'MediaBox') ?? inherited.mediaBox) ?? DEFAULT_BOX;
	const cropBox = toBox(file, file.get(dict, 'CropBox') ?? inherited.cropBox);
	let visibleBox = mediaBox;
	if (cropBox) {
		const clipped: Box = [
			Math.max(cropBox[0], mediaBox[0]),
			Math.max(cropBox[1], mediaBox[1]),
			Math.min(cropBox[2], mediaBox[2]),
			Math.min(cropBox[3], mediaBox[3]),
		];
		if (clipped[2] > clipped[0] && clipped[3] > clipped[1]) visibleBox = clipped;
	}
	const rotateValue = file.get(dict, 'Rotate') ?? inherited.rotate;
	const rotate = isNumber(rotateValue) ? (((Math.round(rotateValue / 90) * 90) % 360) + 360) % 360 : 0;
	return {
		dict,
		resources: dictOf(file.get(dict, 'Resources')) ?? inherited.resources,
		mediaBox,
		visibleBox,
		rotate,
	};
}

function toBox(file: PdfFile, value: PdfValue | undefined): Box | undefined {
	if (!Array.isArray(value) || value.length < 4) return undefined;
	const n = value.slice(0, 4).map((v) => file.resolve(v));
	if (!n.every(isNumber)) return undefined;
	const [x0, y0, x1, y1] = n as number[];
	const box: Box = [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
	return box[2] > box[0] && box[3] > box[1] ? box : undefined;
}
