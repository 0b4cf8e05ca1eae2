/// <reference lib="dom" />
// Nested runs in the runs table, in real Chromium: children listed under
// their parent, indented, with a count and a keyboard-usable fold; sorting
// within siblings; a filter that matches only a child; pages that hold every
// run once. Screenshot: test-output/ui-nested-runs.png.
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
const id: Record<string, string> = {};

before(async () => {
  client = new TrackingClient({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ui-nested-')) });
  experimentId = (await client.createExperiment('nested')).experimentId;
  let t = 1_700_000_000_000;
  const make = async (name: string, loss: number, lr: number, parent?: string) => {
    t += 60_000; // distinct start times: the default order is start_time DESC
    const { runId } = await client.createRun({ experiment: 'nested', name, params: { lr }, startTime: t, ...(parent ? { parent } : {}) });
    await client.logBatch(runId, { metrics: [{ key: 'loss', value: loss, step: 0 }] });
    id[name] = runId;
  };
  await make('sweep', 0.25, 1);
  await make('c0', 0.3, 0.3, id.sweep);
  await make('c1', 0.1, 0.01, id.sweep);
  await make('g', 0.05, 0.02, id.c1);
  await make('c2', 0.2, 0.2, id.sweep);
  await make('solo', 0.15, 0.5);
  for (const runId of Object.values(id)) await client.setTerminated(runId);
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

/** The rows as `name@depth`, in table order, visible ones only. */
async function rows(page: Page): Promise<string[]> {
  return page.$$eval('table[data-runs-table] tbody tr[data-run-id]', (trs) => trs
    .filter((tr) => !(tr as HTMLElement).hidden)
    .map((tr) => `${tr.querySelector('td.name a')?.textContent?.trim()}@${(tr as HTMLElement).dataset.depth}`));
}

const runsUrl = (q: string) => `/experiments/${experimentId}${q}`;

test('children are listed under their parent, indented, and the parent row counts them', async () => {
  const { page, errors } = await open(runsUrl(''));
  // Newest first (the default order), within each group of siblings.
  assert.deepEqual(await rows(page), ['solo@0', 'sweep@0', 'c2@1', 'c1@1', 'g@2', 'c0@1']);
  const fold = page.locator(`tr[data-run-id="${id.sweep}"] button[data-fold]`);
  assert.equal(await fold.getAttribute('aria-expanded'), 'true');
  assert.match(await fold.textContent() ?? '', /3/);
  assert.match(await fold.getAttribute('aria-label') ?? '', /3 child runs/);
  const indent = (name: string) => page.$eval(`tr[data-run-id="${id[name]}"] td.name`, (td) => parseFloat(getComputedStyle(td).paddingLeft));
  const [p, c, g] = [await indent('sweep'), await indent('c1'), await indent('g')];
  assert.ok(p < c && c < g, `indents ${p} < ${c} < ${g}`);
  await page.screenshot({ path: path.join(outputDir(), 'ui-nested-runs.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the fold works from the keyboard: Enter collapses the children (and grandchildren), Space shows them again', async () => {
  const { page, errors } = await open(runsUrl(''));
  const fold = page.locator(`tr[data-run-id="${id.sweep}"] button[data-fold]`);
  await fold.focus();
  await page.keyboard.press('Enter');
  assert.equal(await fold.getAttribute('aria-expanded'), 'false');
  assert.deepEqual(await rows(page), ['solo@0', 'sweep@0']);
  await page.screenshot({ path: path.join(outputDir(), 'ui-nested-runs-collapsed.png'), fullPage: true });
  // Select-all takes only the rows shown.
  await page.locator('[data-select-all]').check();
  assert.equal(await page.locator('input[name="run"]:checked').count(), 2);
  await page.locator('[data-select-all]').uncheck();
  await page.keyboard.press('Tab');
  await fold.focus();
  await page.keyboard.press('Space');
  assert.equal(await fold.getAttribute('aria-expanded'), 'true');
  assert.deepEqual(await rows(page), ['solo@0', 'sweep@0', 'c2@1', 'c1@1', 'g@2', 'c0@1']);
  // A folded child keeps its own children hidden when its parent opens again.
  await page.locator(`tr[data-run-id="${id.c1}"] button[data-fold]`).click();
  await fold.click();
  await fold.click();
  assert.deepEqual(await rows(page), ['solo@0', 'sweep@0', 'c2@1', 'c1@1', 'c0@1']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('sorting orders the roots and, under each parent, its children', async () => {
  const { page } = await open(runsUrl(`?order=${encodeURIComponent('metrics.loss ASC')}`));
  assert.deepEqual(await rows(page), ['solo@0', 'sweep@0', 'c1@1', 'g@2', 'c2@1', 'c0@1']);
  await page.goto(ui.url + runsUrl(`?order=${encodeURIComponent('metrics.loss DESC')}`));
  assert.deepEqual(await rows(page), ['sweep@0', 'c0@1', 'c2@1', 'c1@1', 'g@2', 'solo@0']);
  await page.close();
});

test('a filter that matches only a child shows it as an ordinary row that links to its parent', async () => {
  const { page } = await open(runsUrl(`?filter=${encodeURIComponent('params.lr = 0.01')}`));
  assert.deepEqual(await rows(page), ['c1@0']);
  const link = page.locator(`tr[data-run-id="${id.c1}"] a[data-parent-link]`);
  assert.equal(await link.getAttribute('href'), `/runs/${id.sweep}`);
  assert.match(await link.textContent() ?? '', /sweep/);
  await page.screenshot({ path: path.join(outputDir(), 'ui-nested-runs-filtered.png'), fullPage: true });
  await page.close();
});

test('pages hold every run exactly once, and a child whose parent is on another page links to it', async () => {
  const { page } = await open(runsUrl('?size=2'));
  const seen: string[] = [];
  for (;;) {
    seen.push(...await page.$$eval('tbody tr[data-run-id]', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.runId ?? '')));
    const next = page.locator('[data-pager] a[rel="next"]');
    if (await next.count() === 0) break;
    await Promise.all([page.waitForNavigation(), next.click()]);
  }
  assert.deepEqual([...seen].sort(), Object.values(id).sort());
  await page.goto(ui.url + runsUrl('?size=2'));
  // Page 1 is solo and c2 (newest first); c2's parent is on a later page.
  assert.deepEqual(await rows(page), ['solo@0', 'c2@0']);
  assert.equal(await page.locator(`tr[data-run-id="${id.c2}"] a[data-parent-link]`).getAttribute('href'), `/runs/${id.sweep}`);
  await page.close();
});
