/**
 * Artifacts through a server with `--auth`: the remote client signs in with
 * an API token (TRACKLAB_TRACKING_TOKEN) and logs, registers and reads back
 * content it does not have locally; a user with READ on the experiment may
 * download but not upload, and what they try stores nothing.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ContentStore } from '../../src/artifacts/content-store';
import { isTracklabError } from '../../src/errors';
import { loadModel } from '../../src/models/load-model';
import { logModel } from '../../src/models/log-model';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { testStores } from '../support/test-stores';
import { ADMIN, basic, startAuthFixture } from './auth-fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SimpleLinearRegression } = require('ml-regression') as { SimpleLinearRegression: new (x: number[], y: number[]) => unknown };
const HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-client-'));
process.env.TRACKLAB_HOME = HOME;
delete process.env.TRACKLAB_ARTIFACT_ROOT;
const BLOBS = '/api/tracklab/v1/artifacts/blobs/';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A client that signs in the way a user's environment says, read when its store opens. */
function clientWith(url: string, env: Record<string, string | undefined>): TrackingClient {
  for (const key of ['TRACKLAB_TRACKING_TOKEN', 'TRACKLAB_TRACKING_USERNAME', 'TRACKLAB_TRACKING_PASSWORD']) delete process.env[key];
  Object.assign(process.env, env);
  const client = new TrackingClient({ trackingUri: url });
  client.store; // eslint-disable-line @typescript-eslint/no-unused-expressions
  return client;
}

for (const kind of testStores()) {
  test(`${kind.name}: under --auth a token client logs and reads artifacts and models; READ downloads but cannot upload, and stores nothing`, { skip: kind.skip, timeout: 120_000 }, async () => {
    // EDIT by default: the remote store's other calls need it everywhere (see authorizeTracklabApi).
    const fx = await startAuthFixture(kind, {}, { defaultPermission: 'EDIT' });
    const clients: TrackingClient[] = [];
    try {
      const ed = await fx.user('ed');
      const reader = await fx.user('reader');
      const made = await fx.as(ed)('POST', 'users/tokens/create', { name: 'laptop' });
      assert.equal(made.status, 200, JSON.stringify(made.body));

      const client = clientWith(fx.url, { TRACKLAB_TRACKING_TOKEN: made.body.secret });
      clients.push(client);
      const run = await client.createRun({ experiment: 'guarded' });
      const bytes = randomBytes(100_000);
      await client.logArtifact(run.runId, bytes, 'data/a.bin');
      const { modelUri } = await logModel(run.runId, new SimpleLinearRegression([0, 1], [1, 3]), { client });
      const registry = new RegistryClient({ tracking: client });
      const version = await registry.registerModel(modelUri, 'guarded-line');
      assert.equal(version.status, 'READY');
      const server = new ContentStore(fx.store.artifactRoot);
      assert.ok(await server.has(sha256(bytes)));

      // Read back with an empty cache: everything comes from the server, signed in with the token.
      fs.rmSync(await client.artifactRoot(), { recursive: true, force: true });
      assert.deepEqual(await client.openArtifact(run.runId, 'data/a.bin'), bytes);
      const model = await loadModel('models:/guarded-line/1', { resolver: registry.resolver });
      assert.deepEqual(await model.predict([2]), [5]);

      // READ on the experiment: download yes, upload (or asking what the server holds) no.
      const granted = await fx.as(basic(ADMIN.username, ADMIN.password))('POST', 'experiments/permissions/create', { experiment_id: run.experimentId, username: 'reader', permission: 'READ' });
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      const got = await fetch(`${fx.url}${BLOBS}${sha256(bytes)}?run_id=${run.runId}`, { headers: reader });
      assert.equal(got.status, 200);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), bytes);
      const theirs = randomBytes(10_000);
      const put = await fetch(`${fx.url}${BLOBS}${sha256(theirs)}?run_id=${run.runId}`, { method: 'PUT', headers: reader, body: theirs });
      assert.equal(put.status, 403);
      assert.match((await put.json() as { message: string }).message, /needs EDIT on experiment/);
      const asked = await fetch(`${fx.url}/api/tracklab/v1/artifacts/missing?run_id=${run.runId}`, { method: 'POST', headers: reader, body: JSON.stringify({ sha256: [sha256(theirs)] }) });
      assert.equal(asked.status, 403);
      assert.equal((await fetch(`${fx.url}${BLOBS}${sha256(bytes)}?run_id=${run.runId}`)).status, 401, 'no credentials');

      // The reader's own remote client: the write is refused with a typed error, and nothing is stored.
      const readerClient = clientWith(fx.url, { TRACKLAB_TRACKING_USERNAME: 'reader', TRACKLAB_TRACKING_PASSWORD: 'reader-password' });
      clients.push(readerClient);
      await assert.rejects(readerClient.logArtifact(run.runId, theirs, 'data/theirs.bin'),
        (err: unknown) => isTracklabError(err) && /needs EDIT on experiment/.test(err.message));
      assert.equal(await server.has(sha256(theirs)), false);
      const paths = (await client.listArtifacts(run.runId)).map((e) => e.path);
      assert.ok(paths.includes('data/a.bin') && !paths.includes('data/theirs.bin'), paths.join(', '));
    } finally {
      for (const c of clients) await c.close();
      await fx.close();
    }
  });
}
