import { isEmptyRow, parseHtmlTables, pickHeaderRow, rowsToObjects } from '../../../../nodes/QwenOcr/helpers/htmlTable';

/** The `text` of the vendor's table_parsing response sample, verbatim: it ends inside a closing tag. */
const VENDOR_TABLE_ANSWER = "```html\n<table>\n  <tr>\n    <td>Case nameTest No.3ConductorruputreGL+GR(max angle)</td>\n    <td>Last load grade:0%</td>\n    <td>Current load grade:</td>\n  </tr>\n  <tr>\n    <td>Measurechannel</td>\n    <td>Load point</td>\n    <td>Load method</td>\n    <td>Actual Load(%)</td>\n    <td>Actual Load(kN)</td>\n  </tr>\n  <tr>\n    <td>V02</td>\n    <td>V1</td>\n    <td>活載荷</td>\n    <td>147.95</td>\n    <td>0.815</td>\n  </tr>\n  <tr>\n    <td>V03</td>\n    <td>V2</td>\n    <td>活載荷</td>\n    <td>111.75</td>\n    <td>0.615</td>\n  </tr>\n  <tr>\n    <td>V04</td>\n    <td>V3</td>\n    <td>活載荷</td>\n    <td>9.74</td>\n    <td>1.007</td>\n  </tr>\n  <tr>\n    <td>V05</td>\n    <td>V4</td>\n    <td>活載荷</td>\n    <td>7.88</td>\n    <td>0.814</td>\n  </tr>\n  <tr>\n    <td>V06</td>\n    <td>V5</td>\n    <td>活載荷</td>\n    <td>8.11</td>\n    <td>0.780</td>\n  </tr>\n  <tr>\n    <td>V07</td>\n    <td>V6</td>\n    <td>活載荷</td>\n    <td>8.54</td>\n    <td>0.815</td>\n  </tr>\n  <tr>\n    <td>V08</td>\n    <td>V7</td>\n    <td>活載荷</td>\n    <td>6.77</td>\n    <td>0.700</td>\n  </tr>\n  <tr>\n    <td>V09</td>\n    <td>V8</td>\n    <td>活載荷</td>\n    <td>8.59</td>\n    <td>0.888</td>\n  </tr>\n  <tr>\n    <td>L01</td>\n    <td>L1</td>\n    <td>活載荷</td>\n    <td>13.33</td>\n    <td>3.089</td>\n  </tr>\n  <tr>\n    <td>L02</td>\n    <td>L2</td>\n    <td>活載荷</td>\n    <td>9.69</td>\n    <td>2.247</td>\n  </tr>\n  <tr>\n    <td>L03</td>\n    <td>L3</td>\n    <td></td>\n    <td>2.96</td>\n    <td>1.480</td>\n  </tr>\n  <tr>\n    <td>L04</td>\n    <td>L4</td>\n    <td></td>\n    <td>3.40</td>\n    <td>1.700</td>\n  </tr>\n  <tr>\n    <td>L05</td>\n    <td>L5</td>\n    <td></td>\n    <td>2.45</td>\n    <td>1.224</td>\n  </tr>\n  <tr>\n    <td>L06</td>\n    <td>L6</td>\n    <td></td>\n    <td>2.01</td>\n    <td>1.006</td>\n  </tr>\n  <tr>\n    <td>L07</td>\n    <td>L7</td>\n    <td></td>\n    <td>2.38</td>\n    <td>1.192</td>\n  </tr>\n  <tr>\n    <td>L08</td>\n    <td>L8</td>\n    <td></td>\n    <td>2.10</td>\n    <td>1.050</td>\n  </tr>\n  <tr>\n    <td>T01</td>\n    <td>T1</td>\n    <td>活載荷</td>\n    <td>25.29</td>\n    <td>3.073</td>\n  </tr>\n  <tr>\n    <td>T02</td>\n    <td>T2</td>\n    <td>活載荷</td>\n    <td>27.39</td>\n    <td>3.327</td>\n  </tr>\n  <tr>\n    <td>T03</td>\n    <td>T3</td>\n    <td>活載荷</td>\n    <td>8.03</td>\n    <td>2.543</td>\n  </tr>\n  <tr>\n    <td>T04</td>\n    <td>T4</td>\n    <td>活載荷</td>\n    <td>11.19</td>\n    <td>3.542</td>\n  </tr>\n  <tr>\n    <td>T05</td>\n    <td>T5</td>\n    <td>活載荷</td>\n    <td>11.34</td>\n    <td>3.592</td>\n  </tr>\n  <tr>\n    <td>T06</td>\n    <td>T6</td>\n    <td>活載荷</td>\n    <td>16.47</td>\n    <td>5.217</td>\n  </tr>\n  <tr>\n    <td>T07</td>\n    <td>T7</td>\n    <td>活載荷</td>\n    <td>11.05</td>\n    <td>3.498</td>\n  </tr>\n  <tr>\n    <td>T08</td>\n    <td>T8</td>\n    <td>活載荷</td>\n    <td>8.66</td>\n    <td>2.743</td>\n  </tr>\n  <tr>\n    <td>T09</td>\n    <td>WT1</td>\n    <td>活載荷</td>\n    <td>36.56</td>\n    <td>2.365</td>\n  </tr>\n  <tr>\n    <td>T10</td>\n    <td>WT2</td>\n    <td>活載荷</td>\n    <td>24.55</td>\n    <td>2.853</td>\n  </tr>\n  <tr>\n    <td>T11</td>\n    <td>WT3</td>\n    <td>活載荷</td>\n    <td>38.06</td>\n    <td>4.784</td>\n  </tr>\n  <tr>\n    <td>T12</td>\n    <td>WT4</td>\n    <td>活載荷</td>\n    <td>37.70</td>\n    <td>5.030</td>\n  </tr>\n  <tr>\n    <td>T13</td>\n    <td>WT5</td>\n    <td>活載荷</td>\n    <td>30.48</td>\n    <td>4.524</td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </```";

function withoutFence(text: string): string {
	return text.replace(/^```html\n/, '').replace(/```$/, '');
}

describe('parseHtmlTables on the vendor sample', () => {
	const { tables, complete } = parseHtmlTables(withoutFence(VENDOR_TABLE_ANSWER));
	const rows = tables[0].rows;

	it('returns the rows parsed before the cut and says the table is incomplete', () => {
		expect(tables).toHaveLength(1);
		expect(complete).toBe(false);
		expect(rows).toHaveLength(36);
		expect(rows.every((row) => row.length === 5)).toBe(true);
	});

	it('pads the short title row', () => {
		expect(rows[0]).toEqual(['Case nameTest No.3ConductorruputreGL+GR(max angle)', 'Last load grade:0%', 'Current load grade:', '', '']);
	});

	it('keeps the empty trailing rows, the cut one included', () => {
		expect(rows.slice(31).every(isEmptyRow)).toBe(true);
		expect(isEmptyRow(rows[30])).toBe(false);
		expect(rows[30]).toEqual(['T13', 'WT5', '活載荷', '30.48', '4.524']);
	});

	it('detects the second row as the header and keys the body rows by it', () => {
		const headerIndex = pickHeaderRow(rows, 0);
		expect(headerIndex).toBe(1);
		const records = rowsToObjects(rows, headerIndex);
		expect(records).toHaveLength(34);
		expect(records[0]).toEqual({
			rowIndex: 2,
			values: { Measurechannel: 'V02', 'Load point': 'V1', 'Load method': '活載荷', 'Actual Load(%)': '147.95', 'Actual Load(kN)': '0.815' },
		});
		expect(records[10].values).toEqual({ Measurechannel: 'L03', 'Load point': 'L3', 'Load method': '', 'Actual Load(%)': '2.96', 'Actual Load(kN)': '1.480' });
	});

	it('reads the same from the fenced answer, fence and all', () => {
		expect(parseHtmlTables(VENDOR_TABLE_ANSWER)).toEqual({ tables, complete: false });
	});
});

describe('parseHtmlTables', () => {
	it('expands rowspan and colspan into every covered slot', () => {
		const html = `<table>
			<tr><th rowspan="2">Item</th><th colspan="2">Q1</th><th rowspan=2>Total</th></tr>
			<tr><th>Jan</th><th>Feb</th></tr>
			<tr><td>A</td><td>1</td><td>2</td><td>3</td></tr>
			<tr><td colspan='3'>Sum</td><td>3</td></tr>
		</table>`;
		const { tables, complete } = parseHtmlTables(html);
		expect(complete).toBe(true);
		expect(tables[0].rows).toEqual([
			['Item', 'Q1', 'Q1', 'Total'],
			['Item', 'Jan', 'Feb', 'Total'],
			['A', '1', '2', '3'],
			['Sum', 'Sum', 'Sum', '3'],
		]);
		expect(pickHeaderRow(tables[0].rows, 0)).toBe(1);
	});

	it('places cells around rowspans from earlier rows', () => {
		const html = '<table><tr><td>a</td><td rowspan="3">b</td><td>c</td></tr><tr><td>d</td><td>e</td></tr><tr><td>f</td></tr></table>';
		expect(parseHtmlTables(html).tables[0].rows).toEqual([
			['a', 'b', 'c'],
			['d', 'b', 'e'],
			['f', 'b', ''],
		]);
	});

	it('adds no rows for spans past the end; rowspan=0 spans the row group; spans stop at row groups', () => {
		expect(parseHtmlTables('<table><tr><td rowspan="65534">a</td><td>b</td></tr><tr><td>c</td></tr></table>').tables[0].rows).toEqual([
			['a', 'b'],
			['a', 'c'],
		]);
		const html = '<table><thead><tr><td rowspan="0">h</td><td>1</td></tr><tr><td>2</td></tr></thead><tbody><tr><td>x</td><td>y</td></tr></tbody></table>';
		expect(parseHtmlTables(html).tables[0].rows).toEqual([
			['h', '1'],
			['h', '2'],
			['x', 'y'],
		]);
	});

	it('clamps absurd spans and ignores invalid ones', () => {
		const { tables } = parseHtmlTables('<table><tr><td colspan="99999">wide</td></tr><tr><td colspan="-3" rowspan="abc">x</td></tr></table>');
		expect(tables[0].rows[0]).toHaveLength(1000);
		expect(tables[0].rows[0].every((cell) => cell === 'wide')).toBe(true);
		expect(tables[0].rows[1][0]).toBe('x');
		expect(tables[0].rows[1][1]).toBe('');
	});

	it('reports cells dropped beyond column 1000 as incomplete', () => {
		const { tables, complete } = parseHtmlTables(`<table><tr><td colspan="999">a</td><td>b</td><td>lost</td></tr></table>`);
		expect(complete).toBe(false);
		expect(tables[0].rows[0]).toHaveLength(1000);
		expect(tables[0].rows[0][999]).toBe('b');
	});

	it('keeps several tables apart and ignores text outside them', () => {
		const html = 'Intro <b>text</b><table><tr><td>1</td></tr></table> between <table><caption>Cap</caption><tr><td>2</td><td>3</td></tr></table> outro';
		expect(parseHtmlTables(html)).toEqual({ tables: [{ rows: [['1']] }, { rows: [['2', '3']] }], complete: true });
	});

	it('decodes entities and collapses whitespace', () => {
		const html = '<table><tr><td>  A &amp; B &lt;1&gt; &yen;100 &euro;5 &pound;3 &#20320;&#x597D; &nbsp;x&nbsp;&nbsp;y &unknown; &copy;&times;&middot;&ndash;&mdash; &#0; </td></tr></table>';
		expect(parseHtmlTables(html).tables[0].rows[0][0]).toBe('A & B <1> ¥100 €5 £3 你好 x y &unknown; ©×·–— \ufffd');
	});

	it('turns <br> into newlines and block elements into lines, and drops inline tags', () => {
		const html = '<table><tr><td>line1<br>line2<br/>line3<BR />  </td><td><p>para1</p><p>para2</p><div>d</div><b>bold</b> <span class="x">in</span>line</td></tr></table>';
		expect(parseHtmlTables(html).tables[0].rows[0]).toEqual(['line1\nline2\nline3', 'para1\npara2\nd\nbold inline']);
	});

	it('closes cells and rows implicitly', () => {
		expect(parseHtmlTables('<TABLE><TR><TD>a<TD>b<TR><TH>c<td>d</TABLE>')).toEqual({ tables: [{ rows: [['a', 'b'], ['c', 'd']] }], complete: true });
	});

	it('reads rows without a <table> tag', () => {
		expect(parseHtmlTables('<tr><td>a</td></tr>\n<tr><td>b</td></tr>')).toEqual({ tables: [{ rows: [['a'], ['b']] }], complete: true });
		expect(parseHtmlTables('<tr><td>a</td></tr><tr><td>b')).toEqual({ tables: [{ rows: [['a'], ['b']] }], complete: false });
	});

	it('handles attributes with quotes, > inside quotes and no values', () => {
		const html = '<table border><tr><td title="a>b" data-x=\'1 2\' colspan=2 nowrap>x</td></tr><tr><td>y</td><td>z</td></tr></table>';
		expect(parseHtmlTables(html).tables[0].rows).toEqual([
			['x', 'x'],
			['y', 'z'],
		]);
	});

	it('flattens a nested table into its cell', () => {
		const html = '<table><tr><td>outer<table><tr><td>n1</td><td>n2</td></tr><tr><td>n3</td></tr></table>after</td><td>x</td></tr></table>';
		expect(parseHtmlTables(html)).toEqual({ tables: [{ rows: [['outer\nn1 n2\nn3\nafter', 'x']] }], complete: true });
	});

	it('keeps empty rows, trailing ones too', () => {
		expect(parseHtmlTables('<table><tr><td>a</td><td>b</td></tr><tr></tr><tr><td></td></tr></table>').tables[0].rows).toEqual([
			['a', 'b'],
			['', ''],
			['', ''],
		]);
	});

	it.each([
		['an open cell', '<table><tr><td>a</td><td>b', [['a', 'b']]],
		['a row cut before its first cell', '<table><tr><td>a</td></tr><tr>', [['a']]],
		['a cut tag', '<table><tr><td>a</td><td class="x', [['a']]],
		['a cut closing tag', '<table><tr><td>a</td></t', [['a']]],
		['a cut comment', '<table><tr><td>a<!-- note', [['a']]],
		['an open table', '<table><tr><td>a</td></tr>', [['a']]],
		['a lone <', '<table><tr><td>a</td></tr></table><', [['a']]],
	])('reports %s as incomplete', (_name, html, rows) => {
		expect(parseHtmlTables(html)).toEqual({ tables: [{ rows }], complete: false });
	});

	it('treats stray < as text and skips comments and doctypes', () => {
		const html = '<!DOCTYPE html><table><!-- c --><tr><td>1 < 2 </ 3 <3</td></tr></table>';
		expect(parseHtmlTables(html)).toEqual({ tables: [{ rows: [['1 < 2 </ 3 <3']] }], complete: true });
	});

	it('returns nothing for text without tables', () => {
		expect(parseHtmlTables('')).toEqual({ tables: [], complete: true });
		expect(parseHtmlTables('no tables here <b>at all</b>')).toEqual({ tables: [], complete: true });
		expect(parseHtmlTables('<table></table>')).toEqual({ tables: [{ rows: [] }], complete: true });
	});

	it('never throws on garbage and always returns rectangular rows', () => {
		const pieces = ['<', '>', '/', 'table', 'tr', 'td', 'th', 'tbody', ' ', '"', "'", '=', 'colspan', 'rowspan', '3', '0', '&amp;', '&#x', ';', '<!--', '-->', 'br', 'x', '\n'];
		let seed = 7;
		const next = () => {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			return seed;
		};
		for (let run = 0; run < 3000; run++) {
			const html = Array.from({ length: next() % 60 }, () => pieces[next() % pieces.length]).join('');
			const { tables } = parseHtmlTables(html);
			for (const table of tables) {
				const width = table.rows[0]?.length ?? 0;
				expect(table.rows.every((row) => row.length === width)).toBe(true);
			}
		}
	});

	it('parses 2 MB in linear time', () => {
		const row = '<tr><td>V02</td><td rowspan="2">V1</td><td>活載荷 &amp; x</td><td>147.95</td><td>0.815<br>y</td></tr>\n';
		const html = `<table>${row.repeat(Math.ceil(2_000_000 / row.length))}</table>`;
		const started = Date.now();
		const { tables, complete } = parseHtmlTables(html);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(complete).toBe(true);
		expect(tables[0].rows.length).toBeGreaterThan(20_000);
	});

	it.each([
		['many columns', `<table><tr>${'<td colspan="1000">x'.repeat(100_000)}</table>`, false],
		['many rows of a wide table', `<table><tr><td colspan="1000">w</td></tr>${'<tr>'.repeat(400_000)}</table>`, false],
		['paragraphs in one cell', `<table><tr><td>${'<p>a'.repeat(500_000)}</td></tr></table>`, true],
		['line breaks in one cell', `<table><tr><td>${'<br>'.repeat(500_000)}x</td></tr></table>`, true],
		['deep nesting', `<table><tr><td>${'<table><tr><td>'.repeat(100_000)}</table>`, false],
		['an unclosed quote', `<table><tr><td title="${'x'.repeat(2_000_000)}`, false],
	])('stays fast and bounded with %s', (_name, html, expectComplete) => {
		const started = Date.now();
		const { tables, complete } = parseHtmlTables(html);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(complete).toBe(expectComplete);
		for (const table of tables) expect(table.rows.length * (table.rows[0]?.length ?? 0)).toBeLessThanOrEqual(1_000_000);
	});
});

describe('pickHeaderRow', () => {
	const rows = [
		['Title', 'Title', 'Title'],
		['a', 'b', 'c'],
		['1', '2', '3'],
	];

	it('uses a 1-based row number as given, clamped', () => {
		expect(pickHeaderRow(rows, 1)).toBe(0);
		expect(pickHeaderRow(rows, 3)).toBe(2);
		expect(pickHeaderRow(rows, 99)).toBe(2);
	});

	it('skips title rows when detecting', () => {
		expect(pickHeaderRow(rows, 0)).toBe(1);
		expect(pickHeaderRow([['Report', '', ''], ['a', 'a', 'b'], ['x', 'y', 'z']], 0)).toBe(2);
	});

	it('accepts an empty top-left corner', () => {
		expect(pickHeaderRow([['', 'Q1', 'Q2'], ['Sales', '10', '20']], 0)).toBe(0);
		expect(pickHeaderRow([['', '', 'Report'], ['k', 'Q1', 'Q2']], 0)).toBe(1);
	});

	it('falls back to the first row', () => {
		expect(pickHeaderRow([['x', ''], ['', 'y']], 0)).toBe(0);
		expect(pickHeaderRow([], 0)).toBe(0);
		expect(pickHeaderRow([], 3)).toBe(0);
	});
});

describe('rowsToObjects', () => {
	it('names empty header cells, makes duplicates unique and drops rows before the header', () => {
		const rows = [
			['Title', 'Title', 'Title', 'Title', 'Title'],
			['Name', '', 'Name', 'Name_2', 'Actual\nLoad'],
			['a', 'b', 'c', 'd', 'e'],
			['f', 'g'],
		];
		expect(rowsToObjects(rows, 1)).toEqual([
			{ rowIndex: 2, values: { Name: 'a', column_2: 'b', Name_2: 'c', Name_2_2: 'd', 'Actual Load': 'e' } },
			{ rowIndex: 3, values: { Name: 'f', column_2: 'g', Name_2: '', Name_2_2: '', 'Actual Load': '' } },
		]);
	});

	it('numbers a third duplicate _3', () => {
		expect(rowsToObjects([['a', 'a', 'a'], ['1', '2', '3']], 0)[0].values).toEqual({ a: '1', a_2: '2', a_3: '3' });
	});

	it('keeps prototype names as plain keys', () => {
		const [record] = rowsToObjects([['__proto__', 'constructor'], ['x', 'y']], 0);
		expect(Object.keys(record.values)).toEqual(['__proto__', 'constructor']);
		expect(record.values.__proto__).toBe('x');
		expect(Object.getPrototypeOf(record.values)).toBe(Object.prototype);
	});

	it('returns nothing when the header is the last row', () => {
		expect(rowsToObjects([['a']], 0)).toEqual([]);
		expect(rowsToObjects([], 0)).toEqual([]);
	});
});
