/**
 * Ready-made field sets for common documents (`schemaSource = preset`), in two languages that are two different
 * field sets: `en` has English keys for international documents; `zh` has the Simplified Chinese keys printed on
 * the mainland document itself (增值税发票, 购物小票, 居民身份证, 营业执照), not a translation of the `en` set.
 * Invoice and receipt presets also carry arithmetic checks (helpers/arithmetic.ts).
 */
import type { ArithmeticCheck } from './arithmetic';
import type { FieldType, TypedFieldRow } from './fieldTypes';

export type PresetRow = Required<TypedFieldRow>;

export type PresetName = 'invoice' | 'receipt' | 'idCard' | 'businessLicense';
export type PresetLanguage = 'en' | 'zh';

/** [key, type, required, description] */
type PresetSpec = [string, FieldType, boolean, string];

interface Preset {
	fields: PresetSpec[];
	checks: ArithmeticCheck[];
}

const EN: Record<PresetName, Preset> = {
	invoice: {
		fields: [
			['invoice_number', 'string', true, 'The invoice number exactly as printed'],
			['invoice_date', 'date', true, 'The invoice (issue) date'],
			['seller.name', 'string', false, 'Name of the seller (the company issuing the invoice)'],
			['seller.address', 'string', false, "The seller's full address on one line"],
			['seller.tax_id', 'string', false, "The seller's tax or VAT identification number"],
			['buyer.name', 'string', false, 'Name of the buyer (the customer billed)'],
			['buyer.address', 'string', false, "The buyer's full address on one line"],
			['buyer.tax_id', 'string', false, "The buyer's tax or VAT identification number"],
			['currency', 'string', false, 'The currency as an ISO 4217 code such as USD, EUR or CNY'],
			['subtotal', 'amount', false, 'The total before tax'],
			['tax_amount', 'amount', false, 'The total tax'],
			['total_amount', 'amount', true, 'The total amount due including tax'],
			['items[].description', 'string', false, 'Description of the line item'],
			['items[].quantity', 'number', false, 'Quantity of the line item'],
			['items[].unit_price', 'amount', false, 'Unit price of the line item'],
			['items[].amount', 'amount', false, 'Total of the line item'],
		],
		checks: [
			{ kind: 'lineProduct', list: 'items', quantity: 'quantity', unitPrice: 'unit_price', amount: 'amount' },
			{ kind: 'lineSum', list: 'items', field: 'amount', total: 'subtotal' },
			{ kind: 'fieldSum', terms: [{ path: 'subtotal', sign: 1 }, { path: 'tax_amount', sign: 1 }], total: 'total_amount' },
		],
	},
	receipt: {
		fields: [
			['merchant.name', 'string', true, 'Name of the store or merchant'],
			['merchant.address', 'string', false, "The merchant's address"],
			['date', 'date', true, 'Date of the purchase'],
			['time', 'string', false, 'Time of the purchase as HH:MM'],
			['currency', 'string', false, 'The currency as an ISO 4217 code'],
			['items[].name', 'string', false, 'Name of the purchased item'],
			['items[].quantity', 'number', false, 'Quantity of the item (1 when not printed)'],
			['items[].price', 'amount', false, 'Price of the line'],
			['subtotal', 'amount', false, 'Total before tax'],
			['tax_amount', 'amount', false, 'Tax included or added'],
			['total_amount', 'amount', true, 'Total paid'],
			['payment_method', 'string', false, 'How it was paid (cash, card, ...)'],
		],
		checks: [
			{ kind: 'lineSum', list: 'items', field: 'price', total: 'subtotal' },
			{ kind: 'fieldSum', terms: [{ path: 'subtotal', sign: 1 }, { path: 'tax_amount', sign: 1 }], total: 'total_amount' },
		],
	},
	idCard: {
		fields: [
			['name', 'string', true, 'Full name of the holder'],
			['id_number', 'string', true, 'The identity document number'],
			['sex', 'string', false, 'Sex as printed'],
			['nationality', 'string', false, 'Nationality or ethnicity as printed'],
			['date_of_birth', 'date', false, 'Date of birth'],
			['address', 'string', false, 'Address as printed'],
			['issuing_authority', 'string', false, 'The authority that issued the document'],
			['issue_date', 'date', false, 'Date of issue'],
			['expiry_date', 'date', false, 'Date of expiry'],
		],
		checks: [],
	},
	businessLicense: {
		fields: [
			['company_name', 'string', true, 'Registered name of the company'],
			['registration_number', 'string', true, 'Registration number (unified social credit code)'],
			['company_type', 'string', false, 'Type of company'],
			['legal_representative', 'string', false, 'Legal representative'],
			['registered_capital', 'string', false, 'Registered capital as printed'],
			['establishment_date', 'date', false, 'Date of establishment'],
			['business_term', 'string', false, 'Term of operation as printed'],
			['address', 'string', false, 'Registered address'],
			['business_scope', 'string', false, 'Business scope'],
		],
		checks: [],
	},
};

/** The mainland documents' own fields, keyed as printed on them. */
const ZH: Record<PresetName, Preset> = {
	// 增值税发票 (专用发票 / 普通发票, paper or electronic): the header, the two parties, the 货物或应税劳务 table and
	// the totals row. 金额 and 单价 are before tax; 价税合计 is the (小写) total including tax.
	invoice: {
		fields: [
			['发票代码', 'string', false, '发票代码（全电发票没有发票代码时为 null）'],
			['发票号码', 'string', true, '发票号码，按原样提取'],
			['开票日期', 'date', true, '开票日期'],
			['校验码', 'string', false, '校验码，按原样提取'],
			['购买方名称', 'string', false, '购买方名称'],
			['购买方纳税人识别号', 'string', false, '购买方纳税人识别号（统一社会信用代码）'],
			['销售方名称', 'string', false, '销售方名称'],
			['销售方纳税人识别号', 'string', false, '销售方纳税人识别号（统一社会信用代码）'],
			['金额', 'amount', false, '合计行的金额（不含税）'],
			['税额', 'amount', false, '合计行的税额'],
			['价税合计', 'amount', true, '价税合计（小写）金额'],
			['明细[].货物或应税劳务名称', 'string', false, '货物或应税劳务、服务名称'],
			['明细[].规格型号', 'string', false, '规格型号'],
			['明细[].单位', 'string', false, '单位'],
			['明细[].数量', 'number', false, '数量'],
			['明细[].单价', 'amount', false, '单价（不含税）'],
			['明细[].金额', 'amount', false, '金额（不含税）'],
			['明细[].税率', 'string', false, '税率或征收率，如 13%、免税'],
			['明细[].税额', 'amount', false, '税额'],
		],
		checks: [
			{ kind: 'lineProduct', list: '明细', quantity: '数量', unitPrice: '单价', amount: '金额' },
			{ kind: 'lineSum', list: '明细', field: '金额', total: '金额' },
			{ kind: 'lineSum', list: '明细', field: '税额', total: '税额' },
			{ kind: 'fieldSum', terms: [{ path: '金额', sign: 1 }, { path: '税额', sign: 1 }], total: '价税合计' },
		],
	},
	// 购物小票 of a mainland shop: 合计 is the goods' total, 优惠 the discount, 应收 what is due, 实收 what the
	// customer handed over and 找零 the change.
	receipt: {
		fields: [
			['店名', 'string', true, '商户或门店名称'],
			['门店地址', 'string', false, '门店地址'],
			['电话', 'string', false, '门店电话'],
			['单号', 'string', false, '小票号、流水号或单号'],
			['收银员', 'string', false, '收银员或收银员编号'],
			['日期', 'date', true, '交易日期'],
			['时间', 'string', false, '交易时间，格式 HH:MM'],
			['商品[].品名', 'string', false, '商品名称'],
			['商品[].数量', 'number', false, '数量（未打印时为 1）'],
			['商品[].单价', 'amount', false, '单价'],
			['商品[].金额', 'amount', false, '该行金额'],
			['合计', 'amount', false, '商品合计金额（优惠前）'],
			['优惠', 'amount', false, '优惠或折扣金额（正数），没有时为 null'],
			['应收', 'amount', true, '应收（应付）金额'],
			['实收', 'amount', false, '实收金额（顾客支付的金额）'],
			['找零', 'amount', false, '找零金额'],
			['支付方式', 'string', false, '支付方式，如 现金、微信、支付宝、银行卡'],
		],
		checks: [
			{ kind: 'lineProduct', list: '商品', quantity: '数量', unitPrice: '单价', amount: '金额' },
			{ kind: 'lineSum', list: '商品', field: '金额', total: '合计' },
			{ kind: 'fieldSum', terms: [{ path: '合计', sign: 1 }, { path: '优惠', sign: -1, optional: true }], total: '应收' },
			{ kind: 'fieldSum', terms: [{ path: '实收', sign: 1 }, { path: '应收', sign: -1 }], total: '找零' },
		],
	},
	// 居民身份证: the portrait side and the national-emblem side (签发机关, 有效期限).
	idCard: {
		fields: [
			['姓名', 'string', true, '姓名'],
			['性别', 'string', false, '性别'],
			['民族', 'string', false, '民族'],
			['出生', 'date', false, '出生日期'],
			['住址', 'string', false, '住址，按原样提取为一行'],
			['公民身份号码', 'string', true, '18 位公民身份号码'],
			['签发机关', 'string', false, '签发机关（背面）'],
			['有效期限', 'string', false, '有效期限，按原样提取，如 2015.03.01-2035.03.01 或 长期'],
		],
		checks: [],
	},
	// 营业执照: the fields printed on the licence (法定代表人 may read 负责人 or 经营者 on branches and sole traders).
	businessLicense: {
		fields: [
			['名称', 'string', true, '名称'],
			['统一社会信用代码', 'string', true, '18 位统一社会信用代码'],
			['类型', 'string', false, '类型（组成形式）'],
			['法定代表人', 'string', false, '法定代表人（或负责人、经营者）'],
			['注册资本', 'string', false, '注册资本，按原样提取'],
			['成立日期', 'date', false, '成立日期'],
			['营业期限', 'string', false, '营业期限，按原样提取'],
			['住所', 'string', false, '住所（或经营场所）'],
			['经营范围', 'string', false, '经营范围'],
		],
		checks: [],
	},
};

function preset(name: PresetName, language: PresetLanguage): Preset {
	const found = (language === 'zh' ? ZH : EN)[name];
	if (!found) throw new Error(`Unknown preset "${String(name)}"`);
	return found;
}

export function presetRows(name: PresetName, language: PresetLanguage = 'en'): PresetRow[] {
	return preset(name, language).fields.map(([key, type, required, description]) => ({ key, type, required, description }));
}

/** The arithmetic checks of a preset (invoice and receipt; none for the others). */
export function presetChecks(name: PresetName, language: PresetLanguage = 'en'): ArithmeticCheck[] {
	return preset(name, language).checks;
}

