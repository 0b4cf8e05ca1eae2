/**
 * Slow clients on real sockets: stalled heads and bodies are closed after the
 * server's timeouts while other clients are answered at once, and a client
 * that asks for a large download and never reads it is closed after the idle
 * timeout instead of holding its socket and file (and the server's close())
 * forever.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import { test } from 'node:test';
import { testStores, type StoreKind } from '../support/test-stores';
import { api, holdTableLock, startServerFixture } from './server-fixture';

const [sqlite, postgres] = testStores() as [StoreKind, StoreKind];

/** Opens a raw connection, writes `head`, reads nothing; resolves with how long the server kept it open. */
function stalled(url: string, head: string, options: { paused?: boolean } = {}): { opened: Promise<void>; closed: Promise<number>; socket: net.Socket } {
  const target = new URL(url);
  const started = Date.now();
  const socket = net.connect(Number(target.port), target.hostname);
  if (options.paused) socket.pause();
  const opened = new Promise<void>((resolve) => socket.once('connect', () => { socket.write(head); resolve(); }));
  socket.on('error', () => undefined);
  if (!options.paused) socket.on('data', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  return { opened, closed, socket };
}

async function healthMs(url: string): Promise<number> {
  const started = Date.now();
  const res = await fetch(new URL('/health', url));
  assert.equal(res.status, 200);
  await res.text();
  return Date.now() - started;
}

test('100 stalled connections (silent, a head trickled, a body promised and never sent, chunks never ended) are closed by the timeouts while /health answers at once', { timeout: 60_000 }, async () => {
  const fx = await startServerFixture(sqlite, { headersTimeoutMs: 400, requestTimeoutMs: 1_000 });
  try {
    const host = new URL(fx.url).host;
    const heads = [
      '',
      `GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Slow: a`,
      `POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":"`,
      `POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n`,
    ];
    const conns = Array.from({ length: 100 }, (_, i) => stalled(fx.url, heads[i % heads.length]!));
    await Promise.all(conns.map((c) => c.opened));
    assert.ok(await healthMs(fx.url) < 500, 'another client is answered while 100 connections stall');
    const ok = await api(fx.url, 'POST', 'experiments/create', { name: 'meanwhile' });
    assert.equal(ok.status, 200);
    const lifetimes = await Promise.all(conns.map((c) => c.closed));
    assert.ok(Math.max(...lifetimes) < 5_000, `every stalled connection was closed: the longest lived ${Math.max(...lifetimes)} ms`);
    const names = (await api(fx.url, 'POST', 'experiments/search', {})).body.experiments.map((e: { name: string }) => e.name);
    assert.deepEqual(names.filter((n: string) => n !== 'Default'), ['meanwhile'], 'no stalled body created anything');
  } finally {
    await fx.close();
  }
});

test('a client that asks for a 32 MiB artifact and never reads it is closed after the idle timeout, and close() does not wait for it', { timeout: 60_000 }, async () => {
  const fx = await startServerFixture(sqlite, { idleTimeoutMs: 500 });
  let closing: Promise<void> | undefined;
  let readers: ReturnType<typeof stalled>[] = [];
  try {
    const experimentId = (await api(fx.url, 'POST', 'experiments/create', { name: 'downloads' })).body.experiment_id as string;
    const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: experimentId })).body.run.info.run_id as string;
    const artifact = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/big.bin`;
    const put = await fetch(new URL(artifact, fx.url), { method: 'PUT', body: crypto.randomBytes(32 * 1024 * 1024) });
    assert.equal(put.status, 200, await put.text());

    const host = new URL(fx.url).host;
    readers = Array.from({ length: 5 }, () => stalled(fx.url, `GET ${artifact} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, { paused: true }));
    await Promise.all(readers.map((r) => r.opened));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(await healthMs(fx.url) < 500, 'another client is answered while the downloads stall');
    // A paused client never reads the server's FIN, so the closing is seen on the server's side: its request log, and close() that no longer waits for them.
    const started = Date.now();
    const idleClosed = () => fx.log.filter((e) => e.path.endsWith('/big.bin') && e.error === 'ERR_SOCKET_IDLE_TIMEOUT').length;
    while (idleClosed() < readers.length && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
    assert.equal(idleClosed(), readers.length, `readers that stall are closed within 5 s: ${JSON.stringify(fx.log.slice(-6))}`);
    closing = fx.close();
    const shut = await Promise.race([closing.then(() => 'closed'), new Promise<string>((r) => setTimeout(() => r('close() still waiting after 5 s'), 5_000).unref())]);
    assert.equal(shut, 'closed');
  } finally {
    for (const r of readers) r.socket.destroy();
    if (closing === undefined) await fx.close();
  }
});

test('a request the server works on for longer than the idle timeout (its store waits 1 s on a lock) is answered, not closed', { timeout: 30_000, skip: postgres.skip }, async () => {
  const fx = await startServerFixture(postgres, { idleTimeoutMs: 300 });
  try {
    const experimentId = (await api(fx.url, 'POST', 'experiments/create', { name: 'busy' })).body.experiment_id as string;
    const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: experimentId })).body.run.info.run_id as string;
    const lock = await holdTableLock(fx.store.uri, 'runs');
    const started = Date.now();
    const answer = api(fx.url, 'GET', 'runs/get', { run_id: runId });
    setTimeout(() => void lock.release(), 1_000);
    const { status, body } = await answer;
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.run.info.run_id, runId);
    assert.ok(Date.now() - started >= 950, 'the answer waited for the lock');
    const entry = fx.log.find((e) => e.path === '/api/2.0/mlflow/runs/get');
    assert.equal(entry?.error, undefined, JSON.stringify(entry));
  } finally {
    await fx.close();
  }
});
