import * as zlib from 'zlib';
import { zlibCompress } from '../../../../../nodes/QwenOcr/helpers/pdf/deflate';
import { zlibDecompress } from '../../../../../nodes/QwenOcr/helpers/pdf/inflate';
import { encodePng } from '../../../../../nodes/QwenOcr/helpers/pdf/png';
import { scanLikePage } from './testData';
it('times', () => {
	for (const paper of ['noisy', 'clean'] as const) {
		let t = Date.now();
		const page = scanLikePage(2500, 3500, 3, paper);
		console.log(paper, 'gen', Date.now() - t);
		t = Date.now(); const d = zlibCompress(page, 6); console.log(paper, 'deflate', Date.now() - t, d.length, zlib.deflateSync(page).length);
		t = Date.now(); zlibDecompress(d); console.log(paper, 'inflate', Date.now() - t);
		t = Date.now(); const p = encodePng({ width: 2500, height: 3500, channels: 1, data: page }); console.log(paper, 'png', Date.now() - t, p.length);
	}
});
