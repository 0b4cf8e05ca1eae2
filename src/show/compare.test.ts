import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrackingClient } from '../tracking/client';
import { isTracklabError } from '../errors';
import { Mime } from '../views/bundle';
import { comparison } from './compare';
import { runView } from './show-run';

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
