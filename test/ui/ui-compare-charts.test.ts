/// <reference lib="dom" />
// The compare page's charts in real Chromium, for runs a new user ends up
// comparing: a run that logged its metric once, and runs that lack a param
// the others have. Screenshot: test-output/ui-compare-sparse.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { TrackingClient } from '../../src/tracking/client';
import { startUiServer, type UiServer } from '../../src/ui/start-ui-server';
import { launchChromium, outputDir } from '../browser/chromium';

let client: TrackingClient;
let ui: UiServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const ids: string[] = [];

before(async () => {
  client = new TrackingClient({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ui-compare-')) });
  const runs = [
    { name: 'long-run', params: { lr: 0.1, optimizer: 'adam' }, steps: 50 },
    { name: 'other-long-run', params: { lr: 0.01, optimizer: 'sgd' }, steps: 50 },
    // Logged once, and without an optimizer param.
    { name: 'logged-once', params: { lr: 0.001 }, steps: 1 },
  ];
  for (const r of runs) {
    const { runId } = await client.createRun({ experiment: 'sparse', name: r.name, params: r.params });
    await client.logBatch(runId, { metrics: Array.from({ length: r.steps }, (_, i) => ({ key: 'loss', value: 1 / (i + 1) + ids.length * 0.1, step: i * 2 })) });
    await client.setTerminated(runId);
    ids.push(runId);
  }
  ui = await startUiServer({ client });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await ui?.close();
  await client?.close();
});

async function openCompare(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(120_000);
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${ui.url}/compare?${ids.map((id) => `run=${id}`).join('&')}`);
  await page.waitForFunction(() => [...document.querySelectorAll('.chart[data-spec-url]')].every((c) => (c as HTMLElement).dataset.state === 'drawn'));
  return { page, errors };
}

test('compare: a run that logged its metric once shows as a dot in its colour in the by-step chart', async () => {
  const { page, errors } = await openCompare();
  const overlay = '[data-compare-charts] .card:nth-child(1) svg';
  // Vega writes a path for the one-point line too, but it has no length (no "L"): without the dot nothing shows.
  const lines = await page.$$eval(`${overlay} path[aria-roledescription="line mark"]`, (els) => els.map((e) => e.getAttribute('d') ?? ''));
  assert.deepEqual(lines.map((d) => d.includes('L')), [true, true, false], 'the two long runs are lines');
  const dots = await page.$$eval(`${overlay} path[aria-roledescription="point"]`, (els) => els.map((e) => ({ fill: e.getAttribute('fill'), box: e.getBoundingClientRect() })));
  assert.equal(dots.length, 1, 'the run logged once is one dot');
  assert.ok(dots[0].box.width > 3 && dots[0].box.height > 3, 'the dot is big enough to see');
  const legend = await page.$$eval(`${overlay} .role-legend-symbol path`, (els) => els.map((e) => e.getAttribute('stroke')));
  assert.equal(dots[0].fill, legend[2], 'the dot has the colour of its legend entry');
  await page.screenshot({ path: path.join(outputDir(), 'ui-compare-sparse.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('compare: parallel coordinates break a run\'s line at an axis it has no value for, and say so', async () => {
  const { page, errors } = await openCompare();
  const parallel = '[data-compare-charts] .card:nth-child(2) svg';
  // Axes lr, optimizer, loss. logged-once has no optimizer: a dot on lr and one on loss, and no line through optimizer.
  const lines = await page.$$eval(`${parallel} path[aria-roledescription="line mark"]`, (els) => els.map((e) => e.getAttribute('d') ?? ''));
  assert.equal(lines.length, 2, 'only the runs with every param are lines');
  const axes = await page.$$eval(`${parallel} .role-axis-label text`, (els) => els.map((e) => ({ text: e.textContent, x: e.getBoundingClientRect().left })));
  const dots = await page.$$eval(`${parallel} path[aria-roledescription="point"]`, (els) => els.map((e) => { const b = e.getBoundingClientRect(); return b.left + b.width / 2; }));
  assert.equal(dots.length, 2);
  const axisX = (name: string) => axes.find((a) => a.text === name)?.x ?? NaN;
  assert.ok(dots[0] < axisX('optimizer') && dots[1] > axisX('optimizer') + 20, `dots at ${dots.join(', ')}, one on each side of optimizer at ${axisX('optimizer')}`);
  const texts = await page.$$eval(`${parallel} text`, (els) => els.map((e) => e.textContent));
  assert.ok(texts.includes('lines break at an axis the run has no value for: optimizer (1 run)'), texts.join(' | '));
  await page.screenshot({ path: path.join(outputDir(), 'ui-compare-sparse-parallel.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
