// @ts-check
'use strict';

/**
 * The Qwen OCR node in the n8n 2.x editor, driven through Chromium with playwright-core (node:test).
 * Run by test/editor/run.js, which provides a fresh n8n with the packed package installed as a
 * community package, the emulator, and the environment below. Every step leaves a screenshot in
 * EDITOR_OUTPUT (test/editor/output/).
 *
 *   EDITOR_URL, EDITOR_EMAIL, EDITOR_PASSWORD   the n8n instance and its owner
 *   EMULATOR_URL, EMULATOR_KEY                  the DashScope emulator (credential form)
 *   EDITOR_TEST_WORKFLOW                        id of workflows/execute-invoice.json (imported)
 *   EDITOR_AGENT_WORKFLOW                       id of test/agent/workflow.json (AI Agent + Qwen OCR tool)
 *   EDITOR_EXAMPLES                             JSON [{ file, id, name }] of the imported examples
 *   EDITOR_PICTURES                             when set: also write the example canvases there
 *
 * Adding a step: `step(name, async () => { ... })` below. Wait for states, never for time (no
 * page.waitForTimeout): Playwright locators wait by themselves; poll() waits for anything else, and
 * selectOption(page, 'parameterName', 'Option Title') picks an option of a parameter (it waits until the
 * option is offered, so it also serves options loaded from the API). selectTitles() reads a select's list.
 */

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium, selectors } = require('playwright-core');

const URL_ = required('EDITOR_URL');
const EMAIL = required('EDITOR_EMAIL');
const PASSWORD = required('EDITOR_PASSWORD');
const OUTPUT = required('EDITOR_OUTPUT');
const EMULATOR_URL = required('EMULATOR_URL');
const EMULATOR_KEY = required('EMULATOR_KEY');
const TEST_WORKFLOW = required('EDITOR_TEST_WORKFLOW');
const AGENT_WORKFLOW = process.env.EDITOR_AGENT_WORKFLOW || '';
const EXAMPLES = JSON.parse(process.env.EDITOR_EXAMPLES || '[]');
const PICTURES = process.env.EDITOR_PICTURES || '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const OPERATIONS = [
	{ value: 'textRecognition', label: 'Recognize Text' },
	{ value: 'advancedRecognition', label: 'Recognize Text With Positions' },
	{ value: 'keyInformationExtraction', label: 'Extract Key Information' },
	{ value: 'tableParsing', label: 'Parse Table' },
	{ value: 'documentParsing', label: 'Parse Document' },
	{ value: 'formulaRecognition', label: 'Recognize Formula' },
	{ value: 'multiLanguage', label: 'Recognize Multi-Language Text' },
	{ value: 'customPrompt', label: 'Custom Prompt' },
];
/** Parameters every operation shows (Binary File input, the default). */
const COMMON = ['operation', 'inputType', 'binaryPropertyName', 'model'];
/** What each operation adds; KIE's schema builder rows are key/description/type/required. */
const OWN_FIELDS = {
	keyInformationExtraction: ['schemaSource', 'key', 'description', 'type', 'required'],
	customPrompt: ['prompt'],
};

/** @param {string} name */
function required(name) {
	const v = process.env[name];
	if (!v) throw new Error(`${name} is not set: run the browser test with bash test/editor/run.sh`);
	return v;
}

selectors.setTestIdAttribute('data-test-id');

/**
 * How long any one wait may take. Every step waits for the state it needs (never for a fixed time),
 * so this only bounds a failure; it is generous because a loaded 2-core machine can take tens of
 * seconds to load the editor or re-render the NDV.
 */
const WAIT = 120000;

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('playwright-core').Page} */
let page;
let shotCount = 0;
/** Notes for the report: what the screenshots show, ranks, option lists. */
const notes = [];

/** Screenshot of the page (or an element) as NN-name.png in the output folder. */
async function shot(name, target) {
	shotCount++;
	const file = path.join(OUTPUT, `${String(shotCount).padStart(2, '0')}-${name}.png`);
	if (target) await target.screenshot({ path: file });
	else await page.screenshot({ path: file });
	return file;
}

const tid = (/** @type {string} */ id) => page.getByTestId(id);

/** The open NDV. */
const ndv = () => tid('ndv');

/**
 * Reads `read()` until `ok(value)` holds, like Playwright's expect.poll (short intervals, growing).
 * On timeout throws "<what>: <describe(last value)>", so a failure says what the page showed.
 * @template T
 * @param {() => Promise<T>} read
 * @param {(value: T) => boolean} ok
 * @param {{ what: string, describe?: (value: T) => string, timeout?: number }} o
 * @returns {Promise<T>}
 */
async function poll(read, ok, o) {
	const deadline = Date.now() + (o.timeout ?? WAIT);
	const intervals = [50, 100, 250, 500, 1000];
	for (let i = 0; ; i++) {
		const value = await read();
		if (ok(value)) return value;
		if (Date.now() > deadline) {
			const error = new Error(`${o.what} (after ${((o.timeout ?? WAIT) / 1000).toFixed(0)} s): ${o.describe ? o.describe(value) : JSON.stringify(value)}`);
			/** @type {any} */ (error).last = value;
			throw error;
		}
		await new Promise((r) => setTimeout(r, intervals[Math.min(i, intervals.length - 1)]));
	}
}

// ---- n8n selects (Element Plus): every select's input is a role=combobox whose aria-controls names
// its listbox; the listbox sits in a popper appended to <body> that stays in the DOM, display: none,
// while closed. Helpers below always work on one select's own listbox, never on "whatever is visible".

/**
 * The select dropdowns open on the page: their listbox id, whether their combobox is still expanded
 * (a closing one is not), and their visible option titles.
 * @param {import('playwright-core').Page} page
 */
async function openDropdowns(page) {
	return await page.evaluate(() =>
		[...document.querySelectorAll('.el-select__popper')]
			.filter((popper) => popper.getClientRects().length > 0)
			.map((popper) => {
				const listbox = popper.querySelector('[role="listbox"]');
				const id = listbox?.id ?? '';
				const combobox = id ? document.querySelector(`[role="combobox"][aria-controls="${id}"]`) : null;
				const options = [...(listbox?.querySelectorAll('[role="option"]') ?? [])].filter((o) => o.getClientRects().length > 0);
				return {
					id,
					expanded: combobox?.getAttribute('aria-expanded') === 'true',
					titles: options.map((o) => /** @type {HTMLElement} */ (o).innerText.trim().split('\n')[0].trim()),
				};
			}),
	);
}

/** @param {{ id: string, titles: string[] }[]} dropdowns */
const describeDropdowns = (dropdowns) => (dropdowns.length ? dropdowns.map((d) => `[${d.titles.join(' | ')}]`).join(', ') : 'none');

/**
 * Closes every open select dropdown (Escape in its own combobox; a select's input stops Escape, so it
 * never reaches the NDV or a dialog) and waits until none is visible.
 * @param {import('playwright-core').Page} page
 */
async function closeDropdowns(page) {
	await poll(
		async () => {
			const open = await openDropdowns(page);
			for (const d of open.filter((x) => x.expanded)) {
				await page.locator(`[role="combobox"][aria-controls="${d.id}"]`).press('Escape').catch(() => {});
			}
			return open;
		},
		(open) => open.length === 0,
		{ what: 'dropdowns still open', describe: describeDropdowns },
	);
}

/** Visible options of one listbox: element id and title (first line: n8n adds a description below). */
async function listboxOptions(/** @type {import('playwright-core').Locator} */ listbox) {
	return await listbox.evaluate((el) =>
		[...el.querySelectorAll('[role="option"]')]
			.filter((o) => o.getClientRects().length > 0)
			.map((o) => ({ id: o.id, title: /** @type {HTMLElement} */ (o).innerText.trim().split('\n')[0].trim() })),
	);
}

/**
 * Opens the select inside `container` (after closing any other dropdown) and waits until its own
 * listbox is shown with at least one option.
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').Locator} container e.g. the parameter-input-<name> element
 * @param {string} what for messages
 */
async function openSelect(page, container, what) {
	await closeDropdowns(page);
	const combobox = container.locator('[role="combobox"]').first();
	await combobox.waitFor({ timeout: WAIT });
	const listboxId = await combobox.getAttribute('aria-controls');
	if (!listboxId) throw new Error(`${what}: its select names no listbox (aria-controls)`);
	const listbox = page.locator(`[id="${listboxId}"]`);
	await combobox.click();
	await poll(async () => ({ expanded: await combobox.getAttribute('aria-expanded'), options: (await listboxOptions(listbox).catch(() => [])).length }), (s) => s.expanded === 'true' && s.options > 0, {
		what: `${what}: its dropdown did not open with options`,
		describe: (s) => `aria-expanded ${s.expanded}, ${s.options} options`,
	}).catch(async (err) => {
		throw new Error(`${err.message}; open dropdowns: ${describeDropdowns(await openDropdowns(page))}`);
	});
	return { combobox, listbox };
}

/**
 * Closes the select opened by openSelect and waits until its listbox is hidden.
 * @param {{ combobox: import('playwright-core').Locator, listbox: import('playwright-core').Locator }} select
 */
async function closeSelect(select) {
	if ((await select.combobox.getAttribute('aria-expanded').catch(() => null)) === 'true') await select.combobox.press('Escape');
	await select.listbox.waitFor({ state: 'hidden', timeout: WAIT });
}

/**
 * Titles a select offers (opened, read, closed again).
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').Locator} container
 * @param {string} what for messages
 * @param {() => Promise<unknown>} [whileOpen] e.g. a screenshot of the open list
 */
async function selectTitles(page, container, what, whileOpen) {
	const select = await openSelect(page, container, what);
	const titles = (await listboxOptions(select.listbox)).map((o) => o.title);
	if (whileOpen) await whileOpen();
	await closeSelect(select);
	return titles;
}

/**
 * Picks `optionTitle` in the select of parameter `parameterName` (in the NDV, or `within`, e.g. the
 * credential dialog): closes other dropdowns, opens this parameter's own listbox, waits until it offers
 * the title (options may load from the API), clicks it, then waits until the listbox is hidden and the
 * parameter shows the new value. Fails naming the parameter and the options that were visible.
 * @param {import('playwright-core').Page} page
 * @param {string} parameterName
 * @param {string} optionTitle
 * @param {import('playwright-core').Locator} [within]
 */
async function selectOption(page, parameterName, optionTitle, within = page.getByTestId('ndv')) {
	const what = `parameter "${parameterName}"`;
	const select = await openSelect(page, within.getByTestId(`parameter-input-${parameterName}`), what);
	const options = await poll(
		() => listboxOptions(select.listbox),
		(list) => list.some((o) => o.title === optionTitle),
		{ what: `${what}: no option "${optionTitle}"`, describe: (list) => `its dropdown offers: ${list.map((o) => o.title).join(' | ') || '(nothing)'}` },
	).catch(async (err) => {
		throw new Error(`${err.message}; open dropdowns: ${describeDropdowns(await openDropdowns(page))}`);
	});
	const option = /** @type {{ id: string }} */ (options.find((o) => o.title === optionTitle));
	await page.locator(`[id="${option.id}"]`).click();
	await select.listbox.waitFor({ state: 'hidden', timeout: WAIT });
	await poll(
		() => within.getByTestId(`parameter-input-${parameterName}`).locator('[role="combobox"]').first().inputValue(),
		(value) => value === optionTitle,
		{ what: `${what}: does not show "${optionTitle}" after picking it`, describe: (value) => `it shows "${value}"` },
	);
}

/** Names of the parameter inputs visible in the NDV's Parameters tab. */
async function visibleParameters() {
	return await ndv().getByTestId('node-parameters').evaluate((root) => {
		const names = new Set();
		for (const el of root.querySelectorAll('[data-test-id^="parameter-input-"]')) {
			const id = el.getAttribute('data-test-id') ?? '';
			const name = id.slice('parameter-input-'.length);
			if (['field', 'item', 'hint'].includes(name)) continue;
			const box = /** @type {HTMLElement} */ (el).getBoundingClientRect();
			if (box.width === 0 || box.height === 0) continue;
			names.add(name);
		}
		return [...names].sort();
	});
}

/**
 * Waits until the NDV shows exactly `expected` parameters (it re-renders after a change) and returns
 * what it shows; the caller asserts, so a mismatch fails with both lists.
 * @param {string[]} expected
 */
async function parametersShown(expected) {
	const want = JSON.stringify([...expected].sort());
	return await poll(visibleParameters, (seen) => JSON.stringify(seen) === want, { what: 'parameters' }).catch((err) => /** @type {string[]} */ (err.last));
}

/** Titles in the Options collection's "Add option" list. @param {() => Promise<unknown>} [whileOpen] */
async function optionTitles(whileOpen) {
	return await selectTitles(page, ndv().getByTestId('collection-parameter-add'), 'Options › Add option', whileOpen);
}

/**
 * The nodes panel's results for `term`. The panel filters a moment after typing, so first clear the
 * search and wait for the panel without results, then type and wait until the results include Qwen
 * OCR (a term that does not find it returns the results shown when the wait ran out).
 * @param {string} term
 */
async function searchNodes(term) {
	const search = tid('node-creator-search-bar');
	const names = async () => (await tid('node-creator').getByTestId('node-creator-item-name').allInnerTexts()).map((t) => t.trim());
	await search.fill('');
	await poll(names, (n) => n.length > 0 && !n.includes('Qwen OCR'), { what: 'the nodes panel without a search term still lists Qwen OCR' });
	await search.fill(term);
	return await poll(names, (n) => n.includes('Qwen OCR'), { what: `search "${term}"` }).catch((err) => /** @type {string[]} */ (err.last));
}

/**
 * Clicks "Execute workflow" and waits until `node` shows success and the whole run has ended (the
 * stop button goes away), so run data and item counts are final.
 * @param {import('playwright-core').Locator} node
 * @param {number} timeout
 */
async function executeWorkflow(node, timeout) {
	await tid('execute-workflow-button').click();
	await node.getByTestId('canvas-node-status-success').waitFor({ timeout });
	await tid('stop-execution-button').waitFor({ state: 'hidden', timeout });
}

/** Zoom to fit, then wait until the canvas has stopped moving (same transform for 10 frames). */
async function zoomToFit() {
	await tid('zoom-to-fit').click();
	await page.waitForFunction(
		() => {
			const viewport = document.querySelector('.vue-flow__viewport');
			if (!viewport) return false;
			const transform = getComputedStyle(viewport).transform;
			const w = /** @type {any} */ (window);
			w.__qwenOcrCanvas = w.__qwenOcrCanvas?.transform === transform ? { transform, frames: w.__qwenOcrCanvas.frames + 1 } : { transform, frames: 0 };
			return w.__qwenOcrCanvas.frames >= 10;
		},
		undefined,
		{ polling: 'raf', timeout: WAIT },
	);
}

/**
 * Screenshot of just the workflow (nodes, sticky notes, connections and item counts), without
 * toasts and canvas controls: the pictures of test/examples.
 * @param {string} name
 */
async function canvasPicture(name) {
	const style = await page.addStyleTag({ content: '.el-notification, [data-test-id="canvas-controls"] { visibility: hidden !important; }' });
	const box = await page.evaluate(() => {
		let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
		for (const el of document.querySelectorAll('.vue-flow__node')) {
			const r = el.getBoundingClientRect();
			if (!r.width) continue;
			x1 = Math.min(x1, r.left);
			y1 = Math.min(y1, r.top);
			x2 = Math.max(x2, r.right);
			y2 = Math.max(y2, r.bottom);
		}
		return { x1, y1, x2, y2, w: window.innerWidth, h: window.innerHeight };
	});
	const x = Math.max(0, box.x1 - 90);
	const y = Math.max(0, box.y1 - 30);
	const clip = { x, y, width: Math.min(box.w, box.x2 + 120) - x, height: Math.min(box.h, box.y2 + 70) - y };
	shotCount++;
	const file = path.join(OUTPUT, `${String(shotCount).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file, clip });
	await style.evaluate((el) => el.remove());
	return file;
}

/**
 * A test that leaves a FAIL-<n>-<name>.png screenshot when it fails.
 * @param {string} name @param {() => Promise<void>} fn
 */
function step(name, fn) {
	test(name, async () => {
		try {
			await fn();
		} catch (err) {
			await shot(`FAIL-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => {});
			throw err;
		}
	});
}

/**
 * The NDV of a Qwen OCR node: the one the nodes-panel step opened, else the node of the imported
 * test workflow (so the credential and parameter checks do not depend on the search step).
 */
async function ensureQwenNdv() {
	if (await ndv().getByTestId('parameter-input-operation').isVisible().catch(() => false)) return;
	notes.push('(the NDV from the nodes panel was not open: using the Qwen OCR node of the test workflow)');
	await page.goto(`${URL_}/workflow/${TEST_WORKFLOW}`);
	await page.locator('[data-test-id="canvas-node"][data-node-name="Qwen OCR"]').dblclick();
	await ndv().getByTestId('parameter-input-operation').waitFor();
}

before(async () => {
	fs.mkdirSync(OUTPUT, { recursive: true });
	for (const f of fs.readdirSync(OUTPUT)) if (f.endsWith('.png') || f === 'notes.txt') fs.rmSync(path.join(OUTPUT, f));
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: process.env.EDITOR_HEADED !== '1',
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
	});
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
	page = await context.newPage();
	page.setDefaultTimeout(WAIT);
	page.on('dialog', (d) => void d.accept());
});

after(async () => {
	fs.writeFileSync(path.join(OUTPUT, 'notes.txt'), `${notes.join('\n')}\n`);
	await browser?.close();
});

describe('Qwen OCR in the n8n editor', () => {
	step('signs in as the owner', async () => {
		await page.goto(`${URL_}/signin`);
		const email = page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first();
		await email.fill(EMAIL);
		await page.locator('input[type="password"]').first().fill(PASSWORD);
		await shot('signin');
		await tid('form-submit-button').click();
		await page.waitForURL(/\/(home|workflows|projects)/, { timeout: WAIT });
	});

	step('(a) the nodes panel finds the node by "Qwen" and by "OCR"', async () => {
		await page.goto(`${URL_}/workflow/new`);
		await tid('canvas-plus-button').click();
		for (const term of ['Qwen', 'OCR']) {
			const names = await searchNodes(term);
			const rank = names.indexOf('Qwen OCR') + 1;
			notes.push(`search "${term}": Qwen OCR is result ${rank} of ${names.length} (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})`);
			await shot(`nodes-panel-search-${term.toLowerCase()}`);
			assert.ok(rank > 0, `"${term}" finds Qwen OCR (results: ${names.join(', ')})`);
		}
	});

	step('(a) the codex aliases find the node too ("Invoice", "Receipt", "DashScope")', async () => {
		// QwenOcr.node.json declares them; n8n reads them from the codex file next to the node in dist/.
		if (!(await tid('node-creator-search-bar').isVisible())) await tid('canvas-plus-button').click();
		const missed = [];
		for (const term of ['Invoice', 'Receipt', 'DashScope']) {
			const names = await searchNodes(term);
			const rank = names.indexOf('Qwen OCR') + 1;
			notes.push(`search "${term}" (codex alias): Qwen OCR is result ${rank} of ${names.length} (${names.slice(0, 6).join(', ')})`);
			if (rank === 0) missed.push(term);
			if (term === 'Invoice') await shot('nodes-panel-search-alias-invoice');
		}
		// Two ways to miss: the codex file is not in dist/ (n8n never sees the aliases), or it is and its
		// categories hide the node: n8n's nodes panel drops nodes of category "AI" from search unless
		// codex.subcategories.AI includes "Root Nodes" (filterOutAiNodes in the editor).
		assert.deepEqual(missed, [], `aliases not found: ${missed.join(', ')} (is QwenOcr.node.json copied into dist/, with categories n8n shows?)`);
	});

	step('(a) picking the node lists its 8 actions and opens it', async () => {
		if (!/\/workflow\/new/.test(page.url())) await page.goto(`${URL_}/workflow/new`);
		if (!(await tid('node-creator-search-bar').isVisible())) await tid('canvas-plus-button').click();
		await searchNodes('Qwen');
		await tid('node-creator').getByTestId('node-creator-item-name').getByText('Qwen OCR', { exact: true }).click();
		const actions = tid('node-creator').locator('[data-keyboard-nav-type="action"][data-keyboard-nav-id^="n8n-nodes-qwen-ocr.qwenOcr"]').getByTestId('node-creator-item-name');
		const read = async () => (await actions.allInnerTexts()).map((t) => t.trim());
		const actionNames = await poll(read, (names) => names.length === OPERATIONS.length, { what: 'actions listed' }).catch((err) => /** @type {string[]} */ (err.last));
		notes.push(`actions listed: ${actionNames.join(' | ')}`);
		assert.equal(actionNames.length, 8, `one action per operation (listed: ${actionNames.join(' | ')})`);
		await shot('nodes-panel-actions');
		await tid('node-creator').getByTestId('node-creator-item-name').getByText('Recognize text in an image', { exact: true }).click();
		await ndv().getByTestId('parameter-input-operation').waitFor();
		await shot('ndv-new-node');
	});

	step('(b)(c) credential form: regions, Base URL only for Custom, test against the emulator', async () => {
		await ensureQwenNdv();
		await closeDropdowns(page);
		await ndv().getByTestId('node-credentials-select').click();
		await tid('node-credentials-select-item-new').click();
		const modal = tid('credential-edit-dialog');
		await modal.getByTestId('parameter-input-region').waitFor();
		assert.equal(await modal.getByTestId('parameter-input-baseUrl').count(), 0, 'Base URL hidden for the default region');
		await shot('credential-form-default');

		const regions = await selectTitles(page, modal.getByTestId('parameter-input-region'), 'credential field "region"', () => shot('credential-regions'));
		notes.push(`credential regions: ${regions.join(' | ')}`);
		for (const r of ['Singapore', 'Virginia', 'Beijing', 'Custom']) assert.ok(regions.some((x) => x.includes(r)), `region "${r}" offered (got ${regions.join(', ')})`);
		for (const title of regions.filter((r) => !/Custom/.test(r))) {
			await selectOption(page, 'region', title, modal);
			assert.equal(await modal.getByTestId('parameter-input-baseUrl').count(), 0, `Base URL hidden for ${title}`);
		}
		await selectOption(page, 'region', regions.find((r) => /Custom/.test(r)) ?? 'Custom Base URL', modal);
		await modal.getByTestId('parameter-input-baseUrl').waitFor();
		await shot('credential-custom-base-url');

		// Wrong key: red, with DashScope's message (behind "More details" when n8n folds it).
		await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(EMULATOR_URL);
		await modal.getByTestId('parameter-input-apiKey').locator('input').fill('sk-wrong-key-for-the-editor-test');
		let tested = page.waitForResponse((r) => r.url().includes('/rest/credentials/test'), { timeout: WAIT });
		await tid('credential-save-button').click();
		const wrong = await (await tested).json();
		notes.push(`credential test, wrong key: ${JSON.stringify(wrong.data ?? wrong)}`);
		assert.equal(wrong.data?.status, 'Error');
		assert.match(wrong.data?.message ?? '', /InvalidApiKey: Invalid API-key provided\./);
		const message = modal.getByText('InvalidApiKey: Invalid API-key provided.');
		const moreDetails = modal.getByText('More details');
		await message.or(moreDetails).first().waitFor();
		if (!(await message.isVisible())) await moreDetails.click();
		await message.waitFor();
		await shot('credential-test-wrong-key');

		// Right key: green. n8n closes the form after a successful test of a credential saved from the
		// node: wait for that, then open the credential again to see the banner.
		await modal.getByTestId('parameter-input-apiKey').locator('input').fill(EMULATOR_KEY);
		tested = page.waitForResponse((r) => r.url().includes('/rest/credentials/test'), { timeout: WAIT });
		await tid('credential-save-button').click();
		const right = await (await tested).json();
		notes.push(`credential test, right key: ${JSON.stringify(right.data ?? right)}`);
		assert.equal(right.data?.status, 'OK');
		await modal.waitFor({ state: 'hidden' });
		await ndv().getByTestId('credential-edit-button').click();
		await modal.getByTestId('credentials-config-container-test-success').waitFor({ state: 'visible' });
		await modal.getByText('Connection tested successfully').waitFor();
		await shot('credential-test-success');
		await page.locator('.el-dialog__headerbtn, [aria-label="Close this dialog"]').filter({ visible: true }).last().click();
		await modal.waitFor({ state: 'hidden' });
	});

	step('(d) each operation shows exactly its fields', async () => {
		await ensureQwenNdv();
		const listed = await selectTitles(page, ndv().getByTestId('parameter-input-operation'), 'parameter "operation"', () => shot('operation-list'));
		notes.push(`operations listed: ${listed.join(' | ')}`);
		// n8n itself appends "Custom API Call" to nodes whose credential has generic authentication.
		assert.deepEqual(listed.filter((l) => l !== 'Custom API Call'), OPERATIONS.map((o) => o.label), 'operations in order');
		for (const op of OPERATIONS) {
			await selectOption(page, 'operation', op.label);
			const expected = [...COMMON, ...(OWN_FIELDS[/** @type {keyof typeof OWN_FIELDS} */ (op.value)] ?? [])].sort();
			const seen = await parametersShown(expected);
			notes.push(`${op.value}: ${seen.join(', ')}`);
			assert.deepEqual(seen, expected, `${op.label} shows exactly ${expected.join(', ')}`);
			const options = await optionTitles(op.value === 'tableParsing' ? () => shot('operation-tableParsing-options') : undefined);
			notes.push(`  options: ${options.join(', ')}`);
			assert.equal(options.includes('Table Output'), op.value === 'tableParsing', `Table Output option only for Parse Table (${op.label})`);
			assert.equal(options.includes('Header Row'), op.value === 'tableParsing', `Header Row option only for Parse Table (${op.label})`);
			assert.equal(options.includes('Split Into Items'), op.value === 'keyInformationExtraction', `Split Into Items only for Extract Key Information (${op.label})`);
			if (op.value === 'keyInformationExtraction') {
				assert.ok(await ndv().getByTestId('fixed-collection-schemaFields').isVisible(), 'schema builder rows');
				const rows = await ndv().getByTestId('fixed-collection-schemaFields').getByTestId('parameter-input-key').count();
				notes.push(`  schema builder: ${rows} default rows`);
				assert.ok(rows > 0, 'default field rows');
				await shot('operation-keyInformationExtraction-fields');
				const variants = { Preset: ['schemaPreset'], 'JSON Schema': ['resultSchema'], 'All Fields': [] };
				for (const [title, extra] of Object.entries(variants)) {
					await selectOption(page, 'schemaSource', title);
					const want = [...COMMON, 'schemaSource', ...extra].sort();
					const kie = await parametersShown(want);
					notes.push(`  schemaSource ${title}: ${kie.join(', ')}`);
					assert.deepEqual(kie, want, `Fields to Extract = ${title}`);
					await shot(`operation-keyInformationExtraction-${title.replace(/\s+/g, '-').toLowerCase()}`);
				}
				await selectOption(page, 'schemaSource', 'Define Fields');
			} else if (op.value === 'customPrompt') {
				await shot('operation-customPrompt');
			} else if (op.value === 'textRecognition') {
				await shot('operation-textRecognition');
			}
		}
		// Input types: URL and base64 swap the binary field for their own.
		await selectOption(page, 'operation', 'Recognize Text');
		for (const [title, field] of [['Image URL', 'imageUrl'], ['Base64', 'base64Data'], ['Binary File', 'binaryPropertyName']]) {
			await selectOption(page, 'inputType', title);
			const want = ['operation', 'inputType', field, 'model'].sort();
			assert.deepEqual(await parametersShown(want), want, `Input Type ${title}`);
			if (field === 'imageUrl') await shot('input-type-url');
		}
		await closeDropdowns(page);
		await tid('ndv-close-button').or(tid('back-to-canvas')).first().click();
		await ndv().waitFor({ state: 'hidden' });
	});

	step('(e) running Manual Trigger → Read File → Qwen OCR shows the parsed invoice', async () => {
		await page.goto(`${URL_}/workflow/${TEST_WORKFLOW}`);
		await tid('canvas-node').first().waitFor();
		await zoomToFit();
		await shot('execute-workflow-canvas');
		const node = page.locator('[data-test-id="canvas-node"][data-node-name="Qwen OCR"]');
		await executeWorkflow(node, 2 * WAIT);
		await shot('execute-workflow-done');
		await node.dblclick();
		const output = ndv().getByTestId('output-panel');
		await output.getByTestId('ndv-run-data-display-mode').waitFor();
		const mode = await output.locator('[data-test-id^="radio-button-"][aria-checked="true"], [data-test-id^="radio-button-"].is-active, [data-test-id^="radio-button-"][data-state="checked"]').first().getAttribute('data-test-id').catch(() => null);
		notes.push(`output panel opened in display mode: ${mode ?? '(unknown)'}`);
		await shot('execute-output-default-view');
		await output.getByTestId('radio-button-table').click();
		await output.getByText('INV-2024-0042').first().waitFor();
		await shot('execute-output-table');
		await output.getByTestId('radio-button-json').click();
		await output.getByText('INV-2024-0042').first().waitFor();
		await shot('execute-output-json');
		const text = await output.innerText();
		assert.match(text, /INV-2024-0042/);
		assert.match(text, /Acme Widgets Ltd/);
		notes.push(`executed: output panel shows INV-2024-0042 and Acme Widgets Ltd`);
		await page.keyboard.press('Escape');
	});

	step('the AI Agent with the Qwen OCR tool runs in the editor', async () => {
		assert.ok(AGENT_WORKFLOW, 'agent workflow imported');
		await page.goto(`${URL_}/workflow/${AGENT_WORKFLOW}`);
		const tool = page.locator('[data-test-id="canvas-node"][data-node-name="Qwen OCR"]');
		await tool.waitFor();
		const agent = page.locator('[data-test-id="canvas-node"][data-node-name="AI Agent"]');
		await executeWorkflow(agent, 2 * WAIT);
		await tool.getByTestId('canvas-node-status-success').waitFor();
		await zoomToFit();
		const file = await canvasPicture('agent-canvas');
		if (PICTURES) fs.copyFileSync(file, path.join(PICTURES, 'ai-agent-tool.png'));
		await agent.dblclick();
		const output = ndv().getByTestId('output-panel');
		await output.getByTestId('radio-button-json').click();
		await output.getByText(/The invoice number is INV-2024-0042/).first().waitFor();
		await shot('agent-output');
		notes.push('AI Agent: output "The invoice number is INV-2024-0042." after calling the Qwen OCR tool');
		await page.keyboard.press('Escape');
	});

	step('example workflows open, run and are pictured', async () => {
		assert.ok(EXAMPLES.length > 0, 'examples imported');
		for (const ex of EXAMPLES) {
			await page.goto(`${URL_}/workflow/${ex.id}`);
			await tid('canvas-node').first().waitFor();
			const ocr = page.locator('[data-test-id="canvas-node"][data-node-type="n8n-nodes-qwen-ocr.qwenOcr"], [data-test-id="canvas-node"]').filter({ has: page.locator('img[src*="qwenOcr"]') });
			await executeWorkflow(ocr.first(), 2 * WAIT);
			await zoomToFit();
			const name = ex.file.replace(/\.json$/, '');
			const file = await canvasPicture(`example-${name}`);
			if (PICTURES) {
				fs.mkdirSync(PICTURES, { recursive: true });
				fs.copyFileSync(file, path.join(PICTURES, `${name}.png`));
			}
			notes.push(`example ${ex.file}: ran in the editor, canvas pictured`);
		}
	});
	// Self-contained (own emulator, credentials and workflow through n8n's REST API): the Model field's
	// loadOptions method in the real editor. The emulator lists a snapshot only it knows, so the loaded
	// list can be told from the node's built-in one; a wrong key must give the built-in list.
	step('the Model dropdown lists the models DashScope lists for the credential, else the built-in list', async () => {
		const { startEmulator } = require('../emulator');
		const lib = require('../dev/lib');
		const ONLY_HERE = 'qwen-vl-ocr-2026-02-02';
		const ONLY_HERE_TITLE = 'Qwen-VL-OCR 2026-02-02';
		const BUILT_IN = ['Qwen-VL-OCR (Stable, All Regions)', 'Qwen-VL-OCR Latest (Beijing Only)', 'Qwen-VL-OCR 2025-11-20 (All Regions)', 'Qwen-VL-OCR 2025-08-28 (Beijing Only)', 'Qwen-VL-OCR 2025-04-13 (Beijing Only)', 'Qwen-VL-OCR 2024-10-28 (Beijing Only, No Built-in Tasks)'];
		const emu = await startEmulator({ extraModels: [ONLY_HERE] });
		try {
			const cookie = await lib.login(URL_, EMAIL, PASSWORD);
			const credential = async (/** @type {string} */ name, /** @type {string} */ apiKey) => {
				const r = await lib.rest(URL_, '/rest/credentials', { cookie, body: { name, type: 'qwenOcrApi', data: { region: 'custom', baseUrl: emu.baseUrl, apiKey } } });
				assert.equal(r.status, 200, `creating credential ${name}: ${r.text.slice(0, 300)}`);
				return { id: r.json.data.id, name };
			};
			const loaded = await credential('Qwen OCR (model list)', emu.apiKey);
			const wrongKey = await credential('Qwen OCR (wrong key)', 'sk-wrong-key-for-the-model-list');
			const node = (/** @type {string} */ name, /** @type {any} */ cred, /** @type {number} */ x) => ({
				id: require('node:crypto').randomUUID(),
				name,
				type: 'n8n-nodes-qwen-ocr.qwenOcr',
				typeVersion: 1,
				position: [x, 0],
				parameters: { operation: 'textRecognition' },
				credentials: { qwenOcrApi: cred },
			});
			const wf = await lib.rest(URL_, '/rest/workflows', {
				cookie,
				body: { name: 'Editor test: model list', nodes: [node('Loaded models', loaded, 0), node('Built-in models', wrongKey, 320)], connections: {}, settings: { executionOrder: 'v1' }, active: false },
			});
			assert.equal(wf.status, 200, `creating the workflow: ${wf.text.slice(0, 300)}`);

			/** Opens the node, waits for n8n's options request, opens the Model dropdown: its titles. */
			const modelTitles = async (/** @type {string} */ nodeName) => {
				// Generous waits: on a busy machine the editor takes long to load (nothing here is timed).
				const slow = { timeout: 180000 };
				await page.goto(`${URL_}/workflow/${wf.json.data.id}`, { waitUntil: 'domcontentloaded', ...slow });
				const canvasNode = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
				await canvasNode.waitFor(slow);
				const answered = page.waitForResponse((r) => r.url().includes('/rest/dynamic-node-parameters/options') && r.request().postData()?.includes('getModels') === true, slow);
				await canvasNode.dblclick();
				const response = await answered;
				assert.equal(response.status(), 200);
				// The Model parameter's own listbox (never whatever dropdown is visible), read once the
				// options n8n loaded are shown.
				const titles = await selectTitles(page, ndv().getByTestId('parameter-input-model'), `parameter "model" of ${nodeName}`, () =>
					shot(`model-dropdown-${nodeName.toLowerCase().replace(/[^a-z]+/g, '-')}`),
				);
				await page.keyboard.press('Escape');
				return titles;
			};

			const live = await modelTitles('Loaded models');
			notes.push(`model dropdown, loaded from the emulator: ${live.join(' | ')}`);
			assert.equal(live[0], BUILT_IN[0], 'stable name first');
			assert.ok(live.includes(ONLY_HERE_TITLE), `the emulator-only model ${ONLY_HERE} is offered (got ${live.join(', ')})`);
			assert.ok(live.includes(BUILT_IN[2]), 'known models keep their labels');
			assert.ok(!live.includes(BUILT_IN[1]), 'the Singapore emulator does not list -latest');
			assert.ok(!live.some((t) => /qwen-(plus|max|turbo|vl-max|vl-plus)|qwen3-vl|embedding/.test(t)), 'non-OCR models left out');

			const fallback = await modelTitles('Built-in models');
			notes.push(`model dropdown, wrong key (built-in list): ${fallback.join(' | ')}`);
			assert.deepEqual(fallback, BUILT_IN);

			const listed = emu.requests.filter((r) => r.path === '/compatible-mode/v1/models').map((r) => r.status);
			notes.push(`emulator model-list requests from n8n: ${listed.join(', ')}`);
			assert.ok(listed.includes(200) && listed.includes(401), `n8n asked the emulator with both keys (statuses ${listed.join(', ')})`);
		} finally {
			await emu.close();
		}
	});
});
