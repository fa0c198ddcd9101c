/**
 * Builds small PDFs for tests that real tools won't produce on demand: hybrid xref files, xref streams with
 * predictors, object streams, filters like LZW or ASCII85, inline images, forms, tiles, and damaged files.
 */
import * as zlib from 'zlib';

/**
 * 'table' classic xref; 'stream' xref stream; 'hybrid' classic table (object-stream members listed as free)
 * plus an /XRefStm stream for them; 'none' objects and trailer only.
 */
export type XrefKind = 'table' | 'stream' | 'hybrid' | 'none';

export class PdfBuilder {
	private readonly objects = new Map<number, Buffer>();
	/** Objects to put in one object stream (numbers), written with a cross-reference stream. */
	readonly compressed = new Set<number>();
	private next = 1;

	add(body: string | Buffer): number {
		const num = this.next++;
		this.objects.set(num, Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
		return num;
	}

	set(num: number, body: string | Buffer): void {
		this.objects.set(num, Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
		if (num >= this.next) this.next = num + 1;
	}

	reserve(): number {
		return this.next++;
	}

	/** A stream object body with a direct /Length. */
	static stream(dict: string, data: Buffer): Buffer {
		return Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
	}

	/**
	 * The file: header, objects (`compressed` ones inside an object stream), then the xref as asked and the
	 * trailer. `root` is the catalog's number.
	 */
	build(root: number, xref: XrefKind = 'table', extraTrailer = ''): Buffer {
		const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
		let length = parts[0].length;
		const offsets = new Map<number, number>();
		const push = (buffer: Buffer): void => {
			parts.push(buffer);
			length += buffer.length;
		};
		const inStream = [...this.compressed].sort((a, b) => a - b);
		for (const [num, body] of [...this.objects].sort((a, b) => a[0] - b[0])) {
			if (this.compressed.has(num)) continue;
			offsets.set(num, length);
			push(Buffer.concat([Buffer.from(`${num} 0 obj\n`), body, Buffer.from('\nendobj\n')]));
		}
		let objStm = 0;
		if (inStream.length) {
			objStm = this.next++;
			let header = '';
			const bodies: Buffer[] = [];
			let at = 0;
			for (const num of inStream) {
				header += `${num} ${at} `;
				const body = Buffer.concat([this.objects.get(num)!, Buffer.from('\n')]);
				bodies.push(body);
				at += body.length;
			}
			const data = Buffer.concat([Buffer.from(header), ...bodies]);
			offsets.set(objStm, length);
			const content = zlib.deflateSync(data);
			push(
				Buffer.concat([
					Buffer.from(`${objStm} 0 obj\n`),
					PdfBuilder.stream(`/Type /ObjStm /N ${inStream.length} /First ${header.length} /Filter /FlateDecode`, content),
					Buffer.from('\nendobj\n'),
				]),
			);
		}
		if (xref === 'hybrid') {
			// The stream lists only the object-stream members: W [1 4 2], /Index pairs, no predictor.
			const num = this.next++;
			const rows = inStream.map((n) => {
				const row = Buffer.alloc(7);
				row[0] = 2;
				row.writeUInt32BE(objStm, 1);
				row.writeUInt16BE(inStream.indexOf(n), 5);
				return row;
			});
			offsets.set(num, length);
			const index = inStream.map((n) => `${n} 1`).join(' ');
			push(
				Buffer.concat([
					Buffer.from(`${num} 0 obj\n`),
					PdfBuilder.stream(`/Type /XRef /Size ${num + 1} /W [1 4 2] /Index [${index}] /Filter /FlateDecode`, zlib.deflateSync(Buffer.concat(rows))),
					Buffer.from('\nendobj\n'),
				]),
			);
			extraTrailer += ` /XRefStm ${offsets.get(num)}`;
			// Old readers must not see the stream either: it is listed as free like the members.
			offsets.delete(num);
			xref = 'table';
		}
		const size = this.next;
		if (xref === 'table') {
			const start = length;
			let table = `xref\n0 ${size}\n0000000000 65535 f \n`;
			for (let num = 1; num < size; num++) {
				const offset = offsets.get(num);
				table += offset === undefined ? '0000000000 00000 f \n' : `${String(offset).padStart(10, '0')} 00000 n \n`;
			}
			push(Buffer.from(`${table}trailer\n<< /Size ${size} /Root ${root} 0 R ${extraTrailer} >>\nstartxref\n${start}\n%%EOF\n`));
		} else if (xref === 'stream') {
			const num = this.next++;
			offsets.set(num, length);
			// W [1 4 2], PNG Up predictor (12) on 7-byte rows, as Acrobat and many libraries write them.
			const rows: Buffer[] = [];
			let previous = Buffer.alloc(7);
			for (let n = 0; n <= num; n++) {
				const row = Buffer.alloc(7);
				if (this.compressed.has(n)) {
					row[0] = 2;
					row.writeUInt32BE(objStm, 1);
					row.writeUInt16BE(inStream.indexOf(n), 5);
				} else if (offsets.has(n)) {
					row[0] = 1;
					row.writeUInt32BE(offsets.get(n)!, 1);
				}
				const up = Buffer.alloc(8);
				up[0] = 2;
				for (let i = 0; i < 7; i++) up[i + 1] = (row[i] - previous[i]) & 0xff;
				rows.push(up);
				previous = row;
			}
			const data = zlib.deflateSync(Buffer.concat(rows));
			push(
				Buffer.concat([
					Buffer.from(`${num} 0 obj\n`),
					PdfBuilder.stream(
						`/Type /XRef /Size ${num + 1} /W [1 4 2] /Index [0 ${num + 1}] /Root ${root} 0 R /Filter /FlateDecode /DecodeParms << /Columns 7 /Predictor 12 >> ${extraTrailer}`,
						data,
					),
					Buffer.from('\nendobj\n'),
				]),
			);
			push(Buffer.from(`startxref\n${offsets.get(num)}\n%%EOF\n`));
		} else {
			push(Buffer.from(`trailer\n<< /Size ${size} /Root ${root} 0 R ${extraTrailer} >>\n%%EOF\n`));
		}
		return Buffer.concat(parts);
	}
}

export interface SimplePage {
	/** Content stream. */
	content: string;
	/** Image XObjects: resource name → object number. */
	images?: Record<string, number>;
	mediaBox?: string;
	extra?: string;
}

/** Adds a catalog and page tree with the given pages; returns the catalog number. */
export function addPages(builder: PdfBuilder, pages: SimplePage[]): number {
	const treeNum = builder.reserve();
	const kids: number[] = [];
	for (const page of pages) {
		const content = builder.add(PdfBuilder.stream('', Buffer.from(page.content, 'latin1')));
		const xobjects = Object.entries(page.images ?? {})
			.map(([name, num]) => `/${name} ${num} 0 R`)
			.join(' ');
		kids.push(
			builder.add(
				`<< /Type /Page /Parent ${treeNum} 0 R /MediaBox ${page.mediaBox ?? '[0 0 200 100]'} /Contents ${content} 0 R /Resources << /XObject << ${xobjects} >> >> ${page.extra ?? ''} >>`,
			),
		);
	}
	builder.set(treeNum, `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`);
	return builder.add(`<< /Type /Catalog /Pages ${treeNum} 0 R >>`);
}

/** An 8-bit gray gradient image (width x height) whose pixels are easy to predict: (x * 7 + y * 3) & 255. */
export function grayPixels(width: number, height: number): Buffer {
	const data = Buffer.alloc(width * height);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x * 7 + y * 3) & 0xff;
	return data;
}

/** The same gray image as 8-bit RGB (what the test PNG decoder returns). */
export function grayToRgb(gray: Uint8Array): Buffer {
	const rgb = Buffer.alloc(gray.length * 3);
	for (let i = 0; i < gray.length; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = gray[i];
	return rgb;
}
