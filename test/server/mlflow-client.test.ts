/**
 * Must-show of issue 13: the `mlflow` npm package (2.0.7, a REST client
 * written by others) logs into tracklab's server, and tracklab's own client
 * reads exactly that data from the store; then tracklab logs and the mlflow
 * client reads it back. On SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import MLflow from 'mlflow';
import { RunStatus } from 'mlflow/lib/enum';
import { testStores } from '../support/test-stores';
import { startServerFixture } from './server-fixture';

/** The mlflow client prints every POST body with console.log; keep test output readable. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

const t0 = 1_700_000_000_000;

for (const kind of testStores()) {
  test(`${kind.name}: the mlflow npm client logs an experiment, a run, params, metrics and tags; tracklab reads exactly that`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const mlflow = new MLflow({ endpoint: fx.url });
      const { experiment_id: experimentId } = await quietly(() => mlflow.Experiments.create({ name: 'from-mlflow', artifact_location: '' }));
      assert.equal(typeof experimentId, 'string');
      const { run } = await quietly(() => mlflow.Runs.create({
        experiment_id: experimentId, user_id: 'ana', start_time: t0, tags: [{ key: 'team', value: 'vision' }],
      }));
      const runId: string = run.info.run_id;
      assert.equal(run.info.status, 'RUNNING');
      assert.equal(run.info.start_time, t0);
      await quietly(() => mlflow.Runs.logParameter({ run_id: runId, key: 'lr', value: '0.01' }));
      for (let step = 0; step < 5; step++) {
        await quietly(() => mlflow.Runs.logMetric({ run_id: runId, key: 'loss', value: 1 / (step + 1), timestamp: t0 + step * 10, step }));
      }
      await quietly(() => mlflow.Runs.logBatch({
        run_id: runId,
        params: [{ key: 'optimizer', value: 'adam' }, { key: 'layers', value: '3' }],
        metrics: [{ key: 'acc', value: 0.5, timestamp: t0 + 100, step: 1 }, { key: 'acc', value: 0.75, timestamp: t0 + 200, step: 2 }],
        tags: [{ key: 'stage', value: 'tuning' }],
      }));
      await quietly(() => mlflow.Runs.setTag({ run_id: runId, key: 'note', value: 'temp' }));
      await quietly(() => mlflow.Runs.deleteTag({ run_id: runId, key: 'note' }));
      await quietly(() => mlflow.Runs.update({ run_id: runId, status: RunStatus.FINISHED, end_time: t0 + 1000 }));

      const found = await quietly(() => mlflow.Runs.search({ experiment_ids: [experimentId], filter: "params.optimizer = 'adam' and metrics.acc > 0.7", max_results: 10 }));
      assert.deepEqual(found.runs.map((r: any) => r.info.run_id), [runId]);
      const none = await quietly(() => mlflow.Runs.search({ experiment_ids: [experimentId], filter: 'metrics.acc > 0.9' }));
      assert.equal(none.runs, undefined, 'MLflow leaves an empty list out');
      const history = await mlflow.Metrics.getHistory({ run_id: runId, metric_key: 'loss' });
      assert.deepEqual(history.metrics.map((m: any) => [m.step, m.value, m.timestamp]), [0, 1, 2, 3, 4].map((s) => [s, 1 / (s + 1), t0 + s * 10]));
      const got = await mlflow.Experiments.get({ experiment_id: experimentId });
      assert.equal(got.experiment.name, 'from-mlflow');
      await assert.rejects(mlflow.Runs.get({ run_id: 'nosuchrun' }), (err: Error) => {
        const detail = JSON.parse(err.message.replace(/^Error: /, ''));
        assert.equal(detail.status, 404);
        assert.equal(detail.data.error_code, 'RESOURCE_DOES_NOT_EXIST');
        return true;
      });

      // tracklab's client, straight on the store the server writes to.
      const client = fx.store.client();
      const exp = await client.getExperiment('from-mlflow');
      assert.equal(exp.experimentId, experimentId);
      const stored = await client.getRun(runId);
      assert.equal(stored.info.experimentId, experimentId);
      assert.equal(stored.info.status, 'FINISHED');
      assert.equal(stored.info.startTime, t0);
      assert.equal(stored.info.endTime, t0 + 1000);
      assert.equal(stored.info.user, 'ana');
      assert.equal(stored.info.runName, (run.info as { run_name?: string }).run_name, 'the 2.0.7 client types predate run_name; the server sends it');
      assert.deepEqual({ ...stored.data.params }, { lr: '0.01', optimizer: 'adam', layers: '3' });
      assert.deepEqual({ ...stored.data.tags }, { team: 'vision', stage: 'tuning' });
      assert.deepEqual(Object.keys(stored.data.metrics).sort(), ['acc', 'loss']);
      assert.equal(stored.data.metrics.acc!.last, 0.75);
      const table = await client.metricHistory(runId, ['loss', 'acc']);
      const rows = table.toArray().map((r) => [r.key, Number(r.step), Number(r.timestamp), r.value]);
      assert.deepEqual(rows.sort(), [
        ...[0, 1, 2, 3, 4].map((s) => ['loss', s, t0 + s * 10, 1 / (s + 1)]),
        ['acc', 1, t0 + 100, 0.5], ['acc', 2, t0 + 200, 0.75],
      ].sort());
      const { runs } = await client.searchRuns({ experiments: ['from-mlflow'], filter: "tags.stage = 'tuning'" });
      assert.deepEqual(runs.map((r) => r.info.runId), [runId]);
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: tracklab logs a run; the mlflow npm client reads the same run through the server`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const client = fx.store.client();
      const info = await client.createRun({ experiment: 'from-tracklab', name: 'baseline', params: { lr: 0.1, epochs: 3 }, tags: { team: 'nlp' }, startTime: t0 });
      for (let step = 0; step < 3; step++) client.logMetric(info.runId, 'acc', 0.5 + step / 10, step, t0 + step);
      client.logMetric(info.runId, 'weird', NaN, 0, t0);
      await client.setTerminated(info.runId, 'FINISHED');
      const stored = await client.getRun(info.runId);

      const mlflow = new MLflow({ endpoint: fx.url });
      const { experiment } = await mlflow.Experiments.get({ experiment_id: info.experimentId });
      assert.equal(experiment.name, 'from-tracklab');
      assert.equal(experiment.lifecycle_stage, 'active');
      const { run } = await mlflow.Runs.get({ run_id: info.runId });
      assert.equal(run.info.run_id, info.runId);
      assert.equal((run.info as { run_name?: string }).run_name, 'baseline');
      assert.equal(run.info.experiment_id, info.experimentId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.info.start_time, t0);
      assert.equal(run.info.end_time, stored.info.endTime);
      assert.equal(run.info.lifecycle_stage, 'active');
      const params = Object.fromEntries(run.data.params.map((p: any) => [p.key, p.value]));
      assert.deepEqual(params, { lr: '0.1', epochs: '3' });
      const tags = Object.fromEntries(run.data.tags.map((t: any) => [t.key, t.value]));
      for (const [k, v] of Object.entries(stored.data.tags)) assert.equal(tags[k], v, `tag ${k}`);
      assert.equal(tags['mlflow.runName'], 'baseline');
      const latest = Object.fromEntries(run.data.metrics.map((m: any) => [m.key, m]));
      assert.deepEqual(latest.acc, { key: 'acc', value: 0.7, timestamp: t0 + 2, step: 2 });
      assert.equal(latest.weird.value, 'NaN', 'NaN goes out as protobuf JSON writes it');
      const history = await mlflow.Metrics.getHistory({ run_id: info.runId, metric_key: 'acc' });
      assert.deepEqual(history.metrics, [0, 1, 2].map((s) => ({ key: 'acc', value: 0.5 + s / 10, timestamp: t0 + s, step: s })));
      const found = await quietly(() => mlflow.Runs.search({ experiment_ids: [info.experimentId], filter: "params.lr = '0.1'", order_by: ['metrics.acc DESC'] }));
      assert.deepEqual(found.runs.map((r: any) => r.info.run_id), [info.runId]);
    } finally {
      await fx.close();
    }
  });
}
