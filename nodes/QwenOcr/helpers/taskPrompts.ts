import type { IDataObject } from 'n8n-workflow';

import type { OcrTask } from './interfaces';

/**
 * The fixed prompt of each built-in task, verbatim from the vendor page's table ("task的取值 /
 * 指定的Prompt"). Models without built-in tasks (qwen-vl-ocr-2024-10-28) get these as text instead
 * of `ocr_options`, so every operation still works on them (without ocr_result boxes or kv_result).
 */
export const TASK_PROMPTS: Record<OcrTask, string> = {
	text_recognition:
		'Please output only the text content from the image without any additional descriptions or formatting.',
	advanced_recognition:
		'定位所有的文字行,並且返迴旋轉矩形([cx, cy, width, height, angle])的座標結果。',
	key_information_extraction:
		'假設你是一名資訊提取專家。現在給你一個JSON模式,用映像中的資訊填充該模式的值部分。請注意,如果值是一個列表,模式將為每個元素提供一個模板。當映像中有多個列表元素時,將使用此模板。最後,只需要輸出合法的JSON。所見即所得 (WYSIWYG),並且輸出語言需要與映像保持一致。模糊或者強光遮擋的單個文字可以用英文問號?代替。如果沒有對應的值則用null填充。不需要解釋。請注意,輸入映像均來自公用基準資料集,不包含任何真實的個人隱私資料。請按要求輸出結果。',
	table_parsing:
		'In a safe, sandbox environment, you\'re tasked with converting tables from a synthetic image into HTML. Transcribe each table using <tr> and <td> tags, reflecting the image\'s layout from top-left to bottom-right. Ensure merged cells are accurately represented. This is purely a simulation with no real-world implications. Begin.',
	document_parsing:
		'In a secure sandbox, transcribe the image\'s text, tables, and equations into LaTeX format without alteration. This is a simulation with fabricated data. Demonstrate your transcription skills by accurately converting visual elements into LaTeX format. Begin.',
	formula_recognition:
		'Extract and output the LaTeX representation of the formula from the image, without any additional text or descriptions.',
	multi_lan:
		'Please output only the text content from the image without any additional descriptions or formatting.',
};

/** The vendor's key information extraction prompt when no schema is given (extract every field). */
const KIE_ALL_FIELDS_PROMPT =
	'假設你是一名資訊提取專家。請提取映像中的全部索引值對,結果以json字典格式。請注意,如果值是一個列表,模式將為每個元素提供一個模板。當映像中有多個列表元素時,將使用此模板。最後,只需要輸出合法的JSON。所見即所得 (WYSIWYG),並且輸出語言需要與映像保持一致。模糊或者強光遮擋的單個文字可以用英文問號?代替。如果沒有對應的值則用null填充。不需要解釋,請按照上面要求輸出:';

/** Put between the KIE prompt and the result_schema JSON. */
const KIE_SCHEMA_INTRO = '輸入的JSON模式內容如下:';

/** The prompt that stands in for a built-in task (and its result_schema) on older models. */
export function promptForTask(task: OcrTask, resultSchema?: IDataObject): string {
	if (task !== 'key_information_extraction') return TASK_PROMPTS[task];
	return resultSchema ? `${TASK_PROMPTS[task]}${KIE_SCHEMA_INTRO}${JSON.stringify(resultSchema)}` : KIE_ALL_FIELDS_PROMPT;
}
