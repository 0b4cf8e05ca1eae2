/**
 * logModel → runs:/ URI → loadModel through a real SQLite store in a temp dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RandomForestRegression } from 'ml-random-forest';
import { configure, getClient } from '../../src/config';
import { startRun } from '../../src/tracking/fluent';
import { loadModel } from '../../src/models/load-model';
import { LOGGED_MODELS_TAG, logModel, parseLoggedModels } from '../../src/models/log-model';
import { buildLinearOnnx, linearReference } from '../fixtures/models/build-onnx';
import { tempDir } from './helpers';

function trainedForest(): RandomForestRegression {
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 60; i++) {
    X.push([i % 5, (i * 7) % 13]);
    y.push((i % 5) * 1.5 - ((i * 7) % 13) * 0.25);
  }
  const forest = new RandomForestRegression({ nEstimators: 5, seed: 11, noOOB: true });
  forest.train(X, y);
  return forest;
}

test('logModel on an ActiveRun stores the package as run artifacts and loadModel(runs:/) predicts the same', async () => {
  const home = tempDir();
  const run = startRun({ experiment: 'models', home });
  const forest = trainedForest();
  const query = [[1, 2], [4, 12], [0, 0]];
  const before = forest.predict(query);

  const info = await logModel(run, forest, { name: 'forest', inputExample: query, metadata: { purpose: 'test' } });
  assert.equal(info.modelUri, `runs:/${run.id}/forest`);
  assert.equal(info.mlmodel.run_id, run.id);
  assert.equal(info.mlmodel.artifact_path, 'forest');

  const client = getClient(home);
  const files = (await client.listArtifacts(run.id, 'forest')).map((e) => e.path);
  assert.deepEqual(files, ['forest/MLmodel', 'forest/input_example.json', 'forest/model.json', 'forest/requirements.json', 'forest/serving_input_example.json']);

  const loaded = await loadModel(info.modelUri, { client });
  assert.equal(loaded.metadata.run_id, run.id);
  assert.equal(loaded.metadata.model_uuid, info.mlmodel.model_uuid);
  assert.deepEqual(loaded.metadata.metadata, { purpose: 'test' });
  assert.deepEqual(await loaded.predict(query), before);
  assert.deepEqual(loaded.inputExample(), query);

  // Without a client, runs:/ resolves through the configured store.
  configure({ home });
  const again = await loadModel(info.modelUri);
  assert.deepEqual(await again.predict(query), before);

  const history = parseLoggedModels(run.snapshot().tags[LOGGED_MODELS_TAG]);
  assert.equal(history.length, 1);
  assert.deepEqual(history[0], {
    run_id: run.id, artifact_path: 'forest', utc_time_created: info.mlmodel.utc_time_created,
    model_uuid: info.mlmodel.model_uuid, flavors: info.mlmodel.flavors,
  });
  await run.end();
  const stored = parseLoggedModels((await client.getRun(run.id)).data.tags[LOGGED_MODELS_TAG]);
  assert.deepEqual(stored, history);
});

test('logModel by run id appends to the logged-model history and dedupes identical content', async () => {
  const home = tempDir();
  const client = getClient(home);
  const info = await client.createRun({ experiment: 'models' });
  const spec = { weights: [[2], [-1]], bias: [0.5] };
  const bytes = buildLinearOnnx(spec);
  const onnxFile = path.join(tempDir(), 'm.onnx');
  fs.writeFileSync(onnxFile, bytes);

  const first = await logModel(info.runId, onnxFile, { client });
  const second = await logModel(info.runId, bytes, { client, name: 'copies/second' });
  assert.equal(first.modelUri, `runs:/${info.runId}/model`);
  assert.equal(second.modelUri, `runs:/${info.runId}/copies/second`);

  const entries = await client.listArtifacts(info.runId);
  const onnxBlobs = new Set(entries.filter((e) => e.path.endsWith('model.onnx')).map((e) => e.sha256));
  assert.equal(onnxBlobs.size, 1, 'the same .onnx bytes are stored once');

  const history = parseLoggedModels((await client.getRun(info.runId)).data.tags[LOGGED_MODELS_TAG]);
  assert.deepEqual(history.map((h) => h.artifact_path), ['model', 'copies/second']);

  const x = [[1, 2], [3, -4]];
  for (const uri of [first.modelUri, second.modelUri]) {
    const model = await loadModel(uri, { client });
    assert.deepEqual(await model.predict(x), linearReference(spec, x));
  }
  await client.setTerminated(info.runId);
});

test('logModel refuses unsafe artifact names and unknown runs; loadModel refuses what it cannot resolve', async () => {
  const home = tempDir();
  const client = getClient(home);
  const { runId } = await client.createRun({ experiment: 'models' });
  for (const name of ['../escape', '/abs', 'a\\b', '%2e%2e/x']) {
    await assert.rejects(logModel(runId, buildLinearOnnx({ weights: [[1]], bias: [0] }), { client, name }), (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE', name);
  }
  await assert.rejects(logModel('no-such-run', buildLinearOnnx({ weights: [[1]], bias: [0] }), { client }), (e: Error & { code?: string }) => e.code === 'RESOURCE_DOES_NOT_EXIST');
  await assert.rejects(loadModel(`runs:/${runId}/nothing`, { client }), (e: Error & { code?: string }) => e.code === 'RESOURCE_DOES_NOT_EXIST');
  await assert.rejects(loadModel('models:/forest/1'), /no model registry is available/);
  await assert.rejects(loadModel('s3://bucket/model'), /Unsupported model URI scheme/);
  await client.setTerminated(runId);
});
