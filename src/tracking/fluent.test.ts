import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { configure, getClient } from '../config';
import { isTracklabError } from '../errors';
import { DB_FILE } from '../store/sqlite/connection';
import { ActiveRun, type RunEvent } from './active-run';
import * as tl from './fluent';

beforeEach(async () => {
  while (tl.activeRun()) await tl.endRun();
  tl.setImplicitRunProvider(undefined);
  configure({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-')), experiment: 'fluent' });
});

test('startRun returns synchronously with a local id and a human name', async () => {
  const run = tl.startRun({ params: { lr: 0.1 }, tags: { t: 'x' } });
  assert.match(run.id, /^[0-9a-z]{24}$/);
  assert.match(run.name, /^[a-z]+-[a-z]+-\d{3}$/);
  assert.equal(tl.activeRun(), run);
  tl.log({ loss: 1, acc: 0.5 });
  tl.log({ loss: 0.5, acc: 0.7 });
  tl.log({ loss: 0.25 }, 10);
  tl.log({ loss: 0.2 });
  await tl.endRun();
  assert.equal(tl.activeRun(), undefined);
  const stored = await getClient().getRun(run.id);
  assert.equal(stored.info.status, 'FINISHED');
  assert.equal(stored.info.experimentId, run.experimentId);
  assert.equal((await getClient().getExperiment('fluent')).experimentId, run.experimentId);
  assert.deepEqual({ ...stored.data.params }, { lr: '0.1' });
  const history = await getClient().metricHistory(run.id, ['loss']);
  // Without a step, log() counts calls: 0, 1; an explicit 10 moves the counter to 11.
  assert.deepEqual(Array.from(history.getChild('step')!.toArray() as BigInt64Array, Number), [0, 1, 10, 11]);
});

test('params: same value is a no-op, a different value throws at once naming both', async () => {
  const run = tl.startRun({ params: { lr: 0.1 } });
  tl.logParam('lr', 0.1);
  tl.logParams({ lr: '0.1', batch: 32 });
  assert.throws(() => tl.logParam('lr', 0.2), (e: unknown) => {
    assert.ok(isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
    assert.match(e.message, /Param "lr" is already "0.1" on run [a-z]+-[a-z]+-\d{3}; params are write-once\. Start a new run to try "0.2"\./);
    return true;
  });
  await run.end();
  assert.deepEqual({ ...(await getClient().getRun(run.id)).data.params }, { lr: '0.1', batch: '32' });
});

test('withRun ends FINISHED on return and FAILED with the message on throw', async () => {
  let okId = '';
  const value = await tl.withRun({ name: 'ok-run' }, (run) => { okId = run.id; run.log({ x: 1 }); return 42; });
  assert.equal(value, 42);
  let failId = '';
  await assert.rejects(tl.withRun(async (run) => {
    failId = run.id;
    throw new RangeError('learning rate too high');
  }), /learning rate too high/);
  const client = getClient();
  assert.equal((await client.getRun(okId)).info.status, 'FINISHED');
  const failed = await client.getRun(failId);
  assert.equal(failed.info.status, 'FAILED');
  assert.equal(failed.info.statusMessage, 'RangeError: learning rate too high');
  assert.equal(tl.activeRun(), undefined);
});

test('nested runs: parent true, an ActiveRun or an id; the stack unwinds', async () => {
  const outer = tl.startRun({ name: 'outer' });
  const inner = tl.startRun({ parent: true });
  const sibling = tl.startRun({ parent: outer });
  assert.equal(tl.activeRun(), sibling);
  await sibling.end();
  assert.equal(tl.activeRun(), inner);
  await tl.endRun();
  const byId = tl.startRun({ parent: outer.id });
  await byId.end();
  assert.equal(tl.activeRun(), outer);
  await tl.endRun();
  const client = getClient();
  for (const child of [inner, sibling, byId]) assert.equal((await client.getRun(child.id)).info.parentRunId, outer.id);
  assert.equal((await client.getRun(outer.id)).info.parentRunId, null);
  assert.throws(() => tl.startRun({ parent: true }), (e: unknown) => isTracklabError(e, 'INVALID_STATE'));
});

test('logging without an active run throws INVALID_STATE unless an implicit provider is set', async () => {
  assert.throws(() => tl.log({ x: 1 }), (e: unknown) => isTracklabError(e, 'INVALID_STATE')
    && e.message === 'No active run. Call tracklab.startRun() first, or tracklab.autolog() in a notebook.');
  let calls = 0;
  const cellRun = new ActiveRun(getClient(), { name: 'cell-run' });
  tl.setImplicitRunProvider(() => { calls++; return cellRun; });
  tl.log({ y: 2 });
  tl.setTag('via', 'provider');
  assert.equal(calls, 2);
  const explicit = tl.startRun(); // an active run wins over the provider
  tl.log({ z: 1 });
  assert.equal(calls, 2);
  await explicit.end();
  await cellRun.end();
  const stored = await getClient().getRun(cellRun.id);
  assert.equal(stored.data.metrics.y.last, 2);
  assert.equal(stored.data.metrics.z, undefined);
  assert.equal(stored.data.tags.via, 'provider');
  assert.equal((await getClient().getRun(explicit.id)).data.metrics.z.last, 1);
  tl.setImplicitRunProvider(undefined);
  assert.throws(() => tl.log({ x: 1 }), (e: unknown) => isTracklabError(e, 'INVALID_STATE'));
});

test('subscribe: events after each change, only built when listened to; listener errors swallowed once', async () => {
  const run = tl.startRun();
  const events: RunEvent[] = [];
  const off = run.subscribe((e) => events.push(e));
  let throws = 0;
  run.subscribe(() => { throws++; throw new Error('listener bug'); });
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { warnings.push(args.join(' ')); };
  try {
    run.log({ a: 1, b: 2 }, 5);
    run.logMetric('c', NaN);
    run.logParams({ p: 1 });
    run.setTags({ t: 'x' });
    off();
    run.log({ a: 3 });
    await run.end('KILLED', 'stopped');
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(events.map((e) => e.type), ['metrics', 'metrics', 'params', 'tags']);
  const first = events[0];
  assert.ok(first.type === 'metrics');
  assert.deepEqual(first.points.map((p) => [p.key, p.value, p.step]), [['a', 1, 5], ['b', 2, 5]]);
  const second = events[1];
  assert.ok(second.type === 'metrics' && Number.isNaN(second.points[0].value) && second.points[0].step === 6);
  assert.equal(throws, 6);
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0]), /listener threw and was ignored: listener bug/);
  const snap = run.snapshot();
  assert.equal(snap.status, 'KILLED');
  assert.equal(snap.latest.a.value, 3);
  assert.equal(snap.params.p, '1');
  assert.equal(snap.tags.t, 'x');
  assert.equal((await getClient().getRun(run.id)).info.statusMessage, 'stopped');
});

test('status event and ended-run errors', async () => {
  const run = tl.startRun();
  const seen: string[] = [];
  run.subscribe((e) => { if (e.type === 'status') seen.push(e.status); });
  const ending = run.end();
  assert.equal(run.end(), ending); // idempotent
  await ending;
  assert.deepEqual(seen, ['FINISHED']);
  assert.throws(() => run.log({ x: 1 }), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /has already ended/.test(e.message));
  assert.throws(() => run.logParam('a', 1), (e: unknown) => isTracklabError(e, 'INVALID_STATE'));
});

test('validation errors throw synchronously in the caller', async () => {
  const run = tl.startRun();
  assert.throws(() => run.log({ 'a//b': 1 }), /Invalid metric name/);
  assert.throws(() => run.log({ ok: 1, bad: '1' as unknown as number }), /Metric "bad" got the string "1"/);
  assert.throws(() => run.log({ x: 1 }, 1.5), /steps must be integers/);
  assert.throws(() => run.setTag('t', undefined as unknown as string), /Tag "t" is undefined/);
  assert.throws(() => tl.startRun({ experiment: '' }), /Experiment name is empty/);
  run.log({ ok: 2 });
  await run.end();
  // The rejected log() calls wrote nothing and used no step.
  const h = await getClient().metricHistory(run.id);
  assert.equal(h.numRows, 1);
  assert.equal(Number(h.get(0)!.step), 0);
});

test('engine errors in the write chain warn once and are rethrown by end()', async () => {
  const client = getClient();
  const run = tl.startRun();
  await run.flush();
  await client.deleteRun(run.id); // the store refuses writes to deleted runs
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { warnings.push(args.join(' ')); };
  try {
    run.setTag('a', '1');
    run.setTag('b', '2');
    await assert.rejects(run.end(), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /is deleted/.test(e.message));
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^tracklab: writing run [a-z]+-[a-z]+-\d{3} failed: .*is deleted/);
});

test('a tight loop right after startRun keeps every point', async () => {
  const run = tl.startRun();
  for (let i = 0; i < 200_000; i++) run.log({ loss: 1 / (i + 1) }, i);
  await run.end();
  const summary = (await getClient().getRun(run.id)).data.metrics.loss;
  assert.equal(summary.count, 200_000);
  assert.equal(summary.lastStep, 199_999);
});

test('onRunStart: called synchronously with each started run, already active; errors swallowed once; removable', async () => {
  const seen: [string, string | undefined][] = [];
  const off = tl.onRunStart((run) => { seen.push([run.name, tl.activeRun()?.name]); });
  let throws = 0;
  const offBad = tl.onRunStart(() => { throws++; throw new Error('hook bug'); });
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { warnings.push(args.join(' ')); };
  let outer: ActiveRun;
  let inner: ActiveRun;
  let wrapped = '';
  let implicit: ActiveRun | undefined;
  try {
    outer = tl.startRun({ name: 'hook-outer' });
    assert.deepEqual(seen, [['hook-outer', 'hook-outer']], 'seen before startRun returns');
    inner = tl.startRun({ name: 'hook-inner', parent: true });
    inner.log({ x: 1 }); // the run works normally after a throwing listener
    await inner.end();
    await tl.withRun({ name: 'hook-with' }, (run) => { wrapped = run.name; });
    // A run the implicit provider opens through startRun is reported too; one built directly is not.
    await outer.end();
    tl.setImplicitRunProvider(() => (implicit ??= tl.startRun({ name: 'hook-implicit' })));
    tl.log({ y: 1 });
    const direct = new ActiveRun(getClient(), { name: 'hook-direct' });
    await direct.end();
  } finally {
    console.warn = warn;
  }
  assert.equal(wrapped, 'hook-with');
  assert.deepEqual(seen.map(([name]) => name), ['hook-outer', 'hook-inner', 'hook-with', 'hook-implicit']);
  assert.deepEqual(seen.map(([name, active]) => name === active), [true, true, true, true]);
  assert.equal(throws, 4);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /listener threw and was ignored: hook bug/);
  off();
  offBad();
  const later = tl.startRun({ name: 'hook-after-off' });
  await later.end();
  await implicit?.end();
  assert.equal(seen.length, 4);
  assert.equal(throws, 4);
  assert.equal((await getClient().getRun(inner.id)).data.metrics.x.last, 1);
  assert.throws(() => tl.onRunStart('nope' as never), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
});

test('log() checks every value of a call, however many keys it has, and keeps nothing from a bad call', async () => {
  const run = tl.startRun();
  const wide: Record<string, unknown> = {};
  for (let i = 0; i < 20; i++) wide[`k${i}`] = i;
  wide.k18 = '12';
  assert.throws(() => run.log(wide as Record<string, number>), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /k18/.test(e.message));
  wide.k18 = 18;
  run.log(wide as Record<string, number>, 0);
  await run.end();
  const stored = await getClient().getRun(run.id);
  assert.equal(Object.keys(stored.data.metrics).length, 20);
  assert.equal(stored.data.metrics.k18.last, 18);
  assert.equal(stored.data.metrics.k0.count, 1);
});

test('a run started and ended in one stretch of code is stored ended, with its params, tags and points', async () => {
  const run = tl.startRun({ params: { lr: 0.1 }, tags: { team: 'nlp' } });
  run.log({ loss: 0.5, acc: 0.9 }, 0);
  run.log({ loss: 0.25, acc: 0.95 }, 1);
  const ended = run.end('FAILED', 'diverged');
  await ended;
  const stored = await getClient().getRun(run.id);
  assert.deepEqual([stored.info.status, stored.info.statusMessage], ['FAILED', 'diverged']);
  assert.ok(stored.info.endTime !== null && stored.info.endTime >= stored.info.startTime);
  assert.deepEqual({ ...stored.data.params }, { lr: '0.1' });
  assert.equal(stored.data.tags.team, 'nlp');
  assert.deepEqual([stored.data.metrics.loss.count, stored.data.metrics.loss.last, stored.data.metrics.acc.max], [2, 0.25, 0.95]);
  assert.equal(await run.end(), undefined, 'a second end() returns the first one\'s outcome');
});

test('a run logging past the buffer limit without yielding is written then, so its points can be flushed', async () => {
  const run = tl.startRun({ params: { lr: 0.1 } });
  const n = 70_000; // past the 65,536 points one series may hold
  for (let i = 0; i < n; i++) run.log({ loss: i }, i);
  // Nothing has yielded since startRun(): another connection sees the run and its first points already.
  const raw = new Database(path.join(getClient().home, DB_FILE), { readonly: true });
  try {
    assert.deepEqual(raw.prepare('SELECT status FROM runs WHERE run_id = ?').get(run.id), { status: 'RUNNING' });
    const flushed = raw.prepare('SELECT SUM(n) AS n FROM metric_blocks WHERE run_id = ?').get(run.id) as { n: number };
    assert.ok(flushed.n >= 65_536, `only ${flushed.n} points flushed`);
  } finally {
    raw.close();
  }
  await run.end();
  const stored = await getClient().getRun(run.id);
  assert.deepEqual([stored.info.status, stored.data.metrics.loss.count, stored.data.metrics.loss.last], ['FINISHED', n, n - 1]);
  assert.deepEqual({ ...stored.data.params }, { lr: '0.1' });
});

test('await startRun() ... await endRun(): the row is written once, already ended', async () => {
  const client = getClient();
  const store = (client as unknown as { core: { store(): { createRun: (...a: unknown[]) => Promise<unknown>; updateRun: (...a: unknown[]) => Promise<unknown> } } }).core.store();
  const calls: string[] = [];
  const { createRun, updateRun } = store;
  store.createRun = (...a) => { calls.push(`create ${(a[0] as { end?: { status: string } }).end?.status ?? 'RUNNING'}`); return createRun.apply(store, a); };
  store.updateRun = (...a) => { calls.push('update'); return updateRun.apply(store, a); };
  try {
    // What a new user writes: the await only yields (startRun returns the run).
    const run = await tl.startRun({ params: { lr: 0.1 } });
    run.log({ loss: 0.5 }, 0);
    await tl.endRun();
    assert.deepEqual(calls, ['create FINISHED']);
    const stored = await client.getRun(run.id);
    assert.deepEqual([stored.info.status, stored.data.metrics.loss.last, stored.data.params.lr], ['FINISHED', 0.5, '0.1']);
  } finally {
    store.createRun = createRun;
    store.updateRun = updateRun;
  }
});

test('a run not written yet is written before any read of this process, through any client', async () => {
  const run = tl.startRun({ params: { lr: 0.1 } });
  const other = new (getClient().constructor as typeof import('./client').TrackingClient)({ home: getClient().home });
  const seen = await other.getRun(run.id);
  assert.equal(seen.info.status, 'RUNNING');
  assert.equal(seen.data.params.lr, '0.1');
  await run.end();
  assert.equal((await other.getRun(run.id)).info.status, 'FINISHED');
  await other.close();
});

test('a bad step is refused naming the metric keys and the step, and the points logged before it stay', async () => {
  const run = tl.startRun();
  tl.log({ acc: 0.5 }, 0);
  const refused = (pattern: RegExp) => (e: unknown): boolean => {
    assert.ok(isTracklabError(e, 'INVALID_PARAMETER_VALUE'), String(e));
    assert.match(e.message, pattern);
    return true;
  };
  assert.throws(() => tl.log({ acc: 0.6 }, 1.5), refused(/^Metric "acc" got step number 1\.5; steps must be integers\./));
  assert.throws(() => tl.logMetric('acc', 0.6, Number.NaN), refused(/^Metric "acc" got step number NaN;/));
  assert.throws(() => tl.log({ acc: 0.6, loss: 1 }, '3' as never), refused(/^Metrics "acc", "loss" got step the string "3";/));
  assert.throws(() => tl.log({ acc: 0.6 }, { step: 3 } as never), refused(/^Metric "acc" got step an object;/));
  assert.throws(() => tl.log({ acc: 0.6 }, 2 ** 60), refused(/^Metric "acc" got step 1152921504606847000, beyond/));
  tl.log({ acc: 0.7 });
  await run.end();
  const history = await getClient().metricHistory(run.id, ['acc']);
  assert.deepEqual(Array.from(history.getChild('value')!.toArray() as Float64Array), [0.5, 0.7]);
  assert.deepEqual(Array.from(history.getChild('step')!.toArray() as BigInt64Array, Number), [0, 1]);
});
