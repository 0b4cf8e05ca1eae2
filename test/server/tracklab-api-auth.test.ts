/**
 * tracklab's own API (/api/tracklab/v1, the remote store's) under --auth
 * checks per-experiment permissions as the MLflow routes do (issue 13):
 * reads need READ on the run's experiment, writes EDIT, lifecycle changes
 * MANAGE; searches answer only readable experiments and models; a new
 * experiment is its creator's. Two experiments, a READ user and an EDIT
 * user, nothing granted by default; a refused write writes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeColumnFrame } from '../../src/store/http/column-frames';
import { TrackingClient } from '../../src/tracking/client';
import { fromWireJson, toWireJson } from '../../src/store/http/wire-json';
import { testStores } from '../support/test-stores';
import { ADMIN, basic, startAuthFixture } from './auth-fixture';

for (const kind of testStores()) {
  test(`${kind.name}: /api/tracklab/v1 checks per-experiment permissions: READ reads, EDIT writes, searches are filtered`, { skip: kind.skip }, async () => {
    const fx = await startAuthFixture(kind, {}, { defaultPermission: 'NO_PERMISSIONS' });
    try {
      const admin = fx.as(basic(ADMIN.username, ADMIN.password));
      const readerHeaders = await fx.user('reader');
      const editorHeaders = await fx.user('editor');
      const expA = (await admin('POST', 'experiments/create', { name: 'A' })).body.experiment_id as string;
      const expB = (await admin('POST', 'experiments/create', { name: 'B' })).body.experiment_id as string;
      const runA = (await admin('POST', 'runs/create', { experiment_id: expA, start_time: 1 })).body.run.info.run_id as string;
      const runB = (await admin('POST', 'runs/create', { experiment_id: expB, start_time: 1 })).body.run.info.run_id as string;
      const grant = async (username: string, experiment: string, permission: string) =>
        assert.equal((await admin('POST', 'experiments/permissions/create', { experiment_id: experiment, username, permission })).status, 200);
      await grant('reader', expA, 'READ');
      await grant('editor', expA, 'EDIT');
      await grant('editor', expB, 'READ');
      await admin('POST', 'registered-models/create', { name: 'M' });

      const call = async (headers: Record<string, string>, route: string, ...args: unknown[]) => {
        const res = await fetch(`${fx.url}/api/tracklab/v1/${route}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: toWireJson({ args }) });
        const text = await res.text();
        return { status: res.status, body: fromWireJson(text) as { value?: any; error_code?: string } };
      };
      const blocks = (headers: Record<string, string>, runId: string, batch: string) => fetch(`${fx.url}/api/tracklab/v1/metrics/blocks`, {
        method: 'POST', headers: { ...headers, 'content-type': 'application/vnd.tracklab.columns' },
        body: encodeColumnFrame(batch, [{ runId, key: 'loss', steps: new Float64Array([0]), timestamps: new Float64Array([1]), values: new Float64Array([0.5]) }]),
      });
      const history = (headers: Record<string, string>, runId: string) => fetch(`${fx.url}/api/tracklab/v1/metrics/history?run_id=${runId}`, { headers });
      const search = { orderBy: [], maxResults: 100, offset: 0, lifecycle: 'active' };
      const denied = (r: { status: number; body: { error_code?: string } }, what: string) => {
        assert.equal(r.status, 403, `${what}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error_code, 'PERMISSION_DENIED', what);
      };

      // The READ user: reads A, nothing of B, writes nothing.
      assert.equal((await call(readerHeaders, 'store/getRun', runA)).status, 200);
      denied(await call(readerHeaders, 'store/getRun', runB), 'reader getRun B');
      denied(await call(readerHeaders, 'store/getExperiment', expB), 'reader getExperiment B');
      denied(await call(readerHeaders, 'store/logBatch', runA, { params: { lr: '0.1' } }), 'reader logBatch A');
      denied(await call(readerHeaders, 'store/createRun', { runId: 'planted', runName: 'x', experimentId: expA, startTime: 1 }), 'reader createRun A');
      denied(await call(readerHeaders, 'store/searchRuns', { ...search, experimentIds: [expB] }), 'reader searchRuns B');
      assert.equal((await call(readerHeaders, 'store/searchRuns', { ...search, experimentIds: [expA] })).body.value.runs.length, 1);
      const readerExperiments = (await call(readerHeaders, 'store/searchExperiments', search)).body.value.experiments.map((e: { name: string }) => e.name);
      assert.deepEqual(readerExperiments, ['A'], 'the search answers only readable experiments');
      assert.equal((await history(readerHeaders, runA)).status, 200);
      assert.equal((await history(readerHeaders, runB)).status, 403);
      assert.equal((await blocks(readerHeaders, runA, 'b-reader')).status, 403);
      denied(await call(readerHeaders, 'store/referencedBlobs'), 'reader referencedBlobs');
      denied(await call(readerHeaders, 'registry/getRegisteredModel', 'M'), 'reader model M');
      assert.deepEqual((await call(readerHeaders, 'registry/searchRegisteredModels', { orderBy: [], maxResults: 10, offset: 0 })).body.value.models, []);
      assert.deepEqual((await call(readerHeaders, 'store/reapCrashedRuns', 1000)).body.value, [], 'the crash reaper reaps nothing for a restricted user');
      const run = await fx.backend.tracking.getRun(runA);
      assert.deepEqual({ ...run.data.params }, {}, 'the refused writes wrote nothing');
      assert.equal(run.data.metrics.loss, undefined);

      // What a user creates is theirs.
      const own = await call(readerHeaders, 'store/createExperiment', { name: 'reader-own' });
      assert.equal(own.status, 200);
      assert.equal((await call(readerHeaders, 'store/createRun', { runId: 'mine', runName: 'mine', experimentId: own.body.value.experimentId, startTime: 1 })).status, 200);
      assert.equal((await call(readerHeaders, 'store/createRunIn', 'reader-new', { runId: 'mine2', runName: 'mine2', startTime: 1 })).status, 200);
      denied(await call(readerHeaders, 'store/createRunIn', 'B', { runId: 'planted2', runName: 'x', startTime: 1 }), 'reader createRunIn B (by name)');

      // The EDIT user: writes A, reads B, writes nothing to B, cannot delete A.
      assert.equal((await call(editorHeaders, 'store/logBatch', runA, { params: { lr: '0.1' } })).status, 200);
      assert.equal((await blocks(editorHeaders, runA, 'b-editor')).status, 200);
      assert.equal((await call(editorHeaders, 'store/getRun', runB)).status, 200);
      denied(await call(editorHeaders, 'store/logBatch', runB, { params: { lr: '0.2' } }), 'editor logBatch B');
      assert.equal((await blocks(editorHeaders, runB, 'b-editor-b')).status, 403);
      denied(await call(editorHeaders, 'store/setExperimentLifecycle', expA, 'deleted'), 'editor deletes A');
      denied(await call(editorHeaders, 'store/setRunLifecycle', runA, 'deleted'), 'editor deletes run A');
      assert.deepEqual({ ...(await fx.backend.tracking.getRun(runA)).data.params }, { lr: '0.1' });
      assert.equal((await fx.backend.tracking.getRun(runA)).data.metrics.loss?.count, 1);
      assert.deepEqual({ ...(await fx.backend.tracking.getRun(runB)).data.params }, {});
      assert.equal((await fx.backend.tracking.getRun(runB)).data.metrics.loss, undefined);
      assert.equal((await fx.backend.tracking.getExperiment(expA)).lifecycleStage, 'active');
      assert.equal((await fetch(`${fx.url}/api/tracklab/v1/store/getRun`, { method: 'POST' })).status, 401);
    } finally {
      await fx.close();
    }
  });
}

test('a restricted user\'s remote client (TrackingClient on http://…) logs to its own experiment, reads one it may read, and is refused writes there', async () => {
  const fx = await startAuthFixture(testStores()[0]!, {}, { defaultPermission: 'NO_PERMISSIONS' });
  const saved = { home: process.env.TRACKLAB_HOME, user: process.env.TRACKLAB_TRACKING_USERNAME, password: process.env.TRACKLAB_TRACKING_PASSWORD };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-remote-home-'));
  try {
    const admin = fx.as(basic(ADMIN.username, ADMIN.password));
    await fx.user('carol', 'carol-password');
    const shared = (await admin('POST', 'experiments/create', { name: 'shared' })).body.experiment_id as string;
    const sharedRun = (await admin('POST', 'runs/create', { experiment_id: shared, start_time: 1 })).body.run.info.run_id as string;
    assert.equal((await admin('POST', 'experiments/permissions/create', { experiment_id: shared, username: 'carol', permission: 'READ' })).status, 200);
    Object.assign(process.env, { TRACKLAB_HOME: home, TRACKLAB_TRACKING_USERNAME: 'carol', TRACKLAB_TRACKING_PASSWORD: 'carol-password' });
    const client = new TrackingClient({ trackingUri: fx.url });
    try {
      const run = await client.createRun({ experiment: 'carol-own' });
      await client.logBatch(run.runId, { params: { lr: 0.1 }, metrics: [{ key: 'loss', value: 0.5 }] });
      await client.setTerminated(run.runId);
      const back = await client.getRun(run.runId);
      assert.equal(back.data.params.lr, '0.1');
      assert.equal(back.info.status, 'FINISHED');
      assert.equal((await client.getRun(sharedRun)).info.experimentId, shared, 'READ reads');
      await assert.rejects(client.logBatch(sharedRun, { params: { lr: 0.2 } }), /Permission denied|PERMISSION_DENIED|403/);
    } finally {
      await client.close();
    }
    assert.deepEqual({ ...(await fx.backend.tracking.getRun(sharedRun)).data.params }, {}, 'nothing written to the READ experiment');
  } finally {
    for (const [name, value] of [['TRACKLAB_HOME', saved.home], ['TRACKLAB_TRACKING_USERNAME', saved.user], ['TRACKLAB_TRACKING_PASSWORD', saved.password]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await fx.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
