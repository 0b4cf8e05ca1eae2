/**
 * notebooks/tfjs.ipynb on the real tslab kernel under real nbconvert: two
 * autologged fits with their live cards' final state, the comparison charts,
 * exportBest into the registry, and the model reloaded from it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { getClient } from '../../src/config';
import {
  codeCells, displayOutputs, executeNotebook, mimeText, notebookWorkspace, repoRoot, streamText, type ExecutedNotebook, type NotebookCell,
} from '../support/jupyter';

function sourceOf(cell: NotebookCell): string {
  return typeof cell.source === 'string' ? cell.source : cell.source.join('');
}

describe('notebooks/tfjs.ipynb', () => {
  let executed: ExecutedNotebook;
  let home: string;
  let cells: readonly NotebookCell[];
  const cell = (needle: string): NotebookCell => {
    const found = cells.find((c) => sourceOf(c).includes(needle));
    assert.ok(found, `a code cell containing ${needle}`);
    return found;
  };

  before(async () => {
    const dir = notebookWorkspace();
    // The kernel resolves tfjs from the workspace, like a user's project would.
    fs.symlinkSync(path.join(repoRoot(), 'node_modules', '@tensorflow'), path.join(dir, 'node_modules', '@tensorflow'), 'dir');
    fs.copyFileSync(path.join(repoRoot(), 'notebooks', 'tfjs.ipynb'), path.join(dir, 'tfjs.ipynb'));
    home = path.join(dir, 'store');
    executed = await executeNotebook(path.join(dir, 'tfjs.ipynb'), { cwd: dir, timeoutSec: 120, env: { TRACKLAB_HOME: home } });
    cells = codeCells(executed.notebook);
  });

  it('runs every cell without an error', () => {
    assert.equal(executed.exitCode, 0, executed.log);
    for (const c of cells) assert.equal((c.outputs ?? []).some((o) => o.output_type === 'error'), false, sourceOf(c));
  });

  it('shows no stderr: not tfjs\'s "install our node backend" banner either', () => {
    for (const c of cells) assert.equal(streamText(c, 'stderr'), '', sourceOf(c));
  });

  it('shows each fit\'s live card in its final state: FINISHED, the fit\'s params and epoch metrics', () => {
    for (const [needle, lr] of [['denseNetwork(0.002)', '0.002'], ['denseNetwork(0.02)', '0.02']] as const) {
      const cards = displayOutputs(cell(needle)).map((o) => mimeText(o, 'text/plain') ?? '');
      assert.equal(cards.length, 1, `one card under the ${lr} cell`);
      assert.match(cards[0], /\[FINISHED\]/);
      assert.match(cards[0], new RegExp(`learning_rate\\s+${lr.replace('.', '\\.')}\\n`));
      assert.match(cards[0], /epochs\s+30/);
      assert.match(cards[0], /val_loss\s+[\d.e-]+\s+29/, 'val_loss at the last epoch (step 29)');
    }
  });

  it('compares the two runs with a table and Vega-Lite charts', () => {
    const outputs = displayOutputs(cell('tracklab.compare('));
    const charts = outputs.filter((o) => o.data?.['application/vnd.vegalite.v5+json'] !== undefined);
    assert.ok(charts.length >= 2, `charts: ${charts.length}`);
    for (const chart of charts) assert.ok(mimeText(chart, 'image/svg+xml')?.startsWith('<svg'), 'each chart has its SVG fallback');
    assert.match(mimeText(outputs[0], 'text/plain') ?? '', /2 run\(s\)/);
  });

  it('exports the best run to the registry and reloads it with the same predictions', () => {
    assert.match(streamText(cell('exportBest('), 'stdout'), /tfjs-dense v1 \(val_loss [\d.]+\) is @champion/);
    const printed = streamText(cell("loadModel('models:/tfjs-dense@champion')"), 'stdout');
    const blocks = printed.split(/reloaded:|trained:/).slice(1).map((b) => b.replace(/[\s,}]+$/g, '').trim());
    assert.equal(blocks.length, 2, printed);
    assert.match(blocks[0], /\[\s*\[\s*-?\d/);
    assert.equal(blocks[0], blocks[1]);
  });

  it('left two autologged runs in the store, each with 30 epochs and a logged model', async () => {
    const client = getClient(home);
    const { runs } = await client.searchRuns({ experiments: 'tfjs-demo', filter: "tags.`tracklab.autolog` = 'tfjs'" });
    assert.equal(runs.length, 2);
    for (const run of runs) {
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.metrics.val_loss?.count, 30);
      const files = (await client.listArtifacts(run.info.runId)).map((a) => a.path);
      assert.ok(files.includes('model/MLmodel') && files.includes('model_summary.txt'), files.join(', '));
    }
  });
});
