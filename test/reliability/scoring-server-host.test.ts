/**
 * The scoring server against hostile clients and as MLflow's (issue 10,
 * item 11), over real sockets: a foreign Host header (DNS rebinding), a
 * body sent too slowly, a bind address that is not loopback, and MLflow's
 * protocol where tracklab used to differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { loadModel } from '../../src/models/load-model';
import { saveModel } from '../../src/models/package';
import { createScoringServer, DEFAULT_REQUEST_TIMEOUT_MS, startScoringServer, type ServeOptions } from '../../src/serving/scoring-server';
import { tempDir } from '../models/helpers';

/** A model that records what it got and answers with it, plus NaN and ±Infinity. */
function echoModel(): { calls: { input: unknown; params: unknown }[]; predict(input: unknown, params?: unknown): unknown } {
  const calls: { input: unknown; params: unknown }[] = [];
  return {
    calls,
    predict(input, params) {
      calls.push({ input, params });
      return { input, params: params ?? null, special: [NaN, Infinity, -Infinity, 0.5] };
    },
  };
}

async function serve(model: ReturnType<typeof echoModel>, options: ServeOptions = {}): Promise<{ server: http.Server; port: number }> {
  const { server } = await startScoringServer(model, options);
  return { server, port: (server.address() as net.AddressInfo).port };
}

interface RawResponse {
  readonly status: number;
  readonly body: string;
  /** True when the server closed the connection. */
  readonly closed: boolean;
}

/** Sends `chunks` on a raw socket (each after the previous one is written) and collects what comes back until close. */
function raw(port: number, chunks: readonly string[], keepOpen = false): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => { data += d; });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4), closed: true });
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) await new Promise<void>((done) => socket.write(chunk, () => done()));
      if (!keepOpen) socket.end();
    });
  });
}

function request(host: string | undefined, body: string, type = 'application/json'): string {
  return `POST /invocations HTTP/1.1\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Content-Type: ${type}\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

test('a foreign Host header is refused with 403 before the model runs; the names of the bound address are answered', async () => {
  const model = echoModel();
  const { server, port } = await serve(model);
  try {
    const body = '{"inputs": [1]}';
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `localhost.evil:${port}`, '']) {
      const res = await raw(port, [request(host, body)]);
      assert.equal(res.status, 403, host);
      assert.match(res.body, /"error_code": "PERMISSION_DENIED"/);
      assert.match(res.body, /possible DNS rebinding attack detected/);
    }
    // HTTP/1.0 without any Host header.
    const noHost = await raw(port, [`POST /invocations HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`]);
    assert.equal(noHost.status, 403);
    assert.match(noHost.body, /possible DNS rebinding attack detected/);
    assert.equal(model.calls.length, 0, 'the model never ran for a refused request');
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, 'localhost']) {
      assert.equal((await raw(port, [request(host, body)])).status, 200, host);
    }
  } finally {
    server.close();
  }
});

test('allowedHosts adds names (with any port, a given port, or *.domain); everything else stays refused', async () => {
  const model = echoModel();
  const { server, port } = await serve(model, { allowedHosts: ['model.internal', 'api.example:8443', '*.corp.example'] });
  try {
    const body = '{"inputs": [1]}';
    for (const host of ['model.internal', `model.internal:${port}`, 'api.example:8443', 'scoring.corp.example:80']) {
      assert.equal((await raw(port, [request(host, body)])).status, 200, host);
    }
    for (const host of ['api.example:9000', 'corp.example', 'evil.example', 'model.internal.evil']) {
      assert.equal((await raw(port, [request(host, body)])).status, 403, host);
    }
  } finally {
    server.close();
  }
});

test('a body sent too slowly is cut off with 408 and the connection closed; the server keeps serving', { timeout: 60_000 }, async () => {
  const model = echoModel();
  const { server, port } = await serve(model, { requestTimeoutMs: 300 });
  try {
    // Headers promise 100 bytes; 6 arrive, then nothing: the server must not wait forever.
    const slowBody = await raw(port, [
      `POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`, '{"inpu',
    ], true);
    assert.equal(slowBody.status, 408);
    assert.ok(slowBody.closed);
    // Headers that never finish are cut off too.
    const slowHeaders = await raw(port, [`POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Ty`], true);
    assert.ok(slowHeaders.closed);
    assert.equal(model.calls.length, 0);
    assert.equal((await raw(port, [request(`127.0.0.1:${port}`, '{"inputs": [1]}')])).status, 200, 'still serving');
  } finally {
    server.close();
  }
});

test('without a --timeout, a request must be complete within 30 s (headers and body)', () => {
  const server = createScoringServer(echoModel());
  assert.equal(DEFAULT_REQUEST_TIMEOUT_MS, 30_000);
  assert.equal(server.requestTimeout, 30_000);
  assert.equal(server.headersTimeout, 30_000);
});

test('a bind address that is not loopback gets a warning; loopback ones do not', async () => {
  const warnings: string[] = [];
  const model = echoModel();
  for (const host of ['127.0.0.1', 'localhost']) {
    const { server } = await startScoringServer(model, { host, warn: (m) => warnings.push(m) });
    server.close();
  }
  assert.equal(warnings.length, 0, warnings.join('\n'));
  const { server, port } = await serve(model, { host: '0.0.0.0', warn: (m) => warnings.push(m) });
  try {
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /listens on 0\.0\.0\.0, which is not a loopback address/);
    assert.equal((await raw(port, [request(`evil.example:${port}`, '{"inputs": [1]}')])).status, 403, 'the Host check holds on 0.0.0.0 too');
  } finally {
    server.close();
  }
});

test('as MLflow: NaN/Infinity tokens accepted, non-finite predictions written as NaN/Infinity, params accepted, schema errors INVALID_PARAMETER_VALUE', async () => {
  const model = echoModel();
  const { server, port } = await serve(model);
  try {
    const res = await raw(port, [request(`127.0.0.1:${port}`, '{"inputs": [[NaN, Infinity, -Infinity, 1.5]], "params": {"k": 2, "name": "x"}}')]);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(model.calls[0], { input: [[NaN, Infinity, -Infinity, 1.5]], params: { k: 2, name: 'x' } });
    // Written as Python's json.dumps writes them (MLflow's server), not as null.
    assert.match(res.body, /"special": \[NaN, Infinity, -Infinity, 0\.5\]/);
    assert.match(res.body, /"input": \[\[NaN, Infinity, -Infinity, 1\.5\]\]/);
    // Tokens inside strings stay text.
    await raw(port, [request(`127.0.0.1:${port}`, '{"inputs": ["NaN", "Infinity"]}')]);
    assert.deepEqual(model.calls[1]?.input, ['NaN', 'Infinity']);
  } finally {
    server.close();
  }

  // A model with a column signature: schema errors in MLflow's body shape, text/csv typed by the signature.
  const code = path.join(tempDir(), 'sum.js');
  fs.writeFileSync(code, 'exports.model = { predict(rows, params) { return rows.map((r) => r.a + r.b * ((params && params.scale) || 1) + (r.label === "007" ? 1000 : 0)); } };\n');
  const dir = path.join(tempDir(), 'sum');
  await saveModel(undefined, dir, {
    flavor: 'js_function', code, export: 'model',
    signature: {
      inputs: [{ type: 'double', name: 'a' }, { type: 'long', name: 'b' }, { type: 'string', name: 'label', required: false }],
      params: [{ name: 'scale', type: 'double', default: 1, shape: null }],
    },
  });
  const typed = await startScoringServer(await loadModel(dir));
  const port2 = (typed.server.address() as net.AddressInfo).port;
  try {
    const host = `127.0.0.1:${port2}`;
    const schemaError = await raw(port2, [request(host, JSON.stringify({ dataframe_records: [{ a: 1, b: 1.5 }] }))]);
    assert.equal(schemaError.status, 400);
    const parsed = JSON.parse(schemaError.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['error_code', 'message']);
    assert.equal(parsed.error_code, 'INVALID_PARAMETER_VALUE');
    assert.match(String(parsed.message), /column "b" is the number 1\.5; the signature says long/);

    const csv = await raw(port2, [request(host, 'a,b,label\r\n1.5,2,007\n"2",3,"x,y"\n', 'text/csv')]);
    assert.equal(csv.status, 200, csv.body);
    assert.deepEqual(JSON.parse(csv.body), { predictions: [1003.5, 5] }, 'label "007" stays text: the signature says string');
    const csvUtf8 = await raw(port2, [request(host, 'a,b\n1,2\n', 'text/csv; charset=utf-8')]);
    assert.deepEqual(JSON.parse(csvUtf8.body), { predictions: [3] });
    assert.equal((await raw(port2, [request(host, 'a,b\n1,2\n', 'text/csv; charset=latin-1')])).status, 415);
    const badCsv = await raw(port2, [request(host, 'a,b\n1\n', 'text/csv')]);
    assert.equal(badCsv.status, 400);
    assert.match(badCsv.body, /line 2 has 1 values for 2 columns/);

    // params: declared ones are used, undeclared ones are ignored (MLflow warns and drops them), not refused.
    const withParams = await raw(port2, [request(host, JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] }, params: { scale: 10, unknown: true } }))]);
    assert.equal(withParams.status, 200, withParams.body);
    assert.deepEqual(JSON.parse(withParams.body), { predictions: [21] });
  } finally {
    typed.server.close();
  }
});

test('tracklab models serve takes --host, --allowed-hosts and --timeout, and warns on a non-loopback host', async () => {
  const code = path.join(tempDir(), 'one.js');
  fs.writeFileSync(code, 'exports.model = { predict: (x) => x };\n');
  const dir = path.join(tempDir(), 'one');
  await saveModel(undefined, dir, { flavor: 'js_function', code, export: 'model' });
  const script = path.join(__dirname, '..', 'registry', 'fixtures', `serve-child${path.extname(__filename)}`);
  const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
  const child = spawn(process.execPath, [...nodeArgs, path.join(tempDir(), '.tracklab'), 'serve', dir, '--port', '0', '--host', '0.0.0.0',
    '--allowed-hosts', 'model.internal', '--timeout', '0.3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        const m = /at http:\/\/0\.0\.0\.0:(\d+)/.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      void exited.then(() => reject(new Error(`serve exited early:\n${stdout}\n${stderr}`)));
    });
    assert.match(stderr, /listens on 0\.0\.0\.0, which is not a loopback address/);
    assert.equal((await raw(port, [request('model.internal', '{"inputs": [1]}')])).status, 200);
    assert.equal((await raw(port, [request('evil.example', '{"inputs": [1]}')])).status, 403);
    const slow = await raw(port, [`POST /invocations HTTP/1.1\r\nHost: model.internal\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{`], true);
    assert.equal(slow.status, 408);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
});

test('an absolute-form target is judged by its own host, not by the Host header, and routed by its path', async () => {
  const model = echoModel();
  const { server, port } = await serve(model);
  try {
    const own = `127.0.0.1:${port}`;
    const body = '{"inputs": [1]}';
    const post = (target: string, host: string | undefined = own) => raw(port, [request(host, body).replace('POST /invocations ', `POST ${target} `)]);
    for (const target of ['http://evil.example/invocations', `http://evil.example:${port}/invocations`]) {
      const res = await post(target);
      assert.equal(res.status, 403, `${target}: ${res.body}`);
      assert.match(res.body, /possible DNS rebinding attack detected/);
      assert.match(res.body, /evil\.example/);
    }
    assert.equal(model.calls.length, 0, 'the model never ran for a refused request');
    assert.equal((await post(`http://${own}/invocations`)).status, 200);
    assert.equal((await post(`HTTP://LOCALHOST:${port}/invocations`, `localhost:${port}`)).status, 200);
    assert.equal((await raw(port, [`GET http://${own}/ping HTTP/1.1\r\nHost: ${own}\r\nConnection: close\r\n\r\n`])).status, 200);
    const contradicted = await post(`http://${own}/invocations`, 'evil.example');
    assert.equal(contradicted.status, 400, contradicted.body);
    assert.equal(model.calls.length, 2);
  } finally {
    server.close();
  }
});

test('CONNECT and OPTIONS * get a clean 405 or 400, and the server keeps serving', async () => {
  const model = echoModel();
  const { server, port } = await serve(model);
  try {
    const own = `127.0.0.1:${port}`;
    for (const authority of ['evil.example:443', own]) {
      const res = await raw(port, [`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`]);
      assert.equal(res.status, 405, `CONNECT ${authority}: ${JSON.stringify(res)}`);
      assert.match(res.body, /"error_code": "BAD_REQUEST"/);
    }
    for (const line of ['OPTIONS * HTTP/1.1', `POST ftp://${own}/invocations HTTP/1.1`]) {
      const res = await raw(port, [`${line}\r\nHost: ${own}\r\nConnection: close\r\n\r\n`]);
      assert.equal(res.status, 400, `${line}: ${res.body}`);
      assert.match(res.body, /"error_code": "BAD_REQUEST"/);
    }
    assert.equal((await raw(port, [request(own, '{"inputs": [1]}')])).status, 200, 'still serving');
  } finally {
    server.close();
  }
});
