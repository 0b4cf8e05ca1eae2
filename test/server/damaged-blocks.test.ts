/**
 * When the server refuses a block write for a content hash that does not
 * match (column-frames.ts), the sender checks its own outbox copy
 * (sender.ts recheck): a sound copy was damaged on the way and goes again,
 * landing once; a damaged copy cannot be helped by sending it again and is
 * dropped with a message that says where the damage is. Real server, real
 * stores, a real forwarding proxy that damages one request.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { startTrackingServer } from '../../src/server/tracking-server';
import { openStore } from '../../src/store/open-store';
import type { HttpStore } from '../../src/store/http/http-store';
import { testStores } from '../support/test-stores';
import { withTempHome } from '../support/temp-home';
import { startServerFixture } from './server-fixture';

const block = (runId: string, from: number, n = 50) => ({
  runId, key: 'loss',
  steps: Float64Array.from({ length: n }, (_, i) => from + i),
  timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + from + i),
  values: Float64Array.from({ length: n }, (_, i) => Math.sin(from + i) + 10),
});

/** Forwards to `target`; the first `damage` block uploads get one byte of their last block's data changed. */
async function damagingProxy(target: string, damage: number): Promise<{ url: string; damaged: () => number; close(): Promise<void> }> {
  let done = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.url?.startsWith('/api/tracklab/v1/metrics/blocks') && done < damage) {
        done++;
        body = Buffer.from(body);
        body[body.length - 40] ^= 0x01; // inside the last block's bytes, before its 32-byte hash
      }
      const headers = { ...req.headers, 'content-length': String(body.length) };
      const out = http.request(new URL(req.url ?? '/', target), { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => { res.writeHead(502); res.end(); });
      out.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, damaged: () => done, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

for (const kind of testStores()) {
  test(`${kind.name}: a block write damaged on the way is sent again from the sound outbox copy and lands once`, { skip: kind.skip, timeout: 60_000 }, () => withTempHome('tracklab-damaged-way-', async () => {
    const f = await startServerFixture(kind);
    const proxy = await damagingProxy(f.url, 2);
    const remote = await openStore(proxy.url);
    try {
      const exp = await f.backend.tracking.ensureExperiment('damaged');
      await remote.tracking.createRun({ runId: 'd1', runName: 'd1', experimentId: exp.experimentId, startTime: 1 });
      await remote.tracking.appendMetrics([block('d1', 0)]);
      assert.equal(proxy.damaged(), 2);
      assert.ok(f.log.filter((e) => e.path === '/api/tracklab/v1/metrics/blocks' && e.status === 400).length >= 2, 'the server refused the damaged sends');
      const stored = await f.backend.tracking.readMetrics(['d1']);
      assert.deepEqual(stored.flatMap((b) => [...b.values]), [...block('d1', 0).values], 'the points once, undamaged');
    } finally {
      await remote.close();
      await proxy.close();
      await f.close();
    }
  }));

  test(`${kind.name}: a block write whose outbox copy is damaged is dropped with a message that says so`, { skip: kind.skip, timeout: 60_000 }, () => withTempHome('tracklab-damaged-here-', async () => {
    const store = kind.create();
    const backend = await openStore(store.uri);
    let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    const port = Number(new URL(server.url).port);
    const remote = await openStore(server.url);
    const sender = (remote.tracking as HttpStore).sender;
    try {
      const exp = await backend.tracking.ensureExperiment('damaged');
      await remote.tracking.createRun({ runId: 'd2', runName: 'd2', experimentId: exp.experimentId, startTime: 1 });
      await server.close();
      const write = remote.tracking.appendMetrics([block('d2', 0)]);
      write.catch(() => undefined);
      while (!sender.isDown()) await new Promise((r) => setTimeout(r, 5));
      const db = new Database(sender.outbox.file);
      const { seq, body } = db.prepare("SELECT seq, body FROM ops WHERE kind = 'blocks'").get() as { seq: number; body: Buffer };
      body[body.length - 40] ^= 0x01;
      db.prepare('UPDATE ops SET body = ? WHERE seq = ?').run(body, seq);
      db.close();
      server = await startTrackingServer({ backend, port, artifactRoot: store.artifactRoot });
      await assert.rejects(write, /outbox's own copy of this block write is damaged/);
      assert.deepEqual(await backend.tracking.readMetrics(['d2']), []);
      assert.equal(sender.pending(), 0);
    } finally {
      await remote.close();
      await server.close();
      await backend.close();
      await store.cleanup();
    }
  }));
}
