/**
 * One bench figure measured the way a new user's script meets it: a fresh
 * process that requires tracklab, configures a store and does one thing.
 * Spawned by new-user-bench.ts (and runnable by hand against any build:
 * `node dist/bench/new-user-child.js <entry> <figure> [options]`), it prints
 * one JSON line. Plain CommonJS `require` of the entry, so the same script
 * times an older build of tracklab.
 *
 * Figures:
 * - `runs <await|plain> <fluent|end> <preloadPoints>`: 1,000 runs of 20 params,
 *   5 tags and 10 metrics, each one `startRun` (awaited or not), one `log`
 *   and `endRun()` or `run.end()`, after first logging `preloadPoints` into
 *   three other runs and a 100k history (as a notebook that trained first).
 * - `history`: 100k points logged through `run.log()`, then read back as an
 *   Arrow Table in the same process: the first read and the median of 15.
 * - `search <runs>`: runs with 20 params and 10 metrics, then the
 *   filter-and-order search returning 100 fully hydrated runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Tracklab = typeof import('../src/index');

const [entry, figure, ...args] = process.argv.slice(2);
const t: Tracklab = require(entry);

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tracklab-bench-user-${label}-`));
}

/** A fresh store: a new folder, or the database BENCH_TRACKING_URI names (PostgreSQL; artifacts in a new folder). */
function freshStore(label: string): string {
  const uri = process.env.BENCH_TRACKING_URI;
  if (uri) {
    t.configure({ trackingUri: uri, artifactRoot: tempDir(label), experiment: 'bench' });
    return uri;
  }
  const dir = tempDir(label);
  t.configure({ home: dir, experiment: 'bench' });
  return dir;
}

/** The shape of a tuned run: 20 params, 5 tags, 10 metrics. */
export function runShape(i: number): { params: Record<string, number | string>; tags: Record<string, string>; metrics: Record<string, number> } {
  const params: Record<string, number | string> = {};
  const tags: Record<string, string> = {};
  const metrics: Record<string, number> = {};
  params.optimizer = ['adam', 'sgd', 'rmsprop'][i % 3];
  for (let p = 1; p < 20; p++) params[`param_${p}`] = p * i;
  for (let k = 0; k < 5; k++) tags[`tag_${k}`] = `v${k}`;
  metrics.acc = ((i * 7919) % 1000) / 1000;
  for (let m = 1; m < 10; m++) metrics[`metric_${m}`] = ((i * 104729 + m) % 1000) / 500;
  return { params, tags, metrics };
}

/** A notebook that trained first: `points` into three runs, then a 100k history. */
async function preload(points: number): Promise<void> {
  if (points === 0) return;
  for (let r = 0; r < 3; r++) {
    const run = t.startRun({ name: `train-${r}` });
    const n = Math.floor(points / 3);
    for (let i = 0; i < n; i++) run.log({ loss: 1 / (i + 1) }, i);
    await run.end();
  }
  const run = t.startRun({ name: 'history' });
  for (let i = 0; i < 100_000; i++) run.log({ loss: Math.sin(i) }, i);
  await run.end();
}

async function runs(awaitStart: boolean, fluent: boolean, points: number): Promise<object> {
  freshStore('runs');
  await preload(points);
  const count = 1000;
  const t0 = now();
  for (let i = 0; i < count; i++) {
    const shape = runShape(i);
    // What a user writes: `await startRun(...)` (it returns the run; the await only yields), or not.
    const run = awaitStart ? await t.startRun({ params: shape.params, tags: shape.tags }) : t.startRun({ params: shape.params, tags: shape.tags });
    run.log(shape.metrics, 0);
    if (fluent) await t.endRun();
    else await run.end();
  }
  const ms = now() - t0;
  await t.getClient().close();
  return { runsPerSec: count / (ms / 1000) };
}

async function history(): Promise<object> {
  const store = freshStore('history');
  const run = t.startRun({ name: 'history' });
  for (let i = 0; i < 100_000; i++) run.log({ loss: Math.exp(-i / 1e5) + Math.sin(i) * 0.01 }, i);
  await run.end();
  const client = t.getClient();
  let t0 = now();
  const table = await client.metricHistory(run.id);
  const first = now() - t0;
  if (table.numRows !== 100_000) throw new Error(`history has ${table.numRows} rows`);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    t0 = now();
    await client.metricHistory(run.id);
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  await client.close();
  return { firstMs: first, medianMs: times[7], minMs: times[0], store, runId: run.id };
}

async function search(count: number): Promise<object> {
  const store = freshStore('search');
  for (let i = 0; i < count; i++) {
    const shape = runShape(i);
    const run = t.startRun({ params: shape.params, tags: shape.tags });
    run.log(shape.metrics, 0);
    await run.end();
  }
  const client = t.getClient();
  const options = { filter: "metrics.acc > 0.5 AND params.optimizer = 'adam'", orderBy: ['metrics.acc DESC'], maxResults: 100 };
  let t0 = now();
  const found = await client.searchRuns(options);
  const first = now() - t0;
  const hydrated = found.runs.every((r) => Object.keys(r.data.params).length === 20 && Object.keys(r.data.metrics).length === 10);
  if (found.runs.length !== 100 || !hydrated) throw new Error(`search returned ${found.runs.length} runs, hydrated: ${hydrated}`);
  const times: number[] = [];
  for (let i = 0; i < 31; i++) {
    t0 = now();
    await client.searchRuns(options);
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  await client.close();
  return { firstMs: first, medianMs: times[15], minMs: times[0], results: found.runs.length, store, ids: found.runs.map((r) => r.info.runId) };
}

async function main(): Promise<void> {
  let out: object;
  if (figure === 'runs') out = await runs(args[0] === 'await', args[1] === 'fluent', Number(args[2] ?? 0));
  else if (figure === 'history') out = await history();
  else if (figure === 'search') out = await search(Number(args[0] ?? 1000));
  else throw new Error(`unknown figure ${figure}`);
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
