const path = require('path');
const { task, src, dest } = require('gulp');

// tsc emits only JavaScript: node and credential icons, and the node's codex file (categories,
// search aliases such as "invoice" or "receipt"), are copied next to the compiled files.
task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], { encoding: false }).pipe(
		dest((file) => path.resolve('dist', path.relative(process.cwd(), file.base))),
	),
);
