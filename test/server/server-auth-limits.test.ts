/**
 * `tracklab server --auth`, the edges: wrong passwords are rate-limited per
 * user and per client address (429 with Retry-After, even for the right
 * password while locked), the artifact proxy checks the experiment in its
 * path, the `mlflow` npm client signs in with Basic credentials, and no
 * password or token ever reaches the request log.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import MLflow from 'mlflow';
import { testStores } from '../support/test-stores';
import { ADMIN, basic, bearer, startAuthFixture } from './auth-fixture';

const sqlite = testStores()[0]!;
const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

test('a wrong password 5 times locks that user out with 429 and Retry-After, the right one included; other users still sign in', async () => {
  const fx = await startAuthFixture(sqlite);
  try {
    const bob = await fx.user('bob', 'bob-password-1');
    await fx.user('carol', 'carol-password-1');
    const wrong = fx.as(basic('bob', 'not-his-password'));
    for (let i = 0; i < 5; i++) assert.equal((await wrong('GET', 'experiments/search')).status, 401, `attempt ${i + 1}`);
    const res = await fetch(`${fx.url}/api/2.0/mlflow/experiments/search`, { headers: bob });
    assert.equal(res.status, 429, 'locked: even the right password waits');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    const body = await res.json() as { error_code: string; message: string };
    assert.equal(body.error_code, 'REQUEST_LIMIT_EXCEEDED');
    assert.match(body.message, /Too many failed logins: try again in \d+ s/);
    assert.equal((await fx.as(basic('carol', 'carol-password-1'))('GET', 'experiments/search')).status, 200, 'another user is not locked');
    assert.equal((await fx.as(basic(ADMIN.username, ADMIN.password))('GET', 'experiments/search')).status, 200);
  } finally {
    await fx.close();
  }
});

test('20 failed logins from one address (any names, or unknown tokens) lock that address out, valid users included', async () => {
  const fx = await startAuthFixture(sqlite);
  try {
    for (let i = 0; i < 15; i++) assert.equal((await fx.as(basic(`guess${i}`, 'password-guess'))('GET', 'experiments/search')).status, 401);
    for (let i = 0; i < 5; i++) assert.equal((await fx.as(bearer(`tlk_guess${i}`))('GET', 'experiments/search')).status, 401);
    const locked = await fx.as(basic(ADMIN.username, ADMIN.password))('GET', 'experiments/search');
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error_code, 'REQUEST_LIMIT_EXCEEDED');
  } finally {
    await fx.close();
  }
});

test('the artifact proxy: READ downloads and lists, an upload needs EDIT, NO_PERMISSIONS reads nothing', async () => {
  const fx = await startAuthFixture(sqlite);
  try {
    const aliceHeaders = await fx.user('alice');
    const bobHeaders = await fx.user('bob');
    const alice = fx.as(aliceHeaders);
    const exp = (await alice('POST', 'experiments/create', { name: 'arts' })).body.experiment_id as string;
    const runId = (await alice('POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
    const file = `${fx.url}${PROXY}/${exp}/${runId}/artifacts/model/weights.bin`;
    assert.equal((await fetch(file, { method: 'PUT', headers: aliceHeaders, body: Buffer.from('w1') })).status, 200);
    assert.equal((await fetch(file, { method: 'PUT', headers: bobHeaders, body: Buffer.from('planted') })).status, 403);
    const download = await fetch(file, { headers: bobHeaders });
    assert.equal(download.status, 200);
    assert.equal(await download.text(), 'w1', 'bob could read, and his upload wrote nothing');
    const list = await fetch(`${fx.url}${PROXY}?path=${encodeURIComponent(`${exp}/${runId}/artifacts/model`)}`, { headers: bobHeaders });
    assert.equal(list.status, 200);
    assert.equal(((await list.json()) as { files: unknown[] }).files.length, 1);
    assert.equal((await alice('POST', 'experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'NO_PERMISSIONS' })).status, 200);
    assert.equal((await fetch(file, { headers: bobHeaders })).status, 403);
    assert.equal((await fetch(`${fx.url}${PROXY}?path=${encodeURIComponent(`${exp}/${runId}/artifacts`)}`, { headers: bobHeaders })).status, 403);
    assert.equal((await fx.as(bobHeaders)('GET', 'artifacts/list', { run_id: runId })).status, 403);
  } finally {
    await fx.close();
  }
});

test('the mlflow npm client logs with Basic credentials in its headers; without them it is refused', async () => {
  const fx = await startAuthFixture(sqlite);
  const log = console.log;
  console.log = () => undefined; // the mlflow client prints every POST body
  try {
    const headers = await fx.user('ana', 'ana-password-1');
    const mlflow = new MLflow({ endpoint: fx.url, headers });
    const { experiment_id: experimentId } = await mlflow.Experiments.create({ name: 'from-mlflow', artifact_location: '' });
    const { run } = await mlflow.Runs.create({ experiment_id: experimentId, user_id: 'ana', start_time: 1 });
    await mlflow.Runs.logMetric({ run_id: run.info.run_id, key: 'loss', value: 0.5, timestamp: 1, step: 0 });
    const found = await mlflow.Runs.search({ experiment_ids: [experimentId] });
    assert.equal(found.runs.length, 1);
    const anonymous = new MLflow({ endpoint: fx.url });
    await assert.rejects(anonymous.Experiments.create({ name: 'anon', artifact_location: '' }), /401/);
    const other = new MLflow({ endpoint: fx.url, headers: await fx.user('ben', 'ben-password-1') });
    await assert.rejects(other.Runs.logMetric({ run_id: run.info.run_id, key: 'loss', value: 9, timestamp: 2, step: 1 }), /403/);
    assert.equal((await fx.store.client().metricHistory(run.info.run_id, ['loss'])).numRows, 1);
  } finally {
    console.log = log;
    await fx.close();
  }
});

test('no password or token reaches the request log', async () => {
  const fx = await startAuthFixture(sqlite);
  try {
    const bob = fx.as(await fx.user('bob', 'bob-secret-password'));
    const secret = (await bob('POST', 'users/tokens/create', { name: 't' })).body.secret as string;
    await fx.as(bearer(secret))('GET', 'experiments/search');
    await fx.as(basic('bob', 'bob-wrong-password'))('GET', 'experiments/search');
    await bob('PATCH', 'users/update-password', { username: 'bob', password: 'bob-new-secret-password' });
    const text = JSON.stringify(fx.log);
    assert.ok(fx.log.length >= 5);
    for (const s of [secret, 'bob-secret-password', 'bob-wrong-password', 'bob-new-secret-password', ADMIN.password, Buffer.from('bob:bob-secret-password').toString('base64')]) {
      assert.ok(!text.includes(s), `the log holds ${s}`);
    }
  } finally {
    await fx.close();
  }
});
