/**
 * Issue 13 figures: column blocks through the server and through the
 * remote store beside direct SQLite ingest; MLflow-API log-batch throughput through `tracklab server`
 * (JSON over loopback HTTP, 1000 points a request) beside the same batches
 * written straight to the same kind of store in-process; and 50 concurrent
 * clients logging at once, with every point counted back (none lost).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTrackingServer } from '../src/server/tracking-server';
import { openStore } from '../src/store/open-store';
import type { StoreBackend } from '../src/store/backend';
import { encodeColumnFrame } from '../src/store/http/column-frames';
import type { MetricColumns } from '../src/entities';
import { tempDir, type Report } from './report';

const BLOCK = 10_000;
const BLOCKS = 100;

function columns(runId: string, from: number, n = BLOCK): MetricColumns {
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = from + i;
    timestamps[i] = 1_700_000_000_000 + from + i;
    values[i] = Math.sin((from + i) / 100) + Math.random() * 0.01;
  }
  return { runId, key: 'loss', steps, timestamps, values };
}

async function postFrame(url: string, frame: Buffer): Promise<void> {
  const res = await fetch(`${url}/api/tracklab/v1/metrics/blocks`, { method: 'POST', headers: { 'content-type': 'application/vnd.tracklab.columns' }, body: frame });
  if (res.status !== 200) throw new Error(`metrics/blocks answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

/**
 * Points as column blocks: straight into the SQLite store in-process (the
 * baseline), through the server's block endpoint (the client encodes each
 * frame in the timed loop), and through the remote store a client opens
 * with trackingUri http://… (outbox insert, ordered sender, server).
 */
async function blocks(report: Report, backend: StoreBackend, url: string, experimentId: string): Promise<void> {
  for (const id of ['colwarm1', 'colwarm2', 'coldirect', 'colserver', 'colremote']) await newRun(backend, experimentId, id);
  for (let i = 0; i < 5; i++) {
    await backend.tracking.appendMetrics([columns('colwarm1', i * BLOCK)]);
    await postFrame(url, encodeColumnFrame(`warm-${i}`, [columns('colwarm2', i * BLOCK)]));
  }
  const data = (runId: string) => Array.from({ length: BLOCKS }, (_, i) => columns(runId, i * BLOCK));
  let input = data('coldirect');
  let t0 = process.hrtime.bigint();
  for (const b of input) await backend.tracking.appendMetrics([b]);
  const direct = (BLOCK * BLOCKS) / seconds(t0);

  input = data('colserver');
  t0 = process.hrtime.bigint();
  for (const [i, b] of input.entries()) await postFrame(url, encodeColumnFrame(`bench-${i}`, [b]));
  const viaBlocks = (BLOCK * BLOCKS) / seconds(t0);

  const remote = await openStore(url);
  input = data('colremote');
  t0 = process.hrtime.bigint();
  for (const b of input) void remote.tracking.appendMetrics([b]);
  await remote.tracking.readMetrics(['colremote'], ['none']); // waits for every write before it
  const viaRemote = (BLOCK * BLOCKS) / seconds(t0);
  await remote.close();
  const stored = (await backend.tracking.getRun('colserver')).data.metrics.loss?.count;
  const storedRemote = (await backend.tracking.getRun('colremote')).data.metrics.loss?.count;
  if (stored !== BLOCK * BLOCKS || storedRemote !== BLOCK * BLOCKS) throw new Error(`blocks stored ${stored} and ${storedRemote} points, not ${BLOCK * BLOCKS}`);
  report.add({
    name: `column blocks through tracklab server (SQLite, ${BLOCK} points a block, binary frames over loopback), as a share of direct ingest`,
    value: viaBlocks / direct, unit: 'x', target: { op: '>=', value: 0.5 },
    note: `${viaBlocks.toFixed(0)} points/s through the server, ${direct.toFixed(0)} points/s with store.appendMetrics in-process`,
  });
  report.add({
    name: `points through the remote store (trackingUri http://…: outbox, sender, server; ${BLOCK} points a block)`, value: viaRemote, unit: 'points/s',
    baseline: { name: 'store.appendMetrics in-process on SQLite', value: direct },
  });
}

const BATCH = 1000;
const BATCHES = 100;
const CLIENTS = 50;
const CLIENT_BATCHES = 20;
const CLIENT_POINTS = 100;

function points(n: number, from: number): { key: string; value: number; timestamp: number; step: number }[] {
  return Array.from({ length: n }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), timestamp: 1_700_000_000_000 + from + i, step: from + i }));
}

async function newRun(backend: StoreBackend, experimentId: string, runId: string): Promise<void> {
  await backend.tracking.createRun({ runId, runName: runId, experimentId, startTime: Date.now() });
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}/api/2.0/mlflow/runs/log-batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`log-batch answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function server(report: Report): Promise<void> {
  const dir = tempDir('server');
  const backend = await openStore(path.join(dir, 'store'));
  const srv = await startTrackingServer({ backend, port: 0, artifactRoot: path.join(dir, 'artifacts') });
  try {
    const exp = await backend.tracking.createExperiment({ name: 'bench' });
    // Warm both paths (JIT, statement cache, connection) before timing.
    await newRun(backend, exp.experimentId, 'warmdirect');
    await newRun(backend, exp.experimentId, 'warmserver');
    for (let i = 0; i < 5; i++) {
      await backend.tracking.logBatch('warmdirect', { metrics: points(BATCH, i * BATCH) });
      await post(srv.url, { run_id: 'warmserver', metrics: points(BATCH, i * BATCH) });
    }

    await newRun(backend, exp.experimentId, 'direct');
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCHES; i++) await backend.tracking.logBatch('direct', { metrics: points(BATCH, i * BATCH) });
    const direct = (BATCH * BATCHES) / seconds(t0);

    await blocks(report, backend, srv.url, exp.experimentId);

    await newRun(backend, exp.experimentId, 'viaserver');
    t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCHES; i++) await post(srv.url, { run_id: 'viaserver', metrics: points(BATCH, i * BATCH) });
    const viaServer = (BATCH * BATCHES) / seconds(t0);
    report.add({
      name: `MLflow-API log-batch through tracklab server (SQLite, ${BATCH} points a request, one client)`, value: viaServer, unit: 'points/s',
      baseline: { name: 'the same batches to store.logBatch in-process', value: direct },
    });

    const ids = Array.from({ length: CLIENTS }, (_, c) => `client${c}`);
    for (const id of ids) await newRun(backend, exp.experimentId, id);
    t0 = process.hrtime.bigint();
    await Promise.all(ids.map(async (id) => {
      for (let b = 0; b < CLIENT_BATCHES; b++) await post(srv.url, { run_id: id, metrics: points(CLIENT_POINTS, b * CLIENT_POINTS) });
    }));
    const elapsed = seconds(t0);
    const expected = CLIENT_BATCHES * CLIENT_POINTS;
    let lost = 0;
    for (const id of ids) {
      const got = (await backend.tracking.getRun(id)).data.metrics.loss?.count ?? 0;
      lost += Math.abs(expected - got);
    }
    report.add({
      name: `${CLIENTS} concurrent clients, ${CLIENT_BATCHES} log-batch requests of ${CLIENT_POINTS} points each: points lost or duplicated`, value: lost, unit: 'points',
      target: { op: '<=', value: 0 }, note: `${(CLIENTS * expected / elapsed).toFixed(0)} points/s in all`,
    });
  } finally {
    await srv.close();
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
