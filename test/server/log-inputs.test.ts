/**
 * MLflow's runs/log-inputs on tracklab's server (issue 13): datasets logged
 * with MLflow's DatasetInput come back from runs/get and runs/search in
 * `inputs.dataset_inputs` exactly as sent (every field and input tag), are
 * tracklab dataset inputs with their context, columns and row count, and
 * tracklab's own datasets show to MLflow clients. Bad requests get MLflow's
 * validation and limits and write nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testStores } from '../support/test-stores';
import { api, startServerFixture } from './server-fixture';

const pandasLike = {
  tags: [{ key: 'mlflow.data.context', value: 'training' }, { key: 'team', value: 'vision' }],
  dataset: {
    name: 'iris', digest: 'a1b2c3d4', source_type: 'local', source: '{"uri": "/data/iris.csv"}',
    schema: '{"mlflow_colspec": [{"type": "double", "name": "sepal_length"}, {"type": "string", "name": "species"}]}',
    profile: '{"num_rows": 150, "num_elements": 300}',
  },
};
const bare = { dataset: { name: 'web', digest: 'ffff', source_type: 'http', source: '{"url": "https://example.com/x.parquet"}' } };

for (const kind of testStores()) {
  test(`${kind.name}: runs/log-inputs stores MLflow's dataset inputs losslessly; runs/get and runs/search return them`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const exp = (await api(fx.url, 'POST', 'experiments/create', { name: 'datasets' })).body.experiment_id as string;
      const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: exp, start_time: 1 })).body.run.info.run_id as string;
      const logged = await api(fx.url, 'POST', 'runs/log-inputs', { run_id: runId, datasets: [pandasLike, bare] });
      assert.equal(logged.status, 200, JSON.stringify(logged.body));
      assert.deepEqual(logged.body, {});

      const byName = (list: { dataset: { name: string } }[]) => [...list].sort((a, b) => a.dataset.name.localeCompare(b.dataset.name));
      const got = (await api(fx.url, 'GET', 'runs/get', { run_id: runId })).body.run.inputs.dataset_inputs;
      assert.deepEqual(byName(got), byName([pandasLike, bare]), 'every field and tag as sent');
      const searched = (await api(fx.url, 'POST', 'runs/search', { experiment_ids: [exp] })).body.runs[0].inputs.dataset_inputs;
      assert.deepEqual(byName(searched), byName([pandasLike, bare]));

      const client = fx.store.client();
      const inputs = await client.listInputs(runId);
      const iris = inputs.find((i) => i.dataset.name === 'iris')!;
      assert.equal(iris.context, 'training');
      assert.equal(iris.dataset.digest, 'a1b2c3d4');
      assert.deepEqual(iris.dataset.schema, [{ name: 'sepal_length', type: 'double' }, { name: 'species', type: 'string' }]);
      assert.equal(iris.dataset.numRows, 150);
      assert.equal(inputs.find((i) => i.dataset.name === 'web')!.context, null);

      // The other direction: a dataset tracklab logged shows to MLflow clients.
      await client.logInput(runId, [{ x: 1, y: 'a' }, { x: 2, y: 'b' }], { name: 'rows', context: 'eval' });
      const mine = (await api(fx.url, 'GET', 'runs/get', { run_id: runId })).body.run.inputs.dataset_inputs
        .find((i: { dataset: { name: string } }) => i.dataset.name === 'rows');
      assert.deepEqual(mine.tags, [{ key: 'mlflow.data.context', value: 'eval' }]);
      assert.equal(mine.dataset.source_type, 'rows');
      assert.deepEqual(JSON.parse(mine.dataset.schema).mlflow_colspec.map((c: { name: string }) => c.name), ['x', 'y']);
      assert.equal(JSON.parse(mine.dataset.profile).num_rows, 2);
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: runs/log-inputs validates as MLflow does (required fields, sizes, run state) and writes nothing on refusal`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const exp = (await api(fx.url, 'POST', 'experiments/create', { name: 'bad-datasets' })).body.experiment_id as string;
      const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: exp, start_time: 1 })).body.run.info.run_id as string;
      const ok = bare.dataset;
      const cases: [unknown, RegExp][] = [
        [{ datasets: [bare] }, /run_id/],
        [{ run_id: runId, datasets: [{ tags: [] }] }, /datasets\[0\]\.dataset/],
        [{ run_id: runId, datasets: [{ dataset: { ...ok, name: undefined } }] }, /datasets\[0\]\.dataset\.name/],
        [{ run_id: runId, datasets: [{ dataset: { ...ok, source_type: '' } }] }, /source_type/],
        [{ run_id: runId, datasets: [{ dataset: { ...ok, source: undefined } }] }, /datasets\[0\]\.dataset\.source/],
        [{ run_id: runId, datasets: [{ dataset: { ...ok, name: 'n'.repeat(501) } }] }, /Dataset name exceeds the maximum length of 500/],
        [{ run_id: runId, datasets: [{ dataset: { ...ok, digest: 'd'.repeat(37) } }] }, /Dataset digest exceeds the maximum length of 36/],
        [{ run_id: runId, datasets: [{ dataset: { ...ok, source: 's'.repeat(65536) } }] }, /Dataset source exceeds the maximum length of 65535/],
        [{ run_id: runId, datasets: [{ dataset: ok, tags: [{ key: 'mlflow.data.context', value: 'v'.repeat(501) }] }] }, /Input tag value exceeds the maximum length of 500/],
        [{ run_id: runId, datasets: [{ dataset: ok, tags: [{ key: 'k'.repeat(256), value: 'v' }] }] }, /Input tag key exceeds the maximum length of 255/],
        [{ run_id: runId, datasets: [{ dataset: ok, tags: [{ key: 'k' }] }] }, /tags\[0\]\.value/],
        [{ run_id: runId, datasets: [{ dataset: { ...ok, name: 7 } }] }, /datasets\[0\]\.dataset\.name/],
        [{ run_id: runId, datasets: 'iris' }, /datasets/],
        [{ run_id: runId, datasets: Array.from({ length: 1001 }, () => bare) }, /at most 1000 datasets/],
        [{ run_id: runId, datasets: [bare, { dataset: { ...ok, digest: 'd'.repeat(37) } }] }, /Dataset digest/],
      ];
      for (const [body, message] of cases) {
        const r = await api(fx.url, 'POST', 'runs/log-inputs', body);
        assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 200)}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
        assert.match(r.body.message, message);
      }
      assert.equal((await api(fx.url, 'POST', 'runs/log-inputs', { run_id: 'no-such-run', datasets: [bare] })).status, 404);
      assert.deepEqual(await fx.store.client().listInputs(runId), [], 'no refused request wrote anything');
      await api(fx.url, 'POST', 'runs/delete', { run_id: runId });
      const deleted = await api(fx.url, 'POST', 'runs/log-inputs', { run_id: runId, datasets: [bare] });
      assert.equal(deleted.status, 400);
      assert.match(deleted.body.message, /must be in the 'active' state/);
      assert.deepEqual(await fx.store.client().listInputs(runId), []);
    } finally {
      await fx.close();
    }
  });
}
