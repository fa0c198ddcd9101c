/**
 * Ready-made field sets for common documents (`schemaSource = preset`). Keys stay English in both
 * languages so downstream expressions do not change; `presetLanguage = zh` only switches the
 * descriptions the model reads, which helps on Chinese documents.
 */
import type { FieldType, TypedFieldRow } from './fieldTypes';

export type PresetRow = Required<TypedFieldRow>;

export type PresetName = 'invoice' | 'receipt' | 'idCard' | 'businessLicense';
export type PresetLanguage = 'en' | 'zh';

/** [key, type, required, English description, Chinese description] */
type PresetSpec = [string, FieldType, boolean, string, string];

const PRESETS: Record<PresetName, PresetSpec[]> = {
	invoice: [
		['invoice_number', 'string', true, 'The invoice number exactly as printed', '发票号码，按原样提取'],
		['invoice_date', 'date', true, 'The invoice (issue) date', '开票日期'],
		['seller.name', 'string', false, 'Name of the seller (the company issuing the invoice)', '销售方名称'],
		['seller.address', 'string', false, "The seller's full address on one line", '销售方地址'],
		['seller.tax_id', 'string', false, "The seller's tax or VAT identification number", '销售方纳税人识别号'],
		['buyer.name', 'string', false, 'Name of the buyer (the customer billed)', '购买方名称'],
		['buyer.address', 'string', false, "The buyer's full address on one line", '购买方地址'],
		['buyer.tax_id', 'string', false, "The buyer's tax or VAT identification number", '购买方纳税人识别号'],
		['currency', 'string', false, 'The currency as an ISO 4217 code such as USD, EUR or CNY', '币种，ISO 4217 代码，如 CNY'],
		['subtotal', 'amount', false, 'The total before tax', '不含税合计金额'],
		['tax_amount', 'amount', false, 'The total tax', '合计税额'],
		['total_amount', 'amount', true, 'The total amount due including tax', '价税合计金额'],
		['items[].description', 'string', false, 'Description of the line item', '货物或应税劳务、服务名称'],
		['items[].quantity', 'number', false, 'Quantity of the line item', '数量'],
		['items[].unit_price', 'amount', false, 'Unit price of the line item', '单价'],
		['items[].amount', 'amount', false, 'Total of the line item', '金额'],
	],
	receipt: [
		['merchant.name', 'string', true, 'Name of the store or merchant', '商户名称'],
		['merchant.address', 'string', false, "The merchant's address", '商户地址'],
		['date', 'date', true, 'Date of the purchase', '交易日期'],
		['time', 'string', false, 'Time of the purchase as HH:MM', '交易时间，格式 HH:MM'],
		['currency', 'string', false, 'The currency as an ISO 4217 code', '币种，ISO 4217 代码'],
		['items[].name', 'string', false, 'Name of the purchased item', '商品名称'],
		['items[].quantity', 'number', false, 'Quantity of the item (1 when not printed)', '数量（未打印时为 1）'],
		['items[].price', 'amount', false, 'Price of the line', '金额'],
		['subtotal', 'amount', false, 'Total before tax', '小计'],
		['tax_amount', 'amount', false, 'Tax included or added', '税额'],
		['total_amount', 'amount', true, 'Total paid', '合计金额'],
		['payment_method', 'string', false, 'How it was paid (cash, card, ...)', '支付方式'],
	],
	idCard: [
		['name', 'string', true, 'Full name of the holder', '姓名'],
		['id_number', 'string', true, 'The identity document number', '公民身份号码或证件号码'],
		['sex', 'string', false, 'Sex as printed', '性别'],
		['nationality', 'string', false, 'Nationality or ethnicity as printed', '民族或国籍'],
		['date_of_birth', 'date', false, 'Date of birth', '出生日期'],
		['address', 'string', false, 'Address as printed', '住址'],
		['issuing_authority', 'string', false, 'The authority that issued the document', '签发机关'],
		['issue_date', 'date', false, 'Date of issue', '签发日期（有效期限起始日）'],
		['expiry_date', 'date', false, 'Date of expiry', '有效期限截止日期'],
	],
	businessLicense: [
		['company_name', 'string', true, 'Registered name of the company', '名称'],
		['registration_number', 'string', true, 'Registration number (unified social credit code)', '统一社会信用代码'],
		['company_type', 'string', false, 'Type of company', '类型'],
		['legal_representative', 'string', false, 'Legal representative', '法定代表人'],
		['registered_capital', 'string', false, 'Registered capital as printed', '注册资本'],
		['establishment_date', 'date', false, 'Date of establishment', '成立日期'],
		['business_term', 'string', false, 'Term of operation as printed', '营业期限'],
		['address', 'string', false, 'Registered address', '住所'],
		['business_scope', 'string', false, 'Business scope', '经营范围'],
	],
};

export function presetRows(name: PresetName, language: PresetLanguage = 'en'): PresetRow[] {
	const spec = PRESETS[name];
	if (!spec) throw new Error(`Unknown preset "${String(name)}"`);
	return spec.map(([key, type, required, en, zh]) => ({ key, type, required, description: language === 'zh' ? zh : en }));
}
