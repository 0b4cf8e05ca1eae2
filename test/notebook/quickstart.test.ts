/**
 * Executes notebooks/quickstart.ipynb on the real tslab kernel under real
 * nbconvert, as a user would, and checks the saved notebook and the store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CellRecord, Run } from '../../src/entities';
import type { TrackingClient } from '../../src/tracking/client';
import {
  codeCells, displayOutputs, type ExecutedNotebook, joinText, mimeText, streamText,
} from '../support/jupyter';
import { assertChartBundle, legendLabels, markGroups, RAW_MARKUP, savedCharts, savedTexts, showsName, titles, VEGA_LITE } from './saved-outputs';
import { testStores } from '../support/test-stores';
import { type ExampleRun, runExampleNotebook } from './example-notebook';

for (const kind of testStores()) describe(`notebooks/quickstart.ipynb on ${kind.name}`, { skip: kind.skip }, () => {
  let example: ExampleRun | undefined;
  let executed: ExecutedNotebook;
  let client: TrackingClient;
  let runs: readonly Run[];
  let cellsOf: ReadonlyMap<string, readonly CellRecord[]>;

  before(async () => {
    example = await runExampleNotebook('quickstart', 'quickstart', kind.name === 'sqlite' ? undefined : kind);
    ({ executed, client, runs, cellsOf } = example);
  });

  after(() => example?.dispose());

  it('executes every cell without errors', () => {
    assert.equal(executed.exitCode, 0, executed.log);
    for (const cell of codeCells(executed.notebook)) assert.equal(streamText(cell, 'stderr'), '', joinText(cell.source));
  });

  it('stores one FINISHED run per executed training cell, with the settings as params', () => {
    assert.equal(runs.length, 3);
    assert.deepEqual(runs.map((r) => r.info.status), ['FINISHED', 'FINISHED', 'FINISHED']);
    assert.deepEqual(runs.map((r) => ({ ...r.data.params })), [
      { seed: '42', lr: '0.5', epochs: '40', batchSize: '32' },
      { seed: '42', lr: '0.05', epochs: '40', batchSize: '32' },
      { seed: '42', lr: '0.005', epochs: '40', batchSize: '32' },
    ]);
    for (const run of runs) {
      assert.equal(run.data.metrics.val_loss?.count, 40);
      assert.equal(run.data.tags['tracklab.source.type'], 'NOTEBOOK');
    }
    // The settings matter: with the smallest learning rate the model still underfits after 40 epochs.
    const last = runs.map((r) => r.data.metrics.val_loss?.last ?? Number.NaN);
    assert.ok(last[2] > Math.max(last[0], last[1]), `val_loss ${last.join(', ')}`);
  });

  it('records the training cell source on each run', () => {
    const sources = codeCells(executed.notebook).map((c) => joinText(c.source));
    const training = sources.filter((s) => s.includes('tracklab.log('));
    assert.equal(training.length, 3);
    for (const run of runs) {
      const cells = cellsOf.get(run.info.runId) ?? [];
      assert.deepEqual(cells.map((c) => [c.source, c.status]), [[training[0], 'ok']]);
    }
  });

  it('leaves the final live card under each training cell', () => {
    const trainingCells = codeCells(executed.notebook).filter((c) => joinText(c.source).includes('tracklab.log('));
    trainingCells.forEach((cell, i) => {
      const outputs = displayOutputs(cell);
      assert.equal(outputs.length, 1);
      assert.ok((mimeText(outputs[0], 'text/html') ?? '').includes(runs[i].info.runName));
      assert.match(mimeText(outputs[0], 'text/plain') ?? '', /\[FINISHED\]/);
      const sparklines = [...(mimeText(outputs[0], 'text/html') ?? '').matchAll(/<svg[^>]*>([\s\S]*?)<\/svg>/g)].map((m) => m[1]);
      assert.equal(sparklines.length, 3, 'a sparkline per metric');
      for (const s of sparklines) assert.match(s, /<path d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){20,}"/, 'drawn over the epochs');
    });
  });

  it('shows the comparison: the runs table, then the histories, parallel coordinates and scatter as charts', () => {
    const cells = codeCells(executed.notebook);
    const outputs = displayOutputs(cells[cells.length - 1]);
    assert.equal(outputs.length, 4);
    const [table, history, parallel, scatter] = outputs;
    assert.equal(table.data?.[VEGA_LITE], undefined);
    for (const run of runs) assert.ok(mimeText(table, 'text/html')?.includes(run.info.runName));
    for (const chart of [history, parallel, scatter]) assert.equal(typeof chart.data?.[VEGA_LITE], 'object');

    const historySvg = mimeText(history, 'image/svg+xml') ?? '';
    const labels = legendLabels(historySvg);
    assert.equal(labels.length, runs.length, labels.join(' | '));
    for (const run of runs) assert.ok(labels.some((l) => showsName(l, run.info.runName)), `legend names ${run.info.runName}: ${labels.join(' | ')}`);
    const lines = markGroups(historySvg).filter((g) => g.type === 'line');
    assert.equal(lines.reduce((n, g) => n + g.drawn, 0), runs.length, 'one line per run');
    for (const d of lines.flatMap((g) => g.paths)) assert.ok((d.match(/L/g) ?? []).length >= 20, 'each line spans the epochs');
    for (const title of ['val_loss by step', 'step', 'val_loss']) assert.ok(titles(historySvg).includes(title), titles(historySvg).join(' | '));

    const count = (svg: string | undefined, type: string) => markGroups(svg ?? '').filter((g) => g.type === type).reduce((n, g) => n + g.drawn, 0);
    assert.equal(count(mimeText(parallel, 'image/svg+xml'), 'line'), runs.length, 'parallel coordinates: one polyline per run');
    assert.equal(count(mimeText(scatter, 'image/svg+xml'), 'symbol'), runs.length, 'scatter: one point per run');
  });

  it('every chart bundle is a Vega-Lite v5 object that compiles without warnings, with a drawn SVG and no HTML, within 300 KB', async () => {
    const charts = savedCharts(executed.notebook);
    assert.equal(charts.length, 3);
    for (const chart of charts) {
      await assertChartBundle(chart);
      const groups = markGroups(chart.svg);
      assert.ok(groups.length > 0, chart.summary);
      for (const g of groups) assert.ok(g.drawn > 0, `${chart.summary}: ${g.name} draws nothing`);
    }
  });

  it('puts no raw markup in any HTML or SVG output', () => {
    const texts = [...savedTexts(executed.notebook, 'text/html'), ...savedTexts(executed.notebook, 'image/svg+xml')];
    assert.ok(texts.length >= 7, 'three cards, a table, three charts');
    for (const text of texts) assert.doesNotMatch(text, RAW_MARKUP);
  });
});
