/**
 * Gaps an adversary review of the server found (issue 13): a request that
 * repeats Host is refused, requests Node times out are in the request log,
 * and no error answer names a server-side folder or carries internal text.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { serverMsg } from '../../src/server/messages';
import { testStores } from '../support/test-stores';
import { startServerFixture } from './server-fixture';

const sqlite = testStores()[0]!;

/** Writes `head` (and then `rest`, if any) on a raw connection and collects everything until the server closes it. */
function rawExchange(url: string, head: string, rest?: string): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(target.port), target.hostname, () => {
      socket.write(head);
      if (rest !== undefined) socket.write(rest);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error_code: string; message: string };

test('a request with two Host headers is refused with 400 and never served, whichever comes first', async () => {
  const fx = await startServerFixture(sqlite);
  try {
    const own = new URL(fx.url).host;
    for (const hosts of [[own, 'evil.example'], ['evil.example', own], [own, own]]) {
      const head = `POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\n${hosts.map((h) => `Host: ${h}\r\n`).join('')}`
        + 'Content-Type: application/json\r\nContent-Length: 18\r\nConnection: close\r\n\r\n{"name":"planted"}';
      const answer = await rawExchange(fx.url, head);
      assert.equal(statusOf(answer), 400, `${hosts.join(' + ')}: ${answer}`);
      assert.match(answer, /2 Host headers/);
    }
    assert.equal((await fx.store.client().searchExperiments()).experiments.length, 0, 'nothing was created');
    const one = await rawExchange(fx.url, `GET /health HTTP/1.1\r\nHost: ${own}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(one), 200);
  } finally {
    await fx.close();
  }
});

test('requests Node times out (slow headers, slow body) get 408 and a line in the request log', async () => {
  const fx = await startServerFixture(sqlite, { headersTimeoutMs: 400, requestTimeoutMs: 800 });
  try {
    const own = new URL(fx.url).host;
    const slowHead = await rawExchange(fx.url, `GET /health HTTP/1.1\r\nHost: ${own}\r\n`);
    assert.equal(statusOf(slowHead), 408, slowHead);
    assert.ok(fx.log.some((e) => e.status === 408 && e.error === 'ERR_HTTP_REQUEST_TIMEOUT'), JSON.stringify(fx.log));

    const slowBody = await rawExchange(fx.url,
      `POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: ${own}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`, '{"name":');
    assert.ok(slowBody === '' || statusOf(slowBody) === 408, slowBody);
    await waitFor(() => fx.log.some((e) => e.path === '/api/2.0/mlflow/experiments/create'));
    const entry = fx.log.find((e) => e.path === '/api/2.0/mlflow/experiments/create')!;
    assert.equal(entry.status, 408, JSON.stringify(entry));
    assert.equal(entry.method, 'POST');
    assert.equal((await fx.store.client().searchExperiments()).experiments.length, 0);
  } finally {
    await fx.close();
  }
});

/** Polls a condition the server reaches after its answer left (the log entry is written when the response finishes). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

test('error answers name no server folder (artifact root, store, temp) and a 500 carries no internal text', async () => {
  const fx = await startServerFixture(sqlite, { ui: true });
  try {
    const client = fx.store.client();
    const run = { info: await client.createRun({ experiment: 'paths' }) };
    const exp = run.info.experimentId;
    const proxy = (p: string) => `${fx.url}/api/2.0/mlflow-artifacts/artifacts/${exp}/${run.info.runId}/artifacts/${p}`;
    assert.equal((await fetch(proxy('a.txt'), { method: 'PUT', body: 'hello' })).status, 200);
    const serverFolders = [fx.store.artifactRoot, fx.store.folder!, os.tmpdir(), fs.realpathSync(os.tmpdir())];
    const assertNoFolder = (body: string, what: string) => {
      for (const folder of serverFolders) assert.ok(!body.includes(folder), `${what}: ${body} names ${folder}`);
      assert.doesNotMatch(body, /\n\s+at |\.js:\d+/, `${what}: no stack text`);
    };

    // A blob gone from disk (a hand-edited store): the store's message names the blob folder.
    const entry = (await client.listArtifacts(run.info.runId)).find((e) => e.path === 'a.txt');
    fs.rmSync(path.join(fx.store.artifactRoot, 'sha256', entry!.sha256.slice(0, 2), entry!.sha256.slice(2)));
    const missing = await fetch(proxy('a.txt'));
    const missingBody = await missing.text();
    assert.equal(missing.status, 404, missingBody);
    assertNoFolder(missingBody, 'missing blob');
    assert.match(missingBody, /<artifact root>/, 'the folder is named for what it is');
    const uiMissing = await fetch(`${fx.url}/ui-api/runs/${run.info.runId}/artifact?path=a.txt&download=1`);
    const uiBody = await uiMissing.text();
    assert.equal(uiMissing.status, 404, uiBody);
    assertNoFolder(uiBody, 'the web UI on the server');

    // The content store's temp folder unusable: the store's own failure is a 500 with the generic message only.
    fs.rmSync(path.join(fx.store.artifactRoot, 'tmp'), { recursive: true, force: true });
    fs.writeFileSync(path.join(fx.store.artifactRoot, 'tmp'), 'not a folder');
    const failed = await fetch(proxy('b.txt'), { method: 'PUT', body: 'world' });
    const failedBody = await failed.text();
    assert.equal(failed.status, 500, failedBody);
    assert.deepEqual(JSON.parse(failedBody), { error_code: 'INTERNAL_ERROR', message: serverMsg.internalError() });
    assert.ok(fx.log.some((e) => e.status === 500 && e.error !== undefined), 'the detail went to the log');
    assert.ok(!(await client.listArtifacts(run.info.runId)).some((e) => e.path === 'b.txt'), 'nothing recorded');
  } finally {
    await fx.close();
  }
});

test('an absolute-form target is judged by its own host (RFC 9112 §3.2.2), not by the Host header, and routed by its path', async () => {
  const fx = await startServerFixture(sqlite, { ui: true });
  try {
    const own = new URL(fx.url).host;
    const client = fx.store.client();
    const run = await client.createRun({ experiment: 'secret-plans' });
    const get = (target: string, host: string | undefined = own) =>
      rawExchange(fx.url, `GET ${target} HTTP/1.1\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);

    // A foreign name in the target is refused as a foreign Host header is, on every path.
    for (const target of ['http://evil.example/api/2.0/mlflow/experiments/search?max_results=10', 'http://evil.example/health', `http://evil.example:${new URL(fx.url).port}/`, 'http://evil.example']) {
      const answer = await get(target);
      assert.equal(statusOf(answer), 403, `${target}: ${answer}`);
      assert.equal(bodyOf(answer).message, serverMsg.foreignHost(new URL(target).host));
      assert.doesNotMatch(answer, /secret-plans/);
    }
    const create = await rawExchange(fx.url, `POST http://evil.example/api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: ${own}\r\n`
      + 'Content-Type: application/json\r\nContent-Length: 18\r\nConnection: close\r\n\r\n{"name":"planted"}');
    assert.equal(statusOf(create), 403, create);
    assert.ok(!(await client.searchExperiments()).experiments.some((e) => e.name === 'planted'), 'nothing was created');

    // The server's own name in the target: served, and routed by the path part (the artifact proxy and the UI too).
    const search = await get(`http://${own}/api/2.0/mlflow/experiments/search?max_results=10`);
    assert.equal(statusOf(search), 200, search);
    assert.match(search, /secret-plans/);
    assert.equal(statusOf(await get(`HTTP://LOCALHOST:${new URL(fx.url).port}/health`, `localhost:${new URL(fx.url).port}`)), 200, 'scheme and name in any case');
    assert.equal(statusOf(await get(`http://${own}/health`, undefined)), 200, 'the target names the host when Host is missing');
    const artifact = `http://${own}/api/2.0/mlflow-artifacts/artifacts/${run.experimentId}/${run.runId}/artifacts/a.txt`;
    const put = await rawExchange(fx.url, `PUT ${artifact} HTTP/1.1\r\nHost: ${own}\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`);
    assert.equal(statusOf(put), 200, put);
    const got = await get(artifact);
    assert.equal(statusOf(got), 200, got);
    assert.ok(got.endsWith('\r\n\r\nhello'), got);
    assert.match(await get(`http://${own}/`), /^HTTP\/1\.1 200[^]*secret-plans/, 'the UI answers its page');

    // Our name in the target but another in Host: a client that says two things is not served.
    const contradicted = await get(`http://${own}/health`, 'evil.example');
    assert.equal(statusOf(contradicted), 400, contradicted);
    assert.match(bodyOf(contradicted).message, /evil\.example/);
    // User info in the target is refused (RFC 9110 §4.2.4), and never written to the log.
    assert.equal(statusOf(await get(`http://user:hunter2@${own}/health`)), 400);
    await waitFor(() => fx.log.length >= 12);
    assert.ok(fx.log.some((e) => e.path === '/api/2.0/mlflow/experiments/search' && e.status === 200), JSON.stringify(fx.log));
    assert.ok(fx.log.every((e) => !e.path.includes('evil.example') && !e.path.includes('hunter2') && !e.path.includes('://')), JSON.stringify(fx.log));

    // A path that starts with "//" is a path: its first segment is not a host to drop.
    const doubled = await get('//evil.example/api/2.0/mlflow/experiments/search?max_results=10');
    assert.equal(statusOf(doubled), 404, doubled);
    assert.doesNotMatch(doubled, /secret-plans/);
  } finally {
    await fx.close();
  }
});

test('CONNECT, OPTIONS * and targets of another scheme get a clean 405 or 400, are logged, and the server keeps serving', async () => {
  const fx = await startServerFixture(sqlite);
  try {
    const own = new URL(fx.url).host;
    for (const authority of ['evil.example:443', own]) {
      const answer = await rawExchange(fx.url, `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
      assert.equal(statusOf(answer), 405, `CONNECT ${authority}: ${JSON.stringify(answer)}`);
      assert.match(answer, /\r\nallow: [A-Z, ]+\r\n/i);
      assert.equal(bodyOf(answer).error_code, 'BAD_REQUEST');
    }
    for (const line of ['OPTIONS * HTTP/1.1', 'GET * HTTP/1.1', `GET ftp://${own}/health HTTP/1.1`, `GET http:///health HTTP/1.1`]) {
      const answer = await rawExchange(fx.url, `${line}\r\nHost: ${own}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(answer), 400, `${line}: ${answer}`);
      assert.equal(bodyOf(answer).error_code, 'BAD_REQUEST');
      assert.doesNotMatch(answer, /\n\s+at |\.js:\d+/, 'no stack text');
    }
    assert.equal(statusOf(await rawExchange(fx.url, `GET /health HTTP/1.1\r\nHost: ${own}\r\nConnection: close\r\n\r\n`)), 200);
    await waitFor(() => fx.log.length >= 7);
    assert.equal(fx.log.filter((e) => e.method === 'CONNECT' && e.status === 405).length, 2, JSON.stringify(fx.log));
    assert.ok(fx.log.some((e) => e.method === 'OPTIONS' && e.path === '*' && e.status === 400), JSON.stringify(fx.log));
  } finally {
    await fx.close();
  }
});
