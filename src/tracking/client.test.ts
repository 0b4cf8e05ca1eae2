import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { isTracklabError } from '../errors';
import { TrackingClient } from './client';
import { SystemTag } from './system-tags';

function tempClient(): TrackingClient {
  return new TrackingClient({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-')) });
}

test('experiments: create, get by name or id, rename, tag, delete and restore', async () => {
  const client = tempClient();
  const exp = await client.createExperiment('mnist', { description: 'cnn', tags: { team: 'vision' } });
  assert.equal((await client.getExperiment('mnist')).experimentId, exp.experimentId);
  assert.equal((await client.getExperiment(exp.experimentId)).name, 'mnist');
  await assert.rejects(client.createExperiment('mnist'), (e: unknown) => isTracklabError(e, 'RESOURCE_ALREADY_EXISTS'));
  await client.renameExperiment('mnist', 'mnist-v1');
  await client.setExperimentTag('mnist-v1', 'stage', 'dev');
  const renamed = await client.getExperiment(exp.experimentId);
  assert.equal(renamed.name, 'mnist-v1');
  assert.deepEqual({ ...renamed.tags }, { team: 'vision', stage: 'dev' });
  await client.deleteExperiment('mnist-v1');
  assert.equal((await client.searchExperiments()).experiments.some((e) => e.name === 'mnist-v1'), false);
  assert.equal((await client.searchExperiments({ viewType: 'deleted' })).experiments[0].name, 'mnist-v1');
  await assert.rejects(client.createRun({ experiment: 'mnist-v1' }), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /is deleted/.test(e.message));
  await client.restoreExperiment('mnist-v1');
  assert.equal((await client.searchExperiments({ filter: "name LIKE 'mnist%'" })).experiments.length, 1);
  await assert.rejects(client.getExperiment('nope'), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
});

test('runs: create with params, tags and system tags; log; terminate', async () => {
  const client = tempClient();
  const info = await client.createRun({ experiment: 'exp', name: 'first', params: { lr: 0.01, layers: [64, 32] }, tags: { note: 'hi' } });
  assert.equal(info.status, 'RUNNING');
  assert.equal(info.runName, 'first');
  await client.logParam(info.runId, 'opt', 'adam');
  await client.logParam(info.runId, 'opt', 'adam'); // same value: no-op
  await assert.rejects(client.logParam(info.runId, 'opt', 'sgd'),
    (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && e.message.includes('adam') && e.message.includes('sgd'));
  await client.setTags(info.runId, { a: '1', b: 2 });
  await client.deleteTag(info.runId, 'a');
  await client.logBatch(info.runId, { metrics: [{ key: 'm', value: 3, step: 2 }], tags: { c: 'x' } });
  client.logMetric(info.runId, 'loss', 0.5, 1);
  client.logMetrics(info.runId, { loss: 0.25, acc: 0.9 }, 2);
  const ended = await client.setTerminated(info.runId, 'FAILED', 'diverged');
  assert.equal(ended.status, 'FAILED');
  assert.equal(ended.statusMessage, 'diverged');
  const run = await client.getRun(info.runId);
  assert.deepEqual({ ...run.data.params }, { lr: '0.01', layers: '[64,32]', opt: 'adam' });
  assert.equal(run.data.tags.note, 'hi');
  assert.equal(run.data.tags.a, undefined);
  assert.equal(run.data.tags.b, '2');
  assert.equal(run.data.tags[SystemTag.sourceType], 'SCRIPT');
  assert.equal(run.data.tags[SystemTag.nodeVersion], process.versions.node);
  assert.equal(run.data.metrics.loss.count, 2);
  assert.equal(run.data.metrics.loss.last, 0.25);
  assert.equal(run.data.metrics.m.lastStep, 2);
});

test('logMetric defaults step to 0 and validates synchronously', async () => {
  const client = tempClient();
  const { runId } = await client.createRun();
  client.logMetric(runId, 'x', 1);
  assert.throws(() => client.logMetric(runId, 'x', Number('nope') as number, 0.5), /steps must be integers/);
  assert.throws(() => client.logMetric(runId, 'a//b', 1), /Invalid metric name/);
  assert.throws(() => client.logMetrics(runId, { ok: 1, bad: 'x' as unknown as number }), /Metric "bad" got the string/);
  await client.flush();
  const table = await client.metricHistory(runId);
  assert.equal(table.numRows, 1);
  assert.equal(Number(table.get(0)?.step), 0);
});

test('NaN and ±Infinity round-trip through summaries and history', async () => {
  const client = tempClient();
  const { runId } = await client.createRun();
  const values = [1, NaN, Infinity, -Infinity, -0, 2.5];
  values.forEach((v, i) => client.logMetric(runId, 'v', v, i));
  client.logMetric(runId, 'onlynan', NaN, 0);
  client.logMetric(runId, 'posinf', Infinity, 0);
  client.logMetric(runId, 'neginf', -Infinity, 0);
  await client.setTerminated(runId);
  const { data } = await client.getRun(runId);
  assert.ok(Number.isNaN(data.metrics.onlynan.last));
  assert.equal(data.metrics.posinf.last, Infinity);
  assert.equal(data.metrics.neginf.last, -Infinity);
  assert.equal(data.metrics.v.min, -Infinity);
  assert.equal(data.metrics.v.max, Infinity);
  const table = await client.metricHistory([runId], ['v']);
  const got = table.getChild('value')!.toArray() as Float64Array;
  assert.equal(got.length, values.length);
  values.forEach((v, i) => assert.ok(Object.is(got[i], v), `point ${i}: ${got[i]} vs ${v}`));
});

test('searchRuns by experiment name, filter, order and pages; deleted runs hidden', async () => {
  const client = tempClient();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { runId } = await client.createRun({ experiment: 'sweep', params: { i }, startTime: 1000 + i });
    client.logMetric(runId, 'acc', i / 10);
    await client.setTerminated(runId);
    ids.push(runId);
  }
  await client.createRun({ experiment: 'other' });
  const best = await client.searchRuns({ experiments: ['sweep'], filter: 'metrics.acc >= 0.2', orderBy: ['metrics.acc DESC'] });
  assert.deepEqual(best.runs.map((r) => r.info.runId), [ids[4], ids[3], ids[2]]);
  const page1 = await client.searchRuns({ experiments: 'sweep', maxResults: 2 });
  assert.deepEqual(page1.runs.map((r) => r.info.runId), [ids[4], ids[3]]);
  const page2 = await client.searchRuns({ experiments: 'sweep', maxResults: 2, pageToken: page1.nextPageToken });
  assert.deepEqual(page2.runs.map((r) => r.info.runId), [ids[2], ids[1]]);
  assert.equal((await client.searchRuns()).runs.length, 6);
  await client.deleteRun(ids[0]);
  assert.equal((await client.searchRuns({ experiments: ['sweep'] })).runs.length, 4);
  assert.equal((await client.searchRuns({ experiments: ['sweep'], viewType: 'deleted' })).runs[0].info.runId, ids[0]);
  await client.restoreRun(ids[0]);
  await assert.rejects(client.searchRuns({ filter: 'metrics.acc >>> 1' }), (e: unknown) => isTracklabError(e));
  await assert.rejects(client.searchRuns({ experiments: ['missing'] }), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  const table = await client.searchRunsArrow({ experiments: ['sweep'] });
  assert.equal(table.numRows, 5);
});

test('exportArrow writes an Arrow IPC file of the history', async () => {
  const client = tempClient();
  const { runId } = await client.createRun();
  for (let i = 0; i < 100; i++) client.logMetric(runId, 'loss', 1 / (i + 1), i);
  await client.setTerminated(runId);
  const file = path.join(client.home, 'h.arrow');
  await client.exportArrow(file, { runIds: [runId] });
  const table = tableFromIPC(fs.readFileSync(file));
  assert.equal(table.numRows, 100);
  assert.deepEqual(table.schema.fields.map((f) => f.name), ['run_id', 'key', 'step', 'timestamp', 'value']);
  const viaSearch = path.join(client.home, 's.arrow');
  await client.exportArrow(viaSearch, { filter: `attributes.run_id = '${runId}'` });
  assert.equal(tableFromIPC(fs.readFileSync(viaSearch)).numRows, 100);
});

test('artifacts are delegated to the repository and deduplicated', async () => {
  const client = tempClient();
  const a = await client.createRun();
  const b = await client.createRun();
  await client.logArtifact(a.runId, { json: { k: 1 } }, 'cfg.json');
  await client.logArtifact(b.runId, { json: { k: 1 } }, 'cfg.json');
  const [ea] = await client.listArtifacts(a.runId);
  const [eb] = await client.listArtifacts(b.runId);
  assert.equal(ea.sha256, eb.sha256);
  const dir = await client.downloadArtifacts(`runs:/${a.runId}/cfg.json`, path.join(client.home, 'out'));
  assert.deepEqual(JSON.parse(fs.readFileSync(dir, 'utf8')), { k: 1 });
  await assert.rejects(client.logArtifact(a.runId, { text: 'x' }, '../escape.txt'), (e: unknown) => isTracklabError(e));
});

test('invalid input is refused before touching the store', async () => {
  const client = tempClient();
  await assert.rejects(client.getRun('../x'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  await assert.rejects(client.createRun({ params: { 'bad//key': 1 } }), /Invalid param name/);
  await assert.rejects(client.createRun({ name: '' }), /Run name/);
  await assert.rejects(client.createExperiment(''), /Experiment name is empty/);
  await assert.rejects(client.setTerminated('abc', 'RUNNING' as never), /Use one of FINISHED, FAILED, KILLED/);
  await assert.rejects(client.searchRuns({ maxResults: 0 }), /maxResults/);
  await assert.rejects(client.getRun('doesnotexist'), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
});

test('buffered points for an unknown run surface as a typed error from flush(), once', async () => {
  const client = tempClient();
  await client.createRun(); // opens the store
  client.logMetric('norunwiththisid', 'x', 1);
  await assert.rejects(client.flush(), (e: unknown) => isTracklabError(e) && /norunwiththisid/.test(e.message));
  await client.flush(); // reported once
});
