/**
 * Which run a tracked tfjs fit logs into (explicit run, the notebook's
 * implicit run, child runs for later fits, its own run), and that tracklab
 * failures never break training.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { configure, getClient } from '../../src/config';
import { autologWarnings, disableTfjsAutolog, enableTfjsAutolog } from '../../src/autolog';
import { ActiveRun } from '../../src/tracking/active-run';
import { startRun } from '../../src/tracking/fluent';
import { denseModel, freshStore, regressionData, series, tf } from './tfjs-helpers';

before(() => {
  tf();
  enableTfjsAutolog({ logModels: false });
});
after(() => disableTfjsAutolog());

test('a fit inside an explicit run logs into it; a second fit becomes its child run', async () => {
  freshStore();
  const { x, y } = regressionData();
  const run = startRun({ name: 'sweep' });
  const first = await denseModel(0.05).fit(x, y, { epochs: 2 });
  const second = await denseModel(0.01).fit(x, y, { epochs: 3 });
  assert.equal(run.snapshot().status, 'RUNNING', 'the user\'s run is left for the user to end');
  await run.end();

  const { runs } = await getClient().searchRuns();
  assert.equal(runs.length, 2);
  const parent = runs.find((r) => r.info.runId === run.id);
  const child = runs.find((r) => r.info.runId !== run.id);
  assert.ok(parent && child);
  assert.equal(parent.data.params.learning_rate, '0.05');
  assert.equal(parent.data.params.epochs, '2');
  assert.deepEqual((await series(getClient(), run.id)).get('loss')?.values, first.history.loss);
  assert.equal(child.info.parentRunId, run.id);
  assert.equal(child.info.experimentId, parent.info.experimentId);
  assert.equal(child.info.status, 'FINISHED');
  assert.equal(child.data.params.learning_rate, '0.01');
  assert.deepEqual((await series(getClient(), child.info.runId)).get('loss')?.values, second.history.loss);
});

test('with no active run, fits log into the run the implicit-run hook lends (the notebook cell run)', async () => {
  freshStore();
  const { x, y } = regressionData();
  let cellRun: ActiveRun | undefined;
  // What the notebook bridge passes: the run log() would use for the running cell.
  enableTfjsAutolog({ logModels: false }, { implicitRun: () => (cellRun ??= new ActiveRun(getClient(), { name: 'cell-3' })) });
  try {
    await denseModel(0.1).fit(x, y, { epochs: 2 });
    // A user's own call with options only keeps the bridge's hook.
    enableTfjsAutolog({ logModels: false });
    await denseModel(0.2).fit(x, y, { epochs: 2 });
    await denseModel(0.3).fit(x, y, { epochs: 2 });
    assert.ok(cellRun);
    assert.equal(cellRun.snapshot().status, 'RUNNING');
    await cellRun.end();
    const { runs } = await getClient().searchRuns();
    assert.equal(runs.length, 3);
    const children = runs.filter((r) => r.info.parentRunId === cellRun?.id);
    assert.deepEqual(children.map((r) => r.data.params.learning_rate).sort(), ['0.2', '0.3']);
    assert.equal(runs.find((r) => r.info.runId === cellRun?.id)?.data.params.learning_rate, '0.1');
  } finally {
    enableTfjsAutolog({ logModels: false }, {});
  }
});

test('a first fit whose params clash with the host run\'s goes to a child run', async () => {
  freshStore();
  const { x, y } = regressionData();
  const run = startRun({ params: { epochs: 20 } });
  await denseModel().fit(x, y, { epochs: 2 });
  await run.end();
  const { runs } = await getClient().searchRuns();
  const child = runs.find((r) => r.info.parentRunId === run.id);
  assert.equal(child?.data.params.epochs, '2');
  assert.equal(runs.find((r) => r.info.runId === run.id)?.data.params.epochs, '20');
});

test('a fit that throws ends its own run FAILED and the error reaches the caller unchanged', async () => {
  freshStore();
  const t = tf();
  const wrongShape = t.zeros([8, 3]);
  await assert.rejects(denseModel().fit(wrongShape, t.zeros([8, 1]), { epochs: 1 }), (err: Error) => {
    assert.match(err.message, /each example has shape \[4\]/);
    return true;
  });
  const { runs } = await getClient().searchRuns();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].info.status, 'FAILED');
  assert.match(runs[0].info.statusMessage ?? '', /each example has shape \[4\]/);
});

test('a store that cannot be opened: one warning, and training runs untracked', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-')), 'not-a-folder');
  fs.writeFileSync(file, 'x');
  configure({ home: file });
  const { x, y } = regressionData();
  const history = await denseModel().fit(x, y, { epochs: 3 });
  assert.deepEqual(history.epoch, [0, 1, 2]);
  assert.ok(autologWarnings().has('tfjs-start'));
});

test('a store closed in the middle of a fit: training completes and returns its History', async () => {
  freshStore();
  enableTfjsAutolog();
  try {
    const { x, y } = regressionData();
    const before = new Set(autologWarnings());
    let epochs = 0;
    const history = await denseModel().fit(x, y, {
      epochs: 3,
      callbacks: { onEpochEnd: () => { if (++epochs === 1) (getClient().store as unknown as { close(): void }).close(); } },
    });
    assert.deepEqual(history.epoch, [0, 1, 2]);
    assert.equal(history.history.loss.length, 3);
    assert.equal(epochs, 3);
    const fresh = [...autologWarnings()].filter((k) => !before.has(k));
    assert.equal(fresh.length, 1, `one warning for the fit, got ${fresh.join(', ')}`);
    assert.match(fresh[0], /^tfjs-/);
  } finally {
    enableTfjsAutolog({ logModels: false });
  }
});
