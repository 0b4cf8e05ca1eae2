/**
 * Issue 13 figures: column blocks through the server and through the
 * remote store beside direct SQLite ingest, at 10k points a block (the
 * issue's figure) and at the 65,536 the metric buffer flushes when a loop
 * logs fast, with the ceiling one bare HTTP round trip per block leaves; MLflow-API log-batch throughput through `tracklab server`
 * (JSON over loopback HTTP, 1000 points a request) beside the same batches
 * written straight to the same kind of store in-process; and 50 concurrent
 * clients logging at once, with every point counted back (none lost).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import Database from 'better-sqlite3';
import { DB_FILE } from '../src/store/sqlite/connection';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { startTrackingServer } from '../src/server/tracking-server';
import { openStore } from '../src/store/open-store';
import type { StoreBackend } from '../src/store/backend';
import { COLUMNS_MEDIA_TYPE, encodeColumnFrame } from '../src/store/http/column-frames';
import { HttpTransport } from '../src/store/http/http-transport';
import { MAX_JOINED, MAX_JOINED_BYTES } from '../src/store/http/sender';
import type { MetricColumns } from '../src/entities';
import { tempDir, type Report } from './report';

interface BlockShape {
  readonly block: number;
  readonly blocks: number;
  /** Rounds of the alternation; a round writes well under the 16 MB WAL that triggers a checkpoint. */
  readonly rounds: number;
  /** The figure (≥ 0.5x) is the 10k-point block; the other size shows how the ratio moves with block size. */
  readonly target: boolean;
  readonly why: string;
}

const BLOCK_SHAPES: readonly BlockShape[] = [
  { block: 10_000, blocks: 100, rounds: 10, target: true, why: '' },
  { block: 65_536, blocks: 16, rounds: 8, target: false, why: ': what the metric buffer flushes when a loop logs fast' },
];

function columns(runId: string, from: number, n: number): MetricColumns {
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

/** Posts with the remote store's own HTTP client (node:http, keep-alive), as a client of the block endpoint would. */
async function postFrame(transport: HttpTransport, frame: Buffer, path = '/api/tracklab/v1/metrics/blocks'): Promise<void> {
  await transport.request('POST', path, frame, COLUMNS_MEDIA_TYPE);
}

/** Frames grouped into requests as the remote store's sender joins consecutive block writes (sender.ts). */
function joinAsSender(frames: readonly Buffer[]): Buffer[] {
  const requests: Buffer[] = [];
  for (let i = 0; i < frames.length;) {
    const group = [frames[i]!];
    let bytes = frames[i]!.length;
    for (i++; i < frames.length && group.length < MAX_JOINED && bytes + frames[i]!.length <= MAX_JOINED_BYTES; i++) {
      group.push(frames[i]!);
      bytes += frames[i]!.length;
    }
    requests.push(Buffer.concat(group));
  }
  return requests;
}

/**
 * The floor of any HTTP path: a bare node:http server in this process that
 * reads each body and answers a short JSON (as the block endpoint does),
 * with no store behind it. Frames are posted to it the same way.
 */
async function startBareServer(): Promise<{ transport: HttpTransport; close(): Promise<void> }> {
  const bare = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ bytes: Buffer.concat(chunks).length });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  return { transport: new HttpTransport(url, url), close: () => new Promise((resolve) => bare.close(() => resolve())) };
}

/**
 * Points as column blocks, five ways, in alternating rounds so that each
 * sees the same load and the same share of WAL checkpoints: straight into
 * the SQLite store in-process (the baseline); through the server's block
 * endpoint, the client encoding each frame in the timed loop and posting
 * the round's frames as the remote store's sender does (consecutive blocks
 * joined, up to MAX_JOINED a request; the figure with the target), and one
 * frame a request (as before the sender joined them); the single frames to
 * a bare server (the cost of one round trip alone); and through the remote
 * store a client opens with trackingUri http://… (outbox insert, ordered
 * sender, server). Every block through the server is its own batch and its
 * own transaction, as each direct write is.
 * Client and server share this process, as on a 2-core machine they share
 * the cores: a block through the server costs at least its direct write
 * plus one bare round trip of its frame, which gives the ceiling printed.
 */
async function blocks(report: Report, backend: StoreBackend, dbFile: string, url: string, experimentId: string, shape: BlockShape): Promise<void> {
  const { block: BLOCK, blocks: BLOCKS, rounds: ROUNDS } = shape;
  const id = (name: string) => `${name}${BLOCK}`;
  for (const name of ['colwarm1', 'colwarm2', 'coldirect', 'colserver', 'colsingle', 'colremote']) await newRun(backend, experimentId, id(name));
  const transport = new HttpTransport(url, url);
  const bare = await startBareServer();
  const remote = await openStore(url);
  // Each phase starts with an empty WAL (an untimed checkpoint) and writes less than the 16 MB that triggers one:
  // otherwise a checkpoint (tens of ms with its fsync) lands on whichever phase crosses the threshold, and decides
  // the ratio. So no phase pays for checkpoints: the strict comparison (they would add the same cost per byte to both).
  const db = new Database(dbFile);
  const checkpoint = () => db.pragma('wal_checkpoint(TRUNCATE)');
  try {
    for (let i = 0; i < 5; i++) {
      await backend.tracking.appendMetrics([columns(id('colwarm1'), i * BLOCK, BLOCK)]);
      await postFrame(transport, encodeColumnFrame(`warm-${BLOCK}-${i}`, [columns(id('colwarm2'), i * BLOCK, BLOCK)]));
      await postFrame(bare.transport, encodeColumnFrame(`warm-${BLOCK}-${i}`, [columns(id('colwarm2'), i * BLOCK, BLOCK)]), '/');
    }
    const time = { direct: 0, server: 0, single: 0, bare: 0, remote: 0 };
    /** CPU seconds (user + system) of this process per phase: what each path costs when the machine is not shared. */
    const cpu = { direct: 0, server: 0, single: 0, bare: 0, remote: 0 };
    const timed = async (phase: keyof typeof time, work: () => Promise<void>) => {
      checkpoint();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await work();
      time[phase] += seconds(t0);
      const c = process.cpuUsage(c0);
      cpu[phase] += (c.user + c.system) / 1e6;
    };
    const perRound = BLOCKS / ROUNDS;
    for (let round = 0; round < ROUNDS; round++) {
      const slice = (runId: string) => Array.from({ length: perRound }, (_, i) => columns(runId, (round * perRound + i) * BLOCK, BLOCK));
      const direct = slice(id('coldirect'));
      await timed('direct', async () => { for (const b of direct) await backend.tracking.appendMetrics([b]); });
      const viaServer = slice(id('colserver'));
      await timed('server', async () => {
        const frames = viaServer.map((b, i) => encodeColumnFrame(`bench-${BLOCK}-${round}-${i}`, [b]));
        for (const request of joinAsSender(frames)) await postFrame(transport, request);
      });
      const oneByOne = slice(id('colsingle'));
      await timed('single', async () => {
        for (const [i, b] of oneByOne.entries()) await postFrame(transport, encodeColumnFrame(`single-${BLOCK}-${round}-${i}`, [b]));
      });
      const frames = slice('bare').map((b, i) => encodeColumnFrame(`bare-${i}`, [b]));
      await timed('bare', async () => { for (const frame of frames) await postFrame(bare.transport, frame, '/'); });
      const viaRemote = slice(id('colremote'));
      await timed('remote', async () => {
        for (const b of viaRemote) void remote.tracking.appendMetrics([b]);
        await remote.tracking.readMetrics([id('colremote')], ['none']); // waits for every write before it
      });
    }
    for (const name of ['colserver', 'colsingle', 'colremote']) {
      const stored = (await backend.tracking.getRun(id(name))).data.metrics.loss?.count;
      if (stored !== BLOCK * BLOCKS) throw new Error(`${name}: blocks stored ${stored} points, not ${BLOCK * BLOCKS}`);
    }
    const rate = (s: number) => (BLOCK * BLOCKS) / s;
    const ms = (s: number) => `${((s / BLOCKS) * 1e3).toFixed(2)} ms`;
    const perRequest = Math.min(MAX_JOINED, Math.floor(MAX_JOINED_BYTES / encodeColumnFrame('x', [columns('x', 0, BLOCK)]).length), perRound);
    report.add({
      name: `column blocks through tracklab server (SQLite, ${BLOCK} points a block${shape.why}, binary frames over loopback, joined as the remote store's sender does), as a share of direct ingest`,
      value: time.direct / time.server, unit: 'x', ...(shape.target ? { target: { op: '>=' as const, value: 0.5 } } : {}),
      note: `${rate(time.server).toFixed(0)} points/s through the server (${perRequest} blocks a request, each its own batch and transaction), `
        + `${rate(time.direct).toFixed(0)} points/s with store.appendMetrics in-process; one block a request: ${(time.direct / time.single).toFixed(3)}x (${rate(time.single).toFixed(0)} points/s)`,
    });
    report.add({
      name: `the ceiling one HTTP round trip per block leaves: direct write / (direct write + bare round trip of its ${(encodeColumnFrame('x', [columns('x', 0, BLOCK)]).length / 1024).toFixed(0)} KiB frame)`,
      value: time.direct / (time.direct + time.bare), unit: 'x',
      note: `per block: ${ms(time.direct)} direct, ${ms(time.bare)} bare round trip, ${ms(time.server)} through the server joined, ${ms(time.single)} one a request, ${ms(time.remote)} through the remote store; `
        + `CPU time per block: ${ms(cpu.direct)} direct, ${ms(cpu.bare)} bare round trip, ${ms(cpu.server)} through the server joined (${(cpu.direct / cpu.server).toFixed(2)}x), ${ms(cpu.single)} one a request, ${ms(cpu.remote)} through the remote store`,
    });
    report.add({
      name: `points through the remote store (trackingUri http://…: outbox, sender, server; ${BLOCK} points a block)`, value: rate(time.remote), unit: 'points/s',
      baseline: { name: 'store.appendMetrics in-process on SQLite', value: rate(time.direct) },
    });
  } finally {
    db.close();
    await remote.close();
    await bare.close();
  }
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

    for (const shape of BLOCK_SHAPES) await blocks(report, backend, path.join(dir, 'store', DB_FILE), srv.url, exp.experimentId, shape);

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
