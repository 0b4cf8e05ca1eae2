/**
 * createRuns (several runs in one statement, for the write thread's queued
 * creations) against createRun on a real PostgreSQL: each run stored as
 * createRun stores it, each refusal the same as createRun's and writing
 * nothing, and all the runs in one transaction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Run } from '../../entities';
import { TracklabError } from '../../errors';
import { freshDatabase, testCluster } from '../../../test/support/postgres-cluster';
import type { StoreBackend } from '../backend';
import { openStore } from '../open-store';
import type { NewRun, TrackingStore } from '../store';

const SHA = 'a'.repeat(64);

/** A run of each shape createRun takes, under `prefix`. */
function shapes(prefix: string, experimentId: string): NewRun[] {
  const column = (xs: number[]) => Float64Array.from(xs);
  return [
    { runId: `${prefix}-running`, runName: 'running', experimentId, startTime: 100, user: 'ana',
      params: { lr: '0.1', layers: '3' }, tags: { team: 'vision', note: "it's" },
      owner: { pid: 4242, host: 'box', processStart: 'boot-1' } },
    { runId: `${prefix}-ended`, runName: 'ended', experimentId, startTime: 200, parentRunId: `${prefix}-running`,
      params: { lr: '0.01' },
      end: { status: 'FAILED', statusMessage: 'diverged', endTime: 260, metrics: [
        { runId: `${prefix}-ended`, key: 'loss', steps: column([0, 1, 2]), timestamps: column([201, 202, 203]), values: column([3, Number.NaN, 1]) },
        { runId: `${prefix}-ended`, key: 'acc', steps: column([2]), timestamps: column([203]), values: column([0.5]) },
      ] },
      artifacts: [{ path: 'diff.patch', sha256: SHA, size: 10 }, { path: 'diff.patch', sha256: SHA, size: 12 }] },
    { runId: `${prefix}-by-name`, runName: 'by name', experimentId: 'sweeps', startTime: 300 },
  ];
}

/** What a run holds, without its own id and name. */
async function contents(store: TrackingStore, runId: string): Promise<unknown> {
  const run: Run = await store.getRun(runId);
  const history = await store.readMetrics([runId]);
  return {
    info: { ...run.info, runId: undefined, parentRunId: run.info.parentRunId?.replace(/^[^-]+-/, '') },
    data: run.data,
    artifacts: (await store.listArtifacts(runId)).map((e) => ({ path: e.path, sha256: e.sha256, size: e.size })),
    history: history.map((b) => ({ key: b.key, steps: [...b.steps], timestamps: [...b.timestamps], values: [...b.values] })),
  };
}

describe('PostgreSQL createRuns', () => {
  const db = freshDatabase();
  let backend: StoreBackend;
  let store: TrackingStore;
  let experimentId: string;
  before(async () => {
    backend = await openStore(db.uri);
    store = backend.tracking;
    experimentId = (await store.ensureExperiment('Default')).experimentId;
    await store.ensureExperiment('sweeps');
  });
  after(async () => {
    await backend.close();
    db.drop();
  });

  test('stores each run as createRun does, and answers each run as createRun does', async () => {
    const alone = [];
    for (const run of shapes('one', experimentId)) alone.push(await store.createRun(run));
    const together = await store.createRuns!(shapes('many', experimentId));
    assert.deepEqual(together.map((r) => ({ ...r, runId: undefined, parentRunId: undefined })),
      alone.map((r) => ({ ...r, runId: undefined, parentRunId: undefined })));
    for (const suffix of ['running', 'ended', 'by-name']) {
      assert.deepEqual(await contents(store, `many-${suffix}`), await contents(store, `one-${suffix}`), suffix);
    }
  });

  test('a refused run gets the error createRun gives it and writes nothing; the runs beside it are created', async () => {
    const deleted = (await store.createExperiment({ name: 'gone' })).experimentId;
    await store.setExperimentLifecycle(deleted, 'deleted');
    await store.createRun({ runId: 'taken', runName: 'first', experimentId, startTime: 1, params: { kept: 'yes' } });
    const refused: NewRun[] = [
      { runId: 'taken', runName: 'second', experimentId, startTime: 2, params: { kept: 'no', extra: '1' }, tags: { t: 'x' } },
      { runId: 'nowhere', runName: 'n', experimentId: 'no-such-experiment', startTime: 3, params: { a: '1' } },
      { runId: 'in-deleted', runName: 'd', experimentId: deleted, startTime: 4, params: { a: '1' } },
    ];
    const expected: TracklabError[] = [];
    for (const run of refused) expected.push(await store.createRun(run).then(() => assert.fail('created'), (err: TracklabError) => err));
    const answers = await store.createRuns!([
      { runId: 'good-1', runName: 'g1', experimentId, startTime: 5, params: { a: '1' } },
      ...refused,
      { runId: 'good-2', runName: 'g2', experimentId, startTime: 6, tags: { b: '2' } },
    ]);
    assert.deepEqual(answers.slice(1, 4).map((a) => (a instanceof TracklabError ? [a.code, a.message] : a)), expected.map((e) => [e.code, e.message]));
    assert.deepEqual(expected.map((e) => e.code), ['RESOURCE_ALREADY_EXISTS', 'RESOURCE_DOES_NOT_EXIST', 'INVALID_STATE']);
    assert.deepEqual({ ...(await store.getRun('taken')).data.params }, { kept: 'yes' });
    assert.equal((await store.getRun('taken')).info.runName, 'first');
    for (const id of ['nowhere', 'in-deleted']) await assert.rejects(store.getRun(id), { code: 'RESOURCE_DOES_NOT_EXIST' });
    assert.deepEqual({ ...(await store.getRun('good-1')).data.params }, { a: '1' });
    assert.deepEqual({ ...(await store.getRun('good-2')).data.tags }, { b: '2' });
  });

  test('runs created together are one transaction, one commit', async () => {
    const runs = Array.from({ length: 20 }, (_, i) => ({ runId: `tx-${i}`, runName: `tx ${i}`, experimentId, startTime: i, params: { i: String(i) } }));
    await store.createRuns!(runs);
    const transactions = testCluster().psql("SELECT count(DISTINCT xmin::text) FROM runs WHERE run_id LIKE 'tx-%'", db.name).trim();
    assert.equal(transactions, '1');
  });

  test('ids that repeat in one call are refused before anything is written', async () => {
    await assert.rejects(store.createRuns!([
      { runId: 'twice', runName: 'a', experimentId, startTime: 1 },
      { runId: 'twice', runName: 'b', experimentId, startTime: 2 },
    ]), { code: 'INVALID_PARAMETER_VALUE' });
    await assert.rejects(store.getRun('twice'), { code: 'RESOURCE_DOES_NOT_EXIST' });
  });
});
