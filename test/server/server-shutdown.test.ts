/**
 * Graceful shutdown: `close()` stops accepting connections, lets a request
 * already in flight finish and land whole, and resolves only after it.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { once } from 'node:events';
import { test } from 'node:test';
import { testStores } from '../support/test-stores';
import { api, startServerFixture } from './server-fixture';

test('close() while a log-batch body is still arriving: the batch lands whole, the client gets 200, then close resolves', async () => {
  const fx = await startServerFixture(testStores()[0]!);
  try {
    const { experiment_id: exp } = (await api(fx.url, 'POST', 'experiments/create', { name: 'shutdown' })).body;
    const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
    const body = Buffer.from(JSON.stringify({ run_id: runId, metrics: Array.from({ length: 500 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i })) }));
    const target = new URL('/api/2.0/mlflow/runs/log-batch', fx.url);
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': body.length } });
    const response = once(req, 'response') as Promise<[http.IncomingMessage]>;
    const arrived = once(fx.server.server, 'request');
    req.write(body.subarray(0, 100));
    await arrived; // the handler runs: the request is in flight

    let closed = false;
    const closing = fx.server.close().then(() => { closed = true; });
    const refused = await fetch(new URL('/health', fx.url)).then(() => false, () => true);
    assert.ok(refused, 'no new connection is accepted once close() was called');
    assert.equal(closed, false, 'close waits for the request in flight');
    req.end(body.subarray(100));
    const [res] = await response;
    res.resume();
    assert.equal(res.statusCode, 200);
    await closing;
    assert.ok(fx.log.some((e) => e.path.endsWith('log-batch') && e.status === 200), 'the answer was sent before close resolved');
    assert.equal((await fx.store.client().getRun(runId)).data.metrics.m!.count, 500);
  } finally {
    await fx.close();
  }
});
