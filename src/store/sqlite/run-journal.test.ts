import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import type { MetricColumns } from '../../entities';
import { isTracklabError } from '../../errors';
import { parseFilter } from '../../search/filter-parser';
import { parseOrderBy } from '../../search/order-by';
import { DB_FILE, openConnection } from './connection';
import { JOURNAL_MAX_POINTS } from './run-journal';
import { WriteParts } from './write-parts';
import { SqliteStore } from './sqlite-store';

let root: string;
let store: SqliteStore;
let experimentId: string;

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-journal-'));
  store = SqliteStore.open(root);
  experimentId = (await store.ensureExperiment('Default')).experimentId;
});

afterEach(() => {
  store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Row counts read straight from the file, bypassing the store (which would fold the journal first). */
function counts(): { journal: number; params: number; tags: number; blocks: number } {
  const raw = new Database(path.join(root, DB_FILE), { readonly: true });
  try {
    const n = (table: string) => (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { journal: n('run_journal'), params: n('params'), tags: n('tags'), blocks: n('metric_blocks') };
  } finally {
    raw.close();
  }
}

function block(runId: string, key: string, from: number, values: number[]): MetricColumns {
  return {
    runId, key,
    steps: Float64Array.from(values, (_, i) => from + i),
    timestamps: Float64Array.from(values, (_, i) => 1000 + from + i),
    values: Float64Array.from(values),
  };
}

async function createRun(runId: string, params?: Record<string, string>, tags?: Record<string, string>): Promise<void> {
  await store.createRun({ runId, runName: `name-${runId}`, experimentId, startTime: 1, params, tags });
}

test('a new run\'s params and tags are one journal row, folded into the tables by the first read', async () => {
  await createRun('r1', { lr: '0.1', layers: '3' }, { team: 'nlp' });
  assert.deepEqual(counts(), { journal: 1, params: 0, tags: 0, blocks: 0 });
  const run = await store.getRun('r1');
  assert.deepEqual({ ...run.data.params }, { lr: '0.1', layers: '3' });
  assert.deepEqual({ ...run.data.tags }, { team: 'nlp' });
  assert.deepEqual(counts(), { journal: 0, params: 2, tags: 1, blocks: 0 });
});

test('a second store on the file (another process would do the same) sees journaled data without any flush', async () => {
  await createRun('r1', { lr: '0.1' });
  await store.updateRun('r1', { status: 'FINISHED', metrics: [block('r1', 'loss', 0, [0.5, NaN, -0])] });
  const other = SqliteStore.open(root);
  try {
    const run = await other.getRun('r1');
    assert.equal(run.info.status, 'FINISHED');
    assert.deepEqual({ ...run.data.params }, { lr: '0.1' });
    assert.equal(run.data.metrics.loss.count, 3);
    assert.ok(Object.is(run.data.metrics.loss.last, -0));
    const [history] = await other.readMetrics(['r1']);
    assert.deepEqual(Array.from(history.values), [0.5, NaN, -0]);
  } finally {
    other.close();
  }
});

test('search finds runs whose params, tags and metrics are still in the journal', async () => {
  for (let i = 0; i < 5; i++) {
    await createRun(`r${i}`, { optimizer: i % 2 ? 'adam' : 'sgd' }, { team: 'vision' });
    await store.updateRun(`r${i}`, { status: 'FINISHED', metrics: [block(`r${i}`, 'acc', 0, [i / 10])] });
  }
  assert.equal(counts().journal, 10);
  const found = await store.searchRuns({
    experimentIds: [experimentId], maxResults: 10, offset: 0, lifecycle: 'active',
    filter: parseFilter("params.optimizer = 'adam' AND tags.team = 'vision' AND metrics.acc > 0"),
    orderBy: parseOrderBy(['metrics.acc DESC']),
  });
  assert.deepEqual(found.runs.map((r) => r.info.runId), ['r3', 'r1']);
  assert.equal(counts().journal, 0);
});

test('points keep their order and summary across direct appends and journaled ends', async () => {
  await createRun('r1');
  await store.appendMetrics([block('r1', 'loss', 0, [5, 4, 3])]); // a size flush: straight to metric_blocks
  await store.updateRun('r1', { status: 'FINISHED', metrics: [block('r1', 'loss', 3, [2, 1])] }); // journaled
  assert.equal(counts().journal, 1);
  const blocks = await store.readMetrics(['r1'], ['loss']);
  assert.deepEqual(blocks.flatMap((b) => Array.from(b.values)), [5, 4, 3, 2, 1]);
  const summary = (await store.getRun('r1')).data.metrics.loss;
  assert.deepEqual([summary.count, summary.last, summary.lastStep, summary.min, summary.max], [5, 1, 4, 1, 5]);
});

test('more points than the journal takes go straight to metric_blocks', async () => {
  await createRun('r1');
  const many = Array.from({ length: JOURNAL_MAX_POINTS + 1 }, (_, i) => i);
  await store.updateRun('r1', { status: 'FINISHED', metrics: [block('r1', 'loss', 0, many)] });
  assert.deepEqual(counts(), { journal: 0, params: 0, tags: 0, blocks: 1 });
});

test('a param logged later is checked against journaled params', async () => {
  await createRun('r1', { lr: '0.1' });
  await store.logBatch('r1', { params: { lr: '0.1' } }); // the same value: a no-op
  await assert.rejects(store.logBatch('r1', { params: { lr: '0.2' } }), (err) => {
    assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'));
    assert.match(err.message, /"lr" is already "0\.1"/);
    return true;
  });
  assert.deepEqual({ ...(await store.getRun('r1')).data.params }, { lr: '0.1' });
});

test('ending a deleted run with points is refused and leaves the journal as it was', async () => {
  await createRun('r1', { lr: '0.1' });
  await store.setRunLifecycle('r1', 'deleted');
  await assert.rejects(store.updateRun('r1', { status: 'FINISHED', metrics: [block('r1', 'loss', 0, [1])] }),
    (err) => isTracklabError(err, 'INVALID_STATE'));
  assert.equal(counts().journal, 1);
});

test('entries of a run purged before they were applied are dropped, and later reads still work', async () => {
  await createRun('gone', { lr: '0.1' });
  await store.updateRun('gone', { status: 'FINISHED', metrics: [block('gone', 'loss', 0, [1])] });
  await createRun('kept', { lr: '0.2' });
  await store.setRunLifecycle('gone', 'deleted');
  assert.deepEqual(await store.purgeDeletedRuns(), ['gone']);
  assert.deepEqual({ ...(await store.getRun('kept')).data.params }, { lr: '0.2' });
  assert.deepEqual(counts(), { journal: 0, params: 1, tags: 0, blocks: 0 });
  const raw = new Database(path.join(root, DB_FILE), { readonly: true });
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  assert.deepEqual(raw.pragma('foreign_key_check'), []);
  raw.close();
});

test('a long journal is folded in bounded writes, oldest first, and a read still sees every entry', async () => {
  const n = WriteParts.journalEntries * 2 + 7;
  for (let i = 0; i < n; i++) await createRun(`r${i}`, { i: String(i) }, { t: 'x' });
  assert.equal(counts().journal, n);
  // A tag written after the entries lands after them: the last write wins over journaled tags.
  await store.logBatch('r0', { tags: { t: 'later' } });
  assert.equal(counts().journal, 0);
  assert.equal((await store.getRun('r0')).data.tags.t, 'later');
  assert.equal((await store.getRun(`r${n - 1}`)).data.params.i, String(n - 1));
  assert.equal(counts().params, n);
});

test('the data version a fold watches changes for another connection\'s commit, never for this one\'s', async () => {
  const conn = openConnection(root);
  const other = openConnection(root);
  try {
    const start = conn.dataVersion();
    conn.write('own write', () => conn.stmt("INSERT INTO run_journal (run_id) VALUES ('own')").run());
    assert.equal(conn.dataVersion(), start);
    other.write('other write', () => other.stmt("INSERT INTO run_journal (run_id) VALUES ('other')").run());
    assert.notEqual(conn.dataVersion(), start);
  } finally {
    conn.close();
    other.close();
  }
});
