import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configure, getClient } from './config';
import { nearestName } from './option-names';
import { TrackingClient } from './tracking/client';
import * as tl from './tracking/fluent';
import { loose, refused } from '../test/support/refused';

let home: string;
beforeEach(async () => {
  while (tl.activeRun()) await tl.endRun();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  configure({ home, experiment: 'options' });
});

test('startRun refuses an unknown option, names it, suggests ours and lists the rest; no run is stored', async () => {
  assert.throws(() => tl.startRun(loose({ experimentId: 'mnist' })), refused(
    /^startRun\(\) has no option "experimentId": did you mean "experiment"\? Its options are experiment, name, params, tags, parent, sourceDir, startTime, home, systemMetrics, client\.$/,
  ));
  assert.equal(tl.activeRun(), undefined);
  assert.throws(() => tl.startRun(loose({ run_name: 'a' })), refused(/no option "run_name": did you mean "name"\?/));
  assert.throws(() => tl.startRun(loose({ zzz: 1 })), refused(/no option "zzz"\. Its options are /));
  assert.throws(() => tl.startRun(loose('mnist')), refused(/^startRun\(\) takes an object of options, got the string "mnist"\.$/));
  assert.equal((await getClient().searchRuns({ experiments: [] })).runs.length, 0);
  const run = tl.startRun({ experiment: 'mnist', name: 'ok' });
  await run.end();
  assert.equal((await getClient().getRun(run.id)).info.runName, 'ok');
});

test('the other option bags of the tracking API refuse unknown names the same way', async () => {
  const client = getClient();
  await assert.rejects(client.createRun(loose({ experimentName: 'x' })), refused(/^createRun\(\) has no option "experimentName": did you mean "experiment"\?/));
  await assert.rejects(client.searchRuns(loose({ experimentIds: ['1'] })), refused(/^searchRuns\(\) has no option "experimentIds": did you mean "experiments"\?/));
  await assert.rejects(client.countRuns(loose({ filter_string: '' })), refused(/^countRuns\(\) has no option "filter_string": did you mean "filter"\?/));
  await assert.rejects(client.searchExperiments(loose({ order_by: ['name'] })), refused(/^searchExperiments\(\) has no option "order_by": did you mean "orderBy"\?/));
  assert.throws(() => configure(loose({ tracking_uri: home })), refused(/^configure\(\) has no option "tracking_uri": did you mean "trackingUri"\?/));
  assert.throws(() => new TrackingClient(loose({ homeDir: home })), refused(/^new TrackingClient\(\) has no option "homeDir": did you mean "home"\?/));
  assert.equal((await client.searchRuns()).runs.length, 0);
});

test('nearestName: case, "_" and "-" aside; containment; else a small edit distance (a swap is one edit); else none', () => {
  const names = ['experiment', 'name', 'params', 'tags', 'parent', 'startTime'];
  assert.equal(nearestName('Experiment', names), 'experiment');
  assert.equal(nearestName('experimentId', names), 'experiment');
  assert.equal(nearestName('start_time', names), 'startTime');
  assert.equal(nearestName('parmas', names), 'params');
  assert.equal(nearestName('tag', names), 'tags');
  assert.equal(nearestName('tgas', names), 'tags', 'two letters swapped are one slip');
  assert.equal(nearestName('brave-otetr-042', ['brave-otter-042', 'calm-heron-007']), 'brave-otter-042');
  assert.equal(nearestName('zzz', names), undefined);
});
