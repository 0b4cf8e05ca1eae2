/**
 * Issue 11 figures on PostgreSQL: ingest through run.log(), many writer
 * processes, run creation, search over 100k runs, history to Arrow, and
 * bytes per point on disk. Each beside a raw baseline through the same
 * driver in the same run. The cluster is a throwaway one with fsync and
 * synchronous commit on (durable), reached over loopback TCP as a team's
 * server would be.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { configure, getClient, startRun, TrackingClient } from '../src/index';
import { decodeBlock, encodeBlock } from '../src/metrics/block-codec';
import { pointsToBlocks } from '../src/metrics/point-blocks';
import { openStore } from '../src/store/open-store';
import { copyRows as readCopyRows } from '../src/store/postgres/copy-binary';
import type { PortableRow, TransferTable } from '../src/store/store-transfer';
import { type Cluster, freshDatabase, startCluster } from '../test/support/postgres-cluster';
import { makeSeries } from './baselines';
import { fmt, medianMs, tempDir, type Report } from './report';

const POINTS = 1_000_000;
const BLOCK = 65_536; // the metric buffer's flush size per series

export async function postgres(report: Report): Promise<void> {
  const cluster = startCluster({ durable: true, port: 0 });
  try {
    await ingest(report, cluster);
    await writers(report, cluster);
    await runs(report, cluster);
    await searchAndHistory(report, cluster);
  } finally {
    cluster.stop();
  }
}

/** Only the search and history figures (`npm run bench postgres-reads`), for working on the read path. */
export async function postgresReads(report: Report): Promise<void> {
  const cluster = startCluster({ durable: true, port: 0 });
  try {
    await searchAndHistory(report, cluster);
  } finally {
    cluster.stop();
  }
}

/** Only the run-creation figures (`npm run bench postgres-runs`), for working on the write path. */
export async function postgresRuns(report: Report): Promise<void> {
  const cluster = startCluster({ durable: true, port: 0 });
  try {
    await runs(report, cluster);
  } finally {
    cluster.stop();
  }
}

async function raw(cluster: Cluster, database: string): Promise<Client> {
  const client = new Client({ connectionString: cluster.tcpUri(database) });
  await client.connect();
  return client;
}

function time(): () => number {
  const t0 = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - t0) / 1e6;
}

/** COPY ... FROM STDIN (FORMAT binary) rows of (text, text, int4, bytea). */
function copyRows(runId: string, data: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  const field = (b: Buffer) => { const len = Buffer.alloc(4); len.writeInt32BE(b.length); return [len, b]; };
  data.forEach((d, seq) => {
    const count = Buffer.alloc(2);
    count.writeInt16BE(4);
    const seqBytes = Buffer.alloc(4);
    seqBytes.writeInt32BE(seq);
    parts.push(count, ...field(Buffer.from(runId)), ...field(Buffer.from('loss')), ...field(seqBytes), ...field(Buffer.from(d)));
  });
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

async function ingest(report: Report, cluster: Cluster): Promise<void> {
  const series = makeSeries(POINTS);
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < POINTS; i += BLOCK) {
    blocks.push(encodeBlock(series.steps.subarray(i, i + BLOCK), series.timestamps.subarray(i, i + BLOCK), series.values.subarray(i, i + BLOCK)));
  }
  const baseDb = freshDatabase(cluster);
  const client = await raw(cluster, baseDb.name);
  await client.query('CREATE TABLE raw_blocks (run_id text, key text, seq int, data bytea, PRIMARY KEY (run_id, key, seq))');
  let copyMs = Infinity;
  for (let round = 0; round < 3; round++) {
    const done = time();
    await pipeline(Readable.from([copyRows(`copy-${round}`, blocks)]), client.query(copyFrom('COPY raw_blocks FROM STDIN (FORMAT binary)')));
    copyMs = Math.min(copyMs, done());
  }
  await client.end();
  const copyRate = POINTS / (copyMs / 1000);

  const db = freshDatabase(cluster);
  const artifacts = tempDir('pg-artifacts');
  configure({ trackingUri: cluster.tcpUri(db.name), artifactRoot: artifacts, experiment: 'bench' });
  const warm = startRun({ name: 'warm' });
  for (let i = 0; i < 10_000; i++) warm.log({ loss: series.values[i] }, i);
  await warm.end();
  const run = startRun({ name: 'ingest' });
  const done = time();
  for (let i = 0; i < POINTS; i++) run.log({ loss: series.values[i] }, i);
  await run.end();
  const ms = done();
  const rate = POINTS / (ms / 1000);
  report.add({ name: 'PostgreSQL: ingest 1M points via run.log(), durable at end', value: rate, unit: 'points/s',
    baseline: { name: 'raw COPY (binary) of the same encoded blocks through pg', value: copyRate } });
  report.add({ name: 'PostgreSQL: ingest rate as a share of the raw COPY', value: rate / copyRate, unit: 'x', target: { op: '>=', value: 1 / 3 } });

  const sizes = await raw(cluster, db.name);
  const { rows } = await sizes.query(`SELECT pg_total_relation_size('metric_blocks')::float8 AS total,
    (SELECT sum(pg_column_size(data))::float8 FROM metric_blocks) AS data, (SELECT sum(n)::float8 FROM metric_blocks) AS points`);
  await sizes.end();
  const { total, data, points } = rows[0] as { total: number; data: number; points: number };
  report.add({ name: 'PostgreSQL: bytes on disk per point (pg_total_relation_size of metric_blocks: heap, TOAST, index)', value: total / points, unit: 'B/point',
    target: { op: '<=', value: 12 }, note: `column data alone (pg_column_size): ${fmt(data / points)} B/point over ${fmt(points)} points` });
  baseDb.drop();
}

/** 100 processes, each logging 10,000 points into its own run of one store, all at once. */
async function writers(report: Report, cluster: Cluster): Promise<void> {
  const db = freshDatabase(cluster);
  const uri = cluster.tcpUri(db.name);
  const artifacts = tempDir('pg-writers');
  const entry = path.join(__dirname, '..', 'src', 'index.js');
  const script = `
    const t = require(${JSON.stringify(entry)});
    t.configure({ experiment: 'writers' });
    const run = t.startRun({ params: { writer: process.argv[1] } });
    for (let i = 0; i < 10000; i++) run.log({ loss: 1 / (i + 1) }, i);
    run.end().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
  const env = { ...process.env, TRACKLAB_TRACKING_URI: uri, TRACKLAB_ARTIFACT_ROOT: artifacts, TRACKLAB_HOME: '' };
  // Opening a fresh database migrates it; the writers then find it current.
  await (await openStore(uri)).close();
  const done = time();
  const codes = await Promise.all(Array.from({ length: 100 }, (_, i) => new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['-e', script, String(i)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => resolve(code));
  })));
  const ms = done();
  const failed = codes.filter((c) => c !== 0).length;
  const client = new TrackingClient({ trackingUri: uri, artifactRoot: artifacts });
  const { runs: found } = await client.searchRuns({ experiments: ['writers'], maxResults: 1000 });
  const stored = found.reduce((n, r) => n + (r.data.metrics.loss?.count ?? 0), 0);
  const history = await client.metricHistory(found.map((r) => r.info.runId));
  await client.close();
  if (failed > 0 || stored !== POINTS || history.numRows !== POINTS) {
    throw new Error(`100 writers: ${failed} failed, ${stored} points in summaries, ${history.numRows} in history (expected ${POINTS})`);
  }
  report.add({ name: 'PostgreSQL: 100 writer processes x 10,000 points into one store (all 1,000,000 stored, none lost)', value: ms / 1000, unit: 's',
    note: `${found.length} runs, ${fmt(history.numRows)} points read back; wall time from the first spawn to the last exit` });
}

function runShape(i: number) {
  const params: Record<string, unknown> = {};
  const tags: Record<string, string> = {};
  const metrics: Record<string, number> = {};
  for (let p = 0; p < 20; p++) params[`param_${p}`] = p * i;
  for (let t = 0; t < 5; t++) tags[`tag_${t}`] = `v${t}`;
  for (let m = 0; m < 10; m++) metrics[`metric_${m}`] = Math.random();
  return { params, tags, metrics };
}

/** One run's rows as literals of a multi-statement insert (the raw baselines build their SQL by hand). */
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Run creation at eight depths, alternating rounds so that load changes hit
 * all of them: the client (startRun ... end, via the write thread), each
 * end awaited or, as in a sweep, not (durable at a flush() at the end), the
 * store's createRun alone (one statement) on its schema and on a copy
 * without its foreign keys to runs, three raw inserts per run: the same
 * rows into the store's own tables (the floor of this schema: its search
 * indexes and its blocks and summaries), the narrow two-table insert the
 * issue's target was first set against, and one jsonb row (a denormalised
 * schema's ceiling), and one tiny row per durable commit (the ceiling of
 * awaiting each run's end at all).
 */
async function runs(report: Report, cluster: Cluster): Promise<void> {
  const db = freshDatabase(cluster);
  const uri = cluster.tcpUri(db.name);
  configure({ trackingUri: uri, artifactRoot: tempDir('pg-runs'), experiment: 'bench' });
  const timed = async (count: number, one: (i: number) => Promise<unknown>) => {
    const done = time();
    for (let i = 0; i < count; i++) await one(i);
    return count / (done() / 1000);
  };
  const viaClient = (i: number) => {
    const shape = runShape(i);
    const run = startRun({ params: shape.params, tags: shape.tags });
    run.log(shape.metrics, 0);
    return run.end();
  };
  const cold = await timed(1000, viaClient);
  /** A sweep's runs ended without awaiting each end, durable at the flush(): the write thread creates them together. */
  const sweep = async () => {
    const done = time();
    const ends: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) ends.push(viaClient(i));
    await Promise.all(ends);
    await getClient().flush();
    return 1000 / (done() / 1000);
  };

  const backend = await openStore(uri);
  const store = backend.tracking;
  const { experimentId } = await store.ensureExperiment('bench');
  // The same statement on a copy of the schema without the foreign keys to runs: what dropping them would buy.
  const looseDb = freshDatabase(cluster);
  const looseBackend = await openStore(cluster.tcpUri(looseDb.name));
  cluster.psql(['params', 'tags', 'metric_blocks', 'metric_summaries'].map((t) => `ALTER TABLE ${t} DROP CONSTRAINT ${t}_run_id_fkey;`).join(' '), looseDb.name);
  const loose = { store: looseBackend.tracking, experimentId: (await looseBackend.tracking.ensureExperiment('bench')).experimentId };
  const client = await raw(cluster, db.name);
  await client.query(`CREATE TABLE raw_runs (id text PRIMARY KEY, name text, start bigint);
    CREATE TABLE raw_kv (run text, kind text, key text, value text, PRIMARY KEY (run, kind, key));
    CREATE TABLE raw_floor (id text PRIMARY KEY);
    CREATE TABLE raw_one_row (id text PRIMARY KEY, experiment_id text, name text, start bigint, params jsonb, tags jsonb, metrics jsonb)`);
  let made = 0;
  const viaStore = (into = { store, experimentId }) => {
    const runId = `store-${made++}`;
    const shape = runShape(made);
    const now = Date.now();
    const points = Object.entries(shape.metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: now }));
    return into.store.createRun({
      runId, runName: runId, experimentId: into.experimentId, startTime: now,
      params: Object.fromEntries(Object.entries(shape.params).map(([k, v]) => [k, String(v)])), tags: shape.tags,
      end: { status: 'FINISHED', endTime: now, statusMessage: null, metrics: pointsToBlocks(runId, points) },
    });
  };
  const narrow = (r: number) => {
    const id = `run-${made++}`;
    const values: string[] = [];
    for (let p = 0; p < 20; p++) values.push(`(${lit(id)}, 'p', 'param_${p}', ${lit(String(p * r))})`);
    for (let t = 0; t < 5; t++) values.push(`(${lit(id)}, 't', 'tag_${t}', 'v${t}')`);
    for (let m = 0; m < 10; m++) values.push(`(${lit(id)}, 'm', 'metric_${m}', ${lit(String(Math.random()))})`);
    return client.query(`BEGIN; INSERT INTO raw_runs VALUES (${lit(id)}, ${lit(`name-${r}`)}, ${Date.now()});
      INSERT INTO raw_kv VALUES ${values.join(', ')}; COMMIT;`);
  };
  const sameRows = (r: number) => {
    const id = `same-${made++}`;
    const shape = runShape(r);
    const now = Date.now();
    const pairs = (record: Record<string, unknown>) => Object.entries(record).map(([k, v]) => `(${lit(id)}, ${lit(k)}, ${lit(String(v))})`).join(', ');
    const metrics = Object.entries(shape.metrics);
    const blocks = metrics.map(([k, v]) => {
      const data = Buffer.from(encodeBlock(new Float64Array([0]), new Float64Array([now]), new Float64Array([v])));
      return `(${lit(id)}, ${lit(k)}, 1, 0, 0, '\\x${data.toString('hex')}')`;
    });
    const summaries = metrics.map(([k, v]) => `(${lit(id)}, ${lit(k)}, ${v}, 0, ${now}, ${v}, ${v}, 1)`);
    return client.query(`BEGIN;
      INSERT INTO runs (run_id, run_name, experiment_id, status, start_time, end_time) VALUES (${lit(id)}, ${lit(id)}, ${lit(experimentId)}, 'FINISHED', ${now}, ${now});
      INSERT INTO params (run_id, key, value) VALUES ${pairs(shape.params)};
      INSERT INTO tags (run_id, key, value) VALUES ${pairs(shape.tags)};
      INSERT INTO metric_blocks (run_id, key, n, first_step, last_step, data) VALUES ${blocks.join(', ')};
      INSERT INTO metric_summaries (run_id, key, last_value, last_step, last_timestamp, min_value, max_value, count) VALUES ${summaries.join(', ')};
      COMMIT;`);
  };
  // A denormalised schema's ceiling: the run with its params, tags and last metrics in one row, no child rows.
  const oneRow = (r: number) => {
    const id = `one-${made++}`;
    const shape = runShape(r);
    return client.query({ name: 'one-row', text: 'INSERT INTO raw_one_row VALUES ($1, $2, $3, $4, $5, $6, $7)',
      values: [id, experimentId, id, Date.now(), JSON.stringify(shape.params), JSON.stringify(shape.tags), JSON.stringify(shape.metrics)] });
  };
  // The ceiling of any design that answers each awaited end after a durable commit: one tiny row per commit.
  const floor = () => client.query({ name: 'floor', text: 'INSERT INTO raw_floor VALUES ($1)', values: [`floor-${made++}`] });
  const best = { client: 0, sweep: 0, store: 0, loose: 0, narrow: 0, same: 0, oneRow: 0, floor: 0 };
  for (let round = 0; round < 2; round++) {
    best.client = Math.max(best.client, await timed(1000, viaClient));
    best.sweep = Math.max(best.sweep, await sweep());
    best.store = Math.max(best.store, await timed(1000, () => viaStore()));
    best.loose = Math.max(best.loose, await timed(1000, () => viaStore(loose)));
    best.oneRow = Math.max(best.oneRow, await timed(1000, oneRow));
    best.same = Math.max(best.same, await timed(1000, sameRows));
    best.narrow = Math.max(best.narrow, await timed(1000, narrow));
    best.floor = Math.max(best.floor, await timed(1000, floor));
  }
  await client.end();
  await backend.close();
  await looseBackend.close();
  report.add({ name: 'PostgreSQL: create 1,000 runs (20 params, 10 metrics, 5 tags each), each end awaited', value: best.client, unit: 'runs/s',
    target: { op: '>=', value: 1000 }, baseline: { name: 'raw multi-statement insert per run into two narrow tables (one round trip, one commit)', value: best.narrow },
    note: `best of 2 alternating rounds; the first 1,000 runs of the process: ${fmt(cold)} runs/s` });
  report.add({ name: 'PostgreSQL: create 1,000 runs (the same runs), ends not awaited, durable at flush()', value: best.sweep, unit: 'runs/s',
    target: { op: '>=', value: 1000 }, baseline: { name: 'raw multi-statement insert per run into two narrow tables (one round trip, one commit)', value: best.narrow },
    note: 'runs queued behind each other are created together, 64 to a statement; best of 2 alternating rounds' });
  report.add({ name: 'PostgreSQL: one durable commit per awaited end, of one tiny row (no client, no data: the ceiling of any design)', value: best.floor, unit: 'runs/s',
    note: 'best of 2 alternating rounds' });
  report.add({ name: 'PostgreSQL: the store alone creates 1,000 ended runs (createRun, one statement each)', value: best.store, unit: 'runs/s',
    baseline: { name: "raw multi-statement insert of the same rows into the store's own tables", value: best.same },
    note: `client over store: ${fmt(best.client / best.store)}x (the write thread, system tags); best of 2 alternating rounds` });
  report.add({ name: 'PostgreSQL: the store alone, on its schema without the foreign keys of params, tags, blocks and summaries to runs', value: best.loose, unit: 'runs/s',
    baseline: { name: 'the store alone, on its own schema', value: best.store }, note: 'best of 2 alternating rounds' });
  report.add({ name: 'PostgreSQL: raw, one row per run (params, tags and last metrics as jsonb, no child rows), one durable commit each', value: best.oneRow, unit: 'runs/s',
    baseline: { name: 'raw multi-statement insert per run into two narrow tables (one round trip, one commit)', value: best.narrow },
    note: 'the ceiling of a denormalised schema; best of 2 alternating rounds' });
}

async function searchAndHistory(report: Report, cluster: Cluster): Promise<void> {
  const db = freshDatabase(cluster);
  const uri = cluster.tcpUri(db.name);
  await seedRuns(uri, 100_000);
  const pgRaw = await raw(cluster, db.name);
  await pgRaw.query('ANALYZE');

  const artifacts = tempDir('pg-search-artifacts');
  const client = new TrackingClient({ trackingUri: uri, artifactRoot: artifacts });
  const filter = "metrics.acc > 0.5 AND params.optimizer = 'adam'";
  const orderBy = ['metrics.acc DESC'];
  const found = await client.searchRuns({ filter, orderBy, maxResults: 100 });
  if (found.runs.length !== 100) throw new Error(`the search found ${found.runs.length} runs, expected 100`);
  const ms = await medianMs(9, () => client.searchRuns({ filter, orderBy, maxResults: 100 }));
  const handSql = `SELECT r.run_id FROM runs r JOIN metric_summaries m ON m.run_id = r.run_id AND m.key = 'acc'
    JOIN params p ON p.run_id = r.run_id AND p.key = 'optimizer' WHERE m.last_value > 0.5 AND p.value = 'adam' ORDER BY m.last_value DESC LIMIT 100`;
  const rawMs = await medianMs(9, () => pgRaw.query(handSql));
  report.add({ name: `PostgreSQL: search "${filter}" order by acc over 100,000 runs (100 results)`, value: ms, unit: 'ms',
    target: { op: '<=', value: 100 }, baseline: { name: 'hand-written SQL returning only ids', value: rawMs } });

  // A 100k-point history logged through run.log() into PostgreSQL, read back as Arrow.
  configure({ trackingUri: uri, artifactRoot: artifacts, experiment: 'bench' });
  const history = startRun({ name: 'history' });
  const small = makeSeries(100_000, 7);
  for (let i = 0; i < small.values.length; i++) history.log({ loss: small.values[i] }, i);
  await history.end();
  await client.metricHistory(history.id);
  // The raw path that receives bytea fastest through pg: a binary COPY (an ordinary result arrives hex-encoded).
  const rawBlocks = async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pgRaw.query(copyTo(`COPY (SELECT data FROM metric_blocks WHERE run_id = ${pgRaw.escapeLiteral(history.id)}
      ORDER BY key, seq) TO STDOUT (FORMAT binary)`))) chunks.push(chunk as Buffer);
    for (const [data] of readCopyRows(Buffer.concat(chunks))) decodeBlock(data!);
  };
  const hexBlocks = async () => {
    const { rows } = await pgRaw.query('SELECT data FROM metric_blocks WHERE run_id = $1 ORDER BY key, seq', [history.id]);
    for (const row of rows as { data: Buffer }[]) decodeBlock(row.data);
  };
  // Sampled in turn, so that the server's background work after the seeding (autovacuum, checkpoints) and the
  // neighbours' load fall on the figure and its baselines alike, not on whichever was measured first.
  const [loadMs, blocksMs, hexMs] = await alternatingMediansMs(15, [() => client.metricHistory(history.id), rawBlocks, hexBlocks]);
  report.add({ name: 'PostgreSQL: load a 100k-point history as an Arrow Table', value: loadMs, unit: 'ms', target: { op: '<=', value: 10 },
    baseline: { name: 'raw binary COPY of its blocks + decode through pg', value: blocksMs },
    note: `an ordinary SELECT of the blocks + decode (bytea received as hex): ${fmt(hexMs)} ms` });
  await client.close();
  await pgRaw.end();
}

/**
 * `count` finished runs with the search bench's params, tags and metric
 * summaries (the same shape the SQLite bench creates one by one), written
 * in bulk through the store's import (migrate-store's path), so seeding
 * takes seconds; the figure is the search, not the seeding.
 */
async function seedRuns(uri: string, count: number): Promise<void> {
  const backend = await openStore(uri);
  const experimentId = 'bench-search';
  const batch = 5000;
  await backend.transfer!().importAll(async (write) => {
    await write('experiments', [{ experiment_id: experimentId, name: 'Default', description: null, lifecycle_stage: 'active', creation_time: 1, last_update_time: 1, deleted_time: null }]);
    const chunks = (make: (i: number) => PortableRow[]) => async (table: TransferTable) => {
      for (let start = 0; start < count; start += batch) {
        await write(table, Array.from({ length: Math.min(batch, count - start) }, (_, k) => make(start + k)).flat());
      }
    };
    const id = (i: number) => `run-${String(i).padStart(6, '0')}`;
    await chunks((i) => [{ run_id: id(i), run_name: `run ${i}`, experiment_id: experimentId, parent_run_id: null, status: 'FINISHED', status_message: null,
      start_time: 1_700_000_000_000 + i, end_time: 1_700_000_000_500 + i, user_id: 'bench', lifecycle_stage: 'active', deleted_time: null,
      owner_pid: null, owner_host: null, owner_start: null, heartbeat_time: null }])('runs');
    await chunks((i) => [
      { run_id: id(i), key: 'layers', value: String(i % 5) },
      { run_id: id(i), key: 'lr', value: String([0.1, 0.01, 0.001][i % 7 % 3]) },
      { run_id: id(i), key: 'optimizer', value: ['adam', 'sgd', 'rmsprop'][i % 3] },
    ])('params');
    await chunks((i) => [{ run_id: id(i), key: 'team', value: i % 2 ? 'vision' : 'nlp' }])('tags');
    await chunks((i) => {
      const acc = ((i * 7919) % 1000) / 1000;
      const loss = ((i * 104729) % 1000) / 500;
      return [
        { run_id: id(i), key: 'acc', last_value: acc, last_step: 0, last_timestamp: 1, min_value: acc, max_value: acc, count: 1 },
        { run_id: id(i), key: 'loss', last_value: loss, last_step: 0, last_timestamp: 1, min_value: loss, max_value: loss, count: 1 },
      ];
    })('metric_summaries');
  });
  await backend.close();
}

/** Median wall times of several operations over `runs` rounds, one sample of each per round, in milliseconds. */
async function alternatingMediansMs(runs: number, fns: readonly (() => Promise<unknown>)[]): Promise<number[]> {
  const times = fns.map(() => [] as number[]);
  for (let round = 0; round < runs; round++) {
    for (const [i, fn] of fns.entries()) {
      const done = time();
      await fn();
      times[i].push(done());
    }
  }
  return times.map((xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
}
