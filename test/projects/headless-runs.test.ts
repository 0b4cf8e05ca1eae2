/**
 * Runs a notebook opens and leaves open, after a headless execution (`tracklab
 * run`) on the real tslab kernel: they end as the execution did, FAILED naming
 * the cell that stopped it or KILLED when interrupted, with their points kept;
 * FINISHED when the notebook ran to its end. The same notebook under plain
 * nbconvert (no headless flag) is an interactive kernel: a run left open ends
 * KILLED when the kernel shuts down.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Run } from '../../src/entities';
import { getClient } from '../../src/config';
import type { Engine } from '../../src/projects/execute-notebook';
import { runProject } from '../../src/projects/run-project';
import { TrackingClient } from '../../src/tracking/client';
import { codeCells, executeNotebook, makeNotebook, streamText } from '../support/jupyter';
import { projectWithNotebook, tempDir } from './runner-fixtures';

const START = "import * as tracklab from 'tracklab';\nconst run = tracklab.startRun({ name: 'inner' });\nrun.log({ loss: 0.5 }, 0);";
const THROW = "throw new RangeError('diverged at step 1');";

/** A project folder holding `name` made of these code cells. */
function notebookOf(cells: readonly string[], name = 'nb.ipynb'): { dir: string; notebook: string } {
  const { dir } = projectWithNotebook({ [name]: JSON.stringify(makeNotebook(cells)) });
  return { dir, notebook: path.join(dir, name) };
}

const quiet = { write: () => undefined };

async function childrenOf(client: TrackingClient, parent: string): Promise<readonly Run[]> {
  const { runs } = await client.searchRuns({ filter: `attributes.parent_run_id = '${parent}'`, orderBy: ['attributes.start_time ASC'] });
  return runs;
}

for (const engine of ['native', 'nbclient'] as const satisfies readonly Engine[]) {
  test(`${engine}: a failing cell ends the run the notebook left open FAILED, naming the cell, with its point kept`, async () => {
    const { notebook } = notebookOf([START, THROW, 'await run.end();']);
    const client = new TrackingClient({ home: tempDir() });
    try {
      const result = await runProject({ target: notebook, client, engine, progress: quiet });
      assert.equal(result.status, 'FAILED');
      const project = await client.getRun(result.runId);
      assert.equal(project.info.status, 'FAILED');
      // nbclient reports no execution count, and tslab gives it no error name to print.
      const expected = engine === 'native' ? /^Cell 1 \[2\] `throw new RangeError\('diverged at step 1'\);` failed: RangeError: diverged at step 1$/ : /^Cell 1 `throw new RangeError\('diverged at step 1'\);` failed: Error: tslab reported an error; nbconvert saves no partial notebook/;
      assert.match(project.info.statusMessage ?? '', expected);

      const [inner, ...more] = await childrenOf(client, result.runId);
      assert.equal(more.length, 0);
      assert.equal(inner?.info.runName, 'inner');
      assert.equal(inner.info.status, 'FAILED');
      assert.equal(inner.info.statusMessage, "Cell [2] `throw new RangeError('diverged at step 1');` failed: RangeError: diverged at step 1");
      assert.ok(inner.info.endTime !== null && inner.info.endTime <= project.info.endTime!);
      assert.equal(inner.data.metrics['loss']?.count, 1, 'the buffered point was flushed');
      assert.equal(inner.data.metrics['loss']?.last, 0.5);
    } finally {
      await client.close();
    }
  });
}

test('a notebook that runs to its end leaves its open run FINISHED, as before', async () => {
  const { notebook } = notebookOf([START, 'run.log({ loss: 0.25 }, 1);']);
  const client = new TrackingClient({ home: tempDir() });
  try {
    const result = await runProject({ target: notebook, client, progress: quiet });
    assert.equal(result.status, 'FINISHED', result.points[0]?.message ?? '');
    const [inner] = await childrenOf(client, result.runId);
    assert.equal(inner?.info.status, 'FINISHED');
    assert.equal(inner.info.statusMessage, null);
    assert.equal(inner.data.metrics['loss']?.count, 2);
  } finally {
    await client.close();
  }
});

test('with autolog, a failing cell\'s own run keeps autolog\'s message; a run opened through the client ends FAILED too', async () => {
  const { notebook } = notebookOf([
    "import * as tracklab from 'tracklab';\ntracklab.autolog({ liveCard: false });",
    "const client = new tracklab.TrackingClient();\nconst outer = await client.createRun({ name: 'outer' });",
    "tracklab.log({ loss: 1 });\nthrow new Error('diverged');",
  ]);
  const client = new TrackingClient({ home: tempDir() });
  try {
    const result = await runProject({ target: notebook, client, progress: quiet });
    assert.equal(result.status, 'FAILED');
    const runs = await childrenOf(client, result.runId);
    assert.deepEqual(runs.map((r) => [r.info.runName === 'outer', r.info.status, r.info.statusMessage]), [
      [true, 'FAILED', "Cell [3] `tracklab.log({ loss: 1 });` failed: Error: diverged"],
      [false, 'FAILED', 'Error: diverged'],
    ]);
    assert.equal(runs[1]!.data.metrics['loss']?.count, 1);
  } finally {
    await client.close();
  }
});

test('an interrupt (Ctrl-C of tracklab run) ends the project run and the run left open KILLED', async () => {
  const { dir, notebook } = notebookOf([
    `${START}\nimport * as fs from 'fs';`,
    "fs.writeFileSync('started', '');\nawait new Promise((resolve) => setTimeout(resolve, 60000));",
  ]);
  const client = new TrackingClient({ home: tempDir() });
  const controller = new AbortController();
  const marker = path.join(dir, 'started');
  const watch = setInterval(() => { if (fs.existsSync(marker)) controller.abort('SIGINT'); }, 50);
  try {
    const result = await runProject({ target: notebook, client, signal: controller.signal, progress: quiet });
    assert.equal(result.status, 'KILLED');
    assert.match((await client.getRun(result.runId)).info.statusMessage ?? '', /^Interrupted/);
    const [inner] = await childrenOf(client, result.runId);
    assert.equal(inner?.info.status, 'KILLED');
    assert.equal(inner.info.statusMessage, "Cell [2] `fs.writeFileSync('started', '');` was interrupted; the notebook stopped there.");
    assert.equal(inner.data.metrics['loss']?.count, 1);
  } finally {
    clearInterval(watch);
    await client.close();
  }
});

test('outside tracklab run (plain nbconvert, as an interactive kernel) a failing cell ends only its own runs: shutdown ends the run left open KILLED', async () => {
  const { dir, notebook } = notebookOf([START, THROW]);
  const home = path.join(dir, 'store');
  // --allow-errors only so nbconvert saves the notebook; the failing cell is the last one either way.
  const executed = await executeNotebook(notebook, { cwd: dir, env: { TRACKLAB_HOME: home }, allowErrors: true });
  assert.match(streamText(codeCells(executed.notebook)[1]!, 'stderr'), /RangeError: diverged at step 1/, 'the cell failed');
  const client = getClient(home);
  try {
    const { runs } = await client.searchRuns();
    assert.deepEqual(runs.map((r) => [r.info.runName, r.info.status, r.info.statusMessage]), [['inner', 'KILLED', 'The notebook kernel was shut down while this run was open.']]);
    assert.equal(runs[0]!.data.metrics['loss']?.count, 1);
  } finally {
    await client.close();
  }
});

for (const engine of ['native', 'nbclient'] as const satisfies readonly Engine[]) {
  test(`${engine}: a run started in the cell that loads tracklab ends FAILED when that cell fails, not FINISHED`, async () => {
    const { notebook } = notebookOf([`${START}\n${THROW}`, "console.log('never runs');"]);
    const client = new TrackingClient({ home: tempDir() });
    try {
      const result = await runProject({ target: notebook, client, engine, progress: quiet });
      assert.equal(result.status, 'FAILED');
      const [inner, ...more] = await childrenOf(client, result.runId);
      assert.equal(more.length, 0);
      assert.equal(inner?.info.status, 'FAILED');
      assert.equal(inner.info.statusMessage, 'The cell that loaded tracklab failed: RangeError: diverged at step 1');
      assert.equal(inner.data.metrics['loss']?.count, 1);
    } finally {
      await client.close();
    }
  });
}
