/**
 * The scoring server over real HTTP on 127.0.0.1 (ephemeral port), with a real
 * ONNX model and a js_function model loaded from packages.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { loadModel } from '../../src/models/load-model';
import { saveModel } from '../../src/models/package';
import { serveModel, startScoringServer } from '../../src/serving/scoring-server';
import { buildLinearOnnx, linearReference } from '../fixtures/models/build-onnx';
import { tempDir } from './helpers';

const spec = { weights: [[1, -2], [0.5, 0.25], [3, 1]], bias: [0.5, -0.5] };
const rows = [{ a: 1, b: 2, c: 3 }, { a: -1, b: 0.5, c: 0 }];
const matrix = rows.map((r) => [r.a, r.b, r.c]);
const expected = linearReference(spec, matrix);

let onnxServer: http.Server;
let onnxUrl: string;
let fnServer: http.Server;
let fnUrl: string;

before(async () => {
  const dir = path.join(tempDir(), 'onnx-model');
  await saveModel(buildLinearOnnx(spec), dir, { inputExample: rows });
  ({ server: onnxServer, url: onnxUrl } = await startScoringServer(await loadModel(dir), { maxBodyBytes: 64 * 1024 }));

  const code = path.join(tempDir(), 'echo.js');
  fs.writeFileSync(code, 'exports.model = { predict(input, params) { return { input, params: params || null }; } };\n');
  const fnDir = path.join(tempDir(), 'fn-model');
  await saveModel(undefined, fnDir, { flavor: 'js_function', code, export: 'model' });
  ({ server: fnServer, url: fnUrl } = await startScoringServer(await loadModel(fnDir)));
});

after(() => {
  onnxServer.close();
  fnServer.close();
});

async function invoke(url: string, body: string, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

test('binds to loopback on an ephemeral port, answers /ping and /health', async () => {
  const address = onnxServer.address() as { address: string; port: number };
  assert.equal(address.address, '127.0.0.1');
  assert.ok(address.port > 0);
  for (const p of ['/ping', '/health']) assert.equal((await fetch(`${onnxUrl}${p}`)).status, 200);
  assert.equal((await fetch(`${onnxUrl}/nope`)).status, 404);
  assert.equal((await fetch(`${onnxUrl}/invocations`)).status, 405);
});

test('serveModel returns a listening http.Server; a port in use is a clear error', async () => {
  const server = serveModel({ predict: (x: unknown) => x });
  assert.ok(server instanceof http.Server);
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as { port: number }).port;
  await assert.rejects(startScoringServer({ predict: () => 1 }, { port }), new RegExp(`Port ${port} on 127.0.0.1 is already in use`));
  const res = await fetch(`http://127.0.0.1:${port}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": [1, "a"]}' });
  assert.deepEqual(await res.json(), { predictions: [1, 'a'] });
  server.close();
});

test('each MLflow input format gives the same predictions', async () => {
  const bodies = {
    dataframe_split: { dataframe_split: { columns: ['a', 'b', 'c'], data: matrix } },
    dataframe_split_reordered: { dataframe_split: { columns: ['c', 'a', 'b'], data: rows.map((r) => [r.c, r.a, r.b]) } },
    dataframe_records: { dataframe_records: rows },
    instances: { instances: matrix },
    instances_named: { instances: rows },
    inputs: { inputs: matrix },
    inputs_columnar: { inputs: { a: rows.map((r) => r.a), b: rows.map((r) => r.b), c: rows.map((r) => r.c) } },
  };
  for (const [name, body] of Object.entries(bodies)) {
    const { status, json } = await invoke(onnxUrl, JSON.stringify(body));
    assert.equal(status, 200, `${name}: ${JSON.stringify(json)}`);
    assert.deepEqual(json, { predictions: expected }, name);
  }
});

test('params reach the model; instances of named values become columns', async () => {
  const { status, json } = await invoke(fnUrl, JSON.stringify({ instances: [{ x: 1, y: 'a' }, { x: 2, y: 'b' }], params: { k: 3 } }));
  assert.equal(status, 200);
  assert.deepEqual(json, { predictions: { input: { x: [1, 2], y: ['a', 'b'] }, params: { k: 3 } } });
});

test('malformed requests get 400 BAD_REQUEST, input the signature refuses 400 INVALID_PARAMETER_VALUE (as MLflow), and serving continues', async () => {
  const bad = 'BAD_REQUEST';
  const schema = 'INVALID_PARAMETER_VALUE';
  const cases: [string, string, RegExp][] = [
    ['{"inputs": [[1, 2, 3]', bad, /not valid JSON/],
    ['[1, 2]', bad, /must be a JSON object/],
    ['{}', bad, /has no input/],
    ['{"data": [[1, 2, 3]]}', bad, /Unknown field\(s\) "data"/],
    [JSON.stringify({ inputs: matrix, instances: matrix }), bad, /has instances and inputs; send exactly one/],
    [JSON.stringify({ dataframe_split: { columns: ['a'], data: [[1, 2]] } }), bad, /row 0 has 2 values for 1 columns/],
    [JSON.stringify({ dataframe_records: [[1, 2, 3]] }), bad, /list of row objects/],
    [JSON.stringify({ dataframe_records: [{ a: 1, b: 2 }] }), schema, /missing the required column "c"/],
    [JSON.stringify({ dataframe_records: [{ a: 1, b: 2, c: 'x' }] }), schema, /column "c" is the string "x"; the signature says long/],
    [JSON.stringify({ inputs: [[1, 2]] }), schema, /row 0 has 2 values but the signature has 3 columns/],
    [JSON.stringify({ inputs: matrix, params: 5 }), bad, /"params" must be a JSON object/],
  ];
  for (const [body, code, message] of cases) {
    const { status, json } = await invoke(onnxUrl, body);
    assert.equal(status, 400, body);
    assert.equal(json.error_code, code, body);
    assert.match(String(json.message), message, body);
    const ok = await invoke(onnxUrl, JSON.stringify({ inputs: matrix }));
    assert.deepEqual(ok.json, { predictions: expected }, `still serving after ${body}`);
  }
  const wrongType = await invoke(onnxUrl, '{"inputs": [[1, 2, 3]]}', 'text/plain');
  assert.equal(wrongType.status, 415);
});

test('hostile payloads: prototype keys and deep nesting are refused before they reach the model', async () => {
  const cases = [
    '{"inputs": [[1, 2, 3]], "__proto__": {"polluted": true}}',
    '{"dataframe_records": [{"a": 1, "b": 2, "c": 3, "__proto__": {"polluted": true}}]}',
    '{"dataframe_records": [{"a": 1, "b": 2, "c": 3, "constructor": {"prototype": {"polluted": true}}}]}',
    '{"inputs": {"prototype": 1}}',
  ];
  for (const body of cases) {
    const { status, json } = await invoke(fnUrl, body);
    assert.equal(status, 400, body);
    assert.match(String(json.message), /prototype pollution/);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);

  const nested = (depth: number) => `{"inputs": ${'['.repeat(depth)}1${']'.repeat(depth)}}`;
  const ok = await invoke(fnUrl, nested(90));
  assert.equal(ok.status, 200, 'depth within the limit is fine');
  for (const depth of [101, 50_000]) {
    const { status, json } = await invoke(fnUrl, nested(depth));
    assert.equal(status, 400);
    assert.match(String(json.message), /deeper than 100 levels/);
  }
  // Brackets inside strings do not count as nesting.
  const inString = await invoke(fnUrl, JSON.stringify({ inputs: ['['.repeat(500)] }));
  assert.equal(inString.status, 200);
});

test('a body over the limit gets 413 without being read to the end, and serving continues', async () => {
  // Declared too large: refused from Content-Length alone.
  const big = JSON.stringify({ inputs: Array.from({ length: 20_000 }, () => [1, 2, 3]) });
  assert.ok(Buffer.byteLength(big) > 64 * 1024);
  const declared = await invoke(onnxUrl, big);
  assert.equal(declared.status, 413);
  assert.match(String(declared.json.message), /larger than 65536 bytes/);

  // Chunked, no Content-Length: the server stops reading once past the limit.
  const port = (onnxServer.address() as { port: number }).port;
  const cap = 32 * 1024 * 1024;
  let sent = 0;
  let sentWhenAnswered = 0;
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/invocations', method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      // What the client had handed over when the answer came: a server reading to the end would see all 32 MiB first.
      sentWhenAnswered = sent;
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write('{"inputs": [');
    const pump = () => {
      // Keep offering data (up to 32 MiB) until the server answers; it must answer long before.
      while (sent < cap && sentWhenAnswered === 0) {
        sent += 16 * 1024;
        if (!req.write(`${'[1, 2, 3],'.repeat(1600)}`)) { req.once('drain', pump); return; }
      }
      req.end(']}');
    };
    pump();
  });
  assert.equal(status, 413);
  assert.ok(sentWhenAnswered > 64 * 1024, `the client had sent ${sentWhenAnswered} bytes, past the limit, when the answer came`);
  assert.ok(sentWhenAnswered < cap, `answered after ${sentWhenAnswered} of ${cap} bytes, before the whole body was sent`);

  const ok = await invoke(onnxUrl, JSON.stringify({ inputs: matrix }));
  assert.deepEqual(ok.json, { predictions: expected });
});
