/** Issue 3 figures: building a big comparison, and what log() costs inside a tracked notebook cell. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricColumns, Run } from '../src/entities';
import { executeNotebook } from '../src/projects';
import { bundleBytes } from '../src/views/chart-bundle';
import { compareBundles } from '../src/views/comparison';
import { tempDir, type Report } from './report';

function syntheticRuns(runs: number, steps: number): { runs: Run[]; histories: MetricColumns[] } {
  const out: Run[] = [];
  const histories: MetricColumns[] = [];
  for (let r = 0; r < runs; r++) {
    const lr = 10 ** -(1 + (r % 4));
    const values = new Float64Array(steps);
    const stepCol = new Float64Array(steps);
    const ts = new Float64Array(steps);
    for (let i = 0; i < steps; i++) {
      stepCol[i] = i;
      ts[i] = 1.7e12 + i;
      values[i] = 2 * Math.exp(-i * lr * 1e-3) + 0.05 * Math.sin(i / 50 + r) + r * 1e-3;
    }
    const runId = `run${String(r).padStart(3, '0')}`;
    histories.push({ runId, key: 'val_loss', steps: stepCol, timestamps: ts, values });
    out.push({
      info: { runId, runName: `run-${r}`, experimentId: 'bench', parentRunId: null, status: 'FINISHED', statusMessage: null, startTime: 1.7e12 + r, endTime: 1.7e12 + r + 1000, user: null, lifecycleStage: 'active' },
      data: {
        params: { lr: String(lr), batch: String(32 << (r % 3)), optimizer: r % 2 ? 'adam' : 'sgd' },
        tags: {},
        metrics: { val_loss: { key: 'val_loss', last: values[steps - 1], lastStep: steps - 1, lastTimestamp: ts[steps - 1], min: Math.min(...values.subarray(steps - 1000)), max: values[0], count: steps } },
      },
    });
  }
  return { runs: out, histories };
}

export async function comparisonBuild(report: Report): Promise<void> {
  const { runs, histories } = syntheticRuns(100, 100_000);
  await compareBundles({ runs: runs.slice(0, 2), histories: histories.slice(0, 2), metric: 'val_loss' }); // loads vega once
  const t0 = process.hrtime.bigint();
  const bundles = await compareBundles({ runs, histories, metric: 'val_loss', smoothing: 0.6 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  const naive = JSON.stringify(histories.map((h) => Array.from(h.values)));
  const naiveMs = Number(process.hrtime.bigint() - t1) / 1e6;
  report.add({ name: 'compare 100 runs × 100k steps (table, 3 Vega-Lite specs + SVGs)', value: ms, unit: 'ms', target: { op: '<=', value: 1000 }, baseline: { name: 'JSON.stringify of the raw values alone', value: naiveMs } });
  const largest = Math.max(...bundles.map(bundleBytes));
  report.add({ name: 'largest bundle of that comparison', value: largest / 1024, unit: 'KB', target: { op: '<=', value: 300 }, baseline: { name: 'the raw values as JSON', value: naive.length / 1024 } });
}

/**
 * Runs a notebook through the real tslab kernel: a bare training-like loop,
 * then the same loop calling tracklab.log() in a cell tracked by autolog().
 */
export async function trackedCellOverhead(report: Report): Promise<void> {
  const dir = tempDir('cell');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.resolve(__dirname, '..', '..'), path.join(dir, 'node_modules', 'tracklab'), 'dir');
  const loop = (body: string) => [
    'const N = 1_000_000;',
    'let acc = 0;',
    'const t0 = process.hrtime.bigint();',
    `for (let i = 0; i < N; i++) { const loss = Math.sqrt(i + 1) * 1e-3; acc += loss; ${body} }`,
    'console.log(JSON.stringify({ ns: Number(process.hrtime.bigint() - t0) / N, acc: acc }));',
  ].join('\n');
  const code = (source: string) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source });
  const notebook = {
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      code("import * as tracklab from 'tracklab';\ntracklab.configure({ home: './store', experiment: 'overhead' });\ntracklab.autolog({ liveCard: process.env.BENCH_LIVE !== '0' });"),
      code(loop('')), code(loop('')),
      code(loop('tracklab.log({ loss: loss }, i);')), code(loop('tracklab.log({ loss: loss }, i);')),
    ],
  };
  const result = await executeNotebook(notebook, { engine: 'native', cwd: dir, timeoutMs: 120_000 });
  if (!result.ok) throw new Error(`overhead notebook failed: ${JSON.stringify(result.failedCell)}`);
  const nsOf = (index: number): number => {
    const cell = result.notebook.cells[index] as { outputs?: { text?: string | string[] }[] };
    const text = (cell.outputs ?? []).map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text ?? '')).join('');
    return JSON.parse(text.trim().split('\n').find((l) => l.startsWith('{'))!).ns;
  };
  const bare = Math.min(nsOf(1), nsOf(2));
  const tracked = Math.min(nsOf(3), nsOf(4));
  report.add({ name: 'log() inside an autolog-tracked tslab cell, per call', value: tracked - bare, unit: 'ns', baseline: { name: 'the bare loop iteration', value: bare }, note: `tracked iteration ${tracked.toFixed(0)} ns, 1M iterations, live card on` });
}
