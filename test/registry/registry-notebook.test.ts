/**
 * Executes notebooks/registry.ipynb on the real tslab kernel under real
 * nbconvert and checks that the saved outputs hold the registry summary
 * bundles, and that the store holds what the notebook claims.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LOGGED_MODELS_TAG } from '../../src/models/log-model';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import {
  codeCells, displayOutputs, executeNotebook, type ExecutedNotebook, joinText, mimeText, type NotebookCell, notebookWorkspace, repoRoot, streamText,
} from '../support/jupyter';

const VEGA_LITE = 'application/vnd.vegalite.v5+json';

function cellWith(notebook: ExecutedNotebook['notebook'], text: string): NotebookCell {
  const cell = codeCells(notebook).find((c) => joinText(c.source).includes(text));
  assert.ok(cell, `a code cell containing ${text}`);
  return cell;
}

describe('notebooks/registry.ipynb', () => {
  let dir: string;
  let executed: ExecutedNotebook;
  let tracking: TrackingClient;
  let registry: RegistryClient;

  before(async () => {
    dir = notebookWorkspace();
    // The notebook requires ml-regression as a user's project would have it installed.
    fs.symlinkSync(path.join(repoRoot(), 'node_modules', 'ml-regression'), path.join(dir, 'node_modules', 'ml-regression'), 'dir');
    const input = path.join(dir, 'registry.ipynb');
    fs.copyFileSync(path.join(repoRoot(), 'notebooks', 'registry.ipynb'), input);
    executed = await executeNotebook(input, { cwd: dir, env: { TRACKLAB_HOME: path.join(dir, 'store') }, timeoutSec: 120 });
    tracking = new TrackingClient({ home: path.join(dir, 'store') });
    registry = new RegistryClient({ tracking });
  });

  after(async () => {
    registry?.close();
    await tracking?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('executes every cell without errors', () => {
    assert.equal(executed.exitCode, 0, executed.log);
    for (const cell of codeCells(executed.notebook)) {
      assert.ok(!(cell.outputs ?? []).some((o) => o.output_type === 'error'), joinText(cell.source));
      assert.equal(streamText(cell, 'stderr'), '', joinText(cell.source));
    }
  });

  it('registers the best run that has a model, ignoring the better run without one', async () => {
    const { runs } = await tracking.searchRuns({ experiments: 'registry-demo' });
    const withModel = runs.filter((r) => r.data.tags[LOGGED_MODELS_TAG] !== undefined);
    assert.equal(withModel.length, 4);
    const best = withModel.reduce((a, b) => (a.data.metrics.val_rmse.last <= b.data.metrics.val_rmse.last ? a : b));
    const noModel = runs.find((r) => r.info.runName === 'noise-floor');
    assert.ok(noModel && noModel.data.metrics.val_rmse.last < best.data.metrics.val_rmse.last, 'the model-less run has the lowest value');

    const champion = await registry.getModelVersionByAlias('parabola', 'champion');
    assert.equal(champion.runId, best.info.runId);
    assert.equal(champion.version, 1);
    assert.equal((await registry.searchModelVersions({ filter: "name = 'parabola'" })).modelVersions.length, 1, 'the second exportBest reused version 1');
    // tslab prints a cell's last value to stdout.
    assert.equal(streamText(cellWith(executed.notebook, 'const again'), 'stdout'), 'reused: true, version 1\n');
    const predicted = streamText(cellWith(executed.notebook, "loadModel('models:/parabola@champion')"), 'stdout');
    assert.match(predicted, /^-?\d+\.\d{3}, -?\d+\.\d{3}, -?\d+\.\d{3}\n$/);
  });

  it('saves the registry summary bundles under exportBest and show(): escaped tables and a Vega-Lite chart', () => {
    for (const marker of ['await exportBest(', 'await registry.show()']) {
      const outputs = displayOutputs(cellWith(executed.notebook, marker));
      const tables = outputs.filter((o) => o.data?.['text/html'] !== undefined);
      const charts = outputs.filter((o) => o.data?.[VEGA_LITE] !== undefined);
      assert.equal(tables.length, 2, `${marker}: models table and versions table`);
      assert.equal(charts.length, 1, `${marker}: one chart`);
      assert.match(mimeText(tables[0], 'text/html') ?? '', /<caption>Registered models<\/caption>.*parabola/s);
      assert.match(mimeText(tables[0], 'text/plain') ?? '', /parabola\s+1\s+@champion → v1/);
      assert.match(mimeText(tables[1], 'text/html') ?? '', /<caption>parabola: 1 version<\/caption>/);
      const chart = charts[0];
      assert.equal(typeof chart.data?.[VEGA_LITE], 'object', 'the spec is saved as an object');
      assert.equal((chart.data?.[VEGA_LITE] as { $schema: string }).$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
      assert.match(mimeText(chart, 'image/svg+xml') ?? '', /^<svg/);
      assert.equal(chart.data?.['text/html'], undefined, 'no HTML in a chart bundle');
      assert.match(mimeText(chart, 'text/plain') ?? '', /parabola: val_rmse by version \(v1 \d\.\d+ @champion\)/);
    }
  });
});
