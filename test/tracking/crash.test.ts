/**
 * How a process's runs end, on every backend, with real child processes:
 * SIGKILL leaves CRASHED (found by the next open), an uncaught error FAILED,
 * SIGTERM and SIGINT KILLED, a script that returns or calls process.exit()
 * FINISHED (or FAILED by its exit code) with every point. The child is
 * pointed at the store through the environment alone.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { testStores, type TestStore } from '../support/test-stores';
import { spawnChild } from './spawn-child';

function integrity(store: TestStore): void {
  if (store.folder === undefined) return;
  const file = fs.readdirSync(store.folder).find((f) => f.endsWith('.db'));
  assert.ok(file, `no database file in ${store.folder}`);
  const db = new Database(path.join(store.folder, file), { readonly: true });
  try {
    assert.equal(String(db.pragma('integrity_check', { simple: true })), 'ok');
  } finally {
    db.close();
  }
}

for (const kind of testStores()) {
  describe(`run endings on ${kind.name}`, { skip: kind.skip }, () => {
    const it = (title: string, fn: (store: TestStore) => Promise<void>) => test(title, async () => {
      const store = kind.create();
      try {
        await fn(store);
      } finally {
        await store.cleanup();
      }
    });

    it('a SIGKILLed process leaves its run CRASHED with every flushed point intact', async (store) => {
      const n = 20_000;
      const child = spawnChild(store, ['sigkill', String(n)]);
      const runId = await child.ready;
      child.proc.kill('SIGKILL');
      const result = await child.done;
      assert.equal(result.signal, 'SIGKILL');

      const client = store.client(); // opening the store reaps dead owners
      const run = await client.getRun(runId);
      assert.equal(run.info.status, 'CRASHED');
      assert.match(run.info.statusMessage ?? '', /exited without ending the run/);
      assert.ok(run.info.endTime !== null);
      assert.equal(run.data.metrics.loss.count, n);
      assert.equal(run.data.metrics.acc.lastStep, n - 1);
      const history = await client.metricHistory(runId, ['loss']);
      assert.equal(history.numRows, n);
      const values = history.getChild('value')!.toArray() as Float64Array;
      for (let i = 0; i < n; i += 997) assert.equal(values[i], 1 / (i + 1));
      integrity(store);
    });

    it('a SIGKILLed run ends at its last stored point, not at its start', async (store) => {
      const child = spawnChild(store, ['sigkill-late', '12']);
      const runId = await child.ready;
      child.proc.kill('SIGKILL');
      await child.done;
      const client = store.client();
      const run = await client.getRun(runId);
      assert.equal(run.info.status, 'CRASHED');
      const history = await client.metricHistory(runId, ['loss']);
      const lastPoint = Math.max(...[...history.getChild('timestamp')!].map(Number));
      assert.ok(run.info.endTime !== null && run.info.endTime >= lastPoint,
        `ended ${run.info.endTime! - run.info.startTime} ms after its start, its last point ${lastPoint - run.info.startTime} ms after`);
      assert.ok(run.info.endTime - run.info.startTime >= 1000);
    });

    it('an uncaught exception ends the run FAILED with its message, then exits 1 as usual', async (store) => {
      const result = await spawnChild(store, ['throw']).done;
      assert.equal(result.code, 1);
      assert.match(result.stderr, /TypeError: exploded in/);
      const { runs } = await store.client().searchRuns();
      assert.equal(runs.length, 1);
      assert.equal(runs[0].info.status, 'FAILED');
      assert.match(runs[0].info.statusMessage ?? '', /^Uncaught exception: TypeError: exploded in [a-z]+-[a-z]+-\d{3}$/);
      assert.equal(runs[0].data.metrics.loss.count, 1);
    });

    it('an unhandled rejection ends the run FAILED', async (store) => {
      const result = await spawnChild(store, ['reject']).done;
      assert.equal(result.code, 1);
      assert.match(result.stderr, /nobody caught this/);
      const { runs } = await store.client().searchRuns();
      assert.equal(runs[0].info.status, 'FAILED');
      assert.match(runs[0].info.statusMessage ?? '', /Error: nobody caught this/);
    });

    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      it(`${signal} ends the run KILLED and exits with ${code}`, async (store) => {
        const child = spawnChild(store, [signal.toLowerCase(), '500']);
        const runId = await child.ready;
        child.proc.kill(signal);
        const result = await child.done;
        assert.equal(result.code, code, result.stderr);
        const run = await store.client().getRun(runId);
        assert.equal(run.info.status, 'KILLED');
        assert.equal(run.info.statusMessage, `Received ${signal}`);
        assert.equal(run.data.metrics.loss.count, 500);
      });
    }

    it('a script that returns without endRun ends the run FINISHED with every buffered point', async (store) => {
      const n = 3000;
      const result = await spawnChild(store, ['exit', String(n)]).done;
      assert.equal(result.code, 0, result.stderr);
      const runId = /READY (\S+)/.exec(result.stdout)![1];
      const run = await store.client().getRun(runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.metrics.loss.count, n);
      assert.equal(run.data.params.mode, 'exit');
      integrity(store);
    });

    it('process.exit() ends every open run FINISHED with all points, including ones already on their way to the store', async (store) => {
      const n = 150_000; // past the buffer's per-series limit: some blocks are being written when exit() comes
      const result = await spawnChild(store, ['process-exit', String(n), '0']).done;
      assert.equal(result.code, 0, result.stderr);
      const runId = /READY (\S+)/.exec(result.stdout)![1];
      const client = store.client();
      const run = await client.getRun(runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.metrics.loss.count, n);
      assert.equal(run.data.metrics.loss.last, n - 1);
      assert.equal(run.data.tags.late, 'yes');
      assert.equal((await client.metricHistory(runId, ['loss'])).numRows, n);
      const { runs } = await client.searchRuns({ filter: "attributes.run_name = 'second'" });
      assert.equal(runs[0]?.info.status, 'FINISHED');
      assert.equal(runs[0]?.data.metrics.loss.last, 7);
      integrity(store);
    });

    it('process.exit(3) ends open runs FAILED, naming the exit code', async (store) => {
      const result = await spawnChild(store, ['process-exit', '10', '3']).done;
      assert.equal(result.code, 3, result.stderr);
      const runId = /READY (\S+)/.exec(result.stdout)![1];
      const run = await store.client().getRun(runId);
      assert.equal(run.info.status, 'FAILED');
      assert.equal(run.info.statusMessage, 'Process exited with code 3');
      assert.equal(run.data.metrics.loss.count, 10);
    });

    it('a process exiting in the same stretch of code that started its run still stores it, ended FINISHED', async (store) => {
      const result = await spawnChild(store, ['exit-at-once']).done;
      assert.equal(result.code, 0, result.stderr);
      const runId = /READY (\S+)/.exec(result.stdout)![1];
      const run = await store.client().getRun(runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.params.mode, 'exit-at-once');
      assert.equal(run.data.metrics.loss.last, 0.5);
      integrity(store);
    });

    // Only a server store migrates under a lock that another connection of the process could be made to wait on.
    if (kind.name === 'postgresql') it('a process exiting while its store is still creating the schema stores its run FINISHED', async (store) => {
      // The test lets the migration take its lock and run, then holds its last step (the ledger insert) until the child has exited.
      const { Client } = await import('pg');
      const holder = new Client({ connectionString: store.uri });
      await holder.connect();
      try {
        await holder.query('CREATE TABLE tracklab_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_time bigint NOT NULL)');
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE tracklab_schema_migrations IN SHARE MODE');
        const child = spawnChild(store, ['exit-while-migrating']);
        const runId = await child.ready;
        await holder.query('COMMIT');
        const result = await child.done;
        assert.equal(result.code, 0, result.stderr);
        const run = await store.client().getRun(runId);
        assert.equal(run.info.status, 'FINISHED');
        assert.equal(run.data.metrics.loss.last, 0.5);
      } finally {
        await holder.end();
      }
    });

    it('a process exiting before it could look up a new experiment still stores its runs in it', async (store) => {
      const result = await spawnChild(store, ['exit-at-once-new-experiment']).done;
      assert.equal(result.code, 0, result.stderr);
      const runId = /READY (\S+)/.exec(result.stdout)![1];
      const client = store.client();
      const run = await client.getRun(runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.metrics.loss.last, 0.25);
      assert.match((await client.getExperiment(run.info.experimentId)).name, /^fresh-\d+$/);
      const { runs } = await client.searchRuns({ experiments: ['children'] });
      assert.deepEqual(runs.map((r) => r.info.status), ['FINISHED']);
    });
  });
}
