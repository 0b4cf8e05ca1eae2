/**
 * What `await run.end()` on the remote store waits for (run-state.ts
 * queueEnd, sender.ts whenDown): the server's answer whenever the server
 * answers, including while it catches up on a backlog after an outage; the
 * answers of the run's point writes sent before it (a refused one rejects
 * the end, and is not left for a later flush()); and no wait left behind in
 * the sender once it has its answer. Real server, real stores.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTrackingServer } from '../../src/server/tracking-server';
import { openStore } from '../../src/store/open-store';
import type { HttpStore } from '../../src/store/http/http-store';
import { TrackingClient } from '../../src/tracking/client';
import { startRun } from '../../src/tracking/fluent';
import { testStores } from '../support/test-stores';
import { withTempHome } from '../support/temp-home';
import { until } from '../support/until';
import { startServerFixture } from './server-fixture';

const block = (runId: string, from: number, n = 100) => ({
  runId, key: 'loss',
  steps: Float64Array.from({ length: n }, (_, i) => from + i),
  timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + from + i),
  values: Float64Array.from({ length: n }, (_, i) => Math.sin(from + i)),
});

for (const kind of testStores()) {
  test(`${kind.name}: run.end() while the server catches up on an outage's backlog waits for the server's answer`, { skip: kind.skip, timeout: 120_000 }, () => withTempHome('tracklab-catch-up-', async () => {
    const store = kind.create();
    const backend = await openStore(store.uri);
    let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    const port = Number(new URL(server.url).port);
    const client = new TrackingClient({ trackingUri: server.url });
    const sender = (client.store as HttpStore).sender;
    try {
      const run = startRun({ client, experiment: 'catch-up' });
      run.log({ loss: 1 }, 0);
      await run.flush();
      await server.close();
      const backlog = Array.from({ length: 1500 }, (_, i) => client.store.appendMetrics([block(run.runId, 1 + i * 100)]));
      await until('the sender to find the outage', () => sender.isDown(), 30_000, 1);
      server = await startTrackingServer({ backend, port, artifactRoot: store.artifactRoot });
      await until('the first answer after the outage', () => sender.pending() < backlog.length, 30_000, 1);
      assert.ok(sender.isDown() && sender.pending() > 0, 'the backlog is still being sent');
      await run.end();
      assert.equal((await backend.tracking.getRun(run.runId)).info.status, 'FINISHED', 'end() returned before the server had the end');
      await Promise.all(backlog);
      assert.equal((await backend.tracking.getRun(run.runId)).data.metrics.loss?.count, 1 + 1500 * 100);
    } finally {
      await client.close();
      await server.close();
      await backend.close();
      await store.cleanup();
    }
  }));

  test(`${kind.name}: run.end() rejects with a point write of the run refused while it was in flight, and flush() does not throw it again`, { skip: kind.skip, timeout: 60_000 }, () => withTempHome('tracklab-end-refused-', async () => {
    const f = await startServerFixture(kind);
    const client = new TrackingClient({ trackingUri: f.url });
    try {
      const run = startRun({ client, experiment: 'end-refused' });
      await run.flush();
      run.log({ loss: 1 }, 0);
      // One upload with a point of a run the server lacks: refused whole, for both runs.
      client.logMetric('ghost-run', 'loss', 1, 0);
      client.core.runs.buffer.flush();
      await assert.rejects(run.end(), (err: { code?: string; message: string }) => err.code === 'RESOURCE_DOES_NOT_EXIST' && /ghost-run/.test(err.message));
      await run.flush();
      await assert.rejects(client.flush(), /ghost-run/, 'the explicit-id write\'s own failure stays for flush()');
      assert.equal((await f.backend.tracking.getRun(run.runId)).info.status, 'FINISHED');
    } finally {
      await client.close();
      await f.close();
    }
  }));

  test(`${kind.name}: ended runs leave no wait for an outage behind in the sender`, { skip: kind.skip, timeout: 60_000 }, () => withTempHome('tracklab-down-waits-', async () => {
    const f = await startServerFixture(kind);
    const client = new TrackingClient({ trackingUri: f.url });
    const sender = (client.store as HttpStore).sender;
    try {
      for (let i = 0; i < 200; i++) {
        const run = startRun({ client, experiment: 'short-runs' });
        run.log({ loss: i }, 0);
        await run.end();
      }
      assert.equal(sender.downWaits(), 0);
    } finally {
      await client.close();
      await f.close();
    }
  }));
}
