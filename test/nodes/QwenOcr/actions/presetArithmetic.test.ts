/**
 * Chinese presets with the mainland documents' own keys (presetLanguage `zh`) and the arithmetic checks of the
 * invoice and receipt presets, through the engine on realistic model answers: a Chinese VAT invoice, a mainland
 * shop receipt, and invoices whose figures do not add up.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryItem, generationRequests, runQwenOcr, useEmulator } from '../../../engine/qwenOcr';
import { bytesItem } from '../../../engine/images';
import { presetRows } from '../../../../nodes/QwenOcr/helpers/presets';

const emulator = useEmulator();

const preset = (schemaPreset: string, options: IDataObject = {}) => ({ operation: 'keyInformationExtraction', schemaSource: 'preset', schemaPreset, options });
const zh = (schemaPreset: string, options: IDataObject = {}) => preset(schemaPreset, { presetLanguage: 'zh', ...options });
const sentSchema = () => (generationRequests(emulator)[0].body.parameters as any).ocr_options.task_config.result_schema;
const meta = (item: INodeExecutionData) => item.json._qwenOcr as IDataObject;
const validation = (item: INodeExecutionData) => meta(item).validation as IDataObject;

/** The model's answer: kv_result and the same JSON as text, as the vendor's samples show. */
function answer(...kvs: IDataObject[]) {
	emulator.enqueueFaults(kvs.map((kv) => ({ answer: { text: '```json\n' + JSON.stringify(kv, null, 4) + '\n```', ocrResult: { kv_result: kv } } })));
}

/** A 增值税专用发票 as Qwen-OCR reads it: figures as printed (¥, 年月日, unit prices with many decimals). */
const VAT_INVOICE: IDataObject = {
	发票代码: '4403194130',
	发票号码: '08521937',
	开票日期: '2024年03月15日',
	校验码: '12345 67890 12345 67890',
	购买方名称: '深圳市腾飞科技有限公司',
	购买方纳税人识别号: '91440300MA5F3QXX2K',
	销售方名称: '广州市华南办公用品有限公司',
	销售方纳税人识别号: '91440101MA59H7YY4B',
	金额: '¥1,592.92',
	税额: '¥207.08',
	价税合计: '¥1800.00',
	明细: [
		{ 货物或应税劳务名称: '*纸制品*A4复印纸', 规格型号: '70g 500张/包', 单位: '箱', 数量: '10', 单价: '106.19469027', 金额: '1061.95', 税率: '13%', 税额: '138.05' },
		{ 货物或应税劳务名称: '*文具*中性笔', 规格型号: '0.5mm', 单位: '盒', 数量: '20', 单价: '26.54867257', 金额: '530.97', 税率: '13%', 税额: '69.03' },
	],
};

/** A 购物小票 of a mainland supermarket. */
const SHOP_RECEIPT: IDataObject = {
	店名: '永辉超市（福田店）',
	门店地址: '深圳市福田区福华路88号',
	电话: '0755-83331234',
	单号: '0012-240614-0387',
	收银员: '023',
	日期: '2024-06-14',
	时间: '18:32',
	商品: [
		{ 品名: '农夫山泉 550ml', 数量: '2', 单价: '2.00', 金额: '4.00' },
		{ 品名: '金龙鱼大米 5kg', 数量: '1', 单价: '39.90', 金额: '39.90' },
		{ 品名: '蒙牛纯牛奶 250ml*12', 数量: '1', 单价: '45.00', 金额: '45.00' },
	],
	合计: '88.90',
	优惠: '5.00',
	应收: '83.90',
	实收: '100.00',
	找零: '16.10',
	支付方式: '现金',
};

describe('presetLanguage zh: the mainland documents\' own fields with Chinese keys', () => {
	it('the invoice preset sends the VAT invoice\'s fields (not a translation of the en set) and reads a VAT invoice typed', async () => {
		answer(VAT_INVOICE);
		const { items, error } = await runQwenOcr(emulator, zh('invoice'), [binaryItem('invoice.png')]);
		expect(error).toBeUndefined();
		const schema = sentSchema();
		expect(Object.keys(schema)).toEqual(['发票代码', '发票号码', '开票日期', '校验码', '购买方名称', '购买方纳税人识别号', '销售方名称', '销售方纳税人识别号', '金额', '税额', '价税合计', '明细']);
		expect(Object.keys(schema.明细[0])).toEqual(['货物或应税劳务名称', '规格型号', '单位', '数量', '单价', '金额', '税率', '税额']);
		expect(schema.价税合计).toMatch(/价税合计.*number without currency symbols/);
		const { _qwenOcr, ...json } = items[0].json;
		expect(json).toMatchObject({ 发票号码: '08521937', 开票日期: '2024-03-15', 金额: 1592.92, 税额: 207.08, 价税合计: 1800, 购买方名称: '深圳市腾飞科技有限公司' });
		expect((json.明细 as IDataObject[])[1]).toMatchObject({ 数量: 20, 单价: 26.54867257, 金额: 530.97, 税率: '13%', 税额: 69.03 });
		expect((_qwenOcr as IDataObject).validation).toEqual({ valid: true, missing: [], invalid: [], mismatches: [] });
	});

	it('required flags work on Chinese keys: a missing 价税合计 goes to Needs Review', async () => {
		answer({ ...VAT_INVOICE, 价税合计: null, 开票日期: '2024年13月45日' });
		const { outputs } = await runQwenOcr(emulator, zh('invoice', { needsReviewOutput: true }), [binaryItem('invoice.png')]);
		expect(outputs[0]).toHaveLength(0);
		expect(validation(outputs[1][0])).toMatchObject({ valid: false, missing: ['价税合计'], invalid: [expect.objectContaining({ path: '开票日期', expected: 'date' })] });
	});

	it('Split Into Items on the line-item list\'s Chinese key 明细', async () => {
		answer(VAT_INVOICE);
		const { items } = await runQwenOcr(emulator, zh('invoice', { splitArrayField: '明细', documentFieldsKey: '发票' }), [binaryItem('invoice.png')]);
		expect(items.map((item) => item.json.货物或应税劳务名称)).toEqual(['*纸制品*A4复印纸', '*文具*中性笔']);
		expect(items[0].json.发票).toMatchObject({ 发票号码: '08521937', 价税合计: 1800 });
		expect((items[0].json.发票 as IDataObject).明细).toBeUndefined();
		expect(items.map((item) => meta(item).arrayIndex)).toEqual([0, 1]);
	});

	it('receipt, ID card and business license presets use the printed Chinese field names', () => {
		expect(presetRows('receipt', 'zh').map((row) => row.key)).toEqual(
			expect.arrayContaining(['店名', '日期', '商品[].品名', '商品[].数量', '商品[].单价', '商品[].金额', '合计', '优惠', '应收', '实收', '找零', '支付方式']),
		);
		expect(presetRows('idCard', 'zh').map((row) => row.key).slice(0, 6)).toEqual(['姓名', '性别', '民族', '出生', '住址', '公民身份号码']);
		expect(presetRows('idCard', 'zh').find((row) => row.key === '出生')?.type).toBe('date');
		expect(presetRows('businessLicense', 'zh').map((row) => row.key)).toEqual(['名称', '统一社会信用代码', '类型', '法定代表人', '注册资本', '成立日期', '营业期限', '住所', '经营范围']);
		expect(presetRows('businessLicense', 'zh').filter((row) => row.required).map((row) => row.key)).toEqual(['名称', '统一社会信用代码']);
	});

	it('an ID card answer through the engine', async () => {
		answer({ 姓名: '王小明', 性别: '男', 民族: '汉', 出生: '1990年5月8日', 住址: '北京市海淀区中关村大街27号', 公民身份号码: '11010819900508123X', 签发机关: null, 有效期限: null });
		const { items } = await runQwenOcr(emulator, zh('idCard'), [binaryItem('invoice.png')]);
		expect(items[0].json).toMatchObject({ 姓名: '王小明', 出生: '1990-05-08', 公民身份号码: '11010819900508123X' });
		expect(validation(items[0])).toEqual({ valid: true, missing: [], invalid: [] });
	});

	it('en keys are unchanged', () => {
		expect(presetRows('invoice').map((row) => row.key)).toEqual([
			'invoice_number', 'invoice_date', 'seller.name', 'seller.address', 'seller.tax_id', 'buyer.name', 'buyer.address', 'buyer.tax_id',
			'currency', 'subtotal', 'tax_amount', 'total_amount', 'items[].description', 'items[].quantity', 'items[].unit_price', 'items[].amount',
		]);
		expect(presetRows('receipt').map((row) => row.key)).toEqual([
			'merchant.name', 'merchant.address', 'date', 'time', 'currency', 'items[].name', 'items[].quantity', 'items[].price', 'subtotal', 'tax_amount', 'total_amount', 'payment_method',
		]);
	});
});

describe('totals that add up', () => {
	it('an invoice whose total does not add up goes to Needs Review with the failed checks', async () => {
		// Globex invoice with two misreadings: "27.00" read as "72.00" on line 2, "164.40" read as "174.40".
		answer({
			invoice_number: 'INV-2024-0042',
			invoice_date: '2024-03-05',
			subtotal: '137.00',
			tax_amount: '27.40',
			total_amount: '$174.40',
			items: [
				{ description: 'Blue Widget', quantity: '2', unit_price: '12.50', amount: '25.00' },
				{ description: 'Steel Bracket (pack of 10)', quantity: '3', unit_price: '9.00', amount: '72.00' },
				{ description: 'Installation Service', quantity: '1', unit_price: '85.00', amount: '85.00' },
			],
		});
		const { outputs } = await runQwenOcr(emulator, preset('invoice', { needsReviewOutput: true, concurrency: 1 }), [binaryItem('invoice.png'), binaryItem('invoice.png')]);
		// the second item is the emulator's own (consistent) reading of the same invoice
		expect(outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(validation(outputs[0][0])).toEqual({ valid: true, missing: [], invalid: [], mismatches: [] });
		expect(outputs[1].map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect(validation(outputs[1][0])).toEqual({
			valid: false,
			missing: [],
			invalid: [],
			mismatches: [
				{ check: 'items[1].quantity × items[1].unit_price = items[1].amount', expected: 27, found: 72 },
				{ check: 'sum(items[].amount) = subtotal', expected: 182, found: 137 },
				{ check: 'subtotal + tax_amount = total_amount', expected: 164.4, found: 174.4 },
			],
		});
	});

	it('a Chinese VAT invoice whose 价税合计 was misread', async () => {
		answer({ ...VAT_INVOICE, 价税合计: '¥1900.00', 明细: [(VAT_INVOICE.明细 as IDataObject[])[0], { ...(VAT_INVOICE.明细 as IDataObject[])[1], 税额: '96.03' }] });
		const { outputs } = await runQwenOcr(emulator, zh('invoice', { needsReviewOutput: true }), [binaryItem('invoice.png')]);
		expect(outputs[0]).toHaveLength(0);
		expect(validation(outputs[1][0]).mismatches).toEqual([
			{ check: 'sum(明细[].税额) = 税额', expected: 234.08, found: 207.08 },
			{ check: '金额 + 税额 = 价税合计', expected: 1800, found: 1900 },
		]);
	});

	it('rounding within the tolerance passes: unit prices with many decimals, tax rounded per line', async () => {
		// 20 × 26.54867257 = 530.9734514, printed 530.97; 10 × 106.19 = 1061.90 with 1061.95 printed (0.05 ≤ 0.01 + 10 × 0.005)
		answer({ ...VAT_INVOICE, 明细: [{ ...(VAT_INVOICE.明细 as IDataObject[])[0], 单价: '106.19' }, (VAT_INVOICE.明细 as IDataObject[])[1]], 价税合计: '1800.01' });
		const { items } = await runQwenOcr(emulator, zh('invoice'), [binaryItem('invoice.png')]);
		expect(validation(items[0])).toEqual({ valid: true, missing: [], invalid: [], mismatches: [] });
		answer({ ...VAT_INVOICE, 价税合计: '1800.02' });
		const off = await runQwenOcr(emulator, zh('invoice'), [binaryItem('invoice.png')]);
		expect(validation(off.items[0]).mismatches).toEqual([{ check: '金额 + 税额 = 价税合计', expected: 1800, found: 1800.02 }]);
	});

	it('no check when a needed field is null; an unreadable figure is reported once, as invalid', async () => {
		answer(
			{ invoice_number: 'A-7', invoice_date: '2024-03-05', subtotal: null, tax_amount: '20.00', total_amount: '999.00', items: [{ quantity: null, unit_price: '5.00', amount: '50.00' }, { quantity: '1', unit_price: '7.00', amount: '7.00' }] },
			{ invoice_number: 'A-8', invoice_date: '2024-03-05', subtotal: '100.00', tax_amount: 'twenty', total_amount: '999.00', items: [{ quantity: '2', unit_price: '5.00', amount: '10.00' }] },
		);
		const { items } = await runQwenOcr(emulator, preset('invoice', { concurrency: 1 }), [binaryItem('invoice.png'), binaryItem('invoice.png')]);
		expect(validation(items[0])).toEqual({ valid: true, missing: [], invalid: [], mismatches: [] });
		expect(validation(items[1])).toMatchObject({
			valid: false,
			invalid: [expect.objectContaining({ path: 'tax_amount', value: 'twenty' })],
			mismatches: [{ check: 'sum(items[].amount) = subtotal', expected: 10, found: 100 }],
		});
	});

	it('a mainland shop receipt: lines, discount and change add up; a misread change does not', async () => {
		answer(SHOP_RECEIPT, { ...SHOP_RECEIPT, 找零: '6.10' }, { ...SHOP_RECEIPT, 优惠: null, 应收: '88.90', 找零: '11.10' });
		const { items } = await runQwenOcr(emulator, zh('receipt', { concurrency: 1 }), [binaryItem('receipt.jpg'), binaryItem('receipt.jpg'), binaryItem('receipt.jpg')]);
		expect(items[0].json).toMatchObject({ 店名: '永辉超市（福田店）', 日期: '2024-06-14', 合计: 88.9, 应收: 83.9, 找零: 16.1 });
		expect(validation(items[0])).toEqual({ valid: true, missing: [], invalid: [], mismatches: [] });
		expect(validation(items[1]).mismatches).toEqual([{ check: '实收 - 应收 = 找零', expected: 16.1, found: 6.1 }]);
		// no discount printed: 合计 = 应收
		expect(validation(items[2]).mismatches).toEqual([]);
	});

	it('the en receipt: lines sum to the subtotal, subtotal + tax = total', async () => {
		answer({ merchant: { name: 'CORNER MARKET' }, date: '14/06/2024', items: [{ name: 'Milk 1L', quantity: '1', price: '1.20' }, { name: 'Bread', quantity: '1', price: '2.50' }], subtotal: '3.70', tax_amount: '0.74', total_amount: '4.54' });
		const { items } = await runQwenOcr(emulator, preset('receipt'), [binaryItem('receipt.jpg')]);
		expect(validation(items[0]).mismatches).toEqual([{ check: 'subtotal + tax_amount = total_amount', expected: 4.44, found: 4.54 }]);
	});

	it('one item per PDF: lines on page 1 and totals on page 2 are checked together', async () => {
		const page1 = { invoice_number: 'INV-77', invoice_date: '2024-03-05', subtotal: null, tax_amount: null, total_amount: null, items: [{ quantity: '2', unit_price: '12.50', amount: '25.00' }, { quantity: '3', unit_price: '9.00', amount: '27.00' }] };
		const page2 = { invoice_number: 'INV-77', subtotal: '137.00', tax_amount: '27.40', total_amount: '164.40', items: [{ quantity: '1', unit_price: '58.00', amount: '58.00' }] };
		answer(page1, page2);
		const pdf = readFileSync(path.join(__dirname, '../../../fixtures/pdf/multipage.pdf'));
		const { items } = await runQwenOcr(emulator, preset('invoice', { pdfOutput: 'perDocument', pages: '1-2', concurrency: 1 }), [bytesItem(pdf, 'invoice.pdf', 'application/pdf')]);
		expect(items).toHaveLength(1);
		// 25 + 27 + 58 = 110, not the 137 printed on page 2
		expect(validation(items[0])).toMatchObject({ valid: false, mismatches: [{ check: 'sum(items[].amount) = subtotal', expected: 110, found: 137 }] });
	});

	it('presets without arithmetic and typed rows report no mismatches key', async () => {
		const { items } = await runQwenOcr(emulator, preset('businessLicense'), [binaryItem('invoice.png')]);
		expect(validation(items[0]).mismatches).toBeUndefined();
	});
});
