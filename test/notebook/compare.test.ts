/**
 * Executes notebooks/compare.ipynb (20 explicit runs, a runs table, a
 * filtered comparison, show(best)) on the real tslab kernel under real
 * nbconvert, then checks the saved outputs and the store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CellRecord, Run } from '../../src/entities';
import type { TrackingClient } from '../../src/tracking/client';
import {
  codeCells, displayOutputs, type ExecutedNotebook, joinText, mimeText, type NotebookCell, streamText,
} from '../support/jupyter';
import { assertChartBundle, decodeEntities, legendLabels, markGroups, RAW_MARKUP, savedCharts, savedTexts, showsName, titles } from './saved-outputs';
import { type ExampleRun, runExampleNotebook } from './example-notebook';

const HOSTILE = '<img src=x onerror=alert(1)>';
const HOSTILE_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

/** The first cell of each table row (the run name, as a reader sees it) and whether the row is marked best. */
function tableRows(html: string): { name: string; best: boolean }[] {
  const body = html.slice(html.indexOf('<tbody>'));
  return [...body.matchAll(/<tr( class="tl-best")?><td>(?:<span[^>]*>)?([^<]*)/g)].map((m) => ({
    name: decodeEntities(m[2]),
    best: m[1] !== undefined,
  }));
}

const lastValLoss = (run: Run) => run.data.metrics.val_loss?.last ?? Number.NaN;

describe('notebooks/compare.ipynb', () => {
  let example: ExampleRun | undefined;
  let executed: ExecutedNotebook;
  let client: TrackingClient;
  let runs: readonly Run[];
  let cells: readonly NotebookCell[];
  let cellsOf: ReadonlyMap<string, readonly CellRecord[]>;
  const cellWith = (text: string) => {
    const found = cells.find((c) => joinText(c.source).includes(text));
    assert.ok(found, `a code cell containing ${text}`);
    return found;
  };

  before(async () => {
    example = await runExampleNotebook('compare', 'compare');
    ({ executed, client, runs, cellsOf } = example);
    cells = codeCells(executed.notebook);
  });

  after(() => example?.dispose());

  it('executes every cell without errors', () => {
    assert.equal(executed.exitCode, 0, executed.log);
    for (const cell of cells) {
      assert.equal(streamText(cell, 'stderr'), '', joinText(cell.source));
      assert.deepEqual((cell.outputs ?? []).filter((o) => o.output_type === 'error'), [], joinText(cell.source));
    }
  });

  it('stores the 20 runs of the training cell, FINISHED, with their params and full histories', async () => {
    assert.equal(runs.length, 20);
    assert.equal(new Set(runs.map((r) => r.info.runName)).size, 20, 'run names are distinct');
    assert.equal(runs.filter((r) => r.info.runName === HOSTILE).length, 1);
    assert.deepEqual(new Set(runs.map((r) => r.data.params.optimizer)), new Set(['sgd', 'momentum', 'adam']));
    assert.ok(new Set(runs.map((r) => r.data.params.lr)).size >= 5, 'learning rates vary');
    const histories = await client.store.readMetrics(runs.map((r) => r.info.runId), ['val_loss']);
    for (const run of runs) {
      assert.equal(run.info.status, 'FINISHED', run.info.runName);
      assert.deepEqual(Object.keys(run.data.params).sort(), ['batchSize', 'epochs', 'hidden', 'lr', 'optimizer', 'seed']);
      assert.equal(run.data.tags['tracklab.source.type'], 'NOTEBOOK');
      const epochs = Number(run.data.params.epochs);
      for (const key of ['loss', 'val_loss', 'val_acc']) assert.equal(run.data.metrics[key]?.count, epochs, `${run.info.runName} ${key}`);
      const steps = histories.filter((s) => s.runId === run.info.runId).flatMap((s) => [...s.steps]);
      assert.deepEqual(steps, Array.from({ length: epochs }, (_, i) => i));
    }
    // The settings matter: the spread of final validation losses is wide.
    const finals = runs.map(lastValLoss);
    assert.ok(Math.max(...finals) > 2 * Math.min(...finals), finals.join(', '));
  });

  it('records the training cell on each run, and tags the notebook provenance', () => {
    const cell = cellWith('tracklab.startRun(');
    const training = joinText(cell.source);
    // Every code cell runs once, in order, so the kernel's execution count is the cell's position.
    const count = cells.indexOf(cell) + 1;
    for (const run of runs) {
      const recorded = cellsOf.get(run.info.runId) ?? [];
      assert.deepEqual(recorded.map((c) => [c.source, c.status, c.executionCount]), [[training, 'ok', count]], run.info.runName);
      assert.ok(recorded[0].endTime !== null && recorded[0].endTime >= recorded[0].startTime);
      assert.equal(run.data.tags['tracklab.notebook.kernel'], 'tslab', run.info.runName);
      assert.equal(run.data.tags['tracklab.version.tslab'], '1.0.22');
      assert.equal(run.data.tags['tracklab.source.cell'], String(count));
    }
  });

  it('runsTable lists every run once, names escaped, the lowest val_loss marked best', () => {
    const outputs = displayOutputs(cellWith('tracklab.runsTable('));
    assert.equal(outputs.length, 1);
    const html = mimeText(outputs[0], 'text/html') ?? '';
    const rows = tableRows(html);
    assert.deepEqual(rows.map((r) => r.name).sort(), runs.map((r) => r.info.runName).sort());
    const best = runs.reduce((a, b) => (lastValLoss(b) < lastValLoss(a) ? b : a));
    assert.deepEqual(rows.filter((r) => r.best).map((r) => r.name), [best.info.runName]);
    assert.ok(html.includes(HOSTILE_ESCAPED));
    assert.match(mimeText(outputs[0], 'text/plain') ?? '', /20 run\(s\)/);
  });

  it('compare() shows the filtered runs: table, overlaid histories, parallel coordinates, scatter', () => {
    const momentum = runs.filter((r) => r.data.params.optimizer === 'momentum');
    const expected = momentum.filter((r) => lastValLoss(r) < 0.35).map((r) => r.info.runName);
    assert.ok(expected.length >= 3 && expected.length < momentum.length, `the filter selects a real subset (${expected.length} of ${momentum.length})`);

    const outputs = displayOutputs(cellWith('tracklab.compare('));
    assert.equal(outputs.length, 4, 'a table and three charts');
    assert.deepEqual(tableRows(mimeText(outputs[0], 'text/html') ?? '').map((r) => r.name).sort(), [...expected].sort());

    const [history, parallel, scatter] = outputs.slice(1).map((o) => mimeText(o, 'image/svg+xml') ?? '');
    const labels = legendLabels(history);
    assert.equal(labels.length, expected.length, labels.join(' | '));
    for (const name of expected) assert.ok(labels.some((l) => showsName(l, name)), `legend names ${name}: ${labels.join(' | ')}`);
    const lines = markGroups(history).filter((g) => g.type === 'line');
    // Smoothing draws each run twice: the raw line faded behind the EMA.
    assert.equal(lines.reduce((n, g) => n + g.drawn, 0), 2 * expected.length);
    for (const g of lines) for (const d of g.paths) assert.ok((d.match(/L/g) ?? []).length >= 10, 'each line spans the epochs');
    assert.ok(titles(history).includes('val_loss by step'));
    assert.ok(titles(history).includes('step') && titles(history).includes('val_loss'), titles(history).join(' | '));

    const parallelLines = markGroups(parallel).filter((g) => g.type === 'line');
    assert.equal(parallelLines.reduce((n, g) => n + g.drawn, 0), expected.length, 'one polyline per run');
    const points = markGroups(scatter).filter((g) => g.type === 'symbol');
    assert.equal(points.reduce((n, g) => n + g.drawn, 0), expected.length, 'one point per run');
  });

  it('every chart bundle is a Vega-Lite v5 object that compiles without warnings, with a drawn SVG and no HTML, within 300 KB', async () => {
    const charts = savedCharts(executed.notebook);
    assert.equal(charts.length, 4, 'three in the comparison, one in show()');
    for (const chart of charts) {
      await assertChartBundle(chart);
      const groups = markGroups(chart.svg);
      assert.ok(groups.length > 0, chart.summary);
      for (const g of groups) assert.ok(g.drawn > 0, `${chart.summary}: ${g.name} draws nothing`);
    }
  });

  it('the hostile run name is escaped text in every HTML and SVG output', () => {
    const html = savedTexts(executed.notebook, 'text/html');
    const svg = savedTexts(executed.notebook, 'image/svg+xml');
    for (const text of [...html, ...svg]) assert.doesNotMatch(text, RAW_MARKUP);
    assert.ok(html.filter((t) => t.includes(HOSTILE_ESCAPED)).length >= 1);
    // The notebook gives the hostile name to a run the filter selects, so it also lands in a table row and a legend label.
    const compared = displayOutputs(cellWith('tracklab.compare('));
    assert.ok(mimeText(compared[0], 'text/html')?.includes(HOSTILE_ESCAPED));
    assert.match(mimeText(compared[1], 'image/svg+xml') ?? '', /&lt;img src=x onerror=alert\(1/);
  });

  it('show(bestRun) shows the best run: its card with sparklines, then a chart per metric', () => {
    const best = runs.reduce((a, b) => (lastValLoss(b) < lastValLoss(a) ? b : a));
    const outputs = displayOutputs(cellWith('tracklab.show('));
    assert.equal(outputs.length, 2);
    const card = mimeText(outputs[0], 'text/html') ?? '';
    assert.ok(card.includes(best.info.runName) && card.includes(best.info.runId));
    assert.match(mimeText(outputs[0], 'text/plain') ?? '', /\[FINISHED\]/);
    const sparklines = [...card.matchAll(/<svg[^>]*>([\s\S]*?)<\/svg>/g)].map((m) => m[1]);
    assert.equal(sparklines.length, 3, 'one sparkline per metric');
    for (const s of sparklines) assert.match(s, /<path d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){10,}"/);
    const svg = mimeText(outputs[1], 'image/svg+xml') ?? '';
    assert.equal(markGroups(svg).filter((g) => g.type === 'line').reduce((n, g) => n + g.drawn, 0), 3);
    for (const key of ['loss', 'val_loss', 'val_acc']) assert.ok(titles(svg).includes(key), titles(svg).join(' | '));
  });
});
