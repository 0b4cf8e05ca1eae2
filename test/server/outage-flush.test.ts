/**
 * flush() and close() against a tracking server that is down: they wait
 * only until the points are in the outbox, a failure known before is still
 * rethrown, and a plain script's `await client.close()` returns (its event
 * loop does not run dry first). The outage notice quotes a failing server's
 * message on one clean line. An artifact logged during an outage lets the
 * script go on; a server that keeps no artifacts refuses them at once. Real
 * servers and stores, real child processes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { test } from 'node:test';
import { startTrackingServer } from '../../src/server/tracking-server';
import { openStore } from '../../src/store/open-store';
import type { HttpStore } from '../../src/store/http/http-store';
import { deliverOutboxes } from '../../src/store/http/outbox-sync';
import { parseStoreUri } from '../../src/store/store-uri';
import { TrackingClient } from '../../src/tracking/client';
import { startRun } from '../../src/tracking/fluent';
import { testStores } from '../support/test-stores';
import { withTempHome } from '../support/temp-home';
import { until } from '../support/until';
import { startServerFixture } from './server-fixture';

const ENTRY = path.join(__dirname, '..', '..', 'src', 'index.js');

for (const kind of testStores()) {
  test(`${kind.name}: during an outage flush() and run.flush() return once the points are queued, a failure known before is still thrown, and the points land once the server is back`, { skip: kind.skip, timeout: 120_000 }, () => withTempHome('tracklab-outage-flush-', async () => {
    const store = kind.create();
    const backend = await openStore(store.uri);
    let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    const port = Number(new URL(server.url).port);
    const warn = console.warn;
    console.warn = () => undefined;
    const client = new TrackingClient({ trackingUri: server.url });
    const sender = (client.store as HttpStore).sender;
    try {
      const run = startRun({ client, experiment: 'outage-flush' });
      run.log({ loss: 0 }, 0);
      await run.flush();
      client.logMetric('ghost-run', 'loss', 1, 0);
      await assert.rejects(client.flush(), /ghost-run/, 'with the server up, the refusal comes back');
      client.logMetric('ghost-run', 'loss', 1, 1);
      client.core.runs.buffer.flush();
      await until('the refusal', () => sender.pending() === 0);
      await server.close();
      for (let step = 1; step <= 1000; step++) run.log({ loss: step }, step);
      let t = performance.now();
      await run.flush();
      assert.ok(performance.now() - t < 2_000, `run.flush() during the outage returned in ${(performance.now() - t).toFixed(0)} ms`);
      await assert.rejects(client.flush(), /ghost-run/, 'a failure known before the outage is thrown, once');
      assert.ok(sender.isDown(), 'the sender found the outage');
      for (let step = 1001; step <= 2000; step++) run.log({ loss: step }, step);
      t = performance.now();
      await client.flush();
      assert.ok(performance.now() - t < 2_000, `flush() during the outage returned in ${(performance.now() - t).toFixed(0)} ms`);
      server = await startTrackingServer({ backend, port, artifactRoot: store.artifactRoot });
      await run.end(); // queued: the sender has not tried the server again yet
      await until('the backlog to be sent', () => sender.pending() === 0);
      const stored = await backend.tracking.getRun(run.runId);
      assert.equal(stored.data.metrics.loss?.count, 2001, 'every point, once');
      assert.equal(stored.info.status, 'FINISHED');
    } finally {
      console.warn = warn;
      await client.close();
      await server.close();
      await backend.close();
      await store.cleanup();
    }
  }));
}

for (const kind of testStores()) {
  test(`${kind.name}: a script whose server is down gets past await client.close(), leaving its points to tracklab sync`, { skip: kind.skip, timeout: 120_000 }, () => withTempHome('tracklab-outage-close-', async (home) => {
    const f = await startServerFixture(kind);
    const url = f.url;
    await f.close(); // down from the start: the script's writes all go to the outbox
    const script = `
      const { TrackingClient } = require(${JSON.stringify(ENTRY)});
      (async () => {
        const client = new TrackingClient({ trackingUri: ${JSON.stringify(url)} });
        const runId = 'outage-close-run';
        for (let i = 0; i < 500; i++) client.logMetric(runId, 'loss', i, i);
        await client.flush();
        await client.close();
        console.log('after close');
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TRACKLAB_HOME: home }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /after close/, `the code after close() ran; stderr: ${r.stderr}`);
    assert.match(r.stderr, /is unreachable/);
  }));
}

test('the outage notice quotes a failing server\'s message on one line, without control characters', { timeout: 60_000 }, () => withTempHome('tracklab-outage-message-', async () => {
  const body = JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'upstream failed\u001b[2J\u0007 badly\n    at Object.<anonymous> (/srv/app/secret.js:10:5)' });
  const failing = http.createServer((req, res) => {
    req.resume();
    res.writeHead(502, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (line: string) => { warnings.push(String(line)); };
  const client = new TrackingClient({ trackingUri: `http://127.0.0.1:${(failing.address() as { port: number }).port}` });
  try {
    client.logMetric('some-run', 'loss', 1, 0);
    await client.flush();
    const notice = warnings.find((w) => /is unreachable/.test(w));
    assert.ok(notice !== undefined, warnings.join(' | '));
    assert.match(notice, /is unreachable \(HTTP 502: upstream failed\[2J badly\)/);
    assert.doesNotMatch(notice, /secret\.js|\u001b|\u0007/);
  } finally {
    console.warn = warn;
    await client.close();
    failing.closeAllConnections();
    await new Promise((r) => failing.close(r));
  }
}));

for (const kind of testStores()) {
  test(`${kind.name}: a script's await run.logArtifact() during an outage goes on (the manifest waits in the outbox, the content in the cache), and sync delivers the artifact`, { skip: kind.skip, timeout: 120_000 }, () => withTempHome('tracklab-outage-artifact-', async (home) => {
    const store = kind.create();
    const backend = await openStore(store.uri);
    let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    const url = server.url;
    const port = Number(new URL(url).port);
    try {
      await server.close();
      const script = `
        const t = require(${JSON.stringify(ENTRY)});
        (async () => {
          const run = t.startRun({ experiment: 'outage-artifact' });
          run.log({ loss: 1 }, 0);
          await run.logArtifact({ json: { lr: 0.1 } }, 'config.json');
          console.log('after logArtifact ' + run.runId);
          await run.end();
          console.log('after end');
        })();`;
      const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TRACKLAB_HOME: home, TRACKLAB_TRACKING_URI: url }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /after logArtifact [\w-]+\nafter end/, `the code after the awaits ran; stderr: ${r.stderr}`);
      const runId = /after logArtifact ([\w-]+)/.exec(r.stdout)![1]!;
      server = await startTrackingServer({ backend, port, artifactRoot: store.artifactRoot });
      const report = await deliverOutboxes(parseStoreUri(url), () => undefined);
      assert.ok(report.sent > 0, JSON.stringify(report));
      assert.ok((await backend.tracking.listArtifacts(runId)).some((e) => e.path === 'config.json'), 'the artifact arrived');
      assert.equal((await backend.tracking.getRun(runId)).info.status, 'FINISHED');
    } finally {
      await server.close();
      await backend.close();
      await store.cleanup();
    }
  }));

  test(`${kind.name}: against a server without an artifact folder, logArtifact is refused with how to start it, not retried as an outage`, { skip: kind.skip, timeout: 60_000 }, () => withTempHome('tracklab-no-artifacts-', async () => {
    const store = kind.create();
    const backend = await openStore(store.uri);
    const server = await startTrackingServer({ backend, port: 0 });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => { warnings.push(String(line)); };
    const client = new TrackingClient({ trackingUri: server.url });
    try {
      const run = startRun({ client, experiment: 'no-artifacts' });
      await assert.rejects(run.logArtifact({ json: { a: 1 } }, 'a.json'), /serves no artifacts: start it with --artifacts-destination PATH/);
      assert.deepEqual(warnings.filter((w) => /is unreachable/.test(w)), [], 'not taken for an outage');
      await run.end().catch(() => undefined);
    } finally {
      console.warn = warn;
      await client.close();
      await server.close();
      await backend.close();
      await store.cleanup();
    }
  }));
}
