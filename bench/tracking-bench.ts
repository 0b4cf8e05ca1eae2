/** Issue 2 figures: ingest, run creation, search, history load, disk, memory (cold require: new-user-bench.ts). */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configure, startRun, TrackingClient } from '../src/index';
import { makeSeries, rawBlobInsert, rowPerPointInsert, rowPerPointRead } from './baselines';
import { insertRawRuns, openRawRuns } from './raw-runs';
import { fmt, medianMs, tempDir, type Report } from './report';

const POINTS = 1_000_000;

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

export async function ingest(report: Report): Promise<void> {
  const series = makeSeries(POINTS);
  const baseDir = tempDir('baseline');
  const rows = rowPerPointInsert(baseDir, series);
  const blobs = rawBlobInsert(baseDir, series);
  const blobRate = POINTS / (blobs.ms / 1000);

  const home = tempDir('ingest');
  configure({ home, experiment: 'bench' });
  const run = startRun({ name: 'ingest' });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < POINTS; i++) run.log({ loss: series.values[i] }, i);
  await run.end();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rate = POINTS / (ms / 1000);
  report.add({ name: 'ingest 1M points via run.log(), durable at end', value: rate, unit: 'points/s', target: { op: '>=', value: 5e6 }, baseline: { name: 'raw better-sqlite3 row-per-point insert, one transaction', value: POINTS / (rows.ms / 1000) } });
  report.add({ name: 'ingest rate as a share of the raw 3-column Float64Array blob insert', value: rate / blobRate, unit: 'x', target: { op: '>=', value: 1 / 3 }, note: `raw blobs: ${fmt(blobRate)} points/s in this run` });

  const db = new Database(path.join(home, 'tracklab.db'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const ours = dirBytes(home) / POINTS;
  report.add({ name: 'bytes on disk per point (whole store folder, after checkpoint)', value: ours, unit: 'B/point', target: { op: '<=', value: 12 }, baseline: { name: 'row-per-point table', value: rows.bytes / POINTS } });

  // History load: 100k points of one key into an Arrow table.
  const historyHome = tempDir('history');
  configure({ home: historyHome, experiment: 'bench' });
  const small = makeSeries(100_000, 7);
  const hrun = startRun({ name: 'history' });
  for (let i = 0; i < small.values.length; i++) hrun.log({ loss: small.values[i] }, i);
  await hrun.end();
  rowPerPointInsert(historyHome, small);
  const client = new TrackingClient({ home: historyHome });
  await client.metricHistory(hrun.id); // warm statement caches and arrow's module
  const loadMs = await medianMs(15, () => client.metricHistory(hrun.id));
  const rowReadMs = await medianMs(15, () => rowPerPointRead(historyHome));
  report.add({ name: 'load 100k-point history as an Arrow Table', value: loadMs, unit: 'ms', target: { op: '<=', value: 5 }, baseline: { name: 'row-per-point SELECT into a Float64Array', value: rowReadMs } });
}

/** Runs of 20 params, 5 tags and 10 metric values, one better-sqlite3 transaction each (raw-runs.ts): the floor for creating runs. */
export function rawRunInsert(dir: string, runs: number): number {
  const db = openRawRuns(dir);
  const t0 = process.hrtime.bigint();
  insertRawRuns(db, runs);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  db.close();
  return runs / (ms / 1000);
}

async function createRuns(home: string, count: number, withShape: (i: number) => { params: Record<string, unknown>; tags: Record<string, string>; metrics: Record<string, number> }): Promise<number> {
  configure({ home, experiment: 'bench' });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const shape = withShape(i);
    const run = startRun({ params: shape.params, tags: shape.tags });
    run.log(shape.metrics, 0);
    await run.end();
  }
  return count / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function fullShape(i: number) {
  const params: Record<string, unknown> = {};
  const tags: Record<string, string> = {};
  const metrics: Record<string, number> = {};
  for (let p = 0; p < 20; p++) params[`param_${p}`] = p * i;
  for (let t = 0; t < 5; t++) tags[`tag_${t}`] = `v${t}`;
  for (let m = 0; m < 10; m++) metrics[`metric_${m}`] = Math.random();
  return { params, tags, metrics };
}

function searchShape(i: number) {
  return {
    params: { optimizer: ['adam', 'sgd', 'rmsprop'][i % 3], lr: [0.1, 0.01, 0.001][i % 7 % 3], layers: i % 5 },
    tags: { team: i % 2 ? 'vision' : 'nlp' },
    metrics: { acc: ((i * 7919) % 1000) / 1000, loss: ((i * 104729) % 1000) / 500 },
  };
}

export async function runsAndSearch(report: Report): Promise<void> {
  // The first runs of a process also pay for V8 compiling the create path; the target is the steady state.
  const coldRate = await createRuns(tempDir('runs-cold'), 1000, fullShape);
  const runsHome = tempDir('runs');
  const rate = await createRuns(runsHome, 1000, fullShape);
  const rawRate = rawRunInsert(tempDir('raw-runs'), 1000);
  report.add({ name: 'create 1,000 runs (20 params, 10 metrics, 5 tags each), each end awaited', value: rate, unit: 'runs/s', target: { op: '>=', value: 5000 }, baseline: { name: 'raw better-sqlite3 inserts, one transaction per run', value: rawRate }, note: `the first 1,000 runs of the process, JIT still compiling: ${fmt(coldRate)} runs/s` });
  // New runs wait in the run journal until something reads them; the first read folds them in, and pays for it.
  const t0 = process.hrtime.bigint();
  const first = await new TrackingClient({ home: runsHome }).searchRuns({ filter: "params.param_1 = '7'", maxResults: 10 });
  const foldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (first.runs.length !== 1) throw new Error(`expected one run with param_1 = 7, found ${first.runs.length}`);
  report.add({ name: 'the same 1,000 runs, counting the first search (which folds the journal into the search tables)', value: 1000 / ((1000 / rate) + foldMs / 1000), unit: 'runs/s', note: `first search: ${fmt(foldMs)} ms`, baseline: { name: 'raw better-sqlite3 inserts, one transaction per run', value: rawRate } });

  const filter = "metrics.acc > 0.5 AND params.optimizer = 'adam'";
  const orderBy = ['metrics.acc DESC'];
  for (const [count, target] of [[1000, 3], [100_000, 100]] as const) {
    const home = tempDir(`search-${count}`);
    await createRuns(home, count, searchShape);
    const client = new TrackingClient({ home });
    await client.searchRuns({ filter, orderBy, maxResults: 100 });
    const ms = await medianMs(count > 1000 ? 9 : 31, () => client.searchRuns({ filter, orderBy, maxResults: 100 }));
    const db = new Database(path.join(home, 'tracklab.db'), { readonly: true });
    const raw = db.prepare(`SELECT r.run_id FROM runs r JOIN metric_summaries m ON m.run_id = r.run_id AND m.key = 'acc'
      JOIN params p ON p.run_id = r.run_id AND p.key = 'optimizer' WHERE m.last_value > 0.5 AND p.value = 'adam' ORDER BY m.last_value DESC LIMIT 100`);
    const rawMs = await medianMs(count > 1000 ? 9 : 31, () => raw.all());
    db.close();
    report.add({ name: `search "${filter}" order by acc over ${count.toLocaleString('en')} runs (100 results)`, value: ms, unit: 'ms', target: { op: '<=', value: target }, baseline: { name: 'hand-written SQL returning only ids', value: rawMs } });
  }
}

export async function memory(report: Report): Promise<void> {
  const script = `
    const { configure, startRun } = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'index.js'))});
    configure({ home: ${JSON.stringify(tempDir('memory'))}, experiment: 'bench' });
    const run = startRun({ name: 'memory' });
    run.log({ warm: 1 }, 0);
    global.gc && global.gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    for (let i = 0; i < 10_000_000; i++) {
      run.log({ loss: i * 1e-7 }, i);
      if ((i & 0xfffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    run.end().then(() => { peak = Math.max(peak, process.memoryUsage().rss); console.log(JSON.stringify({ grew: peak - before })); });`;
  const out = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (out.status !== 0) throw new Error(`memory bench child failed: ${out.stderr}`);
  const { grew } = JSON.parse(out.stdout.trim().split('\n').pop()!);
  report.add({ name: 'RSS growth while logging 10M points into one run (peak)', value: grew / 2 ** 20, unit: 'MB', target: { op: '<=', value: 100 }, baseline: { name: 'holding 10M points as 3 Float64Arrays', value: (10_000_000 * 24) / 2 ** 20 } });
}
