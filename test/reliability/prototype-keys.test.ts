/**
 * Keys named like Object.prototype's members (issue 10, item 8): params,
 * tags, metrics, experiment and registry tags, dataset columns, scoring
 * requests and `-P` names. Each is either stored exactly or refused with an
 * error; none is dropped, none answers with what a prototype provides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricSummary } from '../../src/entities';
import { isTracklabError } from '../../src/errors';
import { loadModel } from '../../src/models/load-model';
import { saveModel } from '../../src/models/package';
import { RegistryClient } from '../../src/registry/registry-client';
import { startScoringServer } from '../../src/serving/scoring-server';
import { ActiveRun } from '../../src/tracking/active-run';
import { TrackingClient } from '../../src/tracking/client';
import { differingParams } from '../../src/views/run-metrics';
import { tempDir } from '../models/helpers';
import { projectWithNotebook } from '../projects/runner-fixtures';

const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'];

/** The value `record` itself holds for `key`; undefined when only a prototype has it. */
function own(record: object, key: string): unknown {
  return Object.getOwnPropertyDescriptor(record, key)?.value;
}

function client(): TrackingClient {
  return new TrackingClient({ home: path.join(tempDir(), '.tracklab') });
}

test('ActiveRun.logParam takes prototype-named keys as plain keys: stored exactly, write-once still enforced', async () => {
  const c = client();
  try {
    const run = new ActiveRun(c, { experiment: 'proto' });
    PROTOTYPE_NAMES.forEach((name, i) => run.logParam(name, i + 1)); // threw a false "already set" for four of them
    PROTOTYPE_NAMES.forEach((name, i) => run.logParam(name, i + 1)); // the same value again is a no-op
    assert.throws(() => run.logParam('constructor', 99), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /already "1"/.test(e.message));
    run.setTags({ constructor: 'c', ['__proto__']: 'p' });
    run.log({ constructor: 1, valueOf: 2 });
    const snap = run.snapshot();
    for (const name of PROTOTYPE_NAMES) assert.equal(own(snap.params, name), String(PROTOTYPE_NAMES.indexOf(name) + 1), name);
    await run.end();

    const stored = await c.getRun(run.id);
    for (const [i, name] of PROTOTYPE_NAMES.entries()) assert.equal(own(stored.data.params, name), String(i + 1), `param ${name}`);
    assert.deepEqual(Object.keys(stored.data.params).sort(), [...PROTOTYPE_NAMES].sort());
    assert.equal(own(stored.data.tags, '__proto__'), 'p');
    assert.equal(own(stored.data.tags, 'constructor'), 'c');
    assert.equal((own(stored.data.metrics, 'constructor') as MetricSummary).last, 1);
    assert.equal((own(stored.data.metrics, 'valueOf') as MetricSummary).last, 2);
    // Keys a run does not have read as missing, never as Object.prototype's members.
    assert.equal(stored.data.metrics.toString, undefined);
    assert.equal(stored.data.tags.hasOwnProperty, undefined);
  } finally {
    await c.close();
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a __proto__ param is stored, not dropped, through every way of logging params', async () => {
  const c = client();
  try {
    const viaCreate = await c.createRun({ experiment: 'proto', params: JSON.parse('{"__proto__": "a", "lr": 0.1}') as Record<string, unknown> });
    const viaLogParam = await c.createRun({ experiment: 'proto' });
    await c.logParam(viaLogParam.runId, '__proto__', 'b');
    await c.logParams(viaLogParam.runId, { ['constructor']: 'c' });
    const viaBatch = await c.createRun({ experiment: 'proto' });
    await c.logBatch(viaBatch.runId, { params: { ['__proto__']: 'd' }, tags: { ['__proto__']: 'e' } });
    const active = new ActiveRun(c, { experiment: 'proto' });
    active.logParam('__proto__', 'f');
    await active.end();

    assert.equal(own((await c.getRun(viaCreate.runId)).data.params, '__proto__'), 'a');
    assert.equal(own((await c.getRun(viaLogParam.runId)).data.params, '__proto__'), 'b');
    assert.equal(own((await c.getRun(viaLogParam.runId)).data.params, 'constructor'), 'c');
    const batch = await c.getRun(viaBatch.runId);
    assert.equal(own(batch.data.params, '__proto__'), 'd');
    assert.equal(own(batch.data.tags, '__proto__'), 'e');
    assert.equal(own((await c.getRun(active.id)).data.params, '__proto__'), 'f');
    // A param on one run only differs from its absence on another, whatever its name.
    const runs = await Promise.all([viaCreate.runId, viaBatch.runId].map((id) => c.getRun(id)));
    assert.deepEqual(differingParams(runs).sort(), ['__proto__', 'lr']);
    const { runs: found } = await c.searchRuns({ experiments: ['proto'], filter: "params.__proto__ = 'd'" });
    assert.deepEqual(found.map((r) => r.info.runId), [viaBatch.runId]);
  } finally {
    await c.close();
  }
});

test('experiment and registry tags named like prototype members are stored exactly', async () => {
  const c = client();
  const registry = new RegistryClient({ tracking: c });
  try {
    await c.createExperiment('tagged', { tags: { ['__proto__']: 'x', constructor: 'y' } });
    await c.setExperimentTag('tagged', 'toString', 'z');
    const exp = await c.getExperiment('tagged');
    assert.deepEqual([own(exp.tags, '__proto__'), own(exp.tags, 'constructor'), own(exp.tags, 'toString')], ['x', 'y', 'z']);
    assert.equal(exp.tags.valueOf, undefined);

    await registry.createRegisteredModel('m', { tags: { ['__proto__']: 'r' } });
    await registry.setRegisteredModelTag('m', 'constructor', 's');
    const model = await registry.getRegisteredModel('m');
    assert.equal(own(model.tags, '__proto__'), 'r');
    assert.equal(own(model.tags, 'constructor'), 's');
    assert.equal(model.tags.toString, undefined);
  } finally {
    registry.close();
    await c.close();
  }
});

test('a CSV dataset with a __proto__ column keeps that column in its schema and profile', async () => {
  const c = client();
  try {
    const file = path.join(tempDir(), 'data.csv');
    fs.writeFileSync(file, '__proto__,constructor,x\n1,a,2\n3,b,4\n');
    const run = await c.createRun({ experiment: 'proto' });
    const input = await c.logInput(run.runId, file);
    assert.deepEqual(input.dataset.schema?.map((col) => [col.name, col.type]), [['__proto__', 'number'], ['constructor', 'string'], ['x', 'number']]);
    const proto = input.dataset.profile?.find((p) => p.name === '__proto__');
    assert.deepEqual([proto?.min, proto?.max, proto?.nulls], [1, 3, 0]);
  } finally {
    await c.close();
  }
});

test('the scoring server refuses a dataframe_split column named __proto__; the model never gets a row with a chosen prototype', async () => {
  const code = path.join(tempDir(), 'echo.js');
  fs.writeFileSync(code, 'exports.model = { predict(rows) { return rows.map((r) => ({ proto: Object.getPrototypeOf(r) === Object.prototype || Object.getPrototypeOf(r) === null ? "plain" : "chosen", keys: Object.keys(r) })); } };\n');
  const dir = path.join(tempDir(), 'echo');
  await saveModel(undefined, dir, { flavor: 'js_function', code, export: 'model' });
  const { server, url } = await startScoringServer(await loadModel(dir));
  try {
    const post = async (body: unknown) => {
      const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: await res.json() as Record<string, unknown> };
    };
    for (const column of ['__proto__', 'constructor', 'prototype']) {
      const refused = await post({ dataframe_split: { columns: [column, 'b'], data: [[{ polluted: true }, 2]] } });
      assert.equal(refused.status, 400, column);
      assert.match(String(refused.json.message), new RegExp(`"${column}".*prototype pollution`), column);
    }
    const fine = await post({ dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } });
    assert.deepEqual(fine.json, { predictions: [{ proto: 'plain', keys: ['a', 'b'] }] });
  } finally {
    server.close();
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('tracklab run -P __proto__=1 (or constructor=1) is refused before anything runs, never ignored with exit 0', async () => {
  const { notebook } = projectWithNotebook();
  for (const name of ['__proto__', 'constructor']) {
    const helper = path.join(__dirname, '..', 'projects', 'fixtures', `run-cli${path.extname(__filename)}`);
    const nodeArgs = __filename.endsWith('.ts') ? ['--import', 'tsx', helper] : [helper];
    const child = spawn(process.execPath, [...nodeArgs, notebook, '-P', `${name}=1`], {
      env: { ...process.env, TRACKLAB_HOME: path.join(tempDir(), '.tracklab') }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; });
    child.stderr.setEncoding('utf8').on('data', (t: string) => { out += t; });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.notEqual(code, 0, out);
    assert.match(out, new RegExp(`Unknown parameter "${name}"`), out);
    assert.doesNotMatch(out, /FINISHED/, 'nothing ran');
  }
});
