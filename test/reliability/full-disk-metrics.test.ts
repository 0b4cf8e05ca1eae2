/**
 * Metric points on a full disk, for real: a small tmpfs mounted for each
 * test (root only, as CI runs; tmpfs.ts). The SQLite store says the disk is
 * full and keeps history and summaries in step; a tracking server whose
 * disk fills answers 500, and its clients keep their points in the outbox,
 * say so, and deliver every point exactly once when space is freed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTracklabError } from '../../src/errors';
import { startTrackingServer } from '../../src/server/tracking-server';
import { deliverOutboxes } from '../../src/store/http/outbox-sync';
import { openStore } from '../../src/store/open-store';
import { parseStoreUri } from '../../src/store/store-uri';
import { TrackingClient } from '../../src/tracking/client';
import { withTempHome } from '../support/temp-home';
import { mountTmpfs, NEEDS_ROOT } from './tmpfs';

const MiB = 1024 * 1024;

test('the SQLite store on a full disk says so, and what it kept is whole: history and summary agree', { skip: NEEDS_ROOT, timeout: 120_000 }, async () => {
  const tiny = mountTmpfs(3 * MiB);
  const client = new TrackingClient({ trackingUri: path.join(tiny.dir, 'store') });
  try {
    const run = await client.createRun({ name: 'full' });
    let refused: unknown;
    for (let i = 0; i < 2_000_000 && refused === undefined; i++) {
      client.logMetric(run.runId, 'loss', i, i);
      if (i % 100_000 === 99_999) await client.flush().catch((err: unknown) => { refused = err; });
    }
    assert.ok(isTracklabError(refused), `a typed error, not ${String(refused)}`);
    assert.match((refused as Error).message, /the disk holding .*tracklab\.db is full/);
    assert.doesNotMatch((refused as Error).message, /\n\s+at /, 'no stack');
    const history = await client.metricHistory(run.runId);
    const summary = (await client.getRun(run.runId)).data.metrics.loss;
    assert.ok(history.numRows > 0, 'what fitted was kept');
    assert.equal(summary?.count, history.numRows, 'the summary counts exactly the stored points');
    assert.equal(summary?.lastStep, history.numRows - 1, 'and they are the first ones, in order');
  } finally {
    await client.close().catch(() => undefined);
    tiny.unmount();
  }
});

test('a tracking server whose disk fills answers 500; its client keeps logging, flush() and close() do not wait it out, and every point lands once when space is freed', { skip: NEEDS_ROOT, timeout: 120_000 }, () => withTempHome('tracklab-full-disk-home-', async () => {
  const tiny = mountTmpfs(4 * MiB);
  const backend = await openStore(path.join(tiny.dir, 'store'));
  const server = await startTrackingServer({ backend, port: 0, artifactRoot: path.join(tiny.dir, 'store', 'artifacts') });
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (line: string) => { warnings.push(String(line)); };
  const client = new TrackingClient({ trackingUri: server.url });
  const POINTS = 400_000;
  const stored = async () => (await backend.tracking.readMetrics([runId])).flatMap((b) => [...b.steps]);
  let runId = '';
  try {
    runId = (await client.createRun({ name: 'full' })).runId;
    const filler = tiny.fill(1.5 * MiB); // room for about a third of the points
    let longest = 0;
    for (let i = 0; i < POINTS; i++) {
      const t = performance.now();
      client.logMetric(runId, 'loss', i, i);
      longest = Math.max(longest, performance.now() - t);
      if (i % 50_000 === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(longest < 1000, `logMetric never waited on the server: the longest call took ${longest.toFixed(1)} ms`);
    const flushing = performance.now();
    await client.flush();
    assert.ok(performance.now() - flushing < 10_000, 'flush() resolves once the points are in the outbox, not when the server takes them');
    assert.ok(warnings.some((w) => /is unreachable \(HTTP 500/.test(w)), `the outage was announced: ${warnings.join(' | ')}`);
    assert.ok((await stored()).length < POINTS, 'the server could not take them all');
    const closing = performance.now();
    await client.close();
    assert.ok(performance.now() - closing < 10_000, 'close() leaves the queued writes in the outbox for tracklab sync');
    fs.rmSync(filler);
    // What `tracklab sync` runs: the outbox left by the closed client goes now that there is room.
    const report = await deliverOutboxes(parseStoreUri(server.url), (line) => warnings.push(line));
    assert.ok(report.sent > 0, `sync sent the queued writes: ${JSON.stringify(report)}`);
    const steps = await stored();
    assert.equal(steps.length, POINTS, 'every point arrived');
    assert.equal(new Set(steps).size, POINTS, 'exactly once');
    assert.equal((await backend.tracking.getRun(runId)).data.metrics.loss?.count, POINTS);
  } finally {
    console.warn = warn;
    await client.close().catch(() => undefined);
    await server.close();
    await backend.close();
    tiny.unmount();
  }
}));
