/**
 * A run card in a page (a notebook, its HTML export) whose later outputs
 * carry the table styles again: Chromium must still draw the whole card.
 * Styles of all outputs share one page, so a later `.tl-wrap` rule (a
 * scroll box of 32em for long tables) used to win over the card's own
 * `max-height: none`, and cut a tall card off.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Mime } from '../../src/views/bundle';
import { htmlTable } from '../../src/views/html-table';
import { runCardBundles } from '../../src/views/run-card';
import { launchChromium, outputDir } from './chromium';

test('a tall run card is drawn whole, its tables too, when a table output follows it', { timeout: 60_000 }, async () => {
  const latest = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`metric_${i}`, { value: i / 10, step: 0 }]));
  const card = runCardBundles({
    runName: 'tall', runId: 'tallrun', status: 'FINISHED', params: { lr: 0.1 }, latest, series: [], startTime: 0, endTime: 1000,
  })[0].data[Mime.html] as string;
  const table = htmlTable({ columns: [{ title: 'a' }], rows: [{ cells: ['x'] }] });
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.setContent(`<html><body><div>${card}</div><div>${table}</div></body></html>`);
    await page.screenshot({ path: path.join(outputDir(), 'run-card-style.png'), fullPage: true });
    const box = await page.evaluate(`(() => { const c = document.querySelector('.tl-card'); return { maxHeight: getComputedStyle(c).maxHeight, scroll: c.scrollHeight, client: c.clientHeight }; })()`) as { maxHeight: string; scroll: number; client: number };
    assert.equal(box.maxHeight, 'none');
    assert.ok(box.scroll <= box.client + 1, `the card is cut off: ${box.scroll} px of content in ${box.client} px`);
    // Nor do its own tables scroll: all 20 metric rows are in view.
    assert.ok(await page.getByText('metric_19', { exact: true }).isVisible(), 'the last metric row is drawn');
    const inner = await page.evaluate(`[...document.querySelectorAll('.tl-card .tl-wrap')].every((w) => w.scrollHeight <= w.clientHeight + 1)`);
    assert.equal(inner, true, 'a table inside the card scrolls');
  } finally {
    await browser.close();
  }
});
