/**
 * How the server is reached (issue 13): HTTPS with --tls-cert/--tls-key
 * (a real TLS handshake against a certificate made here by openssl, plain
 * HTTP refused), CORS only for the exact origins of --cors-origins, and the
 * web UI and the API on one port, behind the same authentication.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTracklabError } from '../../src/errors';
import { startTrackingServer } from '../../src/server/tracking-server';
import { testStores } from '../support/test-stores';
import { ADMIN, basic, startAuthFixture } from './auth-fixture';
import { api, startServerFixture } from './server-fixture';

const sqlite = testStores()[0]!;

function opensslMissing(): string | false {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'openssl is not installed (apt-get install openssl)';
  }
}

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl in a temp folder. */
function selfSigned(): { cert: Buffer; key: Buffer; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { cert: fs.readFileSync(path.join(dir, 'cert.pem')), key: fs.readFileSync(path.join(dir, 'key.pem')), dir };
}

function request(mod: typeof http | typeof https, url: string, options: https.RequestOptions = {}, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { agent: false, ...options }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (t: string) => { text += t; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('--tls-cert/--tls-key: HTTPS with the certificate trusted works (auth included); untrusted is refused by the client; plain HTTP gets nothing', { skip: opensslMissing() }, async () => {
  const tls = selfSigned();
  const fx = await startAuthFixture(sqlite, { tls: { cert: tls.cert, key: tls.key } });
  try {
    assert.match(fx.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(https, `${fx.url}/health`, { ca: tls.cert });
    assert.equal(health.status, 200);
    const created = await request(https, `${fx.url}/api/2.0/mlflow/experiments/create`, {
      ca: tls.cert, method: 'POST', headers: { ...basic(ADMIN.username, ADMIN.password), 'content-type': 'application/json' },
    }, '{"name":"over-tls"}');
    assert.equal(created.status, 200, created.body);
    assert.equal((await fx.store.client().getExperiment('over-tls')).experimentId, JSON.parse(created.body).experiment_id);
    await assert.rejects(request(https, `${fx.url}/health`), /self-signed certificate/);
    const plain = fx.url.replace('https:', 'http:');
    const answer = await request(http, `${plain}/api/2.0/mlflow/experiments/search`, { headers: basic(ADMIN.username, ADMIN.password) })
      .then((r) => r, (err: NodeJS.ErrnoException) => err);
    if (answer instanceof Error) assert.match(String(answer.code), /ECONNRESET|EPROTO/);
    else assert.ok(answer.status >= 400 && !answer.body.includes('over-tls'), `plain HTTP got ${answer.status}: ${answer.body}`);
  } finally {
    await fx.close();
    fs.rmSync(tls.dir, { recursive: true, force: true });
  }
});

test('a certificate that is not PEM is a typed error before anything listens', async () => {
  const backendFx = await startServerFixture(sqlite);
  await backendFx.server.close();
  try {
    await assert.rejects(startTrackingServer({ backend: backendFx.backend, port: 0, tls: { cert: 'not a certificate', key: 'nor a key' } }),
      (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /TLS/.test((e as Error).message));
  } finally {
    await backendFx.backend.close();
    await backendFx.store.cleanup();
  }
});

test('--cors-origins: listed origins get preflights and Access-Control-Allow-Origin; others get no CORS header', async () => {
  const fx = await startServerFixture(sqlite, { corsOrigins: ['https://app.example.com', 'http://localhost:3000'] });
  try {
    const preflight = (origin: string) => request(http, `${fx.url}/api/2.0/mlflow/experiments/create`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    const ok = await preflight('https://app.example.com');
    assert.equal(ok.status, 204);
    assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.match(String(ok.headers['access-control-allow-methods']), /POST/);
    assert.match(String(ok.headers['access-control-allow-headers']), /authorization/);
    assert.match(String(ok.headers.vary), /Origin/);
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com', 'null']) {
      const refused = await preflight(origin);
      assert.equal(refused.status, 403, origin);
      assert.equal(refused.headers['access-control-allow-origin'], undefined, origin);
    }
    const simple = await request(http, `${fx.url}/api/2.0/mlflow/experiments/search`, { headers: { origin: 'http://localhost:3000' } });
    assert.equal(simple.status, 200);
    assert.equal(simple.headers['access-control-allow-origin'], 'http://localhost:3000');
    const other = await request(http, `${fx.url}/api/2.0/mlflow/experiments/search`, { headers: { origin: 'https://evil.example' } });
    assert.equal(other.status, 200);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    assert.equal((await api(fx.url, 'POST', 'experiments/create', { name: 'still-works' })).status, 200);
  } finally {
    await fx.close();
  }
  for (const bad of ['*', 'https://app.example.com/path', 'app.example.com', 'ftp://x.example']) {
    await assert.rejects(startServerFixture(sqlite, { corsOrigins: [bad] }), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'), bad);
  }
});

test('one port for the UI and the API: a UI page and an API call answer on the same server', async () => {
  const fx = await startServerFixture(sqlite, { ui: true });
  try {
    assert.equal((await api(fx.url, 'POST', 'experiments/create', { name: 'shown-in-ui' })).status, 200);
    const page = await fetch(`${fx.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /shown-in-ui/);
    assert.equal((await fetch(`${fx.url}/static/nope.css`)).status, 404);
    assert.equal((await api(fx.url, 'GET', 'experiments/search')).body.experiments.length, 1);
    assert.equal((await api(fx.url, 'GET', 'no/such')).body.error_code, 'ENDPOINT_NOT_FOUND', 'API paths stay JSON');
    const foreign = await request(http, `${fx.url}/`, { headers: { host: 'evil.example' } });
    assert.equal(foreign.status, 403, 'the UI is behind the same Host check');
  } finally {
    await fx.close();
  }
});

test('with --auth the UI needs credentials too; users who may not read everything get 403, and UI changes need EDIT everywhere', async () => {
  const fx = await startAuthFixture(sqlite, { ui: true });
  try {
    const admin = basic(ADMIN.username, ADMIN.password);
    const anonymous = await fetch(`${fx.url}/`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic/);
    const exp = (await fx.as(admin)('POST', 'experiments/create', { name: 'private' })).body.experiment_id as string;
    const page = await fetch(`${fx.url}/`, { headers: admin });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /private/);
    const reader = await fx.user('reader');
    assert.equal((await fetch(`${fx.url}/experiments/${exp}`, { headers: reader })).status, 200, 'the default READ reads the whole store');
    const change = await fetch(`${fx.url}/ui-api/experiments/${exp}/description`, { method: 'POST', headers: { ...reader, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(change.status, 403);
    assert.match(((await change.json()) as { message: string }).message, /EDIT on every experiment/);
    const outsider = await fx.user('outsider');
    assert.equal((await fx.as(admin)('POST', 'experiments/permissions/create', { experiment_id: exp, username: 'outsider', permission: 'NO_PERMISSIONS' })).status, 200);
    const refused = await fetch(`${fx.url}/`, { headers: outsider });
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('content-type') ?? '', /^text\/html/, 'a refused UI page is a page, not MLflow\'s JSON');
    assert.match(await refused.text(), new RegExp(`no READ on experiment &quot;${exp}&quot;`));
    const refusedApi = await fx.as(outsider)('GET', 'experiments/get', { experiment_id: exp });
    assert.deepEqual([refusedApi.status, refusedApi.body.error_code], [403, 'PERMISSION_DENIED'], 'the API stays JSON');
  } finally {
    await fx.close();
  }
});
