// The UI handler without a browser: escaping, Host and CSRF checks,
// read-only mode, artifact headers, and server-side downsampling of a long
// metric, over a real SQLite store in a temp folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RegistryClient } from '../registry/registry-client';
import { TrackingClient } from '../tracking/client';
import { forBrowser } from './chart-api';
import { html } from './html';
import { previewKind, servedInline } from './artifact-types';
import { isAllowedHost } from './security';
import { startUiServer, type UiServer } from './start-ui-server';
import { parseDelimited } from './pages/artifact-preview';

let home: string;
let client: TrackingClient;
let registry: RegistryClient;
let ui: UiServer;
let runId: string;
const N = 200_000;

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ui-unit-'));
  client = new TrackingClient({ home });
  registry = new RegistryClient({ tracking: client });
  const run = await client.createRun({ experiment: 'e', name: '"><script>alert(1)</script>' });
  runId = run.runId;
  for (let i = 0; i < N; i++) client.logMetric(runId, 'loss', i === 123_457 ? -50 : i === 98_765 ? 75 : Math.sin(i / 100), i, 1_700_000_000_000 + i);
  await client.setTerminated(runId);
  await client.logArtifact(runId, { text: '<script>alert(1)</script>' }, 'page.html');
  ui = await startUiServer({ client, registry });
});

after(async () => {
  await ui.close();
  registry.close();
  await client.close();
  fs.rmSync(home, { recursive: true, force: true });
});

test('html`` escapes interpolated strings, arrays included', () => {
  assert.equal(html`<td title="${'a"b'}">${['<b>', 1]}</td>`.value, '<td title="a&quot;b">&lt;b&gt;1</td>');
});

test('Host values: exact entries, or any port for an entry without one', () => {
  assert.equal(isAllowedHost('127.0.0.1:5000', ['127.0.0.1:5000']), true);
  assert.equal(isAllowedHost('127.0.0.1:5001', ['127.0.0.1:5000']), false);
  assert.equal(isAllowedHost('evil.example:5000', ['127.0.0.1:5000', 'localhost']), false);
  assert.equal(isAllowedHost('LOCALHOST:8080', ['localhost']), true);
  assert.equal(isAllowedHost(undefined, ['localhost']), false);
});

test('artifact kinds: HTML, SVG and unknown files are never inline pages', () => {
  assert.equal(previewKind('a/b/MLmodel'), 'mlmodel');
  assert.equal(previewKind('x.HTML'), 'frame');
  assert.equal(servedInline('x.html', false), false);
  assert.equal(servedInline('x.svg', false), false);
  assert.equal(servedInline('x.bin', true), false);
  assert.equal(servedInline('x.png', false), true);
  assert.deepEqual(parseDelimited('a,b\n"x, ""y""",2\n', 5), [['a', 'b'], ['x, "y"', '2']]);
});

test('a hostile run name is escaped in the page', async () => {
  const res = await fetch(`${ui.url}/runs/${runId}`);
  const body = await res.text();
  assert.equal(res.status, 200);
  assert.ok(!body.includes('<script>alert(1)</script>'));
  assert.ok(body.includes('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.doesNotMatch(body, /<script>(?!<\/script>)/, 'no inline script at all');
});

test('a 200k-point metric becomes a spec of about a thousand points that keeps the extremes', async () => {
  const res = await fetch(`${ui.url}/ui-api/runs/${runId}/chart?key=loss`);
  assert.equal(res.status, 200);
  const spec = await res.json() as { data: { values: { v: number; s: number }[] } };
  const values = spec.data.values;
  assert.ok(values.length <= 1100 && values.length >= 500, `${values.length} points`);
  assert.equal(Math.min(...values.map((p) => p.v)), -50);
  assert.equal(Math.max(...values.map((p) => p.v)), 75);
  assert.equal(values[0].s, 0);
  assert.equal(values[values.length - 1].s, N - 1);
  const time = await (await fetch(`${ui.url}/ui-api/runs/${runId}/chart?key=loss&x=time&log=1&smooth=0.5`)).json() as { encoding: { x: { title: string } } };
  assert.equal(time.encoding.x.title, 'seconds since the run started');
});

test('a run chart says how many points it could not draw (NaN, ±Infinity, and values ≤ 0 on a log axis)', async () => {
  const { runId: id } = await client.createRun({ experiment: 'e', name: 'non-finite' });
  await client.logBatch(id, { metrics: [NaN, Infinity, -Infinity, 1, 0, 2].map((value, step) => ({ key: 'loss', value, step })) });
  await client.setTerminated(id);
  const subtitle = async (q: string) => ((await (await fetch(`${ui.url}/ui-api/runs/${id}/chart?key=loss${q}`)).json()) as { title: { subtitle?: string } }).title.subtitle ?? '';
  assert.match(await subtitle(''), /3 of 6 points not drawn: 1 NaN, 1 \+Infinity, 1 -Infinity/);
  assert.match(await subtitle('&log=1'), /4 of 6 points not drawn: 1 NaN, 1 \+Infinity, 1 -Infinity, 1 ≤ 0 on the log axis/);
  const finite = await (await fetch(`${ui.url}/ui-api/runs/${runId}/chart?key=loss`)).json() as { title: { subtitle?: string } };
  assert.doesNotMatch(finite.title.subtitle ?? '', /not drawn/, 'nothing to say about a finite history');
});

test('CSV chart data goes to the browser as rows (Vega parses CSV with new Function, which the CSP forbids)', () => {
  assert.deepEqual(forBrowser({ layer: [{ data: { values: 'r,s,v,e\n0,1,2.5,\n', format: { type: 'csv', parse: {} } } }] }), { layer: [{ data: { values: [{ r: 0, s: 1, v: 2.5, e: null }] } }] });
});

test('changes need the CSRF token; foreign Hosts get nothing; artifacts of HTML type download', async () => {
  const post = (headers: Record<string, string>) => fetch(`${ui.url}/ui-api/runs/${runId}/note`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"text":"x"}' });
  assert.equal((await post({})).status, 403);
  const token = /name="tracklab-csrf" content="([^"]+)"/.exec(await (await fetch(`${ui.url}/`)).text())?.[1] ?? '';
  assert.ok(token.length > 20);
  assert.equal((await post({ 'x-tracklab-csrf': token })).status, 200);
  assert.equal((await client.getRun(runId)).data.tags['tracklab.note'], 'x');
  const art = await fetch(`${ui.url}/ui-api/runs/${runId}/artifact?path=page.html`);
  assert.match(art.headers.get('content-disposition') ?? '', /^attachment/);
  assert.match(art.headers.get('content-security-policy') ?? '', /^sandbox/);
  const traversal = await fetch(`${ui.url}/ui-api/runs/${runId}/artifact?path=${encodeURIComponent('../../tracklab.db')}`);
  assert.equal(traversal.status, 400);
});

test('the count endpoint counts by lifecycle, and refuses a lifecycle that is none of active, deleted, all', async () => {
  const exp = (await client.createExperiment('lifecycle-counts')).experimentId;
  const gone = await client.createRun({ experiment: exp, name: 'gone' });
  await client.createRun({ experiment: exp, name: 'kept' });
  await client.deleteRun(gone.runId);
  const count = async (q: string) => (await (await fetch(`${ui.url}/ui-api/count?experiment=${exp}${q}`)).json() as { count: number }).count;
  assert.deepEqual([await count(''), await count('&lifecycle=deleted'), await count('&lifecycle=all')], [1, 1, 2]);
  const bad = await fetch(`${ui.url}/ui-api/count?experiment=${exp}&lifecycle=gone`);
  assert.equal(bad.status, 400);
  assert.match((await bad.json() as { message: string }).message, /active, deleted or all, got "gone"/);
  const list = await (await fetch(`${ui.url}/experiments/${exp}?lifecycle=deleted`)).text();
  assert.match(list, new RegExp(`data-run-id="${gone.runId}"[^>]*data-lifecycle="deleted"`));
  assert.doesNotMatch(list, />kept</);
});

/** Sends `text` on a raw connection and collects the answer until the server closes it. */
function rawExchange(text: string): Promise<{ status: number; body: string }> {
  const target = new URL(ui.url);
  return new Promise((resolve, reject) => {
    const socket: net.Socket = net.connect(Number(target.port), target.hostname, () => socket.write(text));
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => { data += d; });
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), body: data.slice(data.indexOf('\r\n\r\n') + 4) }));
  });
}

const own = () => new URL(ui.url).host;
const get = (target: string, method = 'GET') => rawExchange(`${method} ${target} HTTP/1.1\r\nHost: ${own()}\r\nConnection: close\r\n\r\n`);

test('an absolute-form target is judged by its own host, not by Host, and routed by its path', async () => {
  for (const target of ['http://evil.example/', `http://evil.example/runs/${runId}`, 'http://evil.example']) {
    const res = await get(target);
    assert.equal(res.status, 403, `${target}: ${res.body}`);
    assert.doesNotMatch(res.body, /tracklab-csrf/, 'no page, no token');
  }
  const page = await get(`http://${own()}/runs/${runId}`);
  assert.equal(page.status, 200, 'routed by the path part');
  assert.match(page.body, /tracklab-csrf/);
});

test('CONNECT gets 405 and OPTIONS * 400, and the server keeps serving', async () => {
  const connect = await rawExchange(`CONNECT ${own()} HTTP/1.1\r\nHost: ${own()}\r\n\r\n`);
  assert.equal(connect.status, 405, connect.body);
  assert.equal((await get('*', 'OPTIONS')).status, 400);
  assert.equal((await get('/')).status, 200, 'still serving');
});
