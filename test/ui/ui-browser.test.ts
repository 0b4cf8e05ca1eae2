/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The UI in real Chromium over a store of real runs, used as a person would:
// every page loads without console errors (the strict CSP included), charts
// draw, filters, selection, edits and aliases work and persist, a run logged
// by another process updates live, and hostile names and artifacts stay
// inert. Screenshots of each page go to test-output/ui-*.png for a look.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { loadModel } from '../../src/models/load-model';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { startUiServer, type UiServer } from '../../src/ui/start-ui-server';
import { launchChromium, outputDir } from '../browser/chromium';
import { buildUiFixture, LONG_NAME, XSS_NAME, type UiFixture } from './ui-fixtures';

let fx: UiFixture;
let ui: UiServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;

before(async () => {
  fx = await buildUiFixture();
  ui = await startUiServer({ client: fx.client, registry: fx.registry, pollMs: 250 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await ui?.close();
  fx?.registry.close();
  await fx?.client.close();
});

interface Opened {
  readonly page: Page;
  readonly errors: string[];
  readonly dialogs: string[];
}

/** Opens a page, collecting console errors, uncaught exceptions, CSP violations and dialogs. */
async function open(pathAndQuery: string): Promise<Opened> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(ui.url + pathAndQuery);
  return { page, errors, dialogs };
}

/** Waits until every chart on the page is drawn (or failed), then checks none failed. */
async function chartsDrawn(page: Page): Promise<number> {
  await page.waitForFunction(() => [...document.querySelectorAll('.chart[data-spec-url]')].every((c) => ['drawn', 'error'].includes((c as HTMLElement).dataset.state ?? '')));
  const failed = await page.$$eval('.chart[data-state="error"]', (els) => els.map((e) => e.textContent));
  assert.deepEqual(failed, []);
  return page.$$eval('.chart svg path[aria-roledescription], .chart svg path.mark-line, .chart svg g.mark-symbol path, .chart svg g.mark-rect path', (els) => els.length);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(outputDir(), `ui-${name}.png`), fullPage: true });
}

/** The document itself never scrolls sideways: wide tables scroll in their own box, long names wrap or end in "…". */
async function noPageOverflow(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `the page is ${scroll}px wide in a ${client}px window`);
}

async function done(o: Opened, expected: RegExp[] = []): Promise<void> {
  assert.deepEqual(o.errors.filter((e) => !expected.some((re) => re.test(e))), [], 'no console errors or CSP violations');
  await noPageOverflow(o.page);
  assert.deepEqual(o.dialogs, [], 'no dialog was opened by page content');
  await o.page.close();
}

test('experiments page lists experiments with run counts, including an empty one', async () => {
  const o = await open('/');
  await o.page.waitForFunction(() => [...document.querySelectorAll('[data-count-url]')].every((c) => (c as HTMLElement).dataset.count !== undefined));
  const rows = await o.page.$$eval('table[data-experiments] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
  const vision = rows.find((r) => r[0] === 'vision');
  assert.ok(vision, 'vision listed');
  assert.equal(vision[1], String(fx.runIds.length + 3 + 0), 'six runs, the sweep parent and its two children');
  assert.ok(rows.some((r) => r[0] === 'empty-experiment' && r[1] === '0'));
  await shot(o.page, 'experiments');
  await done(o);
});

test('runs table: badges, columns, sorting, a hostile name stays text', async () => {
  const o = await open(`/experiments/${fx.experimentId}`);
  const { page } = o;
  assert.equal(await page.$$eval('table[data-runs-table] tbody tr', (t) => t.length), 9);
  assert.ok(await page.$('table[data-runs-table] .badge.FAILED'), 'the failed run has its badge');
  const heads = await page.$$eval('table[data-runs-table] thead th', (ths) => ths.map((th) => th.textContent?.trim() ?? ''));
  for (const col of ['Params', 'Metrics', 'lr', 'optimizer', 'loss', 'acc']) assert.ok(heads.includes(col), `column ${col} in ${heads.join('|')}`);
  assert.ok((await page.textContent('table[data-runs-table]'))?.includes(XSS_NAME), 'the name shows as text');
  assert.equal(await page.$$eval('img', (els) => els.length), 0, 'no element was made from a run name');
  await shot(page, 'runs');
  // The README's picture (docs/ui-runs.png is a copy): a laptop-sized window.
  await page.setViewportSize({ width: 1280, height: 640 });
  await page.waitForSelector('[data-pager] [data-count]');
  await page.screenshot({ path: path.join(outputDir(), 'ui-readme.png') });
  await page.setViewportSize({ width: 1100, height: 900 });
  // Sort by loss (a header link): the order follows the metric.
  await Promise.all([page.waitForNavigation(), page.click('th a[data-sort="metrics.loss"]')]);
  assert.match(page.url(), /order=metrics\.loss/);
  const losses = await page.$$eval('td[data-col="metric:loss"]', (tds) => tds.map((td) => Number(td.textContent)).filter((n) => Number.isFinite(n)));
  assert.ok(losses.length >= 6);
  // Child runs are listed under their parent, so the order holds among siblings: the top-level rows, and each parent's children.
  const bySiblings = await page.$$eval('tbody tr[data-run-id]', (trs) => {
    const groups: Record<string, number[]> = {};
    for (const tr of trs) {
      const loss = Number(tr.querySelector('td[data-col="metric:loss"]')?.textContent);
      if (Number.isFinite(loss)) (groups[(tr as HTMLElement).dataset.parent ?? ''] ??= []).push(loss);
    }
    return groups;
  });
  assert.ok(Object.keys(bySiblings).length >= 2, 'the sweep children form a group of their own');
  for (const [parent, group] of Object.entries(bySiblings)) assert.deepEqual(group, [...group].sort((a, b) => b - a), `descending on the first click (siblings under ${parent || 'the top level'})`);
  // The column chooser adds min/max and a tag column, kept in the URL.
  await page.click('details.columns summary');
  await page.check('input[name="col"][value="metric-min:loss"]');
  await page.check('input[name="col"][value="tag:team"]');
  await Promise.all([page.waitForNavigation(), page.click('details.columns button[type="submit"]')]);
  assert.match(decodeURIComponent(page.url()), /col=metric-min:loss/);
  assert.ok(await page.$('td[data-col="metric-min:loss"]'));
  assert.ok(await page.$('td[data-col="tag:team"]'));
  await done(o);
});

test('a filter with an error shows the caret at its position; a valid one narrows the table', async () => {
  const o = await open(`/experiments/${fx.experimentId}`);
  const { page } = o;
  await page.fill('input.filter', "metrics.acc > 0.5 AND params.optimizer = ");
  await Promise.all([page.waitForNavigation(), page.press('input.filter', 'Enter')]);
  const error = await page.$('[data-testid="filter-error"]');
  assert.ok(error, 'error shown');
  const pre = await page.$eval('[data-testid="filter-error"] pre', (el) => ({ text: el.textContent ?? '', position: Number((el as HTMLElement).dataset.position) }));
  const [line, caretLine] = pre.text.split('\n');
  assert.equal(line, "metrics.acc > 0.5 AND params.optimizer = ");
  assert.equal(caretLine.indexOf('^'), pre.position, 'the caret sits at the reported position');
  assert.equal(pre.position, line.length, 'at the missing value');
  assert.equal(await page.inputValue('input.filter'), "metrics.acc > 0.5 AND params.optimizer = ", 'the filter stays in the box to fix');
  await shot(page, 'filter-error');
  await page.fill('input.filter', "params.optimizer = 'sgd'");
  await Promise.all([page.waitForNavigation(), page.press('input.filter', 'Enter')]);
  const names = await page.$$eval('table[data-runs-table] tbody td.name', (tds) => tds.map((td) => td.textContent));
  assert.equal(names.length, 3, `three sgd runs, got ${names.join(', ')}`);
  assert.deepEqual([...names].sort(), ['calm-heron-2', 'quiet-fox-6', 'swift-lynx-4']);
  await page.waitForSelector('[data-pager] [data-count="3"]');
  assert.match(await page.textContent('[data-pager]') ?? '', /Runs 1–3 of 3 \(1 page\)/);
  await done(o);
});

test('pages of the runs table: Next and First follow the server\'s page token, and each page is a link that reloads the same rows', async () => {
  const o = await open(`/experiments/${fx.experimentId}?size=4`);
  const { page } = o;
  const ids = () => page.$$eval('table[data-runs-table] tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.runId ?? ''));
  const first = await ids();
  assert.equal(first.length, 4);
  await page.waitForSelector('[data-pager] [data-count]');
  assert.match(await page.textContent('[data-pager]') ?? '', /Runs 1–4 of 9 \(3 pages\) · page 1/);
  await Promise.all([page.waitForNavigation(), page.click('[data-pager] a[rel="next"]')]);
  const second = await ids();
  assert.equal(second.length, 4);
  assert.deepEqual(second.filter((id) => first.includes(id)), [], 'page 2 holds other runs');
  assert.match(await page.textContent('[data-pager]') ?? '', /Runs 5–8/);
  const link = page.url();
  await Promise.all([page.waitForNavigation(), page.click('[data-pager] a[rel="next"]')]);
  assert.equal((await ids()).length, 1, 'the last page has the ninth run');
  assert.equal(await page.$('[data-pager] a[rel="next"]'), null);
  await page.goto(link);
  assert.deepEqual(await ids(), second, 'the page-2 link shows page 2 again');
  await Promise.all([page.waitForNavigation(), page.click('[data-pager] a:has-text("First")')]);
  assert.deepEqual(await ids(), first);
  await done(o);
});

test('selecting 3 runs opens their comparison with overlay, parallel coordinates, scatter and diff table', async () => {
  const o = await open(`/experiments/${fx.experimentId}`);
  const { page } = o;
  assert.equal(await page.isDisabled('[data-compare-button]'), true);
  for (const id of fx.runIds.slice(0, 3)) await page.check(`input[name="run"][value="${id}"]`);
  assert.equal((await page.textContent('[data-compare-button]'))?.trim(), 'Compare selected (3)');
  await Promise.all([page.waitForNavigation(), page.click('[data-compare-button]')]);
  assert.match(page.url(), /\/compare\?/);
  o.page.setDefaultTimeout(120_000);
  const marks = await chartsDrawn(page);
  assert.ok(marks > 0);
  assert.equal(await page.$$eval('[data-compare-charts] .chart', (c) => c.length), 3);
  // Overlay: a line per run; parallel coordinates: a polyline per run.
  const lines = await page.$$eval('[data-compare-charts] .card:nth-child(1) svg path[aria-roledescription="line mark"]', (els) => els.length);
  assert.equal(lines, 3);
  assert.equal(await page.$$eval('[data-compare-charts] .card:nth-child(2) svg path[aria-roledescription="line mark"]', (els) => els.length), 3);
  assert.equal(await page.$$eval('[data-compare-charts] .card:nth-child(3) svg path[aria-roledescription="point"]', (els) => els.length), 3);
  const legend = await page.$$eval('[data-compare-charts] .card:nth-child(1) svg .role-legend-label text', (els) => els.map((e) => e.textContent));
  assert.ok(legend.includes(XSS_NAME), 'the hostile name is a legend label, as text');
  assert.ok((await page.$$('table[data-diff-table] tr[data-diff="1"]')).length >= 3, 'lr, optimizer, batch differ');
  await shot(page, 'compare');
  await done(o);
});

test('run page: overview, params, a drawn chart per metric with its controls, cells, datasets, children', async () => {
  const o = await open(`/runs/${fx.artifactRunId}`);
  const { page } = o;
  page.setDefaultTimeout(120_000);
  assert.equal(await chartsDrawn(page) > 0, true);
  assert.equal(await page.$$eval('[data-run-charts] .card', (c) => c.length), 2, 'loss and acc');
  assert.equal(await page.$$eval('[data-run-charts] svg path[aria-roledescription="line mark"]', (els) => els.length), 2);
  assert.match(await page.textContent('[data-note-view]') ?? '', /baseline run; data v2/);
  assert.match(await page.textContent('main') ?? '', /toy-rows/);
  assert.match(await page.textContent('pre.source') ?? '', /train\(\{ lr: 0\.01 \}\)/);
  await shot(page, 'run');
  // Smoothing, log scale and wall time change the charts and the URL (a deep link).
  await page.selectOption('[data-control="x"]', 'time');
  await page.check('[data-control="log"]');
  await page.$eval('[data-control="smooth"]', (el) => { (el as HTMLInputElement).value = '0.8'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  await page.waitForFunction(() => location.search.includes('smooth=0.8') && location.search.includes('log=1') && location.search.includes('x=time'));
  await chartsDrawn(page);
  const titles = await page.$$eval('[data-run-charts] svg text', (els) => els.map((e) => e.textContent ?? ''));
  assert.ok(titles.some((t) => t.includes('seconds since the run started')));
  assert.ok(titles.some((t) => t.includes('EMA smoothing 0.8')));
  assert.ok(titles.some((t) => t.includes('(log)')));
  const deep = page.url();
  await page.goto(deep);
  await chartsDrawn(page);
  assert.equal(await page.inputValue('[data-control="smooth"]'), '0.8', 'the deep link restores the controls');
  await done(o);

  const parent = await open(`/runs/${fx.parentRunId}`);
  const children = await parent.page.$$eval('main table.grid td.name a', (as) => as.map((a) => a.textContent));
  assert.deepEqual([...children].sort(), ['sweep-child-0', 'sweep-child-1']);
  await Promise.all([parent.page.waitForNavigation(), parent.page.click('main table.grid td.name a:has-text("sweep-child-0")')]);
  assert.equal(await parent.page.textContent('table.kv tr:has(th:text("Parent run")) a'), 'sweep-parent', 'a child links back to its parent');
  await done(parent);

  // The hostile name as a page title and heading: text, no element made from it, no dialog.
  const hostile = await open(`/runs/${fx.xssRunId}`);
  hostile.page.setDefaultTimeout(120_000);
  await chartsDrawn(hostile.page);
  assert.equal(await hostile.page.textContent('h1'), XSS_NAME);
  assert.equal(await hostile.page.title(), `${XSS_NAME} · tracklab`);
  assert.equal(await hostile.page.$$eval('main img', (els) => els.length), 0);
  await done(hostile);
});

test('artifact previews: text, JSON, CSV, Arrow, image, notebook, MLmodel; HTML and SVG inert in a sandbox', async () => {
  const cases: [string, string][] = [
    ['logs/train.log', 'pre[data-preview-kind="text"]'],
    ['eval/metrics.json', 'pre[data-preview-kind="text"]'],
    ['eval/predictions.csv', 'table[data-preview-kind="csv"]'],
    ['eval/scores.arrow', 'table[data-preview-kind="arrow"]'],
    ['plots/gradient.png', '[data-preview] img'],
    ['notebook.ipynb', '[data-preview-kind="ipynb"]'],
    ['model/MLmodel', '[data-preview-kind="mlmodel"]'],
    ['figures/confusion.vl.json', '[data-preview] .chart[data-state="drawn"] svg'],
    ['report.html', '[data-preview] iframe[sandbox]'],
    ['plots/logo.svg', '[data-preview] iframe[sandbox]'],
  ];
  for (const [file, selector] of cases) {
    const o = await open(`/runs/${fx.artifactRunId}?artifact=${encodeURIComponent(file)}`);
    if (file.endsWith('.vl.json')) await o.page.waitForSelector(selector);
    assert.ok(await o.page.$(selector), `${file} preview (${selector})`);
    if (file.endsWith('.vl.json')) assert.equal(await o.page.$$eval('[data-preview] svg g.mark-rect.role-mark path', (e) => e.length), 4, 'a logged figure is drawn');
    if (file.endsWith('.csv')) assert.deepEqual(await o.page.$$eval('table[data-preview-kind="csv"] tbody tr:nth-child(3) td', (t) => t.map((x) => x.textContent)), ['3', 'cat, maybe', '0.5']);
    if (file.endsWith('.arrow')) assert.equal(await o.page.$$eval('table[data-preview-kind="arrow"] tbody tr', (t) => t.length), 3);
    if (file.endsWith('.png')) await o.page.waitForFunction(() => (document.querySelector('[data-preview] img') as HTMLImageElement | null)?.naturalWidth === 96);
    if (file === 'model/MLmodel') assert.match(await o.page.textContent('[data-preview-kind="mlmodel"]') ?? '', /Signature[\s\S]*Inputs/);
    if (file.endsWith('.html')) {
      // The frame loads, its script does not run (no dialog), and it has no access to the UI's origin.
      const frame = await o.page.waitForSelector('iframe[sandbox]');
      const content = await frame.contentFrame();
      await content?.waitForSelector('#h');
      assert.equal(await content?.textContent('#h'), 'report');
    }
    assert.ok(await o.page.$('[data-preview] a[download]'), 'a download link');
    if (['figures/confusion.vl.json', 'eval/scores.arrow', 'eval/predictions.csv', 'plots/gradient.png', 'notebook.ipynb', 'model/MLmodel', 'report.html'].includes(file)) {
      await (await o.page.$('#artifacts'))?.screenshot({ path: path.join(outputDir(), `ui-artifact-${path.basename(file).replace(/\W+/g, '-')}.png`) });
    }
    // The hostile files' own scripts and loads are what the browser reports blocking: that is the defence working.
    const blocked = [/Blocked script execution in '[^']*artifact\?path=(report\.html|plots%2Flogo\.svg)&frame=1' because the document's frame is sandboxed/, /ERR_BLOCKED_BY_RESPONSE\.NotSameOrigin/];
    if (file.endsWith('.html')) assert.ok(o.errors.some((e) => blocked[0].test(e)), `the report's script was blocked: ${o.errors.join(' | ')}`);
    await done(o, file.endsWith('.html') || file.endsWith('.svg') ? blocked : []);
  }
  // Opened directly, the HTML artifact is a download by default, and sandboxed (no script) when framed.
  const res = await fetch(`${ui.url}/ui-api/runs/${fx.artifactRunId}/artifact?path=report.html`);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment/);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  const framed = await open(`/ui-api/runs/${fx.artifactRunId}/artifact?path=report.html&frame=1`);
  await framed.page.waitForSelector('#h');
  assert.deepEqual(framed.dialogs, []);
  await framed.page.close();
});

test('editing a note and tags persists', async () => {
  const runId = fx.runIds[1];
  const o = await open(`/runs/${runId}`);
  const { page } = o;
  assert.equal(await page.isVisible('textarea[name="text"]'), false, 'the editor is folded until asked for');
  await page.click('[data-edit-note] summary');
  await page.fill('textarea[name="text"]', 'rerun with <b>more</b> data');
  await Promise.all([page.waitForNavigation(), page.click('form[data-change$="/note"] button')]);
  assert.equal(await page.textContent('[data-note-view]'), 'rerun with <b>more</b> data');
  await page.fill('form[data-change$="/tag"] input[name="key"]', 'stage');
  await page.fill('form[data-change$="/tag"] input[name="value"]', 'tuning');
  await Promise.all([page.waitForNavigation(), page.click('form[data-change$="/tag"] button')]);
  assert.ok(await page.$('[data-tag="stage"]'));
  await Promise.all([page.waitForNavigation(), page.click('[data-tag="team"] button[data-delete]')]);
  assert.equal(await page.$('[data-tag="team"]'), null);
  await done(o);
  const fresh = new TrackingClient({ home: fx.home });
  try {
    const run = await fresh.getRun(runId);
    assert.equal(run.data.tags['tracklab.note'], 'rerun with <b>more</b> data');
    assert.equal(run.data.tags.stage, 'tuning');
    assert.equal(run.data.tags.team, undefined);
  } finally {
    await fresh.close();
  }
});

test('registry: models, versions with source runs, an alias moved and removed, descriptions, metric by version', async () => {
  const list = await open('/models');
  assert.match(await list.page.textContent('table[data-models]') ?? '', /@champion → v1/);
  await shot(list.page, 'models');
  await done(list);

  const o = await open(`/models/${fx.modelName}`);
  const { page } = o;
  page.setDefaultTimeout(120_000);
  assert.ok(await chartsDrawn(page) > 0, 'metric-by-version bars');
  assert.equal(await page.$$eval('table[data-versions] tbody tr', (t) => t.length), 2);
  assert.ok((await page.textContent('table[data-versions]'))?.includes(XSS_NAME) === false);
  assert.ok((await page.textContent('table[data-versions]'))?.includes('brave-otter-1'), 'the source run by name');
  await shot(page, 'model');
  await page.selectOption('tr[data-alias="champion"] select[name="version"]', '2');
  await Promise.all([page.waitForNavigation(), page.click('tr[data-alias="champion"] button[type="submit"]')]);
  assert.match(await page.textContent('tr[data-alias="champion"]') ?? '', /v2/);
  await page.click('[data-edit-description] summary');
  await page.fill('form[data-change$="/description"] textarea', 'a steeper line');
  await Promise.all([page.waitForNavigation(), page.click('form[data-change$="/description"] button')]);
  assert.equal(await page.textContent('[data-description-view]'), 'a steeper line');

  // Another process's view of the store: the alias moved, and loadModel follows it.
  const tracking = new TrackingClient({ home: fx.home });
  const registry = new RegistryClient({ tracking });
  try {
    assert.equal((await registry.getModelVersionByAlias(fx.modelName, 'champion')).version, 2);
    const model = await loadModel(`models:/${fx.modelName}@champion`, { resolver: registry.resolver });
    const y = await model.predict([1]) as number[];
    assert.ok(Math.abs(Number(y[0] ?? y) - 4) < 0.1, `slope-3 line at x=1 is 4, got ${String(y)}`);
  } finally {
    registry.close();
    await tracking.close();
  }
  // Removing the alias.
  await page.fill('form[data-add-alias] input[name="alias"]', 'challenger');
  await Promise.all([page.waitForNavigation(), page.click('form[data-add-alias] button')]);
  assert.ok(await page.$('tr[data-alias="challenger"]'));
  await Promise.all([page.waitForNavigation(), page.click('tr[data-alias="challenger"] button[data-delete]')]);
  assert.equal(await page.$('tr[data-alias="challenger"]'), null);
  await done(o);

  const v = await open(`/models/${fx.modelName}/versions/1`);
  await v.page.fill('form[data-change$="/tag"] input[name="key"]', 'validated');
  await v.page.fill('form[data-change$="/tag"] input[name="value"]', 'yes');
  await Promise.all([v.page.waitForNavigation(), v.page.click('form[data-change$="/tag"] button')]);
  assert.ok(await v.page.$('[data-tag="validated"]'));
  await shot(v.page, 'model-version');
  await done(v);
});

test('a run logging in another process updates live on its page and in the runs table', async () => {
  const script = path.join(__dirname, 'fixtures', `live-logger${path.extname(__filename)}`);
  const child = spawn(process.execPath, script.endsWith('.ts') ? ['--import', 'tsx', script] : [script], {
    env: { ...process.env, TRACKLAB_HOME: fx.home, TRACKLAB_EXPERIMENT: '' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    for (const w of [...waiters]) {
      const m = w.re.exec(out);
      if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const waitFor = (re: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
    const m = re.exec(out);
    if (m) return resolve(m);
    waiters.push({ re, resolve });
    void exited.then(() => reject(new Error(`logger exited before ${re}: ${err}`)));
  });
  try {
    const runId = (await waitFor(/RUN (\S+)/))[1];
    const table = await open(`/experiments/${fx.experimentId}`);
    const o = await open(`/runs/${runId}`);
    const { page } = o;
    page.setDefaultTimeout(120_000);
    await chartsDrawn(page);
    assert.equal(await page.textContent('[data-metric-row="loss"] [data-m="count"]'), '10');
    assert.ok(await page.$('[data-field="status"] .badge.RUNNING'));
    assert.ok(await table.page.$(`tr[data-run-id="${runId}"] .badge.RUNNING`));
    child.stdin.write('log 40\n');
    await waitFor(/LOGGED 50/);
    await page.waitForFunction(() => document.querySelector('[data-metric-row="loss"] [data-m="count"]')?.textContent === '50');
    await page.waitForFunction(() => (document.querySelector('[data-metric="loss"] .chart') as HTMLElement | null)?.dataset.state === 'drawn');
    // The runs table patches the row's metric cell in place (the last loss is 2 / 50).
    await table.page.waitForFunction((id) => document.querySelector(`tr[data-run-id="${id}"] td[data-col="metric:loss"]`)?.textContent === '0.04', runId);
    await shot(page, 'run-live');
    child.stdin.write('end\n');
    await waitFor(/ENDED/);
    await page.waitForSelector('[data-field="status"] .badge.FINISHED');
    await table.page.waitForSelector(`tr[data-run-id="${runId}"] .badge.FINISHED`);
    assert.ok(page.url().endsWith(`/runs/${runId}`), 'no reload');
    await done(o);
    await done(table);
  } finally {
    child.kill();
    await exited;
  }
});

test('a foreign Host is refused; a change without the CSRF token or from another origin is refused', async () => {
  const http = await import('node:http');
  const status = (headers: Record<string, string>, method = 'GET', body?: string) => new Promise<number>((resolve, reject) => {
    const req = http.request(`${ui.url}/ui-api/runs/${fx.runIds[5]}/note`.replace('/ui-api/runs', method === 'GET' ? '/runs' : '/ui-api/runs').replace('/note', method === 'GET' ? '' : '/note'), { method, headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(await status({ host: 'evil.example:80' }), 403, 'DNS rebinding: foreign Host refused');
  assert.equal(await status({}), 200);
  const o = await open('/');
  const token = await o.page.$eval('meta[name="tracklab-csrf"]', (m) => (m as HTMLMetaElement).content);
  await o.page.close();
  const json = { 'content-type': 'application/json' };
  assert.equal(await status(json, 'POST', '{"text":"pwned"}'), 403, 'no token');
  assert.equal(await status({ ...json, 'x-tracklab-csrf': 'wrong' }, 'POST', '{"text":"pwned"}'), 403, 'wrong token');
  assert.equal(await status({ ...json, 'x-tracklab-csrf': token, origin: 'http://evil.example' }, 'POST', '{"text":"pwned"}'), 403, 'other origin');
  assert.equal((await fx.client.getRun(fx.runIds[5])).data.tags['tracklab.note'], undefined, 'nothing changed');
  assert.equal(await status({ ...json, 'x-tracklab-csrf': token }, 'POST', '{"text":"ok"}'), 200, 'the page\'s own change goes through');

  const readOnly = await startUiServer({ client: fx.client, registry: fx.registry, readOnly: true });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${readOnly.url}/runs/${fx.runIds[5]}`);
    assert.equal(await page.$('form[data-change]'), null, 'read-only pages show no edit forms');
    const roToken = await page.$eval('meta[name="tracklab-csrf"]', (m) => (m as HTMLMetaElement).content);
    await page.close();
    const m = `/ui-api/models/${fx.modelName}`;
    const r = `/ui-api/runs/${fx.runIds[5]}`;
    const changes: [string, Record<string, string>][] = [
      [`${r}/note`, { text: 'no' }], [`${r}/tag`, { key: 'team', value: 'x' }], [`${r}/tag-delete`, { key: 'team' }],
      [`${m}/description`, { description: 'x' }], [`${m}/tag`, { key: 'k', value: 'v' }], [`${m}/tag-delete`, { key: 'k' }],
      [`${m}/alias`, { alias: 'champion', version: '1' }], [`${m}/alias-delete`, { alias: 'champion' }],
      [`${m}/versions/1/description`, { description: 'x' }], [`${m}/versions/1/tag`, { key: 'k', value: 'v' }], [`${m}/versions/1/tag-delete`, { key: 'validated' }],
    ];
    const before = { run: await fx.client.getRun(fx.runIds[5]), model: await fx.registry.getRegisteredModel(fx.modelName), version: await fx.registry.getModelVersion(fx.modelName, '1') };
    for (const [url, body] of changes) {
      const res = await fetch(`${readOnly.url}${url}`, { method: 'POST', headers: { ...json, 'x-tracklab-csrf': roToken }, body: JSON.stringify(body) });
      assert.equal(res.status, 403, `${url} refused`);
      assert.match((await res.json() as { message: string }).message, /read-only/);
    }
    assert.deepEqual((await fx.client.getRun(fx.runIds[5])).data.tags, before.run.data.tags, 'run unchanged');
    assert.equal((await fx.client.getRun(fx.runIds[5])).data.tags['tracklab.note'], 'ok');
    const model = await fx.registry.getRegisteredModel(fx.modelName);
    assert.deepEqual([model.description, model.tags, model.aliases], [before.model.description, before.model.tags, before.model.aliases], 'model unchanged');
    const version = await fx.registry.getModelVersion(fx.modelName, '1');
    assert.deepEqual([version.description, version.tags], [before.version.description, before.version.tags], 'version unchanged');
  } finally {
    await readOnly.close();
  }
});

test('empty states and long names: an empty experiment, no runs chosen, a run without metrics, a long name compared', async () => {
  const empty = await open(`/experiments/${fx.emptyExperimentId}`);
  assert.match(await empty.page.textContent('.empty') ?? '', /No runs in this experiment yet/);
  assert.equal(await empty.page.$('[data-pager]'), null);
  await shot(empty.page, 'runs-empty');
  await done(empty);

  const none = await open('/compare');
  assert.match(await none.page.textContent('.empty') ?? '', /No runs chosen/);
  await done(none);

  const parent = await open(`/runs/${fx.parentRunId}`);
  assert.match(await parent.page.textContent('main') ?? '', /No metrics logged yet/);
  await done(parent);

  const longRun = fx.runIds[4];
  const run = await open(`/runs/${longRun}`);
  run.page.setDefaultTimeout(120_000);
  await chartsDrawn(run.page);
  assert.equal(await run.page.textContent('h1'), LONG_NAME);
  await shot(run.page, 'run-long-name');
  await done(run);

  const compare = await open(`/compare?run=${fx.xssRunId}&run=${longRun}&run=${fx.runIds[3]}`);
  compare.page.setDefaultTimeout(120_000);
  await chartsDrawn(compare.page);
  // The long name ends in "…" in the diff table's header instead of widening it; its full text is the link's title.
  await shot(compare.page, 'compare-long-name');
  const header = await compare.page.$eval(`table[data-diff-table] th.name a[href="/runs/${longRun}"]`, (a) => {
    const table = a.closest('table') as HTMLElement;
    return { title: a.getAttribute('title'), table: table.scrollWidth, box: (table.parentElement as HTMLElement).clientWidth };
  });
  assert.equal(header.title, LONG_NAME);
  assert.ok(header.table <= header.box, `the diff table (${header.table}px) fits its ${header.box}px box`);
  await done(compare);
});

test('pages answer 404 for unknown runs and paths, and set a strict CSP', async () => {
  const res = await fetch(`${ui.url}/runs/doesnotexist`);
  assert.equal(res.status, 404);
  const csp = (await fetch(`${ui.url}/`)).headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
  assert.equal((await fetch(`${ui.url}/api/2.0/mlflow/experiments/search`)).status, 404, 'the MLflow API paths are left to the server');
  assert.ok(fs.existsSync(path.join(outputDir(), 'ui-runs.png')));
});
