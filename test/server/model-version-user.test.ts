/**
 * Who a model version records as its `user_id` when it is created through
 * the REST API: with `--auth`, the signed-in user who sent the request (two
 * users, each seeing their own name, in the answer and when read back);
 * without it, the server's OS user as before.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { test } from 'node:test';
import { currentUser } from '../../src/tracking/system-tags';
import { testStores } from '../support/test-stores';
import { ADMIN, basic, startAuthFixture } from './auth-fixture';
import { api, startServerFixture } from './server-fixture';

const sqlite = testStores()[0]!;
const MLMODEL = Buffer.from('artifact_path: model\nflavors:\n  custom: {}\n');

function put(url: string, target: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: 'PUT', path: target, agent: false, headers: { ...headers, 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(url: string, target: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: target, agent: false,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

type Call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', p: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** As one user: an experiment, a run with a model uploaded through the proxy, a registered model; answers the new version. */
async function registerAs(url: string, call: Call, headers: Record<string, string>, name: string): Promise<{ status: number; body: any }> {
  const exp = (await call('POST', 'experiments/create', { name: `${name}-exp` })).body.experiment_id as string;
  const runId = (await call('POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
  assert.equal(await put(url, `/api/2.0/mlflow-artifacts/artifacts/${exp}/${runId}/artifacts/model/MLmodel`, MLMODEL, headers), 200);
  assert.equal((await call('POST', 'registered-models/create', { name })).status, 200);
  return call('POST', 'model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId });
}

test('with --auth a model version created through the API records the signed-in user, not the server\'s OS user', async () => {
  const fx = await startAuthFixture(sqlite);
  try {
    const alice = await fx.user('alice');
    const bob = await fx.user('bob');
    const byAlice = await registerAs(fx.url, fx.as(alice), alice, 'alice-model');
    assert.equal(byAlice.status, 200, JSON.stringify(byAlice.body));
    assert.equal(byAlice.body.model_version.user_id, 'alice');
    const byBob = await registerAs(fx.url, fx.as(bob), bob, 'bob-model');
    assert.equal(byBob.status, 200, JSON.stringify(byBob.body));
    assert.equal(byBob.body.model_version.user_id, 'bob');
    const readBack = await fx.as(basic(ADMIN.username, ADMIN.password))('GET', 'model-versions/get', { name: 'alice-model', version: '1' });
    assert.equal(readBack.body.model_version.user_id, 'alice', 'the stored version keeps its creator');
  } finally {
    await fx.close();
  }
});

test('with --auth tracklab\'s own API records the signed-in user too, whatever userId the client sends', async () => {
  const fx = await startAuthFixture(sqlite);
  try {
    const bob = await fx.user('bob');
    assert.equal((await fx.as(bob)('POST', 'registered-models/create', { name: 'bob-own' })).status, 200);
    for (const [i, userId] of [ADMIN.username, '<img src=x onerror=alert(1)>', null, undefined].entries()) {
      const input = { name: 'bob-own', source: `s3://bucket/m${i}`, runId: null, files: [], contentHash: String(i).padStart(64, '0'), userId };
      const created = await post(fx.url, '/api/tracklab/v1/registry/createModelVersion', { args: [input] }, bob);
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.value.version.userId, 'bob', `sent userId ${String(userId)}`);
    }
  } finally {
    await fx.close();
  }
});

test('without --auth a model version created through the API records the server\'s OS user, as before', async () => {
  const fx = await startServerFixture(sqlite);
  try {
    const created = await registerAs(fx.url, (m, p, b) => api(fx.url, m, p, b), {}, 'open-model');
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.model_version.user_id, currentUser());
  } finally {
    await fx.close();
  }
});
