// @ts-check
/**
 * A real multi-page scanned PDF made in tests and the benchmark: one JPEG (DCTDecode) image filling
 * each page.
 * @param {Buffer} jpeg @param {number} width @param {number} height @param {number} pages @returns {Buffer}
 */
function makeJpegPdf(jpeg, width, height, pages) {
	const objects = [];
	const add = (body) => objects.push(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
	const pageIds = Array.from({ length: pages }, (_, i) => 3 + i * 3);
	add('<< /Type /Catalog /Pages 2 0 R >>');
	add(`<< /Type /Pages /Count ${pages} /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] >>`);
	for (let i = 0; i < pages; i++) {
		const id = 3 + i * 3;
		const content = `q ${width} 0 0 ${height} 0 0 cm /Im0 Do Q`;
		add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Resources << /XObject << /Im0 ${id + 2} 0 R >> >> /Contents ${id + 1} 0 R >>`);
		add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
		add(Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`, 'latin1'), jpeg, Buffer.from('\nendstream', 'latin1')]));
	}
	const parts = [Buffer.from('%PDF-1.4\n', 'latin1')];
	const offsets = [];
	let offset = parts[0].length;
	objects.forEach((body, index) => {
		const chunk = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
		offsets.push(offset);
		offset += chunk.length;
		parts.push(chunk);
	});
	const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
	parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
	return Buffer.concat(parts);
}

module.exports = { makeJpegPdf };
