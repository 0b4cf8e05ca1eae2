/**
 * The server's defences (issue 13, security must-show): a foreign Host is
 * refused (DNS rebinding), no CORS headers ever, bodies and batches past
 * their limits get 413 or 400 and write nothing, a public address needs
 * --insecure-no-auth, and the request log holds no query strings.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { test } from 'node:test';
import { startTrackingServer } from '../../src/server/tracking-server';
import { isTracklabError } from '../../src/errors';
import { openStore } from '../../src/store/open-store';
import { testStores } from '../support/test-stores';
import { api, startServerFixture } from './server-fixture';

const sqlite = testStores()[0]!;

/** A raw request, so the Host header and the body's framing are ours to choose. */
function raw(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer | (() => AsyncIterable<Buffer>) }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close the socket while a refused body is still being sent.
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') return;
      reject(err);
    });
    const body = options.body;
    if (typeof body === 'function') {
      (async () => {
        for await (const chunk of body()) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch(() => undefined);
    } else {
      req.end(body);
    }
  });
}

test('a foreign Host is refused with 403 on every path; loopback names and --allowed-hosts pass', async () => {
  const fx = await startServerFixture(sqlite, { allowedHosts: ['tracking.example.com'] });
  try {
    const port = new URL(fx.url).port;
    for (const path of ['/health', '/api/2.0/mlflow/experiments/search', '/api/2.0/mlflow/nope']) {
      const r = await raw(fx.url, { path, headers: { host: `evil.example:${port}` } });
      assert.equal(r.status, 403, path);
      assert.equal(JSON.parse(r.body).error_code, 'PERMISSION_DENIED');
      assert.match(JSON.parse(r.body).message, /DNS rebinding/);
    }
    const rebinding = await raw(fx.url, {
      method: 'POST', path: '/api/2.0/mlflow/experiments/create',
      headers: { host: 'attacker.example', 'content-type': 'application/json' }, body: '{"name":"planted"}',
    });
    assert.equal(rebinding.status, 403);
    assert.equal((await fx.store.client().searchExperiments()).experiments.length, 0, 'the refused request wrote nothing');
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'tracking.example.com', `TRACKING.example.com:${port}`]) {
      assert.equal((await raw(fx.url, { path: '/health', headers: { host } })).status, 200, host);
    }
    assert.equal((await raw(fx.url, { path: '/health', headers: { host: 'tracking.example.com.evil.example' } })).status, 403);
  } finally {
    await fx.close();
  }
});

test('no CORS headers: a preflight gets no Access-Control-Allow-Origin, nor does any answer', async () => {
  const fx = await startServerFixture(sqlite);
  try {
    const preflight = await raw(fx.url, {
      method: 'OPTIONS', path: '/api/2.0/mlflow/experiments/create',
      headers: { host: new URL(fx.url).host, origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.notEqual(preflight.status, 200);
    const answer = await raw(fx.url, { path: '/api/2.0/mlflow/experiments/search', headers: { host: new URL(fx.url).host, origin: 'http://evil.example' } });
    assert.equal(answer.status, 200);
    for (const r of [preflight, answer]) {
      assert.deepEqual(Object.keys(r.headers).filter((h) => h.startsWith('access-control-')), []);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
  } finally {
    await fx.close();
  }
});

test('a body past the server limit gets 413, declared or streamed without a length, and the server keeps serving', async () => {
  const fx = await startServerFixture(sqlite, { maxBodyBytes: 64 * 1024 });
  try {
    const host = new URL(fx.url).host;
    const big = JSON.stringify({ name: 'x'.repeat(100 * 1024) });
    const declared = await raw(fx.url, { method: 'POST', path: '/api/2.0/mlflow/experiments/create', headers: { host, 'content-type': 'application/json' }, body: big });
    assert.equal(declared.status, 413);
    assert.equal(JSON.parse(declared.body).error_code, 'BAD_REQUEST');
    // Chunked, no Content-Length: the limit is counted while reading, and the rest is never buffered.
    const streamed = await raw(fx.url, {
      method: 'POST', path: '/api/2.0/mlflow/runs/log-batch', headers: { host, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: async function* () {
        yield Buffer.from('{"run_id":"abc","tags":[');
        for (let i = 0; i < 2000; i++) yield Buffer.from(`{"key":"k${i}","value":"${'v'.repeat(100)}"},`);
        yield Buffer.from('{"key":"last","value":""}]}');
      },
    });
    assert.equal(streamed.status, 413);
    assert.equal((await api(fx.url, 'GET', 'experiments/search')).status, 200, 'still serving');
    assert.equal((await fx.store.client().searchExperiments()).experiments.length, 0);
  } finally {
    await fx.close();
  }
});

test('log-batch past MLflow\'s limits gets 400 INVALID_PARAMETER_VALUE and writes nothing: 1 MB, 1000 metrics, 100 params, 100 tags, 1000 in all', async () => {
  const fx = await startServerFixture(sqlite);
  try {
    const { experiment_id: exp } = (await api(fx.url, 'POST', 'experiments/create', { name: 'limits' })).body;
    const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
    const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    const entries = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }));
    const cases: [string, object, RegExp][] = [
      ['1001 metrics', { metrics: metrics(1001) }, /at most 1000 metrics/],
      ['101 params', { params: entries(101, 'p') }, /at most 100 params/],
      ['101 tags', { tags: entries(101, 't') }, /at most 100 tags/],
      ['1001 in all', { metrics: metrics(901), params: entries(50, 'p'), tags: entries(50, 't') }, /at most 1000 metrics, params and tags/],
      ['a body past 1 MB', { tags: [{ key: 't', value: 'x'.repeat(1_000_001) }] }, /at most 1000000 bytes/],
    ];
    for (const [what, batch, message] of cases) {
      const r = await api(fx.url, 'POST', 'runs/log-batch', { run_id: runId, ...batch });
      assert.equal(r.status, 400, what);
      assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE', what);
      assert.match(r.body.message, message, what);
    }
    const run = await fx.store.client().getRun(runId);
    assert.deepEqual([Object.keys(run.data.metrics).length, Object.keys(run.data.params).length, Object.keys(run.data.tags).length], [0, 0, 0]);
    const atLimit = await api(fx.url, 'POST', 'runs/log-batch', { run_id: runId, metrics: metrics(900), params: entries(50, 'p'), tags: entries(50, 't') });
    assert.equal(atLimit.status, 200, 'exactly 1000 entities pass');
    assert.equal((await fx.store.client().getRun(runId)).data.metrics.m!.count, 900);
  } finally {
    await fx.close();
  }
});

test('a public address is refused without --insecure-no-auth (before anything listens), and served with it', async () => {
  const store = sqlite.create();
  const backend = await openStore(store.uri);
  try {
    for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
      await assert.rejects(startTrackingServer({ backend, host, port: 0 }), (err: unknown) => {
        assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'));
        assert.match((err as Error).message, /--insecure-no-auth/);
        return true;
      });
    }
    const opened = await startTrackingServer({ backend, host: '0.0.0.0', port: 0, insecureNoAuth: true });
    const port = (opened.server.address() as { port: number }).port;
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    await opened.close();
  } finally {
    await backend.close();
    await store.cleanup();
  }
});

test('the request log has method, path, status and time, and never a query string', async () => {
  const fx = await startServerFixture(sqlite);
  try {
    await api(fx.url, 'GET', 'experiments/get-by-name', { experiment_name: 'secret-token-123' });
    const entry = fx.log.find((e) => e.path.endsWith('get-by-name'));
    assert.ok(entry);
    assert.equal(entry.status, 404);
    assert.equal(entry.method, 'GET');
    assert.equal(typeof entry.ms, 'number');
    assert.ok(!JSON.stringify(fx.log).includes('secret-token-123'));
  } finally {
    await fx.close();
  }
});
