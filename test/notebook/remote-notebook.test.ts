/**
 * A notebook on the real tslab kernel logs to a tracklab server at
 * http://127.0.0.1:PORT (configure({ trackingUri })): the run, its params and
 * every point reach the server's store (SQLite in a temp folder), and the
 * notebook reads them back through the server.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { startTrackingServer } from '../../src/server/tracking-server';
import { openStore } from '../../src/store/open-store';
import { codeCells, makeNotebook, notebookWorkspace, runNotebook, streamText } from '../support/jupyter';

test('a notebook logs to http://127.0.0.1:PORT through the remote store and reads its run back', { timeout: 300_000 }, async () => {
  const dir = fs.realpathSync(notebookWorkspace());
  const backend = await openStore(path.join(dir, 'server-store'));
  const server = await startTrackingServer({ backend, port: 0, artifactRoot: path.join(dir, 'server-artifacts') });
  try {
    const notebook = makeNotebook([
      `import * as tracklab from 'tracklab';\ntracklab.configure({ trackingUri: '${server.url}' });`,
      "const run = tracklab.startRun({ experiment: 'remote-nb', params: { lr: 0.1 } });\nfor (let i = 0; i < 500; i++) run.log({ loss: 1 / (i + 1) }, i);\nawait run.end();",
      'const back = await tracklab.getClient().getRun(run.runId);\n'
        + "console.log(JSON.stringify({ runId: run.runId, status: back.info.status, count: back.data.metrics.loss?.count, lr: back.data.params.lr }));",
    ]);
    const executed = await runNotebook(dir, 'remote.ipynb', notebook, { env: { TRACKLAB_HOME: path.join(dir, 'client-home'), TRACKLAB_TRACKING_URI: '' } });
    assert.equal(executed.exitCode, 0, executed.log);
    const line = streamText(codeCells(executed.notebook)[2]!, 'stdout').trim().split('\n').pop()!;
    const seen = JSON.parse(line) as { runId: string; status: string; count: number; lr: string };
    assert.deepEqual({ status: seen.status, count: seen.count, lr: seen.lr }, { status: 'FINISHED', count: 500, lr: '0.1' });
    const run = await backend.tracking.getRun(seen.runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal((await backend.tracking.getExperiment(run.info.experimentId)).name, 'remote-nb');
    const steps = (await backend.tracking.readMetrics([seen.runId], ['loss'])).flatMap((b) => Array.from(b.steps));
    assert.deepEqual(steps, Array.from({ length: 500 }, (_, i) => i));
  } finally {
    await server.close();
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
