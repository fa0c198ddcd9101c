/** 2D affine matrices [a b c d e f] as PDF writes them (row vectors: point × matrix). */
import type { Box } from './pages';

export type Matrix = [number, number, number, number, number, number];

export const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m1 × m2: apply m1 first, then m2 (so `cm` sets CTM = M × CTM). */
export function multiply(m1: Matrix, m2: Matrix): Matrix {
	return [
		m1[0] * m2[0] + m1[1] * m2[2],
		m1[0] * m2[1] + m1[1] * m2[3],
		m1[2] * m2[0] + m1[3] * m2[2],
		m1[2] * m2[1] + m1[3] * m2[3],
		m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
		m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
	];
}

/** Bounding box of the unit square under `m`: where an image is painted (images fill the unit square). */
export function unitSquareBounds(m: Matrix): Box {
	const xs = [m[4], m[0] + m[4], m[2] + m[4], m[0] + m[2] + m[4]];
	const ys = [m[5], m[1] + m[5], m[3] + m[5], m[1] + m[3] + m[5]];
	return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

export function boxArea(box: Box): number {
	return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

export function intersect(a: Box, b: Box): Box {
	return [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
}

/**
 * Clockwise turn (0, 90, 180, 270) that shows an image painted with `m` the way the page shows it: the image's
 * "up" (its first row is at the top of the unit square) is the direction (c, d) on the page.
 */
export function imageRotation(m: Matrix): number {
	const [, , c, d] = m;
	if (Math.abs(d) >= Math.abs(c)) return d >= 0 ? 0 : 180;
	return c > 0 ? 90 : 270;
}
