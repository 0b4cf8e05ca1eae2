/**
 * The write thread of an asynchronous store (PostgreSQL): writes that queue
 * up behind each other go as one transaction, each still with its own
 * answer. Checked on a real PostgreSQL, by the rows' transaction ids (xmin).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/open-store';
import type { StoreBackend } from '../../src/store/backend';
import { parseStoreUri } from '../../src/store/store-uri';
import { TrackingClient } from '../../src/tracking/client';
import { startRun } from '../../src/tracking/fluent';
import { WorkerStore } from '../../src/tracking/worker-store';
import { freshDatabase, postgresSkip, testCluster } from '../support/postgres-cluster';

const column = (xs: number[]) => Float64Array.from(xs);

describe('the PostgreSQL write thread', { skip: postgresSkip() }, () => {
  let db: ReturnType<typeof freshDatabase>;
  let backend: StoreBackend;
  let artifactRoot: string;
  /** How many transactions wrote the rows `where` selects. */
  const transactions = (table: string, where: string) => Number(testCluster().psql(`SELECT count(DISTINCT xmin::text) FROM ${table} WHERE ${where}`, db.name).trim());

  /** A write thread of its own on the test database, closed after `fn`. */
  const withWriteThread = async (fn: (writes: WorkerStore) => Promise<void>) => {
    const writes = new WorkerStore(parseStoreUri(db.uri), async () => backend.tracking);
    try {
      await fn(writes);
    } finally {
      await writes.close();
    }
  };

  before(async () => {
    db = freshDatabase();
    backend = await openStore(db.uri);
    artifactRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-write-thread-'));
  });
  after(async () => {
    await backend.close();
    db.drop();
    fs.rmSync(artifactRoot, { recursive: true, force: true });
  });

  test('sweeps of runs ended without await: every run with all its data, created a few transactions at a time', async () => {
    const client = new TrackingClient({ trackingUri: db.uri, artifactRoot });
    const sweep = async (prefix: string) => {
      const ends: Promise<unknown>[] = [];
      for (let i = 0; i < 300; i++) {
        const run = startRun({ client, experiment: 'sweep', name: `${prefix}-${i}`, params: { i, lr: i / 1000 }, tags: { grid: prefix } });
        run.log({ loss: 1 / (i + 1), acc: i / 300 }, 0);
        run.log({ loss: 0.5 / (i + 1) }, 1);
        ends.push(run.end());
      }
      await Promise.all(ends);
      await client.flush();
      const { runs } = await client.searchRuns({ experiments: ['sweep'], filter: `tags.grid = '${prefix}'`, maxResults: 1000 });
      assert.equal(runs.length, 300);
      for (const run of runs) {
        const i = Number(run.data.params.i);
        assert.equal(run.info.status, 'FINISHED');
        assert.equal(run.info.runName, `${prefix}-${i}`);
        assert.deepEqual({ ...run.data.params }, { i: String(i), lr: String(i / 1000) });
        assert.equal(run.data.metrics.loss?.count, 2);
        assert.equal(run.data.metrics.loss?.last, 0.5 / (i + 1));
        assert.equal(run.data.metrics.acc?.last, i / 300);
      }
    };
    try {
      // Before the main thread knows the experiment, each run is created at its start (createRunIn) and ended later.
      await sweep('first');
      const created = transactions('params', "run_id IN (SELECT run_id FROM runs WHERE run_name LIKE 'first-%')");
      assert.ok(created <= 30, `the first 300 runs were created in ${created} transactions`);
      // After, a run started and ended in one stretch of code is created ended, with its points, in one write.
      await sweep('second');
      const written = transactions('runs', "run_name LIKE 'second-%'");
      assert.ok(written <= 30, `the next 300 runs were written in ${written} transactions`);
    } finally {
      await client.close();
    }
  });

  test('a run refused among queued creations gets its own error; the runs queued beside it are created together', async () => {
    const { experimentId } = await backend.tracking.ensureExperiment('refusal');
    await backend.tracking.createRun({ runId: 'taken', runName: 'first', experimentId, startTime: 1 });
    await withWriteThread(async (writes) => {
      const answers = await Promise.allSettled([
        writes.createRun({ runId: 'queued-1', runName: 'q1', experimentId, startTime: 2 }),
        writes.createRun({ runId: 'queued-2', runName: 'q2', experimentId, startTime: 3, params: { a: '1' } }),
        writes.createRun({ runId: 'taken', runName: 'second', experimentId, startTime: 4, params: { b: '2' } }),
        writes.createRun({ runId: 'queued-3', runName: 'q3', experimentId, startTime: 5, end: { status: 'FINISHED', statusMessage: null, endTime: 6,
          metrics: [{ runId: 'queued-3', key: 'm', steps: column([0]), timestamps: column([5]), values: column([7]) }] } }),
      ]);
      assert.deepEqual(answers.map((a) => a.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      assert.match(String((answers[2] as PromiseRejectedResult).reason), /already exists/);
      assert.equal((answers[2] as PromiseRejectedResult).reason.code, 'RESOURCE_ALREADY_EXISTS');
      assert.equal((await backend.tracking.getRun('taken')).info.runName, 'first');
      assert.equal(Object.keys((await backend.tracking.getRun('taken')).data.params).length, 0);
      assert.equal((await backend.tracking.getRun('queued-3')).data.metrics.m?.last, 7);
      assert.equal(transactions('runs', "run_id IN ('queued-2', 'queued-3')"), 1, 'the runs after the first went together');
    });
  });

  test('metric appends queued behind each other land in one transaction, in order', async () => {
    const { experimentId } = await backend.tracking.ensureExperiment('appends');
    await backend.tracking.createRun({ runId: 'appended', runName: 'a', experimentId, startTime: 1 });
    await withWriteThread(async (writes) => {
      await writes.opened;
      await Promise.all(Array.from({ length: 10 }, (_, i) => writes.appendMetrics([
        { runId: 'appended', key: 'x', steps: column([i]), timestamps: column([i]), values: column([i * 10]) },
      ])));
      const blocks = await backend.tracking.readMetrics(['appended'], ['x']);
      assert.deepEqual(blocks.flatMap((b) => [...b.values]), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
      assert.ok(transactions('metric_blocks', "run_id = 'appended'") <= 2, 'queued appends went together');
    });
  });
});
