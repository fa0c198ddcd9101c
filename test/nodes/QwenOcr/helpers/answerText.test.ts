import {
	fencedBlocks,
	isStructurallyComplete,
	jsonAnswer,
	parseJsonLenient,
	stripFence,
	stripMathDelimiters,
	wholeText,
} from '../../../../nodes/QwenOcr/helpers/answerText';

// `text` of the vendor's response samples, verbatim.
const VENDOR_KIE_ANSWER = "```json\n{\n    \"乘車日期\": \"2013-06-29\",\n    \"發票代碼\": \"221021325353\",\n    \"發票號碼\": \"10283819\"\n}\n```";
const VENDOR_ADVANCED_ANSWER = "```json\n[{\"pos_list\": [{\"rotate_rect\": [740, 374, 599, 1459, 90]}]}```";
const VENDOR_FORMULA_ANSWER = "$$\\tilde { Q } ( x ) : = \\frac { 2 } { \\pi } \\Omega , \\tilde { T } : = T , \\tilde { H } = \\tilde { h } T , \\tilde { h } = \\frac { 1 } { m } \\sum _ { j = 1 } ^ { m } w _ { j } - z _ { 1 } .$$";
/** Ends inside a closing tag, right before the closing fence. */
const VENDOR_TABLE_ANSWER = "```html\n<table>\n  <tr>\n    <td>Case nameTest No.3ConductorruputreGL+GR(max angle)</td>\n    <td>Last load grade:0%</td>\n    <td>Current load grade:</td>\n  </tr>\n  <tr>\n    <td>Measurechannel</td>\n    <td>Load point</td>\n    <td>Load method</td>\n    <td>Actual Load(%)</td>\n    <td>Actual Load(kN)</td>\n  </tr>\n  <tr>\n    <td>V02</td>\n    <td>V1</td>\n    <td>活載荷</td>\n    <td>147.95</td>\n    <td>0.815</td>\n  </tr>\n  <tr>\n    <td>V03</td>\n    <td>V2</td>\n    <td>活載荷</td>\n    <td>111.75</td>\n    <td>0.615</td>\n  </tr>\n  <tr>\n    <td>V04</td>\n    <td>V3</td>\n    <td>活載荷</td>\n    <td>9.74</td>\n    <td>1.007</td>\n  </tr>\n  <tr>\n    <td>V05</td>\n    <td>V4</td>\n    <td>活載荷</td>\n    <td>7.88</td>\n    <td>0.814</td>\n  </tr>\n  <tr>\n    <td>V06</td>\n    <td>V5</td>\n    <td>活載荷</td>\n    <td>8.11</td>\n    <td>0.780</td>\n  </tr>\n  <tr>\n    <td>V07</td>\n    <td>V6</td>\n    <td>活載荷</td>\n    <td>8.54</td>\n    <td>0.815</td>\n  </tr>\n  <tr>\n    <td>V08</td>\n    <td>V7</td>\n    <td>活載荷</td>\n    <td>6.77</td>\n    <td>0.700</td>\n  </tr>\n  <tr>\n    <td>V09</td>\n    <td>V8</td>\n    <td>活載荷</td>\n    <td>8.59</td>\n    <td>0.888</td>\n  </tr>\n  <tr>\n    <td>L01</td>\n    <td>L1</td>\n    <td>活載荷</td>\n    <td>13.33</td>\n    <td>3.089</td>\n  </tr>\n  <tr>\n    <td>L02</td>\n    <td>L2</td>\n    <td>活載荷</td>\n    <td>9.69</td>\n    <td>2.247</td>\n  </tr>\n  <tr>\n    <td>L03</td>\n    <td>L3</td>\n    <td></td>\n    <td>2.96</td>\n    <td>1.480</td>\n  </tr>\n  <tr>\n    <td>L04</td>\n    <td>L4</td>\n    <td></td>\n    <td>3.40</td>\n    <td>1.700</td>\n  </tr>\n  <tr>\n    <td>L05</td>\n    <td>L5</td>\n    <td></td>\n    <td>2.45</td>\n    <td>1.224</td>\n  </tr>\n  <tr>\n    <td>L06</td>\n    <td>L6</td>\n    <td></td>\n    <td>2.01</td>\n    <td>1.006</td>\n  </tr>\n  <tr>\n    <td>L07</td>\n    <td>L7</td>\n    <td></td>\n    <td>2.38</td>\n    <td>1.192</td>\n  </tr>\n  <tr>\n    <td>L08</td>\n    <td>L8</td>\n    <td></td>\n    <td>2.10</td>\n    <td>1.050</td>\n  </tr>\n  <tr>\n    <td>T01</td>\n    <td>T1</td>\n    <td>活載荷</td>\n    <td>25.29</td>\n    <td>3.073</td>\n  </tr>\n  <tr>\n    <td>T02</td>\n    <td>T2</td>\n    <td>活載荷</td>\n    <td>27.39</td>\n    <td>3.327</td>\n  </tr>\n  <tr>\n    <td>T03</td>\n    <td>T3</td>\n    <td>活載荷</td>\n    <td>8.03</td>\n    <td>2.543</td>\n  </tr>\n  <tr>\n    <td>T04</td>\n    <td>T4</td>\n    <td>活載荷</td>\n    <td>11.19</td>\n    <td>3.542</td>\n  </tr>\n  <tr>\n    <td>T05</td>\n    <td>T5</td>\n    <td>活載荷</td>\n    <td>11.34</td>\n    <td>3.592</td>\n  </tr>\n  <tr>\n    <td>T06</td>\n    <td>T6</td>\n    <td>活載荷</td>\n    <td>16.47</td>\n    <td>5.217</td>\n  </tr>\n  <tr>\n    <td>T07</td>\n    <td>T7</td>\n    <td>活載荷</td>\n    <td>11.05</td>\n    <td>3.498</td>\n  </tr>\n  <tr>\n    <td>T08</td>\n    <td>T8</td>\n    <td>活載荷</td>\n    <td>8.66</td>\n    <td>2.743</td>\n  </tr>\n  <tr>\n    <td>T09</td>\n    <td>WT1</td>\n    <td>活載荷</td>\n    <td>36.56</td>\n    <td>2.365</td>\n  </tr>\n  <tr>\n    <td>T10</td>\n    <td>WT2</td>\n    <td>活載荷</td>\n    <td>24.55</td>\n    <td>2.853</td>\n  </tr>\n  <tr>\n    <td>T11</td>\n    <td>WT3</td>\n    <td>活載荷</td>\n    <td>38.06</td>\n    <td>4.784</td>\n  </tr>\n  <tr>\n    <td>T12</td>\n    <td>WT4</td>\n    <td>活載荷</td>\n    <td>37.70</td>\n    <td>5.030</td>\n  </tr>\n  <tr>\n    <td>T13</td>\n    <td>WT5</td>\n    <td>活載荷</td>\n    <td>30.48</td>\n    <td>4.524</td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </tr>\n  <tr>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n    <td></td>\n  </```";
/** Fence closed, but `\begin{document}` has no `\end{document}`. */
const VENDOR_DOCUMENT_ANSWER = "```latex\n\\documentclass{article}\n\n\\title{Qwen2-VL: Enhancing Vision-Language Model's Perception of the World at Any Resolution}\n\\author{Peng Wang* Shuai Bai* Sinan Tan* Shijie Wang* Zhihao Fan* Jinze Bai$^\\dagger$\\\\ Keqin Chen Xuejing Liu Jialin Wang Wenbin Ge Yang Fan Kai Dang Mengfei Du Xuancheng Ren Rui Men Dayiheng Liu Chang Zhou Jingren Zhou Junyang Lin$^\\dagger$\\\\ Qwen Team Alibaba Group}\n\\date{}\n\n\\begin{document}\n\n\\maketitle\n\n\\section{Abstract}\n\nWe present the Qwen2-VL Series, an advanced upgrade of the previous Qwen-VL models that redefines the conventional predetermined-resolution approach in visual processing. Qwen2-VL introduces the Naive Dynamic Resolution mechanism, which enables the model to dynamically process images of varying resolutions into different numbers of visual tokens. This approach allows the model to generate more efficient and accurate visual representations, closely aligning with human perceptual processes. The model also integrates Multimodal Rotary Position Embedding (M-RoPE), facilitating the effective fusion of positional information across text, images, and videos. We employ a unified paradigm for processing both images and videos, enhancing the model's visual perception capabilities. To explore the potential of large multimodal models, Qwen2-VL investigates the scaling laws for large vision-language models (LVLMs). By scaling both the model size-with versions at 2B, 8B, and 72B parameters-and the amount of training data, the Qwen2-VL Series achieves highly competitive performance. Notably, the Qwen2-VL-72B model achieves results comparable to leading models such as GPT-4o and Claude3.5-Sonnet across various multimodal benchmarks, outperforming other generalist models. Code is available at https://github.com/QwenLM/Qwen2-VL.\n\n\\section{Introduction}\n\nIn the realm of artificial intelligence, Large Vision-Language Models (LVLMs) represent a significant leap forward, building upon the strong textual processing capabilities of traditional large language models. These advanced models now encompass the ability to interpret and analyze a broader spectrum of data, including images, audio, and video. This expansion of capabilities has transformed LVLMs into indispensable tools for tackling a variety of real-world challenges. Recognized for their unique capacity to condense extensive and intricate knowledge into functional representations, LVLMs are paving the way for more comprehensive cognitive systems. By integrating diverse data forms, LVLMs aim to more closely mimic the nuanced ways in which humans perceive and interact with their environment. This allows these models to provide a more accurate representation of how we engage with and perceive our environment.\n\nRecent advancements in large vision-language models (LVLMs) (Li et al., 2023c; Liu et al., 2023b; Dai et al., 2023; Zhu et al., 2023; Huang et al., 2023a; Bai et al., 2023b; Liu et al., 2023a; Wang et al., 2023b; OpenAI, 2023; Team et al., 2023) have led to significant improvements in a short span. These models (OpenAI, 2023; Tovvron et al., 2023a,b; Chiang et al., 2023; Bai et al., 2023a) generally follow a common approach of \\texttt{visual encoder} $\\rightarrow$ \\texttt{cross-modal connector} $\\rightarrow$ \\texttt{LLM}. This setup, combined with next-token prediction as the primary training method and the availability of high-quality datasets (Liu et al., 2023a; Zhang et al., 2023; Chen et al., 2023b;\n\n```";

describe('stripFence', () => {
	it('unwraps the vendor samples', () => {
		expect(stripFence(VENDOR_KIE_ANSWER)).toEqual({
			content: '{\n    "乘車日期": "2013-06-29",\n    "發票代碼": "221021325353",\n    "發票號碼": "10283819"\n}',
			language: 'json',
			complete: true,
		});
		// The closing fence sticks to the JSON, which lacks its final `]`.
		expect(stripFence(VENDOR_ADVANCED_ANSWER)).toEqual({
			content: '[{"pos_list": [{"rotate_rect": [740, 374, 599, 1459, 90]}]}',
			language: 'json',
			complete: true,
		});
		const table = stripFence(VENDOR_TABLE_ANSWER);
		expect(table.language).toBe('html');
		expect(table.complete).toBe(true);
		expect(table.content.startsWith('<table>\n  <tr>')).toBe(true);
		expect(table.content.endsWith('<td></td>\n  </')).toBe(true);
		const document = stripFence(VENDOR_DOCUMENT_ANSWER);
		expect(document).toMatchObject({ language: 'latex', complete: true });
		expect(document.content.startsWith('\\documentclass{article}')).toBe(true);
		expect(document.content.endsWith('Chen et al., 2023b;')).toBe(true);
	});

	it('returns text without a fence trimmed', () => {
		expect(stripFence('  plain text\n')).toEqual({ content: 'plain text', complete: true });
		expect(stripFence(VENDOR_FORMULA_ANSWER)).toEqual({ content: VENDOR_FORMULA_ANSWER, complete: true });
	});

	it('says when the fence is never closed', () => {
		expect(stripFence('```json\n{"a": 1')).toEqual({ content: '{"a": 1', language: 'json', complete: false });
		expect(stripFence('```')).toEqual({ content: '', complete: false });
	});

	it('keeps only the first fenced block', () => {
		expect(stripFence('Here you go:\n```\nabc\n```\nThanks\n```\nmore\n```')).toEqual({ content: 'abc', complete: true });
		expect(stripFence('```HTML\r\n<table></table>\r\n```')).toEqual({ content: '<table></table>', language: 'html', complete: true });
		expect(stripFence('```{"a":1}```')).toEqual({ content: '{"a":1}', complete: true });
	});
});

describe('stripMathDelimiters', () => {
	it('removes the formula sample\'s $$', () => {
		expect(stripMathDelimiters(VENDOR_FORMULA_ANSWER)).toBe(
			'\\tilde { Q } ( x ) : = \\frac { 2 } { \\pi } \\Omega , \\tilde { T } : = T , \\tilde { H } = \\tilde { h } T , \\tilde { h } = \\frac { 1 } { m } \\sum _ { j = 1 } ^ { m } w _ { j } - z _ { 1 } .',
		);
	});

	it.each([
		[' $$ x^2 $$ ', 'x^2'],
		['\\[ a + b \\]', 'a + b'],
		['\\(a\\)', 'a'],
		['$x$', 'x'],
		['$$x = ', 'x ='],
		['x = 1', 'x = 1'],
		['$a$ and $b$', '$a$ and $b$'],
		['$$a$$ b $$c$$', '$$a$$ b $$c$$'],
		['$$ $$', ''],
		['$', ''],
	])('%j → %j', (input, expected) => {
		expect(stripMathDelimiters(input)).toBe(expected);
	});
});

describe('parseJsonLenient', () => {
	it('reads the vendor KIE answer', () => {
		expect(parseJsonLenient(VENDOR_KIE_ANSWER)).toEqual({
			value: { 乘車日期: '2013-06-29', 發票代碼: '221021325353', 發票號碼: '10283819' },
			complete: true,
		});
	});

	it('repairs the vendor advanced_recognition answer, whose array is never closed before the fence', () => {
		expect(parseJsonLenient(VENDOR_ADVANCED_ANSWER)).toEqual({
			value: [{ pos_list: [{ rotate_rect: [740, 374, 599, 1459, 90] }] }],
			complete: false,
		});
		expect(parseJsonLenient('```json\n[{"a": [1]}]```')).toEqual({ value: [{ a: [1] }], complete: true });
	});

	it('repairs a value cut off in a string', () => {
		expect(parseJsonLenient('{"a": "x", "items": [{"b": "1"}, {"b": "2')).toEqual({
			value: { a: 'x', items: [{ b: '1' }, { b: '2' }] },
			complete: false,
		});
	});

	it.each([
		['{"a": 1, "b', { a: 1 }],
		['{"a": 1, "b":', { a: 1 }],
		['{"a": 1, "b": ', { a: 1 }],
		['{"a": 1,', { a: 1 }],
		['[1, 2,', [1, 2]],
		['{"a": tru', { a: true }],
		['{"a": f', { a: false }],
		['{"a": nul', { a: null }],
		['{"a": 1.', { a: 1 }],
		['{"a": 1.5e+', { a: 1.5 }],
		['{"a": -', {}],
		['{"a": "x\\', { a: 'x' }],
		['{"a": "\\u4f', { a: '' }],
		['{"a": {"b": [1, {"c": "d', { a: { b: [1, { c: 'd' }] } }],
		['```json\n{"a": [1, 2', { a: [1, 2] }],
	])('repairs %j', (text, value) => {
		expect(parseJsonLenient(text)).toEqual({ value, complete: false });
	});

	it('finds JSON inside prose', () => {
		expect(parseJsonLenient('Sure! Here is the result: {"a": 1} Hope it helps.')).toEqual({ value: { a: 1 }, complete: true });
		expect(parseJsonLenient('Result [see below]: {"a": [1]}')).toEqual({ value: { a: [1] }, complete: true });
		expect(parseJsonLenient('Use {curly} style:\n```json\n{"a": 1}\n```')).toEqual({ value: { a: 1 }, complete: true });
	});

	it('ends the value at a syntax error after some content instead of returning an inner object', () => {
		expect(parseJsonLenient('{"a": {"b": 1}, "c": 2 "d": 3}')).toEqual({ value: { a: { b: 1 }, c: 2 }, complete: false });
	});

	it('accepts single quotes, raw newlines in strings and trailing commas', () => {
		expect(parseJsonLenient("{'發票號碼':'123', 'x': 'it\\'s'}")).toEqual({ value: { 發票號碼: '123', x: "it's" }, complete: true });
		expect(parseJsonLenient('{"a": [1, 2,], "b": "line1\nline2",}')).toEqual({ value: { a: [1, 2], b: 'line1\nline2' }, complete: true });
	});

	it('decodes escapes and numbers', () => {
		expect(parseJsonLenient('{"s": "a\\n\\t\\"\\u4f60\\/\\q", "n": [-1.5e2, 0, 12]}')).toEqual({
			value: { s: 'a\n\t"你/q', n: [-150, 0, 12] },
			complete: true,
		});
	});

	it('keeps __proto__ as an ordinary key', () => {
		const parsed = parseJsonLenient('{"__proto__": {"polluted": true}}');
		const value = parsed?.value as Record<string, unknown>;
		expect(Object.keys(value)).toEqual(['__proto__']);
		expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('returns undefined without JSON', () => {
		expect(parseJsonLenient('')).toBeUndefined();
		expect(parseJsonLenient('no json here')).toBeUndefined();
		expect(parseJsonLenient('[not json')).toBeUndefined();
		expect(parseJsonLenient('{oops}')).toBeUndefined();
		expect(parseJsonLenient('"just a string" 42')).toBeUndefined();
	});

	it('survives deep nesting and large input', () => {
		expect(parseJsonLenient('['.repeat(200_000))?.complete).toBe(false);
		const big = JSON.stringify(Array.from({ length: 40_000 }, (_, index) => ({ id: index, name: `item ${index}`, tags: ['a', 'b'] })));
		const started = Date.now();
		const parsed = parseJsonLenient(big.slice(0, -10));
		expect(Date.now() - started).toBeLessThan(5000);
		expect(parsed?.complete).toBe(false);
		expect((parsed?.value as unknown[]).length).toBe(40_000);
	});
});

describe('isStructurallyComplete', () => {
	it('checks JSON', () => {
		expect(isStructurallyComplete('json', VENDOR_KIE_ANSWER)).toBe(true);
		expect(isStructurallyComplete('json', VENDOR_ADVANCED_ANSWER)).toBe(false);
		expect(isStructurallyComplete('json', '{"a": "x", "items": [{"b": "1"}, {"b": "2')).toBe(false);
		expect(isStructurallyComplete('json', '```json\n{"a": 1}')).toBe(false);
		// Prose is no cut JSON value, and neither are brackets in it.
		expect(isStructurallyComplete('json', 'no json')).toBe(true);
		expect(isStructurallyComplete('json', 'Qty [3 pcs] of M6 bolts')).toBe(true);
	});

	it('checks HTML tables', () => {
		expect(isStructurallyComplete('html', VENDOR_TABLE_ANSWER)).toBe(false);
		expect(isStructurallyComplete('html', '```html\n<table><tr><td>a</td></tr></table>\n```')).toBe(true);
		expect(isStructurallyComplete('html', '<table><tr><td>a</td></tr>')).toBe(false);
	});

	it('checks LaTeX: an open document is normal (the vendor sample never closes it), any other open environment is a cut', () => {
		expect(isStructurallyComplete('latex', VENDOR_DOCUMENT_ANSWER)).toBe(true);
		expect(isStructurallyComplete('latex', '\\begin{document}\n\\section{A}\nText.')).toBe(true);
		expect(isStructurallyComplete('latex', '\\begin{document}\n\\begin{itemize}\n\\item one\n\\item tw')).toBe(false);
		expect(isStructurallyComplete('latex', '\\begin{tabular}{ll} a & b \\\\ \\end{tabular}\n\\begin{equation} x')).toBe(false);
		expect(isStructurallyComplete('latex', VENDOR_FORMULA_ANSWER)).toBe(true);
		expect(isStructurallyComplete('latex', '\\begin{document}\n\\begin{array}{c} x \\end{array}\n\\end{document}')).toBe(true);
		expect(isStructurallyComplete('latex', '$$x = ')).toBe(false);
		expect(isStructurallyComplete('latex', 'a \\\\[2pt] b')).toBe(true);
		expect(isStructurallyComplete('latex', '```latex\n\\section{A}')).toBe(false);
	});

	it('checks plain text for an open fence only', () => {
		expect(isStructurallyComplete('text', 'abc')).toBe(true);
		expect(isStructurallyComplete('text', '```\nabc')).toBe(false);
	});
});

/** A screenshot of a README: prose around a code block, as text recognition answers it. */
const README_ANSWER = 'Quick start\n\nInstall the package, then start n8n:\n\n```bash\nnpm install n8n-nodes-qwen-ocr\nnpx n8n start\n```\n\nOpen http://localhost:5678 and add the Qwen OCR node.';

describe('fencedBlocks', () => {
	it('finds each block with its language, content and whether it closes', () => {
		expect(fencedBlocks(README_ANSWER)).toEqual([
			{
				start: README_ANSWER.indexOf('```bash'),
				end: README_ANSWER.lastIndexOf('```') + 3,
				content: 'npm install n8n-nodes-qwen-ocr\nnpx n8n start\n',
				language: 'bash',
				closed: true,
			},
		]);
		const two = fencedBlocks('A:\n```json\n{"a": 1}\n```\nB:\n```python\nprint(1)\n```\n');
		expect(two.map((block) => [block.language, block.content, block.closed])).toEqual([
			['json', '{"a": 1}\n', true],
			['python', 'print(1)\n', true],
		]);
	});

	it('closes at a fence stuck to the content (the vendor samples) but not at a fence followed by text', () => {
		expect(fencedBlocks(VENDOR_ADVANCED_ANSWER)[0]).toMatchObject({ content: '[{"pos_list": [{"rotate_rect": [740, 374, 599, 1459, 90]}]}', closed: true });
		expect(fencedBlocks(VENDOR_TABLE_ANSWER)[0].closed).toBe(true);
		expect(fencedBlocks('````markdown\nUse:\n```js\nx()\n```\n````')).toEqual([
			{ start: 0, end: 36, content: 'Use:\n```js\nx()\n```\n', language: 'markdown', closed: true },
		]);
	});

	it('takes a bare fence at the very end, after a block, as a stray closing fence (a wrapper closed early by its inner fence)', () => {
		const wrapped = '```markdown\n# Setup\n```bash\nnpm i\n```\nThen run it.\n```';
		expect(fencedBlocks(wrapped)).toEqual([{ start: 0, end: 37, content: '# Setup\n```bash\nnpm i\n', language: 'markdown', closed: true }]);
		expect(wholeText(wrapped)).toEqual({ text: wrapped, complete: true });
		// Alone, a bare fence is still a block left open.
		expect(fencedBlocks('```\n')).toEqual([{ start: 0, end: 4, content: '', closed: false }]);
	});

	it('does not open a block at backticks in prose, and reports a block left open', () => {
		expect(fencedBlocks('Type ``` then Enter to start a code block.')).toEqual([]);
		expect(fencedBlocks('Write ```[1]``` for a footnote.')).toEqual([]);
		expect(fencedBlocks('Here is the JSON: ```json\n{"a": 1}\n```')[0]).toMatchObject({ language: 'json', content: '{"a": 1}\n', closed: true });
		expect(fencedBlocks('Here: ```json {"a": 1}```')[0]).toMatchObject({ language: 'json', content: '{"a": 1}', closed: true });
		expect(fencedBlocks('Code:\n```js\nconst a = [1,')).toEqual([{ start: 6, end: 25, content: 'const a = [1,', language: 'js', closed: false }]);
	});
});

describe('wholeText', () => {
	it('keeps an answer with prose around a code block exactly, fences included', () => {
		expect(wholeText(README_ANSWER)).toEqual({ text: README_ANSWER, complete: true });
		const twoBlocks = '```\nfirst\n```\nand\n```\nsecond\n```';
		expect(wholeText(twoBlocks)).toEqual({ text: twoBlocks, complete: true });
	});

	it('removes the fences when the whole answer is one fenced block, keeping indentation', () => {
		expect(wholeText('```text\n  Indented first line\nsecond line\n```\n')).toEqual({ text: '  Indented first line\nsecond line', complete: true });
		expect(wholeText(VENDOR_KIE_ANSWER).text).toBe('{\n    "乘車日期": "2013-06-29",\n    "發票代碼": "221021325353",\n    "發票號碼": "10283819"\n}');
	});

	it('keeps text without fences exactly', () => {
		expect(wholeText(VENDOR_FORMULA_ANSWER)).toEqual({ text: VENDOR_FORMULA_ANSWER, complete: true });
		expect(wholeText('  line 1\nline 2\n')).toEqual({ text: '  line 1\nline 2\n', complete: true });
	});

	it('says when a fence is left open', () => {
		expect(wholeText('```\nline 1\nline')).toEqual({ text: 'line 1\nline', complete: false });
		const cut = 'Run this:\n```bash\nnpm inst';
		expect(wholeText(cut)).toEqual({ text: cut, complete: false });
	});
});

describe('jsonAnswer', () => {
	it('reads a whole JSON answer, fenced or not', () => {
		expect(jsonAnswer('  {"total": "12.50"}\n')).toEqual({ value: { total: '12.50' }, complete: true });
		expect(jsonAnswer('[{"name": "Bolt"}, {"name": "Nut"}]')).toEqual({ value: [{ name: 'Bolt' }, { name: 'Nut' }], complete: true });
		expect(jsonAnswer(VENDOR_KIE_ANSWER)).toEqual({ value: { 乘車日期: '2013-06-29', 發票代碼: '221021325353', 發票號碼: '10283819' }, complete: true });
	});

	it('reads the one fenced JSON block of an answer with prose around it', () => {
		const answer = 'Here is the JSON you asked for:\n\n```json\n{"product": "Oat Milk 1L", "price": 2.49}\n```\n\nThe label also shows [organic].';
		expect(jsonAnswer(answer)).toEqual({ value: { product: 'Oat Milk 1L', price: 2.49 }, complete: true });
		// A code block that is not JSON beside it does not count.
		expect(jsonAnswer('```json\n{"a": 1}\n```\nIn Python:\n```python\nprint(data["a"])\n```')).toEqual({ value: { a: 1 }, complete: true });
	});

	it.each([
		'The label lists the allergens (see [1] on the back): milk, soy.',
		'Qty [3 pcs] of M6 bolts, delivered 2024-03-05.',
		'[1] Introduction\nThis manual describes {the} device.',
		'{"a": 1} and {"b": 2}',
		'Use {curly} braces for placeholders.',
		'```json\n{"a": 1}\n```\nor\n```json\n{"a": 2}\n```',
		'```\nnot json [at all]\n```',
	])('finds no JSON in %j', (answer) => {
		expect(jsonAnswer(answer)).toBeUndefined();
	});

	it('repairs a value cut off at the end of the answer or of its fence', () => {
		expect(jsonAnswer('```json\n{"items": [{"name": "Bolt", "qty": 4}, {"name": "Nut", "qty"')).toEqual({
			value: { items: [{ name: 'Bolt', qty: 4 }, { name: 'Nut' }] },
			complete: false,
		});
		expect(jsonAnswer('{"items": ["a", "b')).toEqual({ value: { items: ['a', 'b'] }, complete: false });
		expect(jsonAnswer(VENDOR_ADVANCED_ANSWER)).toEqual({ value: [{ pos_list: [{ rotate_rect: [740, 374, 599, 1459, 90] }] }], complete: false });
	});
});

describe('isStructurallyComplete for any answer (custom prompt)', () => {
	it.each([
		[README_ANSWER, true],
		['Qty [3 pcs] of M6 bolts', true],
		['See [1', true],
		['```json\n{"a": [1, 2', false],
		['{"a": [1, 2', false],
		['Here is the table:\n<table><tr><td>a</td></tr>\n<tr><td>b', false],
		['<table><tr><td>a</td></tr></table> and that is all', true],
		['\\begin{document}\n\\begin{enumerate}\n\\item first', false],
		[VENDOR_DOCUMENT_ANSWER, true],
	])('%j → %s', (answer, complete) => {
		expect(isStructurallyComplete('any', answer)).toBe(complete);
	});
});
