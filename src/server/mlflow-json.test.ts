import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Experiment, Run, RunInfo } from '../entities';
import { experimentJson, jsonDouble, runInfoJson, runJson } from './mlflow-json';

const info: RunInfo = {
  runId: 'r1', runName: 'brave-otter-001', experimentId: 'e1', parentRunId: 'p1', status: 'CRASHED', statusMessage: 'process 12 exited',
  startTime: 5, endTime: 9, user: 'ana', lifecycleStage: 'active',
};

test('doubles JSON cannot hold are written as protobuf JSON writes them', () => {
  assert.deepEqual([NaN, Infinity, -Infinity, 0.5, -0].map(jsonDouble), ['NaN', 'Infinity', '-Infinity', 0.5, -0]);
});

test('a CRASHED run is FAILED for MLflow clients, with run_uuid, artifact_uri and no end_time while running', () => {
  const json = runInfoJson(info);
  assert.equal(json.status, 'FAILED');
  assert.equal(json.run_uuid, 'r1');
  assert.equal(json.artifact_uri, 'mlflow-artifacts:/e1/r1/artifacts');
  assert.equal(runInfoJson({ ...info, status: 'RUNNING', endTime: null }).end_time, undefined);
});

test('run name, user and parent appear as MLflow\'s system tags unless the run has its own', () => {
  const run: Run = { info, data: { params: {}, tags: { 'mlflow.user': 'bob' }, metrics: {} } };
  const tags = Object.fromEntries((runJson(run).data as { tags: { key: string; value: string }[] }).tags.map((t) => [t.key, t.value]));
  assert.deepEqual(tags, { 'mlflow.user': 'bob', 'mlflow.runName': 'brave-otter-001', 'mlflow.parentRunId': 'p1' });
  const empty = runJson({ info, data: { params: {}, tags: {}, metrics: {} } }).data as Record<string, unknown>;
  assert.equal(empty.params, undefined, 'empty lists are left out, as MessageToJson does');
  assert.equal(empty.metrics, undefined);
});

test('an experiment\'s description is its mlflow.note.content tag', () => {
  const exp: Experiment = { experimentId: 'e1', name: 'x', description: 'about', lifecycleStage: 'active', creationTime: 1, lastUpdateTime: 2, tags: {} };
  assert.deepEqual(experimentJson(exp).tags, [{ key: 'mlflow.note.content', value: 'about' }]);
  assert.equal(experimentJson({ ...exp, description: null }).tags, undefined);
});
