import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../src/store/sqlite/connection';
import { isTracklabError } from '../../src/errors';
import { startRun } from '../../src/tracking/fluent';
import { TrackingClient } from '../../src/tracking/client';

function home(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
}

const TRAIN = [{ x: 1, y: 0 }, { x: 2, y: 1 }];
const VALID = [{ x: 3, y: 1 }];

test('inputs are recorded per run and context; the same data on two runs is one dataset with one digest', async () => {
  const client = new TrackingClient({ home: home() });
  try {
    const a = await client.createRun({ experiment: 'ds' });
    const b = await client.createRun({ experiment: 'ds' });
    const first = await client.logInput(a.runId, TRAIN, { name: 'toy', context: 'training' });
    await client.logInput(a.runId, VALID, { name: 'toy', context: 'validation' });
    await client.logInput(a.runId, TRAIN, { name: 'toy', context: 'training' }); // again: a no-op
    const second = await client.logInput(b.runId, TRAIN.map((r) => ({ y: r.y, x: r.x })), { name: 'toy', context: 'training' });
    assert.equal(second.dataset.digest, first.dataset.digest);

    const inputs = await client.listInputs([a.runId, b.runId]);
    assert.deepEqual(inputs.map((i) => [i.runId === a.runId ? 'a' : 'b', i.dataset.name, i.context, i.dataset.digest === first.dataset.digest]),
      [['a', 'toy', 'training', true], ['a', 'toy', 'validation', false], ['b', 'toy', 'training', true]]);
    assert.deepEqual(inputs[0]!.dataset, first.dataset, 'schema, profile, rows and source round-trip');
    const db = new Database(path.join(client.home, DB_FILE), { readonly: true });
    assert.equal((db.prepare('SELECT count(*) AS n FROM datasets').get() as { n: number }).n, 2, 'stored once per (name, digest)');
    db.close();

    await assert.rejects(client.logInput('nosuchrun', TRAIN), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
    await client.deleteRun(b.runId);
    await assert.rejects(client.logInput(b.runId, TRAIN), (e: unknown) => isTracklabError(e, 'INVALID_STATE'));
    await client.gc({ force: true });
    assert.deepEqual((await client.listInputs(b.runId)), [], 'purging a run drops its inputs');
  } finally {
    await client.close();
  }
});

test('datasets.name, datasets.digest and datasets.context filter runs (any input matches), with =, !=, IN, LIKE and ILIKE', async () => {
  const client = new TrackingClient({ home: home() });
  try {
    const table = tableFromArrays({ x: Float64Array.from([1, 2, 3]) });
    const r1 = await client.createRun({ experiment: 'search' });
    const r2 = await client.createRun({ experiment: 'search' });
    const r3 = await client.createRun({ experiment: 'search' });
    const r4 = await client.createRun({ experiment: 'search' }); // no inputs
    const mnist = await client.logInput(r1.runId, table, { name: 'mnist', context: 'training' });
    await client.logInput(r1.runId, VALID, { name: 'mnist-val', context: 'validation' });
    await client.logInput(r2.runId, table, { name: 'mnist', context: 'validation' });
    const cifar = await client.logInput(r3.runId, TRAIN, { name: 'CIFAR' });
    const ids: Record<string, string> = { [r1.runId]: 'r1', [r2.runId]: 'r2', [r3.runId]: 'r3', [r4.runId]: 'r4' };
    const find = async (filter: string) => (await client.searchRuns({ experiments: ['search'], filter })).runs.map((r) => ids[r.info.runId]).sort();

    assert.deepEqual(await find("datasets.name = 'mnist'"), ['r1', 'r2']);
    assert.deepEqual(await find(`datasets.digest = '${mnist.dataset.digest}'`), ['r1', 'r2']);
    assert.deepEqual(await find(`datasets.digest IN ('${cifar.dataset.digest}', 'nothing')`), ['r3']);
    assert.deepEqual(await find("datasets.context = 'validation'"), ['r1', 'r2']);
    assert.deepEqual(await find("datasets.context = 'training' AND datasets.name = 'mnist'"), ['r1']);
    assert.deepEqual(await find("datasets.name != 'mnist'"), ['r1', 'r3'], 'r1 also used mnist-val; r4 has no inputs, so nothing matches');
    assert.deepEqual(await find("datasets.name LIKE 'mnist%'"), ['r1', 'r2']);
    assert.deepEqual(await find("datasets.name LIKE 'cifar'"), [], 'LIKE is case-sensitive');
    assert.deepEqual(await find("datasets.name ILIKE 'cifar'"), ['r3']);
    assert.deepEqual(await find("datasets.name NOT IN ('mnist', 'mnist-val')"), ['r3']);
    assert.deepEqual(await find("datasets.context = 'validation' OR attributes.run_id = '" + r4.runId + "'"), ['r1', 'r2', 'r4']);
    assert.deepEqual(await find("datasets.name = 'x''); DROP TABLE datasets; --'"), [], 'values are bound, never SQL');
    assert.deepEqual(await find("datasets.name = 'mnist'"), ['r1', 'r2'], 'still there');
  } finally {
    await client.close();
  }
});

test('run.logInput on an active run records a file dataset in order with the run\'s other writes', async () => {
  const dir = home();
  const file = path.join(dir, 'train.csv');
  fs.writeFileSync(file, 'a,b\n1,2\n3,4\n');
  const run = startRun({ home: dir, experiment: 'fluent' });
  const input = await run.logInput(file, { context: 'training' });
  await run.end();
  const [stored] = await run.client.listInputs(run.id);
  assert.deepEqual(stored, { runId: run.id, ...input });
  assert.equal(stored!.dataset.numRows, 2);
  assert.equal(stored!.dataset.source, file);
});
