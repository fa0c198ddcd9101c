// @ts-check
'use strict';

/**
 * A scanned PDF for the memory-bound runs: every page a 300-dpi A4 scan, one baseline JPEG of
 * 2480x3508 (about 1 MB, made by the tests' own encoder in test/engine/images.ts), passed through
 * to the request as it is. Written once per page count to the temp dir.
 */

const fs = require('fs');
const Module = require('module');
const os = require('os');
const path = require('path');
const { makeJpegPdf } = require('../engine/pdf');

const WIDTH = 2480;
const HEIGHT = 3508;

/** Loads a TypeScript test helper without a build (type annotations stripped by TypeScript). @param {string} file */
function requireTs(file) {
	const ts = require('typescript');
	const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
	});
	const loaded = new Module(file);
	loaded.filename = file;
	loaded.paths = /** @type {any} */ (Module)._nodeModulePaths(path.dirname(file));
	/** @type {any} */ (loaded)._compile(outputText, file);
	return loaded.exports;
}

/** The page's JPEG (cached next to the PDFs). */
function pageJpeg() {
	const file = path.join(os.tmpdir(), `qwen-ocr-bench-page-${WIDTH}x${HEIGHT}.jpg`);
	if (!fs.existsSync(file)) {
		const { makeJpeg } = requireTs(path.join(__dirname, '..', 'engine', 'images.ts'));
		const tmp = `${file}.${process.pid}`;
		fs.writeFileSync(tmp, makeJpeg(WIDTH, HEIGHT, { coefficients: 4 }));
		fs.renameSync(tmp, file);
	}
	return fs.readFileSync(file);
}

/** @param {number} pages */
function scanPdf(pages) {
	const file = path.join(os.tmpdir(), `qwen-ocr-bench-scan-${pages}p.pdf`);
	const jpeg = pageJpeg();
	if (!fs.existsSync(file)) {
		const tmp = `${file}.${process.pid}`;
		fs.writeFileSync(tmp, makeJpegPdf(jpeg, WIDTH, HEIGHT, pages));
		fs.renameSync(tmp, file);
	}
	return {
		file,
		fileName: `scan-${pages}p.pdf`,
		mimeType: 'application/pdf',
		bytes: fs.statSync(file).size,
		pageBytes: jpeg.length,
		pages,
		expectedText: `(unrecognised image ${WIDTH}x${HEIGHT})`,
	};
}

module.exports = { scanPdf };
