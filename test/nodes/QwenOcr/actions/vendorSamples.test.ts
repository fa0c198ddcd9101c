/**
 * Each operation's parser over the vendor page's own sample responses (test/fixtures/vendor),
 * read exactly as the node reads a live answer (readAnswer), producing the documented values.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { readAnswer } from '../../../../nodes/QwenOcr/actions/router';
import { OPERATIONS_BY_NAME } from '../../../../nodes/QwenOcr/actions';
import type { OperationName, ParseResult, TaskRequest } from '../../../../nodes/QwenOcr/helpers/interfaces';

function sample(name: string): IDataObject {
	return JSON.parse(readFileSync(path.join(__dirname, '../../../fixtures/vendor', `${name}.json`), 'utf8')) as IDataObject;
}

/** The node context a parser sees: only its options are read. */
function context(options: IDataObject = {}): IExecuteFunctions {
	return {
		getNode: () => ({ parameters: { options } }),
		getNodeParameter: (name: string, _itemIndex: number, fallback: unknown) =>
			name.startsWith('options.') ? (options[name.slice(8)] ?? fallback) : fallback,
	} as unknown as IExecuteFunctions;
}

function parse(operation: OperationName, sampleName: string, request: TaskRequest = {}, options: IDataObject = {}, imageSize?: { width: number; height: number }): ParseResult {
	const answer = readAnswer(sample(sampleName));
	return OPERATIONS_BY_NAME[operation].parse.call(context(options), { answer, request, imageSize, itemIndex: 0 });
}

describe('operation parsers on the vendor page samples', () => {
	it('text recognition: the text as sent, complete', () => {
		const result = parse('textRecognition', 'text_recognition');
		expect(result.partial).toBe(false);
		expect(result.items).toHaveLength(1);
		expect((result.items[0].json.text as string).startsWith('讀者對象\n如果你是Linux環境下的系統管理員')).toBe(true);
		expect(result.items[0].json.text).toBe(readAnswer(sample('text_recognition')).text);
	});

	it('multi-language: one line per language', () => {
		const result = parse('multiLanguage', 'multi_lan');
		const lines = (result.items[0].json.text as string).split('\n');
		expect(lines.slice(0, 5)).toEqual(['INTERNATIONAL', 'MOTHER LANGUAGE', 'DAY', 'Привіт!', '你好!']);
		expect(result.partial).toBe(false);
	});

	it('advanced recognition: lines from words_info in pixels, not the 0-1000 text boxes', () => {
		const result = parse('advancedRecognition', 'advanced_recognition');
		const lines = result.items[0].json.lines as Array<{ text: string; location: number[]; rotateRect: number[] }>;
		expect(lines).toHaveLength(11);
		expect(lines[0]).toEqual({ text: '讀者對象', location: [52, 54, 250, 57, 249, 106, 52, 103], rotateRect: [150, 80, 49, 197, -89] });
		expect((result.items[0].json.text as string).split('\n')[0]).toBe('讀者對象');
		expect(result.partial).toBe(false);
	});

	it('advanced recognition: boxes clamped to the real image size when it is known', () => {
		const result = parse('advancedRecognition', 'advanced_recognition', {}, {}, { width: 1400, height: 600 });
		const lines = result.items[0].json.lines as Array<{ location: number[]; rotateRect: number[] }>;
		// Second line's right edge is x=1397, the fourth's is x=1446: clamped to 1400.
		expect(lines[3].location).toEqual([52, 240, 1400, 249, 1400, 283, 51, 275]);
		// The last line's y=595..633 is clamped to 600.
		expect(lines[10].location).toEqual([52, 595, 609, 599, 609, 600, 51, 600]);
		expect(lines[3].rotateRect).toEqual([748, 263, 34, 1394, -89]);
	});

	it('key information extraction: kv_result at the top level, every schema key present', () => {
		const resultSchema = { 乘車日期: 'date', 發票代碼: 'code', 發票號碼: 'number', 金額: 'amount' };
		const result = parse('keyInformationExtraction', 'key_information_extraction', { task: 'key_information_extraction', resultSchema });
		expect(result.items[0].json).toEqual({ 乘車日期: '2013-06-29', 發票代碼: '221021325353', 發票號碼: '10283819', 金額: null });
		expect(result.partial).toBe(false);
	});

	it('key information extraction: falls back to the fenced JSON in the text without ocr_result', () => {
		const body = sample('key_information_extraction');
		const choice = ((body.output as IDataObject).choices as IDataObject[])[0];
		const content = (choice.message as IDataObject).content as IDataObject[];
		delete content[0].ocr_result;
		const answer = readAnswer(body);
		const result = OPERATIONS_BY_NAME.keyInformationExtraction.parse.call(context(), { answer, request: {}, itemIndex: 0 });
		expect(result.items[0].json).toEqual({ 乘車日期: '2013-06-29', 發票代碼: '221021325353', 發票號碼: '10283819' });
		expect(result.partial).toBe(false);
	});

	it('table parsing: the sample cut mid-tag is parsed as far as it goes and flagged partial', () => {
		const result = parse('tableParsing', 'table_parsing');
		expect(result.partial).toBe(true);
		const tables = result.items[0].json.tables as Array<{ rows: string[][] }>;
		expect(tables).toHaveLength(1);
		const rows = tables[0].rows;
		expect(rows.every((row) => row.length === 5)).toBe(true);
		expect(rows[0]).toEqual(['Case nameTest No.3ConductorruputreGL+GR(max angle)', 'Last load grade:0%', 'Current load grade:', '', '']);
		expect(rows[2]).toEqual(['V02', 'V1', '活載荷', '147.95', '0.815']);
		expect((result.items[0].json.html as string).startsWith('<table>')).toBe(true);
	});

	it('table parsing, rows mode: one item per body row keyed by the detected header row', () => {
		const result = parse('tableParsing', 'table_parsing', {}, { tableOutput: 'rows' });
		expect(result.items[0].json).toEqual({ Measurechannel: 'V02', 'Load point': 'V1', 'Load method': '活載荷', 'Actual Load(%)': '147.95', 'Actual Load(kN)': '0.815' });
		expect(result.items[0].meta).toEqual({ tableIndex: 0, rowIndex: 2 });
		const l03 = result.items.find((item) => item.json.Measurechannel === 'L03');
		expect(l03?.json['Load method']).toBe('');
		// The sample ends with blank form rows: they carry no data and give no items.
		expect(result.items).toHaveLength(29);
		expect(result.items.every((item) => Object.values(item.json).some((value) => value !== ''))).toBe(true);
	});

	it('document parsing: LaTeX without the fence; the sample lacks \\end{document} with finish_reason stop, which is how the model ends, not a cut', () => {
		const result = parse('documentParsing', 'document_parsing');
		const latex = result.items[0].json.latex as string;
		expect(latex.startsWith('\\documentclass{article}')).toBe(true);
		expect(latex).not.toContain('```');
		expect(result.partial).toBe(false);
	});

	it('formula recognition: LaTeX without $$ delimiters', () => {
		const result = parse('formulaRecognition', 'formula_recognition');
		expect(result.items[0].json.latex).toBe(
			'\\tilde { Q } ( x ) : = \\frac { 2 } { \\pi } \\Omega , \\tilde { T } : = T , \\tilde { H } = \\tilde { h } T , \\tilde { h } = \\frac { 1 } { m } \\sum _ { j = 1 } ^ { m } w _ { j } - z _ { 1 } .',
		);
		expect(result.partial).toBe(false);
	});

	it('custom prompt: plain text answer, and JSON answers parsed into data', () => {
		const text = parse('customPrompt', 'text_recognition');
		expect(text.items[0].json.data).toBeUndefined();
		const kie = parse('customPrompt', 'key_information_extraction');
		expect(kie.items[0].json.data).toEqual({ 乘車日期: '2013-06-29', 發票代碼: '221021325353', 發票號碼: '10283819' });
	});
});
