/**
 * exportBest over a real store: picks the best run that has a model in max
 * and min modes, skips runs without models (and without the metric, or NaN),
 * reuses the version for identical content and moves the alias.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../../src/models/load-model';
import { exportBest } from '../../src/show/export-best';
import { RegistryClient } from '../../src/registry/registry-client';
import { SUMMARY_METRIC_TAG, SUMMARY_MODE_TAG } from '../../src/registry/registry-summary';
import { configure } from '../../src/config';
import { TrackingClient } from '../../src/tracking/client';
import { startRun } from '../../src/tracking/fluent';
import { resetSettings } from '../../src/tracking/settings';
import { codeOf, tempHome, trainRun, type LoggedRun } from './helpers';

describe('exportBest', () => {
  let tracking: TrackingClient;
  let registry: RegistryClient;
  const runs: Record<string, LoggedRun> = {};

  before(async () => {
    tracking = new TrackingClient({ home: tempHome() });
    registry = new RegistryClient({ tracking });
    runs.low = await trainRun(tracking, 'exp', 1, { acc: 0.70 });
    runs.topNoModel = await trainRun(tracking, 'exp', 2, { acc: 0.99 }, { withModel: false });
    runs.high = await trainRun(tracking, 'exp', 3, { acc: 0.90 });
    runs.mid = await trainRun(tracking, 'exp', 4, { acc: 0.80 }, { modelName: 'nested/regressor' });
    runs.lowestNoModel = await trainRun(tracking, 'exp', 5, { acc: 0.10 }, { withModel: false });
    runs.nan = await trainRun(tracking, 'exp', 6, { acc: NaN });
    runs.noMetric = await trainRun(tracking, 'exp', 7, { loss: 0.01 });
    runs.other = await trainRun(tracking, 'elsewhere', 8, { acc: 0.999 });
  });

  after(async () => {
    registry.close();
    await tracking.close();
  });

  it('without an experiment, searches the current one: configure({ experiment }), then the latest run\'s', async () => {
    try {
      configure({ experiment: 'elsewhere' });
      const v = await exportBest({ metric: 'acc', mode: 'max', name: 'current', registry, display: false });
      assert.equal(v.runId, runs.other.runId, 'the configured experiment');
      // A run started in this process makes its experiment the current one.
      const run = startRun({ home: tracking.home, experiment: 'exp' });
      await run.end();
      const w = await exportBest({ metric: 'acc', mode: 'max', name: 'current', registry, display: false });
      assert.equal(w.runId, runs.high.runId, 'the latest run\'s experiment');
    } finally {
      resetSettings();
    }
  });

  it('max mode registers the highest-scoring run that has a model and points the alias at it', async () => {
    const v = await exportBest({ experiment: 'exp', metric: 'acc', mode: 'max', name: 'best', registry });
    assert.equal(v.runId, runs.high.runId, 'the 0.99 run has no model, so the 0.90 run wins');
    assert.equal(v.version, 1);
    assert.equal(v.reused, false);
    assert.equal(v.metricValue, 0.9);
    assert.deepEqual(v.aliases, ['champion']);
    assert.equal(v.source, runs.high.modelUri);
    const model = await registry.getRegisteredModel('best');
    assert.equal(model.tags[SUMMARY_METRIC_TAG], 'acc');
    assert.equal(model.tags[SUMMARY_MODE_TAG], 'max');
    const loaded = await loadModel('models:/best@champion', { resolver: registry.resolver });
    assert.deepEqual(await loaded.predict([2, 9]), runs.high.model.predict([2, 9]));
  });

  it('min mode picks the lowest run with a model; the alias moves there and back, reusing versions', async () => {
    const low = await exportBest({ experiment: 'exp', metric: 'acc', mode: 'min', name: 'best', registry });
    assert.equal(low.runId, runs.low.runId, 'the 0.10 run has no model; NaN and missing values never win');
    assert.equal(low.version, 2);
    assert.equal((await registry.getModelVersionByAlias('best', 'champion')).version, 2);

    const again = await exportBest({ experiment: 'exp', metric: 'acc', mode: 'max', name: 'best', registry });
    assert.equal(again.version, 1, 'the same content is registered once');
    assert.equal(again.reused, true);
    assert.deepEqual((await registry.getModelVersion('best', 2)).aliases, []);
    assert.deepEqual(again.aliases, ['champion']);
    assert.equal((await registry.searchModelVersions({ filter: "name = 'best'" })).modelVersions.length, 2);
  });

  it('honours filter, several experiments, a custom alias and a model path', async () => {
    const filtered = await exportBest({ experiment: 'exp', metric: 'acc', mode: 'max', filter: "params.slope = '1' OR params.slope = '4'", name: 'filtered', alias: 'candidate', registry });
    assert.equal(filtered.runId, runs.mid.runId);
    assert.equal(filtered.source, `runs:/${runs.mid.runId}/nested/regressor`, 'the logged model path is found from the run');
    assert.deepEqual(filtered.aliases, ['candidate']);

    const both = await exportBest({ experiment: ['exp', 'elsewhere'], metric: 'acc', mode: 'max', name: 'across', registry });
    assert.equal(both.runId, runs.other.runId);

    const atPath = await exportBest({ experiment: 'exp', metric: 'acc', mode: 'max', modelPath: 'nested/regressor', name: 'at-path', registry });
    assert.equal(atPath.runId, runs.mid.runId, 'only the run with a model at that path qualifies');
  });

  it('fails clearly when no run qualifies, and validates its options', async () => {
    await assert.rejects(exportBest({ experiment: 'exp', metric: 'acc', mode: 'max', filter: "params.slope = '2'", name: 'none', registry }),
      (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST' && /None of the 1 runs .* has a logged model/.test((e as Error).message));
    await assert.rejects(exportBest({ experiment: 'exp', metric: 'f1', mode: 'max', name: 'none', registry }), /has a value for metric "f1"/);
    await assert.rejects(exportBest({ experiment: 'exp', metric: 'acc', mode: 'best' as 'max', name: 'none', registry }), /mode must be 'max' or 'min'/);
    await assert.rejects(exportBest({ experiment: 'exp', metric: 'acc', mode: 'max', name: 'none', alias: 'latest', registry }), /reserved/);
    await assert.rejects(exportBest({ experiment: 'nope', metric: 'acc', mode: 'max', name: 'none', registry }), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST');
    await assert.rejects(registry.getRegisteredModel('none'), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST', 'nothing was created');
  });

  it('names the experiment it searched by name, also when it defaulted to the current one (an id) or was given by id', async () => {
    const { experimentId } = await tracking.getExperiment('exp');
    try {
      configure({ experiment: 'exp' });
      await assert.rejects(exportBest({ metric: 'f1', mode: 'max', name: 'none', registry }),
        (e) => /No run in experiment "exp" has a value for metric "f1"/.test((e as Error).message) && !(e as Error).message.includes(experimentId));
    } finally {
      resetSettings();
    }
    await assert.rejects(exportBest({ experiment: [experimentId, 'elsewhere'], metric: 'f1', mode: 'max', name: 'none', registry }),
      /No run in experiments "exp", "elsewhere" has a value/);
  });
});
