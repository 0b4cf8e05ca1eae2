/**
 * The behaviour every TrackingStore backend must show, as node:test tests
 * that use the interface only. A backend's test file calls
 * `describeStoreContract('sqlite', open)`; a backend that cannot do
 * something names the test it skips and why.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { describe, test } from 'node:test';
import type { EncodedMetricBlock, MetricColumns, Run } from '../entities';
import { encodeBlock } from '../metrics/block-codec';
import { isTracklabError, type ErrorCode } from '../errors';
import type { FilterNode } from '../search/filter-ast';
import type { NewRun, RunSearchQuery, TrackingStore } from './store';

/**
 * Opens a fresh, empty store; `cleanup` closes it and removes what it left (a temp folder, a database).
 * `putBlob` stores artifact content where the store checks manifest entries against it (a server
 * refuses entries naming content it does not hold); without it, entries only need a real digest.
 */
export type OpenStore = () => Promise<{ store: TrackingStore; cleanup(): void | Promise<void>; putBlob?(bytes: Uint8Array): Promise<unknown> }>;

/** Content for a manifest entry: its digest and size, stored first where the backend checks. */
type Blob = (text: string) => Promise<{ sha256: string; size: number }>;

/** Registers the contract tests for one backend. */
export function describeStoreContract(name: string, open: OpenStore): void {
  async function withStore(fn: (store: TrackingStore, blob: Blob) => Promise<void>): Promise<void> {
    const { store, cleanup, putBlob } = await open();
    const blob: Blob = async (text) => {
      const bytes = Buffer.from(text, 'utf8');
      await putBlob?.(bytes);
      return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    };
    try {
      await fn(store, blob);
    } finally {
      await cleanup();
    }
  }
  const it = (title: string, fn: (store: TrackingStore, blob: Blob) => Promise<void>): void => {
    test(title, () => withStore(fn));
  };

  describe(`${name} store contract`, () => {
    describe('experiments', () => {
      it('creates, finds by id and name, and refuses a duplicate name', async (store) => {
        const exp = await store.createExperiment({ name: 'mnist', description: 'digits', tags: { team: 'vision' } });
        assert.equal(exp.name, 'mnist');
        assert.equal(exp.lifecycleStage, 'active');
        assert.deepEqual({ ...exp.tags }, { team: 'vision' });
        assert.deepEqual(await store.getExperiment(exp.experimentId), exp);
        assert.deepEqual(await store.getExperiment('mnist'), exp);
        await rejectsWith(store.createExperiment({ name: 'mnist' }), 'RESOURCE_ALREADY_EXISTS', /"mnist" already exists/);
        await rejectsWith(store.getExperiment('nope'), 'RESOURCE_DOES_NOT_EXIST', /"nope"/);
      });

      it('experiment ids are letters and digits, so none reads as a command-line option', async (store) => {
        const ids = [(await store.ensureExperiment('Default')).experimentId];
        for (let i = 0; i < 100; i++) ids.push((await store.createExperiment({ name: `ids-${i}` })).experimentId);
        for (const id of ids) assert.match(id, /^[A-Za-z0-9]{21}$/);
      });

      it('ensureExperiment returns one experiment to concurrent callers', async (store) => {
        const all = await Promise.all(Array.from({ length: 5 }, () => store.ensureExperiment('Default')));
        assert.equal(new Set(all.map((e) => e.experimentId)).size, 1);
        assert.equal((await store.ensureExperiment('Default')).experimentId, all[0].experimentId);
      });

      it('renames, describes and tags; a taken name is refused', async (store) => {
        const a = await store.createExperiment({ name: 'a' });
        await store.createExperiment({ name: 'b' });
        const renamed = await store.updateExperiment(a.experimentId, { name: 'a2', description: 'second try' });
        assert.equal(renamed.name, 'a2');
        assert.equal(renamed.description, 'second try');
        assert.ok(renamed.lastUpdateTime >= a.lastUpdateTime);
        await rejectsWith(store.updateExperiment(a.experimentId, { name: 'b' }), 'RESOURCE_ALREADY_EXISTS', /"b"/);
        await store.setExperimentTags(a.experimentId, { k: '1', j: '2' });
        await store.setExperimentTags(a.experimentId, { k: '3' });
        assert.deepEqual({ ...(await store.getExperiment('a2')).tags }, { k: '3', j: '2' });
        assert.equal((await store.updateExperiment(a.experimentId, { description: null })).description, null);
      });

      it('deleting an experiment deletes its runs; restoring brings back only those', async (store) => {
        const exp = await store.createExperiment({ name: 'e' });
        const kept = await store.createRun(newRun(exp.experimentId, 'r1'));
        const alone = await store.createRun(newRun(exp.experimentId, 'r2'));
        await store.setRunLifecycle(alone.runId, 'deleted');
        await store.setExperimentLifecycle(exp.experimentId, 'deleted');
        assert.equal((await store.getExperiment('e')).lifecycleStage, 'deleted');
        assert.equal((await store.getRun(kept.runId)).info.lifecycleStage, 'deleted');
        await rejectsWith(store.createRun(newRun(exp.experimentId, 'r3')), 'INVALID_STATE', /deleted/);
        await store.setExperimentLifecycle(exp.experimentId, 'active');
        assert.equal((await store.getRun(kept.runId)).info.lifecycleStage, 'active');
        assert.equal((await store.getRun(alone.runId)).info.lifecycleStage, 'deleted');
      });

      it('searches by lifecycle with paging', async (store) => {
        for (const n of ['x1', 'x2', 'x3']) await store.createExperiment({ name: n });
        await store.setExperimentLifecycle((await store.getExperiment('x2')).experimentId, 'deleted');
        const base = { orderBy: [], offset: 0, maxResults: 10 };
        const active = await store.searchExperiments({ ...base, lifecycle: 'active' });
        assert.deepEqual(active.experiments.map((e) => e.name).sort(), ['x1', 'x3']);
        assert.equal(active.nextOffset, null);
        const page = await store.searchExperiments({ ...base, lifecycle: 'all', maxResults: 2 });
        assert.equal(page.experiments.length, 2);
        assert.equal(page.nextOffset, 2);
        const rest = await store.searchExperiments({ ...base, lifecycle: 'all', maxResults: 2, offset: 2 });
        assert.equal(rest.experiments.length, 1);
        assert.equal(rest.nextOffset, null);
        const seen = [...page.experiments, ...rest.experiments].map((e) => e.name).sort();
        assert.deepEqual(seen, ['x1', 'x2', 'x3']);
      });
    });

    describe('runs', () => {
      it('creates a run with params and tags and reads it back', async (store) => {
        const exp = await store.ensureExperiment('Default');
        const info = await store.createRun({
          ...newRun(exp.experimentId, 'r1'), runName: 'brave-otter-042', user: 'ada', parentRunId: 'parent-1',
          params: { lr: '0.1', layers: '3' }, tags: { 'tracklab.source': 'nb.ipynb' },
        });
        assert.equal(info.status, 'RUNNING');
        assert.equal(info.endTime, null);
        const run = await store.getRun('r1');
        assert.deepEqual(run.info, info);
        assert.deepEqual(run.info, {
          runId: 'r1', runName: 'brave-otter-042', experimentId: exp.experimentId, parentRunId: 'parent-1',
          status: 'RUNNING', statusMessage: null, startTime: 1_700_000_000_000, endTime: null, user: 'ada', lifecycleStage: 'active',
        });
        assert.deepEqual({ params: { ...run.data.params }, tags: { ...run.data.tags }, metrics: { ...run.data.metrics } }, { params: { lr: '0.1', layers: '3' }, tags: { 'tracklab.source': 'nb.ipynb' }, metrics: {} });
        await rejectsWith(store.createRun(newRun(exp.experimentId, 'r1')), 'RESOURCE_ALREADY_EXISTS', /"r1"/);
        await rejectsWith(store.createRun(newRun('no-such-exp', 'r2')), 'RESOURCE_DOES_NOT_EXIST', /no-such-exp/);
        await rejectsWith(store.getRun('ghost'), 'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
      });

      it('creates a run that already ended, with its outcome and last points, whatever their number', async (store) => {
        const exp = await store.ensureExperiment('Default');
        const many = Array.from({ length: 5000 }, (_, i) => i);
        for (const [runId, values] of [['few', [3, NaN, -0]], ['many', many]] as const) {
          const steps = values.map((_, i) => i);
          const info = await store.createRun({
            ...newRun(exp.experimentId, runId), params: { lr: '0.1' }, tags: { t: 'x' },
            end: { status: 'FAILED', statusMessage: 'diverged', endTime: 1_700_000_000_500, metrics: [block(runId, 'loss', steps, steps, [...values])] },
          });
          assert.deepEqual([info.status, info.statusMessage, info.endTime], ['FAILED', 'diverged', 1_700_000_000_500]);
          const run = await store.getRun(runId);
          assert.deepEqual(run.info, info);
          assert.deepEqual({ ...run.data.params }, { lr: '0.1' });
          assert.deepEqual({ ...run.data.tags }, { t: 'x' });
          assert.equal(run.data.metrics.loss.count, values.length);
          const [history] = await store.readMetrics([runId], ['loss']);
          assert.equal(bitsOf(history.values), bitsOf(Float64Array.from(values)));
          await rejectsWith(store.updateRun(runId, { status: 'FINISHED' }), 'INVALID_STATE', /already ended as FAILED/);
        }
      });

      it('keys such as __proto__ are stored as plain keys', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun({ ...newRun(exp.experimentId, 'p'), params: { __proto__x: '1' }, tags: {} });
        await store.logBatch('p', { tags: Object.fromEntries([['__proto__', 'tag']]) });
        const run = await store.getRun('p');
        assert.equal(Object.getOwnPropertyDescriptor(run.data.tags, '__proto__')?.value, 'tag');
        assert.equal(run.data.params.__proto__x, '1');
        // Prototype-free records: a key a run does not have ("constructor", "toString") reads as undefined.
        for (const record of [run.data.params, run.data.tags, run.data.metrics, (await store.getExperiment(exp.experimentId)).tags]) {
          assert.equal(Object.getPrototypeOf(record), null);
        }
      });

      it('ends once: a terminal run cannot change status, but can be renamed', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const ended = await store.updateRun('r', { status: 'FAILED', statusMessage: 'boom', endTime: 1_700_000_000_500 });
        assert.equal(ended.status, 'FAILED');
        assert.equal(ended.statusMessage, 'boom');
        assert.equal(ended.endTime, 1_700_000_000_500);
        await rejectsWith(store.updateRun('r', { status: 'FINISHED' }), 'INVALID_STATE', /already ended as FAILED/);
        await rejectsWith(store.updateRun('r', { status: 'FAILED' }), 'INVALID_STATE', /already ended/);
        assert.equal((await store.updateRun('r', { runName: 'renamed' })).runName, 'renamed');
        await store.createRun(newRun(exp.experimentId, 'r2'));
        const before = Date.now();
        const finished = await store.updateRun('r2', { status: 'FINISHED' });
        assert.ok(finished.endTime !== null && finished.endTime >= before, 'a terminal status without endTime gets one');
        await rejectsWith(store.updateRun('ghost', { status: 'FINISHED' }), 'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
      });

      it('params are write-once: same value is a no-op; a conflict names both values and writes nothing', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun({ ...newRun(exp.experimentId, 'r'), runName: 'brave-otter-042', params: { lr: '0.1' } });
        await store.logBatch('r', { params: { lr: '0.1', bs: '32' } });
        await rejectsWith(
          store.logBatch('r', {
            params: { epochs: '10', lr: '0.2' }, tags: { t: 'x' }, deleteTags: [],
            metrics: [{ key: 'loss', value: 1, step: 0, timestamp: 1 }],
          }),
          'INVALID_PARAMETER_VALUE', /"lr".*"0\.1".*brave-otter-042.*"0\.2"/s,
        );
        const run = await store.getRun('r');
        assert.deepEqual({ ...run.data.params }, { lr: '0.1', bs: '32' });
        assert.deepEqual({ ...run.data.tags }, {});
        assert.deepEqual({ ...run.data.metrics }, {});
        assert.deepEqual(await store.readMetrics(['r']), []);
      });

      it('tags upsert and delete', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun({ ...newRun(exp.experimentId, 'r'), tags: { a: '1', b: '2' } });
        await store.logBatch('r', { tags: { a: '10', c: '3' }, deleteTags: ['b', 'never-set'] });
        assert.deepEqual({ ...(await store.getRun('r')).data.tags }, { a: '10', c: '3' });
      });

      it('deleted runs refuse new data, and purge removes them with everything they own', async (store, blob) => {
        const exp = await store.ensureExperiment('Default');
        const sha = new Map<string, string>();
        for (const id of ['keep', 'old', 'new']) {
          await store.createRun({ ...newRun(exp.experimentId, id), params: { p: id } });
          await store.appendMetrics([block(id, 'loss', [0, 1], [1, 2], [0.5, 0.25])]);
          const content = await blob(`model of ${id}`);
          sha.set(id, content.sha256);
          await store.putArtifacts(id, [{ path: 'model.bin', ...content }]);
          await store.recordCell({ runId: id, seq: 0, executionCount: 1, source: 'x', startTime: 1, endTime: 2, status: 'ok', error: null });
        }
        await store.setRunLifecycle('old', 'deleted');
        const cutoff = Date.now();
        await new Promise((r) => setTimeout(r, 5));
        await store.setRunLifecycle('new', 'deleted');
        await rejectsWith(store.logBatch('old', { tags: { a: 'b' } }), 'INVALID_STATE', /deleted/);
        await rejectsWith(store.appendMetrics([block('old', 'x', [0], [1], [1])]), 'INVALID_STATE', /deleted/);
        assert.deepEqual([...(await store.referencedBlobs())].sort(), ['keep', 'new', 'old'].map((id) => sha.get(id)).sort());
        assert.deepEqual(await store.purgeDeletedRuns(cutoff), ['old']);
        assert.deepEqual(await store.purgeDeletedRuns(), ['new']);
        assert.deepEqual(await store.purgeDeletedRuns(), []);
        await rejectsWith(store.getRun('old'), 'RESOURCE_DOES_NOT_EXIST', /"old"/);
        await rejectsWith(store.readMetrics(['new']), 'RESOURCE_DOES_NOT_EXIST', /"new"/);
        assert.deepEqual([...(await store.referencedBlobs())], [sha.get('keep')]);
        await store.setRunLifecycle('keep', 'deleted');
        await store.setRunLifecycle('keep', 'active');
        await store.logBatch('keep', { tags: { back: 'yes' } });
        assert.equal((await store.getRun('keep')).data.tags.back, 'yes');
      });
    });

    describe('metrics', () => {
      it('NaN, ±Infinity and -0 round-trip through history and summaries', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const values = [NaN, Infinity, -Infinity, -0, 0.1];
        await store.appendMetrics([block('r', 'm', [0, 1, 2, 3, 4], [10, 10, 11, 12, 12], values)]);
        const [got] = await store.readMetrics(['r']);
        assert.deepEqual(bitsOf(got.values), bitsOf(new Float64Array(values)));
        for (const v of values) {
          await store.appendMetrics([block('r', `only:${Object.is(v, -0) ? '-0' : String(v)}`, [0], [1], [v])]);
        }
        const { metrics } = (await store.getRun('r')).data;
        assert.equal(metrics.m.last, 0.1);
        assert.equal(metrics.m.min, -Infinity);
        assert.equal(metrics.m.max, Infinity);
        assert.equal(metrics.m.count, 5);
        assert.ok(Number.isNaN(metrics['only:NaN'].last) && Number.isNaN(metrics['only:NaN'].min) && Number.isNaN(metrics['only:NaN'].max));
        assert.equal(metrics['only:Infinity'].last, Infinity);
        assert.equal(metrics['only:-Infinity'].last, -Infinity);
        assert.ok(Object.is(metrics['only:-0'].last, -0) && Object.is(metrics['only:-0'].min, -0) && Object.is(metrics['only:-0'].max, -0));
        const exact = [0.1 + 0.2, 1 / 3, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 123456789.12345678];
        await store.appendMetrics(exact.map((v, i) => block('r', `exact${i}`, [2 ** 40 + i], [1_700_000_000_000 + i], [v])));
        const exactRun = await store.getRun('r');
        exact.forEach((v, i) => {
          const s = exactRun.data.metrics[`exact${i}`];
          assert.deepEqual([s.last, s.min, s.max, s.lastStep, s.lastTimestamp], [v, v, v, 2 ** 40 + i, 1_700_000_000_000 + i]);
        });
        await store.appendMetrics([block('r', 'only:-0', [1], [2], [0])]);
        const zeros = (await store.getRun('r')).data.metrics['only:-0'];
        assert.ok(Object.is(zeros.last, 0) && Object.is(zeros.min, -0) && Object.is(zeros.max, 0));
      });

      it('the latest value is the greatest step, then greatest timestamp, then the later logged', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        await store.appendMetrics([block('r', 'a', [5, 9, 2], [100, 50, 200], [1, 2, 3])]);
        assert.deepEqual(pickLast(await store.getRun('r'), 'a'), { last: 2, lastStep: 9, lastTimestamp: 50 });
        await store.appendMetrics([block('r', 'a', [9, 9], [40, 50], [4, 5])]);
        assert.deepEqual(pickLast(await store.getRun('r'), 'a'), { last: 5, lastStep: 9, lastTimestamp: 50 });
        await store.appendMetrics([block('r', 'a', [3], [999], [6])]);
        assert.deepEqual(pickLast(await store.getRun('r'), 'a'), { last: 5, lastStep: 9, lastTimestamp: 50 });
        const s = (await store.getRun('r')).data.metrics.a;
        assert.deepEqual([s.min, s.max, s.count], [1, 6, 6]);
      });

      it('history comes back by run (as asked), key, then insertion; logBatch points join the same history', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r1'));
        await store.createRun(newRun(exp.experimentId, 'r2'));
        await store.appendMetrics([block('r1', 'loss', [0, 1], [1, 2], [3, 2]), block('r2', 'acc', [0], [1], [0.5])]);
        await store.logBatch('r1', { metrics: [
          { key: 'loss', value: 1, step: 2, timestamp: 3 }, { key: 'acc', value: 0.9, step: 2, timestamp: 3 },
          { key: 'loss', value: 0.5, step: 3, timestamp: 4 },
        ] });
        await store.appendMetrics([block('r1', 'loss', [4], [5], [0.25])]);
        const flat = (blocks: readonly MetricColumns[]): [string, string, number, number][] =>
          blocks.flatMap((b) => Array.from(b.values, (v, i): [string, string, number, number] => [b.runId, b.key, b.steps[i], v]));
        assert.deepEqual(flat(await store.readMetrics(['r2', 'r1'])), [
          ['r2', 'acc', 0, 0.5],
          ['r1', 'acc', 2, 0.9],
          ['r1', 'loss', 0, 3], ['r1', 'loss', 1, 2], ['r1', 'loss', 2, 1], ['r1', 'loss', 3, 0.5], ['r1', 'loss', 4, 0.25],
        ]);
        assert.deepEqual(flat(await store.readMetrics(['r1'], ['acc'])), [['r1', 'acc', 2, 0.9]]);
        const [ts] = await store.readMetrics(['r2']);
        assert.deepEqual(Array.from(ts.timestamps), [1]);
        assert.equal((await store.getRun('r1')).data.metrics.loss.count, 5);
        await rejectsWith(store.readMetrics(['r1', 'ghost']), 'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
      });

      it('appendMetrics of more points than one short write takes reads back whole, and is still all-or-nothing', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const n = 600_000;
        const steps = Array.from({ length: n }, (_, i) => i);
        await rejectsWith(store.appendMetrics([block('r', 'big', steps, steps, steps), block('r', 'bad', [0.5], [1], [1])]),
          'INVALID_PARAMETER_VALUE', /integers/);
        assert.deepEqual(await store.readMetrics(['r']), [], 'a bad block anywhere writes nothing');
        await store.appendMetrics([block('r', 'big', steps, steps, steps)]);
        const read = await store.readMetrics(['r'], ['big']);
        const stepsRead = read.flatMap((b) => Array.from(b.steps));
        assert.equal(stepsRead.length, n);
        assert.ok(stepsRead.every((s, i) => s === i), 'in order');
        assert.equal((await store.getRun('r')).data.metrics.big?.count, n);
      });

      it('appendMetrics is all-or-nothing across blocks', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        await rejectsWith(store.appendMetrics([block('r', 'ok', [0], [1], [1]), block('ghost', 'x', [0], [1], [1])]),
          'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
        assert.deepEqual(await store.readMetrics(['r']), []);
        assert.deepEqual({ ...(await store.getRun('r')).data.metrics }, {});
        await rejectsWith(store.appendMetrics([block('r', 'frac', [0.5], [1], [1])]), 'INVALID_PARAMETER_VALUE', /integers/);
        for (const [steps, timestamps] of [[[0, 2 ** 53 + 2], [1, 2]], [[0, 1], [-1, 2]], [[0, 1], [1, 2 ** 60]]]) {
          await rejectsWith(store.appendMetrics([block('r', 'ok', [0], [1], [1]), block('r', 'far', steps!, timestamps!, [1, 2])]), 'INVALID_PARAMETER_VALUE', /integers within/);
        }
        assert.deepEqual(await store.readMetrics(['r']), [], 'steps and timestamps logMetric refuses refuse the whole write');
      });

      it('a batch sent again under its id is applied once; a refused one can be sent again', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const many = Array.from({ length: 30_000 }, (_, i) => i);
        for (let i = 0; i < 2; i++) {
          await store.appendMetrics([block('r', 'loss', [0, 1], [1, 2], [0.5, 0.25]), block('r', 'big', many, many, many)], { batchId: 'b-1' });
          await store.logBatch('r', { params: { lr: '0.1' }, metrics: [{ key: 'acc', value: 0.9, step: 0, timestamp: 3 }], batchId: 'b-2' });
        }
        await store.appendMetrics([block('r', 'loss', [2], [3], [0.125])], { batchId: 'b-3' });
        const counts: Record<string, number> = {};
        for (const b of await store.readMetrics(['r'])) counts[b.key] = (counts[b.key] ?? 0) + b.steps.length;
        assert.deepEqual(counts, { acc: 1, big: many.length, loss: 3 });
        assert.equal((await store.getRun('r')).data.metrics.loss?.count, 3);
        await rejectsWith(store.appendMetrics([block('ghost', 'x', [0], [1], [1])], { batchId: 'b-4' }), 'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
        await store.createRun(newRun(exp.experimentId, 'ghost'));
        await store.appendMetrics([block('ghost', 'x', [0], [1], [1])], { batchId: 'b-4' });
        assert.equal((await store.readMetrics(['ghost'])).length, 1, 'a refused batch recorded nothing, so it lands when sent again');
        await rejectsWith(store.appendMetrics([], { batchId: 'no spaces' }), 'INVALID_PARAMETER_VALUE', /batch id/);
      });
    });

    describe('metric blocks already encoded (appendMetricBlocks)', () => {
      it('round-trip exactly: NaN, ±Infinity and -0 in history and summaries, the bytes kept as sent', async (store) => {
        const append = appendMetricBlocksOf(store);
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const values = [NaN, Infinity, -Infinity, -0, 0.1 + 0.2, 5e-324, -Number.MAX_VALUE];
        const steps = [0, 1, 2, 3, 4, 5, 6]; // an arithmetic column
        const timestamps = [10, 10, 12, 11, 2 ** 41, 2 ** 41 + 3, 2 ** 41]; // deltas
        const sent = [
          encoded('r', 'm', steps, timestamps, values),
          encoded('r', 'raw', [-5, Number.MAX_SAFE_INTEGER, 7], [1, 2, 3], [-0, 0, -0]), // a raw steps column (jumps wider than deltas hold)
          encoded('r', 'empty', [], [], []),
        ];
        await append(sent);
        const read = await store.readMetrics(['r']);
        assert.deepEqual(read.map((b) => b.key), ['m', 'raw'], 'a block of no points stores nothing');
        const [m, raw] = read;
        assert.deepEqual([bitsOf(m.steps), bitsOf(m.timestamps), bitsOf(m.values)],
          [bitsOf(new Float64Array(steps)), bitsOf(new Float64Array(timestamps)), bitsOf(new Float64Array(values))]);
        assert.deepEqual([bitsOf(raw.steps), bitsOf(raw.values)], [bitsOf(new Float64Array([-5, Number.MAX_SAFE_INTEGER, 7])), bitsOf(new Float64Array([-0, 0, -0]))]);
        if (store.readMetricBlocks !== undefined) {
          const stored = await store.readMetricBlocks(['r'], ['m']);
          assert.deepEqual(Buffer.from(stored[0].data), Buffer.from(sent[0].data), 'stored as sent, not encoded again');
        }
        const { metrics } = (await store.getRun('r')).data;
        assert.deepEqual([metrics.m.last, metrics.m.lastStep, metrics.m.lastTimestamp, metrics.m.min, metrics.m.max, metrics.m.count],
          [-Number.MAX_VALUE, 6, 2 ** 41, -Infinity, Infinity, 7]);
        assert.ok(Object.is(metrics.raw.min, -0) && Object.is(metrics.raw.max, 0) && Object.is(metrics.raw.last, 0));
        assert.equal(metrics.raw.lastStep, Number.MAX_SAFE_INTEGER);
        await append([encoded('r', 'm', [7], [1], [NaN])]);
        const after = (await store.getRun('r')).data.metrics.m;
        assert.ok(Number.isNaN(after.last) && after.count === 8 && after.min === -Infinity, 'folds into the summary like appendMetrics');
        await store.appendMetrics([block('r', 'm', [8], [1], [-0])]);
        const both = (await store.readMetrics(['r'], ['m'])).flatMap((b) => Array.from(b.steps));
        assert.deepEqual(both, [0, 1, 2, 3, 4, 5, 6, 7, 8], 'one history with appendMetrics, in order');
      });

      it('a malformed or refused block anywhere is refused with INVALID_PARAMETER_VALUE, and nothing is written', async (store) => {
        const append = appendMetricBlocksOf(store);
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const good = encoded('r', 'good', [0, 1, 2], [5, 6, 9], [0.5, NaN, -0]);
        const bytes = Buffer.from(good.data);
        const damaged: [string, Uint8Array, RegExp][] = [
          ['cut short', bytes.subarray(0, bytes.length - 1), /malformed/],
          ['a byte too many', Buffer.concat([bytes, Buffer.from([0])]), /malformed \(trailing bytes\)/],
          ['an unknown version', Buffer.concat([Buffer.from([9]), bytes.subarray(1)]), /malformed \(unknown format version 9\)/],
          ['more points than bytes', Buffer.concat([Buffer.from([1, 200]), bytes.subarray(2)]), /malformed/],
          ['an unknown column mode', withByte(bytes, 2 + 8 * 3, 7), /malformed \(unknown column mode 7\)/],
          ['empty', Buffer.alloc(0), /malformed/],
          ['a fractional step', encoded('r', 'bad', [0.5], [1], [1]).data, /integers/],
          ['a step past 2^53 (arithmetic column)', encoded('r', 'bad', [2 ** 53, 2 ** 53 + 2], [1, 2], [1, 1]).data, /integers within/],
          ['a step past -2^53 (raw column)', encoded('r', 'bad', [0, -(2 ** 54)], [1, 2], [1, 1]).data, /integers within/],
          ['a negative timestamp', encoded('r', 'bad', [0, 1], [-2, -1], [1, 1]).data, /timestamp not negative/],
          ['a timestamp past 2^53', encoded('r', 'bad', [0, 1], [1, 2 ** 60], [1, 1]).data, /integers within/],
        ];
        for (const [what, data, message] of damaged) {
          await rejectsWith(append([good, { runId: 'r', key: 'bad', data }]), 'INVALID_PARAMETER_VALUE', message);
          await rejectsWith(append([good, { runId: 'r', key: 'bad', data }], { batchId: 'once' }), 'INVALID_PARAMETER_VALUE', /"bad" of run r/);
          assert.deepEqual(await store.readMetrics(['r']), [], `${what}: nothing written`);
        }
        assert.deepEqual({ ...(await store.getRun('r')).data.metrics }, {}, 'no summary either');
        await rejectsWith(append([good, encoded('ghost', 'x', [0], [1], [1])]), 'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
        await append([good], { batchId: 'once' });
        assert.equal((await store.readMetrics(['r'])).length, 1, 'the refused sends recorded no batch id');
      });

      it('a batch sent again under its id is applied once', async (store) => {
        const append = appendMetricBlocksOf(store);
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const many = Array.from({ length: 30_000 }, (_, i) => i);
        const batch = [encoded('r', 'loss', [0, 1], [1, 2], [0.5, 0.25]), encoded('r', 'big', many, many, many)];
        for (let i = 0; i < 3; i++) await append(batch, { batchId: 'enc-1' });
        await append([encoded('r', 'loss', [2], [3], [0.125])], { batchId: 'enc-2' });
        await append([encoded('r', 'loss', [3], [4], [0.0625])], { batchId: 'enc-2' });
        const counts: Record<string, number> = {};
        for (const b of await store.readMetrics(['r'])) counts[b.key] = (counts[b.key] ?? 0) + b.steps.length;
        assert.deepEqual(counts, { big: many.length, loss: 3 });
        const { metrics } = (await store.getRun('r')).data;
        assert.deepEqual([metrics.loss.count, metrics.loss.last, metrics.big.count], [3, 0.125, many.length]);
        await rejectsWith(append([], { batchId: 'no spaces' }), 'INVALID_PARAMETER_VALUE', /batch id/);
      });

      it('several batches in one write (appendMetricBatches): each once under its id, and a refusal of any writes none', async (store) => {
        // The remote store has no appendMetricBatches (the server's store applies a joined upload); there is nothing to check.
        if (store.appendMetricBatches === undefined) return;
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        await store.createRun(newRun(exp.experimentId, 'd'));
        await store.setRunLifecycle('d', 'deleted');
        const one = (id: string, step: number, runId = 'r') => ({ batchId: id, blocks: [encoded(runId, 'loss', [step], [1], [step])] });
        const steps = async () => (await store.readMetrics(['r'])).flatMap((b) => Array.from(b.steps));
        await rejectsWith(store.appendMetricBatches([one('b0', 0), one('b1', 1, 'ghost')]), 'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
        await rejectsWith(store.appendMetricBatches([one('b0', 0), one('b1', 1, 'd')]), 'INVALID_STATE', /is deleted/);
        await rejectsWith(store.appendMetricBatches([one('b0', 0), { batchId: 'b1', blocks: [{ runId: 'r', key: 'bad', data: new Uint8Array(3) }] }]),
          'INVALID_PARAMETER_VALUE', /malformed/);
        await rejectsWith(store.appendMetricBatches([one('b0', 0), one('s:x:1e3', 1)]), 'INVALID_PARAMETER_VALUE', /s:<sender>:<n>/);
        assert.deepEqual(await steps(), [], 'no batch of a refused write was stored');
        await store.appendMetricBatches([one('b0', 0), one('b1', 1)]);
        await store.appendMetricBatches([one('b1', 1), one('b2', 2), one('s:x:1', 3), one('b0', 0)]);
        await store.appendMetricBatches([one('s:x:1', 3), one('s:x:2', 4)]);
        assert.deepEqual(await steps(), [0, 1, 2, 3, 4], 'each batch once, in order');
      });
    });

    describe('search', () => {
      it('filters by metric, orders, and pages with nextOffset', async (store) => {
        const exp = await store.ensureExperiment('Default');
        for (let i = 0; i < 5; i++) {
          await store.createRun({ ...newRun(exp.experimentId, `r${i}`), startTime: 1000 + i, params: { opt: i % 2 ? 'adam' : 'sgd' } });
          await store.appendMetrics([block(`r${i}`, 'acc', [0], [1], [i / 10])]);
        }
        const query: RunSearchQuery = { experimentIds: [exp.experimentId], orderBy: [], maxResults: 2, offset: 0, lifecycle: 'active' };
        const first = await store.searchRuns(query);
        assert.deepEqual(first.runs.map((r) => r.info.runId), ['r4', 'r3'], 'default order is start_time DESC');
        assert.equal(first.nextOffset, 2);
        assert.equal(first.runs[0].data.params.opt, 'sgd');
        assert.equal(first.runs[0].data.metrics.acc.last, 0.4);
        const last = await store.searchRuns({ ...query, offset: 4 });
        assert.deepEqual(last.runs.map((r) => r.info.runId), ['r0']);
        assert.equal(last.nextOffset, null);
        const filter: FilterNode = { kind: 'compare', ident: { type: 'metric', key: 'acc' }, op: '>', value: 0.15, position: 0 };
        const byAcc = await store.searchRuns({
          ...query, filter, maxResults: 10, orderBy: [{ ident: { type: 'metric', key: 'acc' }, ascending: true }],
        });
        assert.deepEqual(byAcc.runs.map((r) => r.info.runId), ['r2', 'r3', 'r4']);
      });
    });

    describe('artifacts and cells', () => {
      it('keeps a manifest per run, listed by whole-segment prefix', async (store, blob) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const [aa, bb, cc, dd, ee] = await Promise.all(['weights 10', 'ML', 'x', 'note', 'notes'].map(blob));
        await store.putArtifacts('r', [
          { path: 'model/weights.bin', ...aa! }, { path: 'model/MLmodel', ...bb! },
          { path: 'model2/x', ...cc! }, { path: 'notes.txt', ...dd! },
        ]);
        await store.putArtifacts('r', [{ path: 'notes.txt', ...ee! }]);
        assert.deepEqual((await store.listArtifacts('r', 'model')).map((e) => e.path), ['model/MLmodel', 'model/weights.bin']);
        assert.deepEqual(await store.listArtifacts('r', 'notes.txt'), [{ path: 'notes.txt', ...ee! }]);
        assert.equal((await store.listArtifacts('r')).length, 4);
        assert.deepEqual([...(await store.referencedBlobs())].sort(), [aa!, bb!, cc!, ee!].map((b) => b.sha256).sort());
        await rejectsWith(store.putArtifacts('ghost', []), 'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
      });

      it('a store that says artifactsWithRun records a new run\'s manifest entries in its write, the last entry per path winning', async (store, blob) => {
        if (store.capabilities.artifactsWithRun !== true) return;
        const exp = await store.ensureExperiment('Default');
        const [aa, bb] = await Promise.all(['diff 1', 'diff 2'].map(blob));
        await store.createRun({ ...newRun(exp.experimentId, 'r'), artifacts: [{ path: 'provenance/git-diff.patch', ...aa! }, { path: 'provenance/git-diff.patch', ...bb! }] });
        assert.deepEqual(await store.listArtifacts('r'), [{ path: 'provenance/git-diff.patch', ...bb! }]);
        await rejectsWith(store.createRun({ ...newRun(exp.experimentId, 'r'), artifacts: [{ path: 'other', ...aa! }] }), 'RESOURCE_ALREADY_EXISTS', /"r"/);
        assert.deepEqual((await store.listArtifacts('r')).map((e) => e.path), ['provenance/git-diff.patch'], 'a refused run records nothing');
      });

      it('records cells by sequence, updating a cell when it ends', async (store) => {
        const exp = await store.ensureExperiment('Default');
        await store.createRun(newRun(exp.experimentId, 'r'));
        const cell = { runId: 'r', seq: 1, executionCount: 4, source: 'log()', startTime: 5, endTime: null, status: 'running', error: null } as const;
        await store.recordCell(cell);
        await store.recordCell({ ...cell, seq: 0, executionCount: 3, source: 'x = 1', endTime: 4, status: 'ok' });
        await store.recordCell({ ...cell, endTime: 9, status: 'error', error: 'TypeError: x' });
        assert.deepEqual(await store.listCells('r'), [
          { runId: 'r', seq: 0, executionCount: 3, source: 'x = 1', startTime: 5, endTime: 4, status: 'ok', error: null },
          { runId: 'r', seq: 1, executionCount: 4, source: 'log()', startTime: 5, endTime: 9, status: 'error', error: 'TypeError: x' },
        ]);
      });
    });

    describe('liveness', () => {
      it('reaps runs whose local process is gone and runs of other hosts that went quiet', async (store) => {
        const exp = await store.ensureExperiment('Default');
        const here = os.hostname();
        const now = Date.now();
        const owned = (id: string, pid: number, host: string): NewRun =>
          ({ ...newRun(exp.experimentId, id), startTime: now - 60_000, owner: { pid, host, processStart: `start-${pid}` } });
        await store.createRun(owned('dead', 111, here));
        await store.createRun(owned('alive', 222, here));
        await store.createRun(owned('quiet', 333, 'elsewhere'));
        await store.createRun(owned('beating', 444, 'elsewhere'));
        await store.createRun(owned('done', 111, here));
        await store.createRun(newRun(exp.experimentId, 'ownerless'));
        await store.updateRun('done', { status: 'FINISHED' });
        await store.heartbeat(['dead', 'beating', 'done'], now - 1000);
        // Points stored after the last heartbeat are a later sign of life.
        await store.appendMetrics([block('quiet', 'loss', [0, 1], [now - 50_000, now - 45_000], [1, 0.5])]);
        const asked: number[] = [];
        const reaped = await store.reapCrashedRuns((o) => { asked.push(o.pid); return o.pid === 222 && o.processStart === 'start-222'; }, 30_000);
        assert.deepEqual([...reaped].sort(), ['dead', 'quiet']);
        assert.deepEqual(asked.sort(), [111, 222], 'only RUNNING runs of this host are asked about');
        const dead = (await store.getRun('dead')).info;
        assert.equal(dead.status, 'CRASHED');
        assert.equal(dead.endTime, now - 1000, 'a crashed run ends at its last heartbeat');
        assert.match(dead.statusMessage ?? '', /process 111 on host .* exited without ending the run/);
        const quiet = (await store.getRun('quiet')).info;
        assert.equal(quiet.status, 'CRASHED');
        assert.match(quiet.statusMessage ?? '', /333.*elsewhere/);
        assert.equal(quiet.endTime, now - 45_000, 'a crashed run ends at its last stored point when that came after its last heartbeat');
        for (const id of ['alive', 'beating', 'ownerless']) assert.equal((await store.getRun(id)).info.status, 'RUNNING', id);
        assert.equal((await store.getRun('done')).info.status, 'FINISHED');
        assert.deepEqual(await store.reapCrashedRuns(() => false, 30_000), ['alive']);
      });
    });
  });
}

function newRun(experimentId: string, runId: string): NewRun {
  return { runId, runName: `name-${runId}`, experimentId, startTime: 1_700_000_000_000 };
}

function block(runId: string, key: string, steps: number[], timestamps: number[], values: number[]): MetricColumns {
  return { runId, key, steps: new Float64Array(steps), timestamps: new Float64Array(timestamps), values: new Float64Array(values) };
}

/** The store's appendMetricBlocks: every backend has it (the contract names it optional only for the client's worker store). */
function appendMetricBlocksOf(store: TrackingStore): NonNullable<TrackingStore['appendMetricBlocks']> {
  assert.ok(store.appendMetricBlocks, 'this backend stores blocks already encoded (appendMetricBlocks)');
  return store.appendMetricBlocks.bind(store);
}

function encoded(runId: string, key: string, steps: number[], timestamps: number[], values: number[]): EncodedMetricBlock {
  return { runId, key, data: encodeBlock(new Float64Array(steps), new Float64Array(timestamps), new Float64Array(values)) };
}

function withByte(bytes: Uint8Array, at: number, value: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = value;
  return copy;
}

function bitsOf(xs: Float64Array): string {
  return Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength).toString('hex');
}

function pickLast(run: Run, key: string): { last: number; lastStep: number; lastTimestamp: number } {
  const { last, lastStep, lastTimestamp } = run.data.metrics[key];
  return { last, lastStep, lastTimestamp };
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isTracklabError(err), `expected a TracklabError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}
