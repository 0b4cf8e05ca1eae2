/**
 * Artifact uploads are held to a minimum rate, not to the request deadline:
 * on real sockets, an upload sent steadily for longer than requestTimeoutMs is
 * stored whole, one trickled below the floor gets 408 and leaves neither a
 * temp file nor a record, and a slow JSON body still gets 408 at
 * requestTimeoutMs. Both upload routes are tried: MLflow's artifact proxy and
 * tracklab's blobs/<sha256>.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { test } from 'node:test';
import { ContentStore } from '../../src/artifacts/content-store';
import { testStores, type StoreKind } from '../support/test-stores';
import { api, holdTableLock, startServerFixture, type ServerFixture } from './server-fixture';

const [sqlite, postgres] = testStores() as [StoreKind, StoreKind];

/** A deadline of 1.5 s, and a floor of 16 KiB per 500 ms (32 KiB/s). */
const OPTIONS = { requestTimeoutMs: 1_500, headersTimeoutMs: 400, minUploadBytesPerWindow: 16 * 1024, uploadRateWindowMs: 500 };

interface Exchange {
  /** The server's answer (empty when it closed without one), and how long after connecting the socket closed. */
  readonly done: Promise<{ answer: string; ms: number }>;
}

/** Writes `head`, then `body` in `chunk`-byte pieces every `everyMs` until the body is sent or the server answers. */
function paced(url: string, head: string, body: Buffer, chunk: number, everyMs: number): Exchange {
  const target = new URL(url);
  const started = Date.now();
  const socket = net.connect(Number(target.port), target.hostname);
  let answer = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('error', () => undefined); // a write after the server closed
  socket.once('connect', () => {
    socket.write(head);
    let sent = 0;
    const next = () => {
      socket.write(body.subarray(sent, sent + chunk));
      sent += chunk;
      if (sent < body.length) timer = setTimeout(next, everyMs);
    };
    next();
  });
  socket.on('data', (data) => { answer += data.toString('latin1'); clearTimeout(timer); });
  const done = new Promise<{ answer: string; ms: number }>((resolve) => socket.once('close', () => { clearTimeout(timer); resolve({ answer, ms: Date.now() - started }); }));
  return { done };
}

function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
}

function putHead(fx: ServerFixture, path: string, size: number): string {
  return `PUT ${path} HTTP/1.1\r\nHost: ${new URL(fx.url).host}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`;
}

async function newRun(fx: ServerFixture): Promise<{ experimentId: string; runId: string }> {
  const experimentId = (await api(fx.url, 'POST', 'experiments/create', { name: 'uploads' })).body.experiment_id as string;
  const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: experimentId })).body.run.info.run_id as string;
  return { experimentId, runId };
}

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

test('uploads sent steadily for 4 s (past the 1.5 s request deadline) are stored whole on both upload routes', { timeout: 30_000 }, async () => {
  const fx = await startServerFixture(sqlite, OPTIONS);
  try {
    const { experimentId, runId } = await newRun(fx);
    // 32 KiB every 100 ms: 320 KiB/s, ten times the floor, 40 pieces.
    const model = crypto.randomBytes(40 * 32 * 1024);
    const blob = crypto.randomBytes(40 * 32 * 1024);
    const proxyPath = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model.bin`;
    const blobPath = `/api/tracklab/v1/artifacts/blobs/${sha256(blob)}?run_id=${runId}`;
    const [proxied, sent] = await Promise.all([
      paced(fx.url, putHead(fx, proxyPath, model.length), model, 32 * 1024, 100).done,
      paced(fx.url, putHead(fx, blobPath, blob.length), blob, 32 * 1024, 100).done,
    ]);
    assert.equal(statusOf(proxied.answer), 200, proxied.answer);
    assert.equal(statusOf(sent.answer), 201, sent.answer);
    assert.ok(proxied.ms > 3_500 && sent.ms > 3_500, `both took longer than the deadline: ${proxied.ms} ms, ${sent.ms} ms`);

    const back = await fetch(new URL(proxyPath, fx.url));
    assert.equal(back.status, 200);
    assert.equal(sha256(Buffer.from(await back.arrayBuffer())), sha256(model), 'the proxied file comes back byte for byte');
    assert.equal(JSON.parse(sent.answer.slice(sent.answer.indexOf('\r\n\r\n') + 4)).sha256, sha256(blob));
    assert.equal(sha256(await new ContentStore(fx.store.artifactRoot).read(sha256(blob))), sha256(blob), 'the blob is stored under its digest');
    const puts = fx.log.filter((e) => e.method === 'PUT');
    assert.deepEqual(puts.map((e) => e.status).sort(), [200, 201], JSON.stringify(puts));
    assert.ok(puts.every((e) => e.error === undefined && e.ms > 3_500), JSON.stringify(puts));
  } finally {
    await fx.close();
  }
});

test('uploads trickled below the floor get 408 within a window or two, leave no temp file and record nothing', { timeout: 30_000 }, async () => {
  const fx = await startServerFixture(sqlite, OPTIONS);
  try {
    const { experimentId, runId } = await newRun(fx);
    const content = new ContentStore(fx.store.artifactRoot);
    const body = crypto.randomBytes(1024 * 1024);
    const proxyPath = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model.bin`;
    const blobPath = `/api/tracklab/v1/artifacts/blobs/${sha256(body)}?run_id=${runId}`;
    // 1 KiB every 100 ms: 10 KiB/s, a third of the floor, and never idle.
    const exchanges = [paced(fx.url, putHead(fx, proxyPath, body.length), body, 1024, 100), paced(fx.url, putHead(fx, blobPath, body.length), body, 1024, 100)];
    await new Promise((r) => setTimeout(r, 300));
    const staged = fs.readdirSync(content.tmpDir).filter((n) => n.endsWith('.part'));
    assert.equal(staged.length, 2, `both uploads are being written: ${staged}`);

    const results = await Promise.all(exchanges.map((e) => e.done));
    for (const { answer, ms } of results) {
      // The server answers 408 and closes; a write of ours crossing its close may reset the connection before we read the answer.
      assert.ok(answer === '' || statusOf(answer) === 408, answer);
      assert.ok(ms >= 450 && ms < 1_400, `closed after one window (500 ms) or two: ${ms} ms`);
    }
    const deadline = Date.now() + 5_000;
    while (fx.log.filter((e) => e.method === 'PUT').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const puts = fx.log.filter((e) => e.method === 'PUT');
    assert.equal(puts.length, 2, JSON.stringify(fx.log));
    for (const e of puts) assert.deepEqual([e.status, e.error], [408, 'ERR_UPLOAD_TOO_SLOW'], JSON.stringify(e));

    assert.deepEqual(fs.readdirSync(content.tmpDir), [], 'the temp files are gone');
    assert.equal(await content.has(sha256(body)), false, 'no blob was stored');
    const listed = await api(fx.url, 'GET', 'artifacts/list', { run_id: runId });
    assert.equal(listed.body.files, undefined, `the run lists no artifact: ${JSON.stringify(listed.body)}`);
  } finally {
    await fx.close();
  }
});

test('a JSON body trickled to an ordinary route still gets 408 at the request deadline (1.5 s), and the server keeps answering', { timeout: 30_000 }, async () => {
  const fx = await startServerFixture(sqlite, OPTIONS);
  try {
    const json = Buffer.from(JSON.stringify({ name: 'trickled'.padEnd(200, '-') }));
    // 10 bytes every 100 ms: 100 B/s, well above nothing, so no idle timeout; only the deadline stops it.
    const head = `POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: ${new URL(fx.url).host}\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n`;
    const { answer, ms } = await paced(fx.url, head, json, 10, 100).done;
    assert.ok(answer === '' || statusOf(answer) === 408, answer);
    assert.ok(ms >= 1_450 && ms < 2_500, `closed at the deadline: ${ms} ms`);
    const deadline = Date.now() + 5_000;
    while (!fx.log.some((e) => e.method === 'POST' && e.status === 408) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const entry = fx.log.find((e) => e.path === '/api/2.0/mlflow/experiments/create');
    assert.deepEqual([entry?.status, entry?.error], [408, 'ERR_HTTP_REQUEST_TIMEOUT'], JSON.stringify(fx.log));
    const found = (await api(fx.url, 'POST', 'experiments/search', {})).body.experiments ?? [];
    assert.deepEqual(found.map((e: { name: string }) => e.name).filter((n: string) => n !== 'Default'), [], 'nothing was created, and the server answers');
  } finally {
    await fx.close();
  }
});

test('a fast upload is not cut while the server, not the client, is slow: its run lookup waits 1.5 s on a PostgreSQL lock', { timeout: 30_000, skip: postgres.skip }, async () => {
  const fx = await startServerFixture(postgres, OPTIONS);
  try {
    const { runId } = await newRun(fx);
    const blob = crypto.randomBytes(1024 * 1024);
    const lock = await holdTableLock(fx.store.uri, 'runs');
    // 64 KiB every 20 ms (3.2 MB/s, a hundred times the floor); Node stops reading once 16 KiB wait unread.
    const upload = paced(fx.url, putHead(fx, `/api/tracklab/v1/artifacts/blobs/${sha256(blob)}?run_id=${runId}`, blob.length), blob, 64 * 1024, 20).done;
    // Three windows of 500 ms in which the handler cannot read the body.
    await new Promise((r) => setTimeout(r, 1_500));
    await lock.release();
    const { answer } = await upload;
    assert.equal(statusOf(answer), 201, answer);
    const put = fx.log.find((e) => e.method === 'PUT');
    assert.ok(put !== undefined && put.error === undefined && put.ms >= 1_400, `stored after the lock was released: ${JSON.stringify(put)}`);
    assert.equal(sha256(await new ContentStore(fx.store.artifactRoot).read(sha256(blob))), sha256(blob));
  } finally {
    await fx.close();
  }
});

/** Writes `head`, then after `firstAfterMs` `chunks` one every `everyMs` (each as one write) until all are sent or the server answers. */
function pacedChunks(url: string, head: string, chunks: readonly (string | Buffer)[], everyMs: number, firstAfterMs = 0): Exchange {
  const target = new URL(url);
  const started = Date.now();
  const socket = net.connect(Number(target.port), target.hostname);
  let answer = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('error', () => undefined);
  socket.once('connect', () => {
    socket.write(head);
    let i = 0;
    const next = () => {
      socket.write(chunks[i++]!);
      if (i < chunks.length) timer = setTimeout(next, everyMs);
    };
    timer = setTimeout(next, firstAfterMs);
  });
  socket.on('data', (data) => { answer += data.toString('latin1'); clearTimeout(timer); });
  const done = new Promise<{ answer: string; ms: number }>((resolve) => socket.once('close', () => { clearTimeout(timer); resolve({ answer, ms: Date.now() - started }); }));
  return { done };
}

async function assertCutAndNothingStored(fx: ServerFixture, runId: string, exchanges: Exchange[], windowMs: number): Promise<void> {
  const results = await Promise.all(exchanges.map((e) => e.done));
  for (const { answer, ms } of results) {
    assert.ok(answer === '' || statusOf(answer) === 408, answer);
    assert.ok(ms < 3 * windowMs, `closed within two windows (${windowMs} ms each): ${ms} ms`);
  }
  const deadline = Date.now() + 5_000;
  while (fx.log.filter((e) => e.method === 'PUT').length < exchanges.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const puts = fx.log.filter((e) => e.method === 'PUT');
  assert.equal(puts.length, exchanges.length, JSON.stringify(fx.log));
  for (const e of puts) assert.deepEqual([e.status, e.error], [408, 'ERR_UPLOAD_TOO_SLOW'], JSON.stringify(e));
  assert.deepEqual(fs.readdirSync(new ContentStore(fx.store.artifactRoot).tmpDir), [], 'the temp files are gone');
  const listed = await api(fx.url, 'GET', 'artifacts/list', { run_id: runId });
  assert.equal(listed.body.files, undefined, `the run lists no artifact: ${JSON.stringify(listed.body)}`);
}

test('a chunked upload padded with leading zeros in its chunk sizes (20 KB on the wire, 1 body byte, every 250 ms) gets 408: the floor counts body bytes, not bytes on the socket', { timeout: 30_000 }, async () => {
  const fx = await startServerFixture(sqlite, OPTIONS);
  try {
    const { experimentId, runId } = await newRun(fx);
    const host = new URL(fx.url).host;
    // `000…01` is a chunk of one byte: 80 KB per 500 ms window on the socket (five times the floor), 2 bytes of body.
    const padded = Array.from({ length: 40 }, () => `${'0'.repeat(20_000)}1\r\nX\r\n`);
    const head = (path: string) => `PUT ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const proxyPath = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model.bin`;
    const blobPath = `/api/tracklab/v1/artifacts/blobs/${sha256(Buffer.from('X'.repeat(40)))}?run_id=${runId}`;
    await assertCutAndNothingStored(fx, runId, [pacedChunks(fx.url, head(proxyPath), padded, 250), pacedChunks(fx.url, head(blobPath), padded, 250)], OPTIONS.uploadRateWindowMs);
  } finally {
    await fx.close();
  }
});

test('an upload that sends one 17 KiB burst per window (past Node\'s 16 KiB read buffer, so the server pauses the socket for a moment) is not excused: a quarter of a 64 KiB floor gets 408', { timeout: 30_000 }, async () => {
  const fx = await startServerFixture(sqlite, { ...OPTIONS, minUploadBytesPerWindow: 64 * 1024 });
  try {
    const { experimentId, runId } = await newRun(fx);
    const bursts = Array.from({ length: 40 }, () => crypto.randomBytes(17 * 1024));
    const body = Buffer.concat(bursts);
    const proxyPath = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model.bin`;
    const blobPath = `/api/tracklab/v1/artifacts/blobs/${sha256(body)}?run_id=${runId}`;
    // Each burst lands mid-window (the windows count from when the head was read).
    const exchanges = [proxyPath, blobPath].map((p) => pacedChunks(fx.url, putHead(fx, p, body.length), bursts, 500, 250));
    await assertCutAndNothingStored(fx, runId, exchanges, OPTIONS.uploadRateWindowMs);
    assert.equal(await new ContentStore(fx.store.artifactRoot).has(sha256(body)), false, 'no blob was stored');
  } finally {
    await fx.close();
  }
});

test('twelve uploads pipelined on one keep-alive connection are all stored, and the floor\'s watch leaves no listeners behind', { timeout: 30_000 }, async () => {
  const fx = await startServerFixture(sqlite, OPTIONS);
  const warnings: string[] = [];
  const onWarning = (w: Error) => { warnings.push(`${w.name}: ${w.message}`); };
  process.on('warning', onWarning);
  try {
    const { experimentId, runId } = await newRun(fx);
    const host = new URL(fx.url).host;
    const requests = Array.from({ length: 12 }, (_, i) => {
      const body = Buffer.from(`file ${i}\n`);
      return `PUT /api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/f${i}.txt HTTP/1.1\r\nHost: ${host}\r\n`
        + `Content-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n${i === 11 ? 'Connection: close\r\n' : ''}\r\n${body.toString()}`;
    });
    const { answer } = await pacedChunks(fx.url, requests[0]!, requests.slice(1), 0).done;
    assert.equal((answer.match(/HTTP\/1\.1 200 /g) ?? []).length, 12, answer);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    assert.deepEqual(warnings.filter((w) => /MaxListeners/.test(w)), []);
  } finally {
    process.off('warning', onWarning);
    await fx.close();
  }
});
