import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configure, getClient } from '../config';
import { TrackingClient } from '../tracking/client';
import { startRun } from '../tracking/fluent';
import { resetSettings } from '../tracking/settings';
import { isTracklabError } from '../errors';
import { Mime } from '../views/bundle';
import { comparison } from './compare';
import { runsTableView, runView } from './show-run';

async function seeded() {
  const client = new TrackingClient({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-show-')) });
  const ids: string[] = [];
  for (const [i, lr] of [0.3, 0.1, 0.03].entries()) {
    const info = await client.createRun({ experiment: 'show', name: i === 2 ? '<img src=x onerror=alert(1)>' : `run-${i}`, params: { lr, seed: 1 } });
    for (let s = 0; s < 50; s++) client.logMetrics(info.runId, { val_loss: 1 / (1 + s * lr), acc: 1 - 1 / (1 + s * lr) }, s);
    await client.setTerminated(info.runId);
    ids.push(info.runId);
  }
  return { client, ids };
}

test('comparison builds a table and three chart bundles from the store', async () => {
  const { client, ids } = await seeded();
  const bundles = await comparison({ client, experiment: 'show' });
  assert.equal(bundles.length, 4);
  const [table, ...charts] = bundles;
  assert.ok(typeof table.data[Mime.html] === 'string');
  assert.match(table.data[Mime.html] as string, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.doesNotMatch(table.data[Mime.html] as string, /<img src=x/);
  // The default metric is the loss-like one, so the best run is the fastest to fall: lr 0.3.
  assert.match(table.data[Mime.plain] as string, /\* run-0/);
  assert.doesNotMatch(table.data[Mime.plain] as string, /seed/, 'params that do not differ are left out');
  for (const chart of charts) {
    assert.equal(typeof chart.data[Mime.vegaLite], 'object');
    assert.equal(chart.data[Mime.html], undefined, 'a chart bundle never carries text/html');
    assert.match(chart.data[Mime.svg] as string, /<svg/);
  }
  assert.match(JSON.stringify(charts[0].data[Mime.vegaLite]), /val_loss/);
  const picked = await comparison({ client, runs: ids.slice(0, 2), metric: 'acc' });
  assert.match(picked[0].data[Mime.plain] as string, /\* run-0/);
  assert.doesNotMatch(picked[0].data[Mime.plain] as string, /onerror/);
});

test('comparison explains an empty selection and a run view shows one run', async () => {
  const { client, ids } = await seeded();
  await assert.rejects(comparison({ client, experiment: 'show', filter: 'metrics.acc > 2' }), (e) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  const view = await runView(ids[1], { client });
  assert.ok(view.some((b) => typeof b.data[Mime.html] === 'string' && (b.data[Mime.html] as string).includes('run-1')));
  assert.ok(view.some((b) => typeof b.data[Mime.vegaLite] === 'object'));
});

test('comparison on a metric no run logged names the metrics the runs have, and the nearest', async () => {
  const { client } = await seeded();
  await assert.rejects(comparison({ client, experiment: 'show', metric: 'val_los' }), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE')
    && e.message === 'No run to compare has the metric "val_los": did you mean "val_loss"? Their metrics: "acc", "val_loss".');
  await assert.rejects(comparison({ client, experiment: 'show', metric: 'nope' }), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE')
    && e.message === 'No run to compare has the metric "nope". Their metrics: "acc", "val_loss".');
  await client.close();
});

test('comparison and runs table add a datasets column only when runs logged inputs, escaped', async () => {
  const { client, ids } = await seeded();
  const without = await comparison({ client, experiment: 'show' });
  assert.doesNotMatch(without[0].data[Mime.plain] as string, /datasets/);
  assert.doesNotMatch((await runsTableView({ client, experiment: 'show' })).data[Mime.html] as string, /datasets/);

  const rows = [{ x: 1, y: 2 }, { x: 3, y: 4 }];
  const train = await client.logInput(ids[0], rows, { name: 'toy', context: '<script>alert(1)</script>' });
  await client.logInput(ids[1], [...rows, { x: 5, y: 6 }], { name: 'toy', context: 'training' });
  const [table] = await comparison({ client, experiment: 'show' });
  const html = table.data[Mime.html] as string;
  assert.match(html, /<th>datasets<\/th>/);
  assert.match(html, new RegExp(`toy@${train.dataset.digest.slice(0, 8)} \\(&lt;script&gt;alert\\(1\\)&lt;/script&gt;\\)`));
  assert.doesNotMatch(html, /<script>/);
  const text = table.data[Mime.plain] as string;
  const line = (name: string) => text.split('\n').find((l) => l.includes(name)) ?? '';
  assert.match(line('run-1'), /toy@[0-9a-f]{8} \(training\)/);
  assert.doesNotMatch(line('run-2'), /toy@/, 'a run without inputs has an empty datasets cell');

  const listed = await runsTableView({ client, experiment: 'show' });
  assert.match(listed.data[Mime.plain] as string, /datasets/);
  assert.match(listed.data[Mime.plain] as string, /toy@[0-9a-f]{8} \(training\)/);
});

test('a run view shows the note, the datasets and provenance of the run, escaped', async () => {
  const { client, ids } = await seeded();
  await client.setTags(ids[0], {
    'tracklab.note': 'First try.\n<b>lr</b> too high?',
    'tracklab.git.commit': 'c0ffee<i>',
    'tracklab.dependencies': JSON.stringify({ dependencies: { a: '1', b: '2' }, devDependencies: { c: '3' } }),
  });
  const input = await client.logInput(ids[0], [{ a: 1 }, { a: 2 }, { a: 3 }], { name: 'iris', context: 'validation' });
  const [card] = await runView(ids[0], { client });
  const html = card.data[Mime.html] as string;
  assert.match(html, /<div class="tl-run-note">First try.\n&lt;b&gt;lr&lt;\/b&gt; too high\?<\/div>/);
  assert.match(html, new RegExp(`<caption>datasets</caption>.*iris.*${input.dataset.digest.slice(0, 12)}.*validation.*>3<`));
  const text = card.data[Mime.plain] as string;
  assert.match(text, /note: First try\. <b>lr<\/b> too high\?/);
  assert.match(text, /iris +[0-9a-f]{12} +validation +3/);
  const provenance = html.slice(html.indexOf('<summary>provenance'));
  assert.match(provenance, /tracklab\.git\.commit.*c0ffee&lt;i&gt;.*tracklab\.dependencies.*3 packages/);
  assert.doesNotMatch(provenance, /devDependencies/, 'the dependencies JSON is summarised, not dumped');
  const plain = await runView(ids[1], { client });
  assert.doesNotMatch(plain[0].data[Mime.html] as string, /tl-run-note"|<caption>datasets/);
});

test('without an experiment, comparison and runsTable show the current one, and comparison always draws the run just trained', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-show-'));
  const client = getClient(home);
  const other = await client.createRun({ experiment: 'elsewhere', name: 'not-mine', params: { other: 1 } });
  client.logMetrics(other.runId, { loss: 0.001 }, 0);
  await client.setTerminated(other.runId);
  let latest = '';
  for (let i = 0; i < 25; i++) {
    // The last run, the one just trained, is the worst of all.
    const run = startRun({ home, experiment: 'mine', params: { lr: i } });
    for (let s = 0; s < 3; s++) run.log({ loss: i === 24 ? 99 : 1 + i / 10 }, s);
    await run.end();
    latest = run.name;
  }
  const [table, history] = await comparison({ client, metric: 'loss' });
  assert.match(table!.data[Mime.plain] as string, /^25 run\(s\)/);
  assert.doesNotMatch(table!.data[Mime.plain] as string, /not-mine/);
  assert.match(history!.data[Mime.plain] as string, new RegExp(`; 19 best of 25 runs by last loss, and the latest run ${latest}$`));
  assert.ok(JSON.stringify(history!.data[Mime.vegaLite]).includes(latest));
  // runsTable() picks its runs the same way.
  const listed = (await runsTableView({ client })).data[Mime.plain] as string;
  assert.match(listed, /^25 run\(s\)/);
  assert.doesNotMatch(listed, /not-mine/);
  // Named experiments are compared as asked.
  const [named] = await comparison({ client, experiment: 'elsewhere', metric: 'loss' });
  assert.match(named!.data[Mime.plain] as string, /^1 run\(s\)/);
  await client.close();
});

test('without an experiment or any run yet, comparison says which experiment it looked in', async () => {
  const client = getClient(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-show-')));
  configure({ experiment: 'nothing-here-yet' });
  try {
    // The latest run of this process lives in another store, so the configured experiment is current.
    await assert.rejects(comparison({ client }), (e) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST') && /in the current experiment \(nothing-here-yet; name one with \{ experiment \}\)/.test(e.message));
  } finally {
    resetSettings();
    await client.close();
  }
});

test('comparison of an experiment leaves out project and sweep runs: tracklab run wraps them around the runs that train', async () => {
  const { client, ids } = await seeded();
  // The run around this execution, and those of earlier executions and sweeps, all in the notebook's experiment.
  const wrappers = [];
  for (const [name, type] of [['project', 'PROJECT'], ['earlier-project', 'PROJECT'], ['sweep', 'SWEEP']]) {
    wrappers.push((await client.createRun({ experiment: 'show', name, tags: { 'tracklab.source.type': type } })).runId);
  }
  try {
    const [table] = await comparison({ client, experiment: 'show' });
    assert.match(table.data[Mime.plain] as string, /^3 run\(s\)/m);
    assert.doesNotMatch(table.data[Mime.plain] as string, /project|sweep/);
    // The three wrappers are the newest runs: maxRuns still counts runs that train.
    const [few] = await comparison({ client, experiment: 'show', maxRuns: 2 });
    assert.match(few.data[Mime.plain] as string, /^2 run\(s\)/m);
    const [named] = await comparison({ client, runs: [...ids, wrappers[0]] });
    assert.match(named.data[Mime.plain] as string, /project/, 'a run named explicitly is still compared');
  } finally {
    await client.close();
  }
});
