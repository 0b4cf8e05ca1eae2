/**
 * An autolog run covers its whole cell: a cell that waits before its first
 * log() gets a run that starts when the cell started, so the run's duration
 * matches the cell's (real tslab kernel under real nbconvert).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CellRecord, Run } from '../../src/entities';
import { getClient } from '../../src/config';
import { makeNotebook, notebookWorkspace, runNotebook } from '../support/jupyter';

const WAIT_MS = 1500;

const CELLS = [
  "import * as tracklab from 'tracklab';\ntracklab.autolog();",
  'const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));',
  `await sleep(${WAIT_MS});\nfor (let e = 0; e < 3; e++) { tracklab.log({ loss: 1 / (e + 1) }, e); await sleep(200); }`,
];

describe('autolog run start time', () => {
  let dir: string;
  let run: Run;
  let cell: CellRecord;
  let firstPointAt: number;

  before(async () => {
    dir = notebookWorkspace();
    const home = path.join(dir, 'store');
    await runNotebook(dir, 'timing.ipynb', makeNotebook(CELLS), { env: { TRACKLAB_HOME: home } });
    const client = getClient(home);
    try {
      const runs = (await client.searchRuns()).runs;
      assert.equal(runs.length, 1, runs.map((r) => r.info.runName).join(', '));
      run = runs[0];
      const cells = await client.listCells(run.info.runId);
      assert.equal(cells.length, 1);
      cell = cells[0];
      const history = await client.metricHistory(run.info.runId, ['loss']);
      firstPointAt = Math.min(...[...history.getChild('timestamp')!].map(Number));
    } finally {
      await client.close();
    }
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts the run when its cell started, not at the first log()', () => {
    assert.equal(run.info.startTime, cell.startTime);
    assert.ok(firstPointAt - run.info.startTime >= WAIT_MS - 50, `first point ${firstPointAt - run.info.startTime} ms after the run start`);
  });

  it('gives the run about the cell\'s duration', () => {
    const runMs = (run.info.endTime ?? 0) - run.info.startTime;
    const cellMs = (cell.endTime ?? 0) - cell.startTime;
    console.log(`run ${runMs} ms, cell ${cellMs} ms`);
    assert.ok(runMs >= WAIT_MS + 400, `run lasted ${runMs} ms`);
    assert.ok(Math.abs(runMs - cellMs) < 500, `run ${runMs} ms vs cell ${cellMs} ms`);
  });
});
