import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TrackingClient } from '../../tracking/client';
import { captureIo } from '../../../test/support/cli-io';
import { main } from '../main';

test('run show names the experiment, the parent run and the child runs', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  const client = new TrackingClient({ home });
  const sweep = await client.createRun({ experiment: 'tuning', name: 'the-sweep' });
  // Children are listed by start time; two runs created in the same millisecond would tie.
  const started = Date.now();
  const first = await client.createRun({ experiment: 'tuning', name: 'point-1', parent: sweep.runId, startTime: started });
  const second = await client.createRun({ experiment: 'tuning', name: 'point-2', parent: sweep.runId, startTime: started + 1 });
  await client.setTerminated(second.runId, 'FAILED');
  await client.close();

  const parent = captureIo();
  assert.equal(await main(['--home', home, 'run', 'show', sweep.runId], parent), 0);
  assert.match(parent.stdout, new RegExp(`\\n  experiment  tuning \\(id ${sweep.experimentId}\\)\\n`));
  assert.match(parent.stdout, /\n  children    2 run\(s\), listed below\n/);
  assert.match(parent.stdout, new RegExp(`\\nchild runs\\nrun_id +name +status\\n[- ]+\\n${first.runId} +point-1 +RUNNING\\n${second.runId} +point-2 +FAILED\\n`));

  const child = captureIo();
  assert.equal(await main(['--home', home, 'run', 'show', first.runId], child), 0);
  assert.match(child.stdout, new RegExp(`\\n  parent      the-sweep \\(${sweep.runId}\\)\\n`));
  assert.doesNotMatch(child.stdout, /child runs/);

  const json = captureIo();
  await main(['--home', home, 'run', 'show', sweep.runId, '--json'], json);
  const shown = JSON.parse(json.stdout);
  assert.equal(shown.experimentName, 'tuning');
  assert.equal(shown.parent, null);
  assert.deepEqual(shown.children.map((c: { runName: string; status: string }) => [c.runName, c.status]), [['point-1', 'RUNNING'], ['point-2', 'FAILED']]);
});

test('metrics with a key the run lacks is an error that lists the keys it has', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  const client = new TrackingClient({ home });
  const run = await client.createRun({ name: 'r' });
  client.logMetrics(run.runId, { loss: 0.5, acc: 0.9 }, 0);
  await client.setTerminated(run.runId);
  await client.close();
  for (const format of ['csv', 'arrow']) {
    const io = captureIo();
    const extra = format === 'arrow' ? ['--format', 'arrow', '--output', path.join(home, 'x.arrow')] : [];
    assert.equal(await main(['--home', home, 'metrics', run.runId, 'nokey', ...extra], io), 1);
    assert.equal(io.stderr, `error [RESOURCE_DOES_NOT_EXIST]: Run ${run.runId} has no metric "nokey". Its metrics: "acc", "loss".\n`);
    assert.equal(io.stdout, '');
  }
  assert.equal(fs.existsSync(path.join(home, 'x.arrow')), false);
});

test('run show and metrics take a run\'s name as well as its id; a name of none is a typed error', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  const client = new TrackingClient({ home });
  const run = await client.createRun({ experiment: 'names', name: 'brave-otter-042' });
  client.logMetrics(run.runId, { loss: 0.5 }, 0);
  await client.setTerminated(run.runId);
  await client.close();

  const byName = captureIo();
  assert.equal(await main(['--home', home, 'run', 'show', 'brave-otter-042'], byName), 0, byName.stderr);
  const byId = captureIo();
  await main(['--home', home, 'run', 'show', run.runId], byId);
  assert.equal(byName.stdout, byId.stdout);
  assert.match(byName.stdout, new RegExp(`^brave-otter-042  \\(${run.runId}\\)`));

  const history = captureIo();
  assert.equal(await main(['--home', home, 'metrics', 'brave-otter-042', 'loss', '--format', 'json'], history), 0, history.stderr);
  assert.match(history.stdout, /"value": 0\.5/);

  const typo = captureIo();
  assert.equal(await main(['--home', home, 'metrics', 'brave-otter-024'], typo), 1);
  assert.equal(typo.stderr.trim(), 'error [RESOURCE_DOES_NOT_EXIST]: No run with id or name "brave-otter-024": did you mean "brave-otter-042"? `tracklab runs` lists the runs with their names.');
});

test('run show says a run is deleted and how to restore it, by id or by name', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  const client = new TrackingClient({ home });
  const run = await client.createRun({ experiment: 'names', name: 'old-try' });
  await client.setTerminated(run.runId);
  const before = captureIo();
  assert.equal(await main(['--home', home, 'run', 'show', 'old-try'], before), 0, before.stderr);
  assert.doesNotMatch(before.stdout, /deleted/);
  await client.deleteRun(run.runId);
  await client.close();

  for (const ref of [run.runId, 'old-try']) {
    const io = captureIo();
    assert.equal(await main(['--home', home, 'run', 'show', ref], io), 0, io.stderr);
    assert.match(io.stdout, new RegExp(`^  deleted     searches leave it out; restore with: tracklab runs restore ${run.runId}$`, 'm'));
  }
});
