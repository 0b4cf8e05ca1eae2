/// <reference lib="dom" />
// The UI walked as a new user walks it, in real Chromium: the Back button,
// a bad sort order in the URL, deleted runs and experiments, and a compare
// link naming a metric the runs lack. Each page must say what happened in
// words. Screenshots: test-output/ui-walk-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { TrackingClient } from '../../src/tracking/client';
import { startUiServer, type UiServer } from '../../src/ui/start-ui-server';
import { launchChromium, openPage, outputDir } from '../browser/chromium';

let client: TrackingClient;
let ui: UiServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let experimentId: string;
let deletedExperimentId: string;
let deletedRunId: string;
let notebookRunId: string;
let notebookChildId: string;
const ids: string[] = [];

before(async () => {
  client = new TrackingClient({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ui-walk-')) });
  experimentId = (await client.createExperiment('walk')).experimentId;
  for (let r = 0; r < 4; r++) {
    const { runId } = await client.createRun({ experiment: 'walk', name: `run-${r}`, params: { lr: 0.1 / (r + 1) } });
    await client.logBatch(runId, { metrics: Array.from({ length: 5 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1) + r, step: i })) });
    await client.setTerminated(runId);
    ids.push(runId);
  }
  deletedRunId = ids[3];
  await client.deleteRun(deletedRunId);
  deletedExperimentId = (await client.createExperiment('gone')).experimentId;
  await client.createRun({ experiment: 'gone', name: 'in-gone' });
  await client.deleteExperiment(deletedExperimentId);
  // The run `tracklab run NOTEBOOK` makes around a whole notebook, with a run the notebook started.
  notebookRunId = (await client.createRun({ experiment: 'walk', name: 'nb', tags: { 'tracklab.project.notebook': '/work/train.ipynb', 'tracklab.source.type': 'PROJECT' } })).runId;
  // The runs a notebook starts under tracklab run carry its path too (projectTags), without recording cells here.
  notebookChildId = (await client.createRun({ experiment: 'walk', name: 'nb-child', parent: notebookRunId, tags: { 'tracklab.project.notebook': '/work/train.ipynb' } })).runId;
  await client.setTerminated(notebookChildId);
  await client.setTerminated(notebookRunId);
  ui = await startUiServer({ client });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await ui?.close();
  await client?.close();
});

function open(pathAndQuery: string): Promise<{ page: Page; errors: string[] }> {
  return openPage(browser.context, ui.url + pathAndQuery);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(outputDir(), `ui-walk-${name}.png`), fullPage: true });
}

test('Back from the compare page keeps the selection usable: the restored ticks count and Compare stays enabled', async () => {
  const { page, errors } = await open(`/experiments/${experimentId}`);
  const boxes = page.locator('input[name="run"][form="compare"]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.locator('[data-compare-button]').click();
  await page.waitForURL(/\/compare\?/);
  await page.goBack();
  await page.waitForURL(/\/experiments\//);
  await page.waitForFunction(() => document.querySelectorAll('input[name="run"]:checked').length === 2);
  const button = page.locator('[data-compare-button]');
  await page.waitForFunction(() => !(document.querySelector('[data-compare-button]') as HTMLButtonElement).disabled, undefined, { timeout: 5000 })
    .catch(() => undefined);
  assert.equal(await button.isDisabled(), false, 'two runs are ticked, so Compare is enabled');
  assert.equal((await button.textContent())?.trim(), 'Compare selected (2)');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad sort order in the URL is shown as an order error quoting the order, not as a filter error on an empty filter', async () => {
  const { page } = await open(`/experiments/${experimentId}?order=bogus`);
  assert.equal(await page.locator('[data-testid="filter-error"]').count(), 0, 'no filter was typed');
  const error = page.locator('[data-testid="order-error"]');
  assert.equal(await error.count(), 1);
  const text = await error.textContent() ?? '';
  assert.match(text, /bogus/);
  assert.match(text, /order/i, 'the message says it is about the sort order');
  assert.ok(await page.locator('a.button', { hasText: /clear|default order/i }).count() > 0, 'a link back to the default order');
  await shot(page, 'order-error');
  await page.close();
});

test('a bad filter with a bad order is reported as the filter\'s error, not as the order\'s', async () => {
  const { page } = await open(`/experiments/${experimentId}?filter=${encodeURIComponent('metrics.loss >>> 1')}&order=bogus`);
  assert.equal(await page.locator('[data-testid="order-error"]').count(), 0);
  assert.match(await page.locator('[data-testid="filter-error"]').textContent() ?? '', /metrics\.loss/);
  await page.close();
});

test('a deleted run\'s page says it is deleted and how to restore it, and offers no edits', async () => {
  const { page } = await open(`/runs/${deletedRunId}`);
  const notice = page.locator('[data-testid="deleted-notice"]');
  assert.equal(await notice.count(), 1);
  const text = await notice.textContent() ?? '';
  assert.match(text, /deleted/i);
  assert.match(text, new RegExp(`tracklab runs restore ${deletedRunId}`));
  assert.equal(await page.locator('[data-change], [data-delete]').count(), 0, 'the store refuses notes and tags on a deleted run');
  await shot(page, 'deleted-run');
  await page.close();
});

test('a deleted experiment\'s page says it is deleted and how to restore it, not that it has no runs yet', async () => {
  const { page } = await open(`/experiments/${deletedExperimentId}`);
  const body = await page.locator('main').textContent() ?? '';
  assert.doesNotMatch(body, /No runs in this experiment yet/);
  const notice = page.locator('[data-testid="deleted-notice"]');
  assert.equal(await notice.count(), 1);
  assert.match(await notice.textContent() ?? '', /deleted.*tracklab experiments restore/is);
  await shot(page, 'deleted-experiment');
  await page.close();
});

test('compare with ?metric= naming a metric the runs lack says so, and names the metrics it has', async () => {
  const { page } = await open(`/compare?run=${ids[0]}&run=${ids[1]}&metric=val_acc`);
  const notice = page.locator('[data-testid="metric-notice"]');
  assert.equal(await notice.count(), 1);
  const text = await notice.textContent() ?? '';
  assert.match(text, /val_acc/);
  assert.match(text, /loss/);
  assert.equal(await page.locator('select[name="metric"]').inputValue(), 'loss');
  await shot(page, 'compare-unknown-metric');
  await page.close();
  const known = await open(`/compare?run=${ids[0]}&run=${ids[1]}&metric=loss&param=batch`);
  assert.equal(await known.page.locator('[data-testid="metric-notice"]').count(), 0);
  const paramNotice = await known.page.locator('[data-testid="param-notice"]').textContent() ?? '';
  assert.match(paramNotice, /None of these runs logged the param "batch".*showing "lr".*lr/);
  await known.page.close();
});

test('the run `tracklab run` made around a notebook points to its child runs for the cells, not to a missing tslab notebook', async () => {
  const { page } = await open(`/runs/${notebookRunId}`);
  const cells = await page.locator('h2:has-text("Notebook cells") + .empty').textContent() ?? '';
  assert.doesNotMatch(cells, /not started in a tslab notebook/);
  assert.match(cells, /train\.ipynb/);
  assert.match(cells, /Child runs/);
  await page.close();
  // Its child carries the notebook's path too, but did not execute the notebook.
  const child = await open(`/runs/${notebookChildId}`);
  const childCells = await child.page.locator('h2:has-text("Notebook cells") + .empty').textContent() ?? '';
  assert.doesNotMatch(childCells, /as a whole|under Artifacts/);
  await child.page.close();
});

test('a compare link that names one run (or one run twice) says "Compare 1 run"', async () => {
  const { page } = await open(`/compare?run=${ids[0]}&run=${ids[0]}`);
  assert.equal((await page.locator('h1').textContent())?.trim(), 'Compare 1 run');
  await page.close();
});

test('the experiments list chooses Active / Deleted / All in its URL; a deleted experiment is marked and links to its page', async () => {
  const { page, errors } = await open('/');
  const names = () => page.$$eval('table[data-experiments] td.name a', (as) => as.map((a) => a.textContent?.trim()));
  const choice = page.getByRole('navigation', { name: 'Lifecycle' });
  assert.equal(await choice.locator('[aria-current="page"]').textContent(), 'Active');
  assert.ok((await names()).includes('walk'));
  assert.ok(!(await names()).includes('gone'), 'Active hides the deleted experiment');
  await choice.getByRole('link', { name: 'Deleted' }).click();
  await page.waitForURL(/\?lifecycle=deleted$/);
  assert.deepEqual(await names(), ['gone']);
  const row = page.locator('table[data-experiments] tr[data-lifecycle="deleted"]');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent() ?? '', /deleted/);
  await shot(page, 'experiments-deleted');
  await choice.getByRole('link', { name: 'All' }).click();
  await page.waitForURL(/\?lifecycle=all$/);
  assert.ok((await names()).includes('gone') && (await names()).includes('walk'));
  await page.goBack();
  await page.waitForURL(/\?lifecycle=deleted$/);
  assert.deepEqual(await names(), ['gone'], 'Back returns to the Deleted list');
  await page.locator('table[data-experiments] td.name a', { hasText: 'gone' }).click();
  await page.waitForURL(new RegExp(`/experiments/${deletedExperimentId}`));
  assert.equal(await page.locator('[data-testid="deleted-notice"]').count(), 1);
  await page.getByRole('link', { name: /show its runs/i }).click();
  await page.waitForURL(/lifecycle=/);
  assert.deepEqual(await page.$$eval('table[data-runs-table] td.name a', (as) => as.map((a) => a.textContent?.trim())), ['in-gone']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the runs table chooses Active / Deleted / All in its URL: deleted runs are marked, counted, and kept through a filter', async () => {
  const { page, errors } = await open(`/experiments/${experimentId}`);
  const rowIds = () => page.$$eval('table[data-runs-table] tbody tr[data-run-id]', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.runId));
  assert.ok(!(await rowIds()).includes(deletedRunId), 'Active hides the deleted run');
  const choice = page.getByRole('navigation', { name: 'Lifecycle' });
  await choice.getByRole('link', { name: 'Deleted' }).click();
  await page.waitForURL(/lifecycle=deleted/);
  assert.deepEqual(await rowIds(), [deletedRunId]);
  const row = page.locator(`tr[data-run-id="${deletedRunId}"]`);
  assert.equal(await row.getAttribute('data-lifecycle'), 'deleted');
  assert.match(await row.locator('td.name').textContent() ?? '', /deleted/);
  await page.waitForSelector('[data-pager] [data-count]');
  assert.equal(await page.locator('[data-pager] [data-count]').getAttribute('data-count'), '1', 'the pager counts deleted runs');
  await shot(page, 'runs-deleted');
  await page.locator('input.filter').fill("params.lr > 0");
  await page.locator('form.filter button[type="submit"]').click();
  await page.waitForURL(/filter=/);
  assert.match(page.url(), /lifecycle=deleted/, 'the filter keeps the lifecycle choice');
  assert.deepEqual(await rowIds(), [deletedRunId]);
  await page.getByRole('navigation', { name: 'Lifecycle' }).getByRole('link', { name: 'All' }).click();
  await page.waitForURL(/lifecycle=all/);
  assert.ok((await rowIds()).includes(deletedRunId) && (await rowIds()).includes(ids[0]));
  assert.equal(await page.locator('tr[data-lifecycle="deleted"]').count(), 1, 'only the deleted run is marked');
  await page.locator(`tr[data-run-id="${deletedRunId}"] td.name a`).click();
  await page.waitForURL(new RegExp(`/runs/${deletedRunId}`));
  assert.equal(await page.locator('[data-testid="deleted-notice"]').count(), 1);
  await page.goBack();
  await page.waitForURL(/lifecycle=all/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad ?lifecycle= says so in words on the page and shows the active rows', async () => {
  for (const where of ['/', `/experiments/${experimentId}`]) {
    const res = await fetch(`${ui.url}${where}?lifecycle=bogus`);
    assert.equal(res.status, 200, where);
    const { page } = await open(`${where}?lifecycle=bogus`);
    const error = page.locator('[data-testid="lifecycle-error"]');
    assert.equal(await error.count(), 1, where);
    assert.match(await error.textContent() ?? '', /"bogus".*Active, Deleted or All/s);
    assert.ok(await page.locator('table tbody tr').count() > 0, `${where} still lists the active rows`);
    if (where === '/') await shot(page, 'lifecycle-error');
    await page.close();
  }
});
