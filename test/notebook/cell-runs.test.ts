/**
 * Runs and failing cells in an interactive notebook, on a real tslab kernel
 * driven cell by cell through jupyter_client (as the Notebook does): a run
 * started in a cell that fails ends FAILED with the error and takes no later
 * cell's points; runs left open end KILLED at a restart or shutdown; the
 * cell that loads tracklab is covered too.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Run } from '../../src/entities';
import { TrackingClient } from '../../src/tracking/client';
import { notebookWorkspace, runSession, type SessionCellResult, type SessionResult } from '../support/jupyter';

const TRAIN = 'for (let i = 0; i < 3; i++) tracklab.log({ loss: lr / (i + 1) }, i);';

/** The report's notebook: autolog on, a cell starts 'x' and throws, then the user changes lr and trains. */
const AUTOLOG_STEPS = [
  { code: "import * as tracklab from 'tracklab';\ntracklab.autolog({ liveCard: false });" },
  { code: 'const lr = 0.1;' },
  { code: "const run = tracklab.startRun({ name: 'x' });\ntracklab.log({ loss: 9 });\nthrow new Error('oops <b>');" },
  { code: 'const lr = 0.01;' },
  { code: TRAIN },
  { code: "const open = tracklab.startRun({ name: 'left-open' });\nopen.log({ a: 1 });" },
  { restart: true },
  // The first cell of the new kernel loads tracklab, starts a run and fails.
  { code: "import * as tracklab from 'tracklab';\ntracklab.autolog({ liveCard: false });\nconst first = tracklab.startRun({ name: 'in-loading-cell' });\nfirst.log({ b: 1 });\nthrow new RangeError('failed while loading');" },
  { code: "import * as tracklab from 'tracklab';\nconst last = tracklab.startRun({ name: 'open-at-shutdown' });" },
] as const;

/** Without autolog: nested runs of a failing cell, an interrupted cell, a run that ends itself. */
const PLAIN_STEPS = [
  { code: "import * as tracklab from 'tracklab';\nconst kept = tracklab.startRun({ name: 'kept' });\nkept.log({ a: 1 });" },
  { code: "const outer = tracklab.startRun({ name: 'outer', parent: true });\nconst inner = tracklab.startRun({ name: 'inner', parent: true });\ninner.log({ c: 1 });\nJSON.parse('{oops');" },
  { code: 'console.log(`active: ${tracklab.activeRun()?.name}`);' },
  // 'waiting' is printed from inside the await, so the one Interrupt lands there (not in the cell's synchronous start).
  { code: "const slow = tracklab.startRun({ name: 'slow' });\nawait new Promise((r) => { setTimeout(r, 600_000); setTimeout(() => console.log('waiting'), 0); });", interruptOn: 'waiting' },
  { code: "await tracklab.withRun({ name: 'own' }, async () => { throw new TypeError('own error'); });" },
  { code: 'console.log(`active: ${tracklab.activeRun()?.name}`);' },
] as const;

/**
 * Interrupt pressed while the kernel is idle, after the cell that loads tracklab: the kernel must live on
 * (it died of that SIGINT, and so did every kernel nbconvert shut down right after that cell: jupyter_client
 * interrupts before it asks a kernel to shut down).
 */
const IDLE_INTERRUPT_STEPS = [
  { code: "import * as tracklab from 'tracklab';\nconst loaded = tracklab.startRun({ name: 'loaded' });\nloaded.log({ a: 1 });\nconsole.log(`loaded in ${process.pid}`);" },
  { interrupt: true },
  { code: 'console.log(`still here in ${process.pid}: ${tracklab.activeRun()?.name}`);' },
] as const;

function cell(results: readonly SessionResult[], index: number): SessionCellResult {
  const result = results[index];
  assert.ok(result && 'status' in result, `step ${index} is a cell`);
  return result;
}

async function runsIn(home: string): Promise<Map<string, Run>> {
  const client = new TrackingClient({ home });
  try {
    const { runs } = await client.searchRuns({ orderBy: ['attributes.start_time ASC'], maxResults: 1000 });
    return new Map(runs.map((r) => [r.data.tags['mlflow.runName'] ?? r.info.runName, r]));
  } finally {
    await client.close();
  }
}

describe('runs of failing cells in an interactive notebook', () => {
  let dir: string;
  let autolog: SessionResult[];
  let plain: SessionResult[];
  let runs: Map<string, Run>;
  let plainRuns: Map<string, Run>;
  let interrupted: SessionResult[];
  let interruptedRuns: Map<string, Run>;

  before(async () => {
    dir = notebookWorkspace();
    const homes = { autolog: path.join(dir, 'store-autolog'), plain: path.join(dir, 'store-plain'), interrupted: path.join(dir, 'store-interrupted') };
    [autolog, plain, interrupted] = await Promise.all([
      runSession(dir, AUTOLOG_STEPS, { env: { TRACKLAB_HOME: homes.autolog } }),
      runSession(dir, PLAIN_STEPS, { env: { TRACKLAB_HOME: homes.plain } }),
      runSession(dir, IDLE_INTERRUPT_STEPS, { env: { TRACKLAB_HOME: homes.interrupted } }),
    ]);
    runs = await runsIn(homes.autolog);
    plainRuns = await runsIn(homes.plain);
    interruptedRuns = await runsIn(homes.interrupted);
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ran the cells as a person would: the failing ones failed, the next ones ran', () => {
    assert.deepEqual(autolog.map((r) => ('status' in r ? r.status : 'restart')), ['ok', 'ok', 'error', 'ok', 'ok', 'ok', 'restart', 'error', 'ok']);
    assert.match(cell(autolog, 2).stderr, /oops <b>/);
    assert.deepEqual(plain.map((r) => ('status' in r ? r.status : 'restart')), ['ok', 'error', 'ok', 'error', 'error', 'ok']);
  });

  it('ends a run started in a failing cell FAILED with the cell and its error', () => {
    const x = runs.get('x');
    assert.equal(x?.info.status, 'FAILED');
    assert.equal(x.info.statusMessage, "Cell [3] `const run = tracklab.startRun({ name: 'x' });` failed: Error: oops <b>");
    assert.ok(x.info.endTime !== null);
  });

  it('gives the next training cell its own run: x keeps only its own point, the new run has the new lr', () => {
    const x = runs.get('x')!;
    assert.equal(x.data.metrics['loss']?.count, 1, 'no point of the training cell went to x');
    assert.equal(x.data.metrics['loss']?.last, 9);
    const training = [...runs.values()].filter((r) => r.data.params['lr'] !== undefined);
    assert.equal(training.length, 1, [...runs.keys()].join(', '));
    assert.equal(training[0]!.data.params['lr'], '0.01');
    assert.equal(training[0]!.info.status, 'FINISHED');
    assert.equal(training[0]!.data.metrics['loss']?.count, 3);
  });

  it('ends runs left open KILLED when the kernel restarts or shuts down, never FINISHED', () => {
    assert.equal(runs.get('left-open')?.info.status, 'KILLED');
    assert.equal(runs.get('left-open')!.info.statusMessage, 'The notebook kernel was restarted while this run was open.');
    assert.equal(runs.get('left-open')!.data.metrics['a']?.count, 1, 'its point was kept');
    assert.equal(runs.get('open-at-shutdown')?.info.status, 'KILLED');
    assert.equal(runs.get('open-at-shutdown')!.info.statusMessage, 'The notebook kernel was shut down while this run was open.');
    assert.equal(plainRuns.get('kept')?.info.status, 'KILLED');
  });

  it('ends a run started in the cell that loads tracklab FAILED when that cell fails', () => {
    const first = runs.get('in-loading-cell');
    assert.equal(first?.info.status, 'FAILED');
    assert.equal(first.info.statusMessage, 'The cell that loaded tracklab failed: RangeError: failed while loading');
    assert.equal(first.data.metrics['b']?.count, 1);
  });

  it('without autolog too: nested runs of a failing cell end FAILED, inner first, and the run from before stays active', () => {
    const outer = plainRuns.get('outer');
    const inner = plainRuns.get('inner');
    assert.equal(outer?.info.status, 'FAILED');
    assert.equal(inner?.info.status, 'FAILED');
    assert.match(inner.info.statusMessage ?? '', /^Cell \[2\] `const outer = tracklab\.startRun\(\{ name: 'outer', parent: true \}\);` failed: SyntaxError: /);
    assert.ok(inner.info.endTime! <= outer.info.endTime!, 'the nested run ended first');
    assert.equal(inner.info.parentRunId, outer.info.runId);
    assert.equal(cell(plain, 2).stdout, 'active: kept\n', 'the run started by an earlier, successful cell is still the active one');
  });

  it('ends the run of an interrupted cell KILLED; withRun keeps its own ending', () => {
    const slow = plainRuns.get('slow');
    assert.equal(slow?.info.status, 'KILLED');
    // The interrupt lands in the await, or (on a loaded machine) still in the cell's synchronous start.
    assert.match(slow.info.statusMessage ?? '', /^Cell \[4\] `const slow = tracklab\.startRun\(\{ name: 'slow' \}\);` was interrupted: .*(Interrupted asynchronously|interrupted by `SIGINT`)/);
    const own = plainRuns.get('own');
    assert.equal(own?.info.status, 'FAILED');
    assert.equal(own.info.statusMessage, 'TypeError: own error');
    assert.equal(cell(plain, 5).stdout, 'active: kept\n');
  });

  it('Interrupt pressed while the kernel is idle after the cell that loads tracklab interrupts nothing; the kernel lives on', () => {
    const pid = /loaded in (\d+)/.exec(cell(interrupted, 0).stdout)?.[1];
    assert.ok(pid, cell(interrupted, 0).stdout);
    assert.deepEqual(interrupted[1], { interrupt: true, alive: true }, 'the kernel survived the interrupt');
    assert.equal(cell(interrupted, 2).stdout, `still here in ${pid}: loaded\n`, 'the same kernel answers, its run still active');
    const run = interruptedRuns.get('loaded');
    assert.equal(run?.info.status, 'KILLED');
    assert.equal(run.info.statusMessage, 'The notebook kernel was shut down while this run was open.');
    assert.equal(run.data.metrics['a']?.count, 1);
  });
});
