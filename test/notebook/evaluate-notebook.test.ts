/**
 * notebooks/evaluate.ipynb on the real tslab kernel under real nbconvert:
 * two classifiers (tfjs and ml.js) evaluated, compared and exported; every
 * chart bundle follows the contract; then the notebook exported to HTML with
 * the repo's template and opened in Chromium, where the confusion matrices,
 * ROC curves and image grids must be drawn (screenshot in test-output/).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getClient } from '../../src/config';
import type { TrackingClient } from '../../src/tracking/client';
import { launchChromium, outputDir, serveRoutes } from '../browser/chromium';
import { codeCells, displayOutputs, executeNotebook, mimeText, notebookWorkspace, repoRoot, runJupyter, streamText, type ExecutedNotebook, type NotebookCell } from '../support/jupyter';
import { assertChartBundle, markGroups, savedCharts, titles } from './saved-outputs';

function sourceOf(cell: NotebookCell): string {
  return typeof cell.source === 'string' ? cell.source : cell.source.join('');
}


describe('notebooks/evaluate.ipynb', () => {
  let dir: string;
  let executed: ExecutedNotebook;
  let cells: readonly NotebookCell[];
  let client: TrackingClient;
  const cell = (needle: string): NotebookCell => {
    const found = cells.find((c) => sourceOf(c).includes(needle));
    assert.ok(found, `a code cell containing ${needle}`);
    return found;
  };

  before(async () => {
    dir = notebookWorkspace();
    // The kernel resolves tfjs and ml.js from the workspace, like a user's project would.
    for (const pkg of ['@tensorflow', 'ml-random-forest']) fs.symlinkSync(path.join(repoRoot(), 'node_modules', pkg), path.join(dir, 'node_modules', pkg), 'dir');
    fs.copyFileSync(path.join(repoRoot(), 'notebooks', 'evaluate.ipynb'), path.join(dir, 'evaluate.ipynb'));
    executed = await executeNotebook(path.join(dir, 'evaluate.ipynb'), { cwd: dir, timeoutSec: 180, env: { TRACKLAB_HOME: path.join(dir, 'store') } });
    cells = codeCells(executed.notebook);
    client = getClient(path.join(dir, 'store'));
  });

  after(async () => {
    await client?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every cell without an error', () => {
    assert.equal(executed.exitCode, 0, executed.log);
    for (const c of cells) assert.equal((c.outputs ?? []).some((o) => o.output_type === 'error'), false, `${sourceOf(c).slice(0, 80)}: ${JSON.stringify(c.outputs)}`);
  });

  it('every chart bundle follows the contract (v5 object, SVG, text, no HTML, <= 300 KB)', async () => {
    const charts = savedCharts(executed.notebook);
    assert.ok(charts.length >= 10, `charts: ${charts.length}`);
    for (const chart of charts) await assertChartBundle(chart);
  });

  it('each evaluate() shows its metrics table and its ROC, PR, confusion and calibration plots', () => {
    for (const needle of ['tracklab.evaluate(net', 'tracklab.evaluate(forest']) {
      const outputs = displayOutputs(cell(needle));
      const html = outputs.map((o) => mimeText(o, 'text/html') ?? '').join('');
      assert.match(html, /classifier metrics on 240 rows/);
      assert.match(html, /roc_auc/);
      const summaries = outputs.filter((o) => o.data?.['application/vnd.vegalite.v5+json']).map((o) => mimeText(o, 'text/plain') ?? '');
      assert.deepEqual(summaries.map((s) => s.split(' (')[0]), ['ROC curve', 'Precision-recall curve', 'Confusion matrix', 'Calibration']);
    }
  });

  it('compare({ evaluation: true }) shows the metrics table, ROC curves per class for both runs, both confusion matrices and the image grids', () => {
    const outputs = displayOutputs(cell("evaluation: true"));
    const table = mimeText(outputs[0], 'text/plain') ?? '';
    assert.match(table, /evaluations of 2 run\(s\), best by roc_auc/);
    const roc = outputs.find((o) => /^ROC curves of 2 run/.test(mimeText(o, 'text/plain') ?? ''));
    assert.ok(roc, 'ROC chart');
    const rocSvg = mimeText(roc, 'image/svg+xml') ?? '';
    for (const label of ['class 0', 'class 1', 'class 4', 'class 7']) assert.ok(rocSvg.includes(label), `${label} panel`);
    const lines = markGroups(rocSvg).filter((g) => g.type === 'line');
    assert.ok(lines.reduce((n, g) => n + g.drawn, 0) >= 8, 'two runs × four classes drawn (plus chance lines)');
    const confusion = outputs.find((o) => /^confusion matrices of 2 run/.test(mimeText(o, 'text/plain') ?? ''));
    assert.ok(confusion, 'confusion matrices');
    assert.ok(titles(mimeText(confusion, 'image/svg+xml') ?? '').some((t) => t.startsWith('Confusion matrices')));
    const grids = outputs.filter((o) => (mimeText(o, 'text/html') ?? '').includes('tl-imgs'));
    assert.equal(grids.length, 2, 'misclassified (both runs) and first-layer (the network)');
    assert.match(mimeText(grids[0], 'text/html') ?? '', /misclassified[\s\S]*2 run\(s\) × 1 step/);
    assert.match(mimeText(grids[1], 'text/html') ?? '', /first-layer[\s\S]*1 run\(s\) × 3 step/);
  });

  it('left two runs with evaluation metrics, artifacts and images, and exported the better one on roc_auc', async () => {
    const { runs } = await client.searchRuns({ experiments: 'digits', orderBy: ['metrics.roc_auc DESC'] });
    assert.equal(runs.length, 2);
    for (const run of runs) {
      // The digit bitmaps (TEMPLATES, keyed by label) are the notebook's data; its classes (LABELS = [0, 1, 4, 7]) are a setting.
      const dataParams = Object.keys(run.data.params).filter((k) => k.startsWith('TEMPLATES'));
      assert.equal(run.data.params.LABELS, '[0,1,4,7]');
      assert.deepEqual(dataParams, [], `params of ${run.info.runName}`);
      for (const key of ['accuracy_score', 'f1_score', 'log_loss', 'roc_auc', 'precision_recall_auc']) assert.equal(typeof run.data.metrics[key]?.last, 'number', key);
      const files = (await client.listArtifacts(run.info.runId)).map((a) => a.path);
      for (const f of ['evaluation/evaluation.json', 'evaluation/predictions.arrow', 'evaluation/plots/roc_curve_plot.svg', 'images/misclassified/step_0.png', 'model/MLmodel']) assert.ok(files.includes(f), `${f} on ${run.info.runName}`);
    }
    const net = runs.find((r) => r.data.metrics.eval_loss !== undefined);
    assert.ok(net, 'model.evaluate() was autologged on the network run');
    assert.deepEqual((await client.listArtifacts(net.info.runId, 'images/first-layer')).map((a) => a.path).sort(), ['images/first-layer/step_14.png', 'images/first-layer/step_4.png', 'images/first-layer/step_9.png']);
    const printed = streamText(cell('exportBest('), 'stdout');
    assert.match(printed, new RegExp(`roc_auc ${runs[0].data.metrics.roc_auc?.last.toFixed(4)}\\) is @champion`));
  });

  it('exported to HTML and opened in Chromium: confusion matrices, ROC curves and image grids are drawn (screenshot)', async () => {
    fs.copyFileSync(path.join(repoRoot(), 'notebooks', 'export', 'tracklab-html.j2'), path.join(dir, 'tracklab-html.j2'));
    await runJupyter(['nbconvert', '--to', 'html', '--template-file', path.join(dir, 'tracklab-html.j2'), '--output', 'evaluate', executed.outputPath], dir);
    const server = await serveRoutes(new Map([['/evaluate.html', { body: fs.readFileSync(path.join(dir, 'evaluate.html')), type: 'text/html; charset=utf-8' }]]));
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.route((url) => url.origin !== server.url, (route) => route.abort());
      await page.goto(`${server.url}/evaluate.html`, { waitUntil: 'load' });
      await page.screenshot({ path: path.join(outputDir(), 'notebook-evaluate.png'), fullPage: true });
      // The comparison's charts, drawn: coloured pixels in each (grey axes and black text do not count).
      const charts = (await page.evaluate(`[...document.querySelectorAll('.jp-RenderedSVG img')].map((img) => {
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let coloured = 0;
        for (let i = 0; i < px.length; i += 4) { const max = Math.max(px[i], px[i + 1], px[i + 2]); const min = Math.min(px[i], px[i + 1], px[i + 2]); if (px[i + 3] > 0 && max - min > 60) coloured++; }
        return { width: img.getBoundingClientRect().width, coloured };
      })`)) as { width: number; coloured: number }[];
      assert.ok(charts.length >= 10, `charts in the page: ${charts.length}`);
      for (const c of charts) assert.ok(c.width > 250 && c.coloured > 40, JSON.stringify(c));
      // The image grids: every logged image loaded and shown at a readable size.
      const images = (await page.evaluate(`[...document.querySelectorAll('.tl-imgs img')].map((img) => ({ complete: img.complete, natural: img.naturalWidth, width: img.getBoundingClientRect().width }))`)) as { complete: boolean; natural: number; width: number }[];
      assert.ok(images.length >= 5, `grid images: ${images.length}`);
      for (const img of images) assert.ok(img.complete && img.natural > 0 && img.width >= 60, JSON.stringify(img));
      await page.close();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
