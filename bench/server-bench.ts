/**
 * Issue 13 figures: MLflow-API log-batch throughput through `tracklab server`
 * (JSON over loopback HTTP, 1000 points a request) beside the same batches
 * written straight to the same kind of store in-process; and 50 concurrent
 * clients logging at once, with every point counted back (none lost).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTrackingServer } from '../src/server/tracking-server';
import { openStore } from '../src/store/open-store';
import type { StoreBackend } from '../src/store/backend';
import { tempDir, type Report } from './report';

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
