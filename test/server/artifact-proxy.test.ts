/**
 * MLflow's artifact proxy over tracklab's content-addressed store: files
 * uploaded through the server are the run's artifacts for tracklab's client,
 * and the reverse; listings as MLflow answers them; and every traversal
 * form (plain, encoded, double-encoded, backslash, NUL, absolute, another
 * run's folder) refused without touching a file outside the store.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import MLflow from 'mlflow';
import { testStores } from '../support/test-stores';
import { api, startServerFixture, type ServerFixture } from './server-fixture';

const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

/** A request with the target exactly as written (fetch would normalise dot segments first). */
function raw(url: string, method: string, target: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: target, agent: false, headers: body ? { 'content-length': body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

async function newRun(fx: ServerFixture, experiment: string): Promise<{ exp: string; runId: string }> {
  const created = await api(fx.url, 'POST', 'experiments/create', { name: experiment });
  const exp = created.body.experiment_id as string;
  const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
  return { exp, runId };
}

for (const kind of testStores()) {
  test(`${kind.name}: files uploaded through the proxy are the run's artifacts for tracklab, and tracklab's artifacts download through it`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const { exp, runId } = await newRun(fx, 'arts');
      const base = `${PROXY}/${exp}/${runId}/artifacts`;
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      const put = await raw(fx.url, 'PUT', `${base}/plots/loss%20curve.bin`, bytes);
      assert.equal(put.status, 200, put.body.toString());
      assert.deepEqual(JSON.parse(put.body.toString()), {});
      await raw(fx.url, 'PUT', `${base}/model/MLmodel`, Buffer.from('flavors: {}\n'));

      const client = fx.store.client();
      assert.deepEqual(await client.openArtifact(runId, 'plots/loss curve.bin'), bytes);
      assert.deepEqual((await client.listArtifacts(runId)).map((a) => [a.path, a.size]), [['model/MLmodel', 12], ['plots/loss curve.bin', 70_000]]);

      const top = await api(fx.url, 'GET', `../mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/${runId}/artifacts`)}`);
      assert.deepEqual(top.body.files, [{ path: 'model', is_dir: true }, { path: 'plots', is_dir: true }]);
      const plots = await api(fx.url, 'GET', `../mlflow-artifacts/artifacts?path=${encodeURIComponent(`${exp}/${runId}/artifacts/plots`)}`);
      assert.deepEqual(plots.body.files, [{ path: 'loss curve.bin', is_dir: false, file_size: 70_000 }]);
      const listed = await api(fx.url, 'GET', 'artifacts/list', { run_id: runId, path: 'plots' });
      assert.deepEqual(listed.body, { root_uri: `mlflow-artifacts:/${exp}/${runId}/artifacts`, files: [{ path: 'plots/loss curve.bin', is_dir: false, file_size: 70_000 }] });

      const got = await raw(fx.url, 'GET', `${base}/plots/loss%20curve.bin`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, bytes);
      assert.equal(got.headers['content-type'], 'application/octet-stream');
      assert.match(String(got.headers['content-disposition']), /^attachment/);
      assert.match(String(got.headers['content-security-policy']), /sandbox/);

      // The reverse: tracklab logs, the proxy and the mlflow npm client read.
      await client.logArtifact(runId, { text: '<script>alert(1)</script>' }, 'report/index.html');
      const html = await raw(fx.url, 'GET', `${base}/report/index.html`);
      assert.equal(html.body.toString(), '<script>alert(1)</script>');
      assert.match(String(html.headers['content-disposition']), /^attachment/, 'HTML is a download, never a page of this origin');
      const mlflow = new MLflow({ endpoint: fx.url });
      const { files } = await mlflow.Artifacts.list({ run_id: runId, path: 'report' });
      assert.deepEqual(files, [{ path: 'report/index.html', is_dir: false, file_size: 25 }]);
      assert.equal((await raw(fx.url, 'GET', `${base}/nope.txt`)).status, 404);
    } finally {
      await fx.close();
    }
  });
}

test('traversal through the proxy is refused in every form, and no file outside the store is read or written', async () => {
  const fx = await startServerFixture(testStores()[0]!);
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-outside-'));
  try {
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET');
    const { exp, runId } = await newRun(fx, 'traversal');
    const other = await newRun(fx, 'elsewhere');
    await raw(fx.url, 'PUT', `${PROXY}/${other.exp}/${other.runId}/artifacts/private.txt`, Buffer.from('other run'));
    const base = `${PROXY}/${exp}/${runId}/artifacts`;
    const rel = path.relative(fx.store.artifactRoot, path.join(outside, 'secret.txt'));
    const forms = [
      `${base}/../../../../${rel}`,
      `${base}/%2e%2e/%2e%2e/%2e%2e/${rel}`,
      `${base}/%2E%2E%2F%2E%2E%2Fsecret.txt`,
      `${base}/%252e%252e/%252e%252e/secret.txt`,
      `${base}/%25252e%25252e/secret.txt`,
      `${base}/..%2f..%2fsecret.txt`,
      `${base}/..%5c..%5csecret.txt`,
      `${base}/..\\..\\secret.txt`,
      `${base}/a%00.txt`,
      `${base}/C:%5cWindows%5cwin.ini`,
      `${PROXY}/%2fetc%2fpasswd`,
      `${PROXY}/${exp}/${runId}/artifacts/x%3bjsessionid`,
      `${PROXY}/..`,
    ];
    for (const target of forms) {
      for (const method of ['GET', 'PUT']) {
        const r = await raw(fx.url, method, target, method === 'PUT' ? Buffer.from('planted') : undefined);
        assert.ok(r.status === 400 || r.status === 404, `${method} ${target}: ${r.status}`);
        assert.ok(!r.body.toString().includes('TOP SECRET'), target);
      }
    }
    for (const p of ['..', '%2e%2e', '%252e%252e/x', `${exp}/${runId}/artifacts/../../..`, `${exp}/${runId}/artifacts/..%5c..`]) {
      const r = await raw(fx.url, 'GET', `${PROXY}?path=${encodeURIComponent(p)}`);
      assert.equal(r.status, 400, `list ${p}: ${r.body}`);
    }
    const cross = await raw(fx.url, 'GET', `${PROXY}/${exp}/${other.runId}/artifacts/private.txt`);
    assert.equal(cross.status, 404, 'a run is reached only through its own experiment');
    assert.deepEqual(fs.readdirSync(outside), ['secret.txt'], 'nothing was written outside the store');
    assert.deepEqual(await fx.store.client().listArtifacts(runId), [], 'nothing was recorded on the run');
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
    await fx.close();
  }
});

test('a chunked upload past --max-artifact-bytes gets 413 and the server keeps serving (it used to crash once the answer went out)', async () => {
  const fx = await startServerFixture(testStores()[0]!, { maxArtifactBytes: 1000 });
  try {
    const { exp, runId } = await newRun(fx, 'chunked-limit');
    const target = new URL(`${PROXY}/${exp}/${runId}/artifacts/big.bin`, fx.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(target, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      // No Content-Length: the limit trips while the body streams in.
      for (let i = 0; i < 80; i++) req.write(Buffer.alloc(64 * 1024));
      req.end();
    });
    assert.equal(status, 413);
    // The connection closes after the answer; the server must still be there for the next client.
    const health = await raw(fx.url, 'GET', '/health');
    assert.equal(health.status, 200);
    assert.deepEqual(await fx.store.client().listArtifacts(runId), []);
  } finally {
    await fx.close();
  }
});

test('an upload past --max-artifact-bytes gets 413 and records nothing; without a destination the proxy answers 503', async () => {
  const fx = await startServerFixture(testStores()[0]!, { maxArtifactBytes: 1000 });
  try {
    const { exp, runId } = await newRun(fx, 'limits');
    const r = await raw(fx.url, 'PUT', `${PROXY}/${exp}/${runId}/artifacts/big.bin`, Buffer.alloc(5000));
    assert.equal(r.status, 413);
    assert.deepEqual(await fx.store.client().listArtifacts(runId), []);
  } finally {
    await fx.close();
  }
  const bare = await startServerFixture(testStores()[0]!, { artifactRoot: undefined });
  try {
    assert.equal((await raw(bare.url, 'GET', `${PROXY}?path=x`)).status, 503);
    assert.equal((await api(bare.url, 'GET', 'artifacts/list', { run_id: 'abc' })).status, 503);
  } finally {
    await bare.close();
  }
});
