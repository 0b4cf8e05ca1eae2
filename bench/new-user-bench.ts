/**
 * Issue 15 figures: the hot paths as a new user's script meets them, each
 * in a fresh process (new-user-child.ts) beside a raw baseline measured in
 * this run on the same machine minutes:
 * - run creation, `await startRun()` or not, ended by `endRun()` or
 *   `run.end()`, in a fresh process and after logging 3M points;
 * - a 100k-point history read straight after writing it;
 * - the 1,000-run filter-and-order search returning 100 fully hydrated
 *   runs (20 params, 10 metrics), with the two hydration shapes measured;
 * - `require('tracklab')` cold, and with a first run.
 * `npm run bench new-user` (SQLite), `npm run bench new-user-pg` (PostgreSQL).
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { decodeBlock } from '../src/metrics/block-codec';
import { openConnection } from '../src/store/sqlite/connection';
import { hydrateRuns } from '../src/store/sqlite/run-lookup';
import { RUN_COLUMNS, runInfoFromRow, SUMMARY_COLUMNS, summaryFromRow, type RunRow } from '../src/store/sqlite/rows';
import { emptyRecord } from '../src/records';
import type { MetricSummary, Run } from '../src/entities';
import { type Cluster, freshDatabase, startCluster } from '../test/support/postgres-cluster';
import { rawRunInsert } from './tracking-bench';
import { fmt, medianMs, tempDir, type Report } from './report';

const PACKAGE = path.join(__dirname, '..', '..');
const CHILD = path.join(__dirname, 'new-user-child.js');
const RAW_RUNS_CHILD = path.join(__dirname, 'raw-runs-child.js');
const PATTERNS = [['await', 'fluent'], ['await', 'end'], ['plain', 'fluent'], ['plain', 'end']] as const;
const PRELOAD = 3_000_000;
const FILTER = "metrics.acc > 0.5 AND params.optimizer = 'adam'";

function child(args: readonly string[], env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const out = spawnSync(process.execPath, [CHILD, PACKAGE, ...args], { encoding: 'utf8', env: { ...process.env, TRACKLAB_HOME: '', ...env }, maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`bench child ${args.join(' ')} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

function describe(awaitStart: string, end: string): string {
  return `${awaitStart === 'await' ? 'const run = await startRun()' : 'const run = startRun()'}, run.log(), ${end === 'fluent' ? 'await endRun()' : 'await run.end()'}`;
}

export async function newUser(report: Report): Promise<void> {
  for (const preload of [0, PRELOAD]) {
    for (const [awaitStart, end] of PATTERNS) {
      const { runsPerSec } = child(['runs', awaitStart, end, String(preload)]) as { runsPerSec: number };
      const raw = rawRunInsert(tempDir('raw-runs'), 1000);
      const fresh = preload ? '' : `; raw in a fresh process: ${freshRawRuns()}`;
      report.add({
        name: `new user, fresh process${preload ? ' after logging 3M points' : ''}: 1,000 runs (20 params, 10 metrics, 5 tags), ${describe(awaitStart, end)}`,
        value: runsPerSec, unit: 'runs/s', target: { op: '>=', value: 5000 },
        baseline: { name: 'raw better-sqlite3 inserts, one transaction per run', value: raw },
        note: `includes opening (and creating) the store and the first reading of git and package facts${fresh}`,
      });
    }
  }

  const history = child(['history']) as { firstMs: number; medianMs: number; store: string; runId: string };
  const db = new Database(path.join(history.store, 'tracklab.db'), { readonly: true });
  const blocks = db.prepare('SELECT data FROM metric_blocks WHERE run_id = ? ORDER BY key, seq').pluck();
  const rawMs = await medianMs(15, () => { for (const data of blocks.all(history.runId) as Uint8Array[]) decodeBlock(data); });
  db.close();
  report.add({ name: 'new user, fresh process: load the 100k-point history it just wrote as an Arrow Table (median of 15 reads)', value: history.medianMs, unit: 'ms',
    target: { op: '<=', value: 5 }, baseline: { name: 'raw SELECT of its blocks + decode through better-sqlite3', value: rawMs },
    note: `the first read (loads apache-arrow, folds the run journal, JIT cold): ${fmt(history.firstMs)} ms` });

  const search = child(['search', '1000']) as { firstMs: number; medianMs: number; store: string; ids: string[] };
  const idsOnly = new Database(path.join(search.store, 'tracklab.db'), { readonly: true });
  const raw = idsOnly.prepare(`SELECT r.run_id FROM runs r JOIN metric_summaries m ON m.run_id = r.run_id AND m.key = 'acc'
    JOIN params p ON p.run_id = r.run_id AND p.key = 'optimizer' WHERE m.last_value > 0.5 AND p.value = 'adam' ORDER BY m.last_value DESC LIMIT 100`);
  const rawIdsMs = await medianMs(31, () => raw.all());
  idsOnly.close();
  report.add({ name: `new user, fresh process: search "${FILTER}" order by acc over 1,000 runs, 100 runs fully hydrated (20 params, 10 metrics)`, value: search.medianMs, unit: 'ms',
    target: { op: '<=', value: 3 }, baseline: { name: 'hand-written SQL returning only ids', value: rawIdsMs }, note: `first search (folds the journal of 1,000 new runs): ${fmt(search.firstMs)} ms` });
  hydrationShapes(report, search.store, search.ids);

  const requireMs = coldProcess(`require(${JSON.stringify(PACKAGE)})`);
  const firstRunMs = coldProcess(`const t = require(${JSON.stringify(PACKAGE)}); t.configure({ home: ${JSON.stringify(tempDir('first-run'))} }); t.startRun().end().then(() => {})`);
  report.add({ name: "cold require('tracklab') (package.json main)", value: requireMs, unit: 'ms', target: { op: '<=', value: 60 },
    baseline: { name: "cold require('better-sqlite3')", value: coldProcess(`require(${JSON.stringify(require.resolve('better-sqlite3'))})`) },
    note: `require + configure + one startRun().end() issued: ${fmt(firstRunMs)} ms` });
}

/**
 * The raw baseline as a fresh process meets it (raw-runs-child.ts): the
 * parent's raw figure runs warm, so only this one says what a fresh process
 * can reach at best, with its opening counted as the figure beside it counts it.
 */
function freshRawRuns(): string {
  const out = spawnSync(process.execPath, [RAW_RUNS_CHILD], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`raw runs child failed: ${out.stderr}`);
  const { runsPerSec, openMs, runsPerSecAfterOpen } = JSON.parse(out.stdout.trim()) as { runsPerSec: number; openMs: number; runsPerSecAfterOpen: number };
  return `${fmt(runsPerSec)} runs/s counting require + open + tables (${fmt(openMs)} ms), ${fmt(runsPerSecAfterOpen)} runs/s after`;
}

/** Median over 7 fresh processes of the time `code` takes to run synchronously. */
function coldProcess(code: string): number {
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const out = spawnSync(process.execPath, ['-e', `const t0=process.hrtime.bigint();${code};console.log(Number(process.hrtime.bigint()-t0)/1e6)`], { encoding: 'utf8', env: { ...process.env, TRACKLAB_HOME: '' } });
    samples.push(Number(out.stdout.trim().split('\n').pop()));
  }
  return samples.sort((a, b) => a - b)[3];
}

/**
 * The two ways to hydrate 100 runs, on the search's own store: each run's
 * params, tags and summaries aggregated as JSON in SQLite (what the store
 * does), or three plain queries returning one row per param, tag and
 * summary ("in columns"), filled into records in JS.
 */
function hydrationShapes(report: Report, store: string, ids: readonly string[]): void {
  const conn = openConnection(store);
  try {
    const json = medianOf(51, () => conn.read('hydrate', () => hydrateRuns(conn, ids)));
    const columns = medianOf(51, () => conn.read('hydrate', () => hydrateInColumns(conn, ids)));
    report.add({ name: 'hydrate the 100 runs found: JSON per run (the store\'s way)', value: json, unit: 'ms',
      baseline: { name: 'one row per param, tag and summary, three queries', value: columns }, note: 'a ratio below 1 means JSON is faster' });
  } finally {
    conn.close();
  }
}

function medianOf(runs: number, fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

type Hydrated = Run & { data: { params: Record<string, string>; tags: Record<string, string>; metrics: Record<string, MetricSummary> } };

function hydrateInColumns(conn: ReturnType<typeof openConnection>, ids: readonly string[]): Run[] {
  const list = JSON.stringify(ids);
  const rows = conn.stmt(`SELECT j.key AS position, ${RUN_COLUMNS} FROM json_each(?) j CROSS JOIN runs r ON r.run_id = j.value ORDER BY j.key`)
    .all(list) as (RunRow & { position: number })[];
  const at: Hydrated[] = new Array(ids.length);
  const runs = rows.map((row) => (at[row.position] = { info: runInfoFromRow(row), data: { params: emptyRecord(), tags: emptyRecord(), metrics: emptyRecord() } }));
  for (const [i, k, v] of conn.stmt('SELECT j.key, p.key, p.value FROM json_each(?) j CROSS JOIN params p ON p.run_id = j.value').raw().all(list) as [number, string, string][]) at[i].data.params[k] = v;
  for (const [i, k, v] of conn.stmt('SELECT j.key, t.key, t.value FROM json_each(?) j CROSS JOIN tags t ON t.run_id = j.value').raw().all(list) as [number, string, string][]) at[i].data.tags[k] = v;
  const summaries = conn.stmt(`SELECT j.key AS position, ${SUMMARY_COLUMNS} FROM json_each(?) j CROSS JOIN metric_summaries s ON s.run_id = j.value`).all(list);
  for (const s of summaries as (Parameters<typeof summaryFromRow>[0] & { position: number })[]) at[s.position].data.metrics[s.key] = summaryFromRow(s);
  return runs;
}

/** The same figures on PostgreSQL (a throwaway durable cluster over loopback TCP), beside raw pg baselines. */
export async function newUserPostgres(report: Report): Promise<void> {
  const cluster = startCluster({ durable: true, port: 0 });
  try {
    for (const [awaitStart, end] of PATTERNS) {
      const db = freshDatabase(cluster);
      const { runsPerSec } = child(['runs', awaitStart, end, '0'], { BENCH_TRACKING_URI: cluster.tcpUri(db.name) }) as { runsPerSec: number };
      report.add({ name: `PostgreSQL, new user, fresh process: 1,000 runs (20 params, 10 metrics, 5 tags), ${describe(awaitStart, end)}`, value: runsPerSec, unit: 'runs/s',
        baseline: { name: 'raw multi-statement insert per run through pg (one round trip, one commit)', value: await rawPgRuns(cluster, db.name) } });
      db.drop();
    }
    const hdb = freshDatabase(cluster);
    const history = child(['history'], { BENCH_TRACKING_URI: cluster.tcpUri(hdb.name) }) as { firstMs: number; medianMs: number; runId: string };
    const pg = await pgClient(cluster, hdb.name);
    const rawMs = await medianMs(15, async () => {
      const { rows } = await pg.query('SELECT data FROM metric_blocks WHERE run_id = $1 ORDER BY key, seq', [history.runId]);
      for (const row of rows as { data: Buffer }[]) decodeBlock(row.data);
    });
    await pg.end();
    report.add({ name: 'PostgreSQL, new user, fresh process: load the 100k-point history it just wrote as an Arrow Table', value: history.medianMs, unit: 'ms',
      target: { op: '<=', value: 10 }, baseline: { name: 'raw SELECT of its blocks + decode through pg', value: rawMs }, note: `the first read: ${fmt(history.firstMs)} ms` });
    hdb.drop();

    const sdb = freshDatabase(cluster);
    const search = child(['search', '1000'], { BENCH_TRACKING_URI: cluster.tcpUri(sdb.name) }) as { medianMs: number; firstMs: number };
    const spg = await pgClient(cluster, sdb.name);
    const rawIdsMs = await medianMs(31, () => spg.query(`SELECT r.run_id FROM runs r JOIN metric_summaries m ON m.run_id = r.run_id AND m.key = 'acc'
      JOIN params p ON p.run_id = r.run_id AND p.key = 'optimizer' WHERE m.last_value > 0.5 AND p.value = 'adam' ORDER BY m.last_value DESC LIMIT 100`));
    await spg.end();
    report.add({ name: `PostgreSQL, new user, fresh process: search "${FILTER}" order by acc over 1,000 runs, 100 runs fully hydrated`, value: search.medianMs, unit: 'ms',
      baseline: { name: 'hand-written SQL returning only ids', value: rawIdsMs }, note: `first search: ${fmt(search.firstMs)} ms` });
    sdb.drop();
  } finally {
    cluster.stop();
  }
}

async function pgClient(cluster: Cluster, database: string): Promise<Client> {
  const client = new Client({ connectionString: cluster.tcpUri(database) });
  await client.connect();
  return client;
}

async function rawPgRuns(cluster: Cluster, database: string): Promise<number> {
  const client = await pgClient(cluster, database);
  await client.query(`CREATE TABLE raw_runs (id text PRIMARY KEY, name text, start bigint);
    CREATE TABLE raw_kv (run text, kind text, key text, value text, PRIMARY KEY (run, kind, key))`);
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < 1000; r++) {
    const values: string[] = [];
    for (let p = 0; p < 20; p++) values.push(`('run-${r}', 'p', 'param_${p}', '${p * r}')`);
    for (let t = 0; t < 5; t++) values.push(`('run-${r}', 't', 'tag_${t}', 'v${t}')`);
    for (let m = 0; m < 10; m++) values.push(`('run-${r}', 'm', 'metric_${m}', '${Math.random()}')`);
    await client.query(`BEGIN; INSERT INTO raw_runs VALUES ('run-${r}', 'name-${r}', ${Date.now()}); INSERT INTO raw_kv VALUES ${values.join(', ')}; COMMIT;`);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await client.end();
  return 1000 / (ms / 1000);
}
