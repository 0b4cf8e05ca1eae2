/**
 * Keys that name Object.prototype's members (`__proto__`, `constructor`,
 * `prototype`, `toString`) are legal MLflow names of params, tags and
 * metrics: over MLflow's API and tracklab's own they are stored and read back
 * as plain data on every backend, and found by search. As JSON object keys of
 * an MLflow body they are refused with 400 INVALID_PARAMETER_VALUE and store
 * nothing. Nothing reaches Object.prototype of the server's process (the
 * fixture serves in this process, so it is checked here).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testStores } from '../support/test-stores';
import { api, startServerFixture } from './server-fixture';

const NAMES = ['__proto__', 'constructor', 'prototype', 'toString'] as const;

const sorted = (list: readonly { key: string; value: unknown }[]) => list.map((e) => `${e.key}=${e.value}`).sort();
const pairs = (value: string) => NAMES.map((key) => ({ key, value: `${value}-${key}` }));

async function raw(url: string, path: string, text: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

function assertPrototypeClean(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).filter((n) => n.startsWith('tl')), []);
  assert.equal(({} as Record<string, unknown>).tlPolluted, undefined);
  assert.equal(typeof ({}).toString, 'function');
}

for (const kind of testStores()) {
  test(`${kind.name}: params, tags and metrics named __proto__, constructor, prototype and toString round-trip as data over both APIs`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const exp = await api(fx.url, 'POST', 'experiments/create', { name: 'proto-keys', tags: pairs('e') });
      assert.equal(exp.status, 200, JSON.stringify(exp.body));
      const experimentId = exp.body.experiment_id as string;
      const run = await api(fx.url, 'POST', 'runs/create', { experiment_id: experimentId, tags: pairs('t') });
      assert.equal(run.status, 200, JSON.stringify(run.body));
      const runId = run.body.run.info.run_id as string;
      const batch = await api(fx.url, 'POST', 'runs/log-batch', {
        run_id: runId, params: pairs('p'), tags: pairs('bt'),
        metrics: NAMES.map((key, i) => ({ key, value: i + 1, timestamp: 1000, step: 0 })),
      });
      assert.equal(batch.status, 200, JSON.stringify(batch.body));

      const got = (await api(fx.url, 'GET', 'runs/get', { run_id: runId })).body.run.data;
      assert.deepEqual(sorted(got.params), sorted(pairs('p')));
      assert.deepEqual(sorted(got.tags.filter((t: { key: string }) => !t.key.startsWith('mlflow.'))), sorted(pairs('bt')));
      assert.deepEqual(got.metrics.map((m: { key: string; value: number }) => `${m.key}=${m.value}`).sort(), NAMES.map((k, i) => `${k}=${i + 1}`).sort());
      const expTags = (await api(fx.url, 'GET', 'experiments/get', { experiment_id: experimentId })).body.experiment.tags;
      assert.deepEqual(sorted(expTags), sorted(pairs('e')));
      for (const [i, key] of NAMES.entries()) {
        const history = await api(fx.url, 'GET', 'metrics/get-history', { run_id: runId, metric_key: key });
        assert.deepEqual(history.body.metrics?.map((m: { value: number }) => m.value), [i + 1], key);
        const found = await api(fx.url, 'POST', 'runs/search', { experiment_ids: [experimentId], filter: `params.${key} = 'p-${key}' and metrics.${key} = ${i + 1}` });
        assert.equal(found.body.runs?.length, 1, `search by ${key}: ${JSON.stringify(found.body)}`);
      }
      // Write-once holds for them too: a different value is refused, the stored one kept.
      const again = await api(fx.url, 'POST', 'runs/log-parameter', { run_id: runId, key: '__proto__', value: 'other' });
      assert.equal(again.status, 400);
      assert.equal(again.body.error_code, 'INVALID_PARAMETER_VALUE');

      const model = await api(fx.url, 'POST', 'registered-models/create', { name: 'proto-model', tags: pairs('m') });
      assert.equal(model.status, 200, JSON.stringify(model.body));
      assert.deepEqual(sorted((await api(fx.url, 'GET', 'registered-models/get', { name: 'proto-model' })).body.registered_model.tags), sorted(pairs('m')));

      // tracklab's own API: records of user keys travel as {"$rec": …}, and a plain object's keys are plain keys too.
      const own = await raw(fx.url, '/api/tracklab/v1/store/getRun', JSON.stringify({ args: [runId] }));
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.deepEqual(Object.keys(own.body.value.data.params.$rec).sort(), [...NAMES].sort());
      const run2 = (await api(fx.url, 'POST', 'runs/create', { experiment_id: experimentId })).body.run.info.run_id as string;
      const plain = await raw(fx.url, '/api/tracklab/v1/store/logBatch', `{"args":["${run2}",{"params":{"__proto__":"a","constructor":"b"},"tags":{"$rec":{"__proto__":"c","prototype":"d"}}}]}`);
      assert.equal(plain.status, 200, JSON.stringify(plain.body));
      const got2 = (await api(fx.url, 'GET', 'runs/get', { run_id: run2 })).body.run.data;
      assert.deepEqual(sorted(got2.params), ['__proto__=a', 'constructor=b']);
      assert.deepEqual(sorted(got2.tags.filter((t: { key: string }) => !t.key.startsWith('mlflow.'))), ['__proto__=c', 'prototype=d']);
      assertPrototypeClean();
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: __proto__ or constructor as a JSON key of an MLflow body is refused 400 INVALID_PARAMETER_VALUE, stores nothing and pollutes nothing`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const experimentId = (await api(fx.url, 'POST', 'experiments/create', { name: 'kept' })).body.experiment_id as string;
      const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: experimentId })).body.run.info.run_id as string;
      const bodies: [string, string][] = [
        ['runs/log-batch', `{"run_id":"${runId}","__proto__":{"tlPolluted":1},"params":[{"key":"a","value":"1"}]}`],
        ['runs/log-batch', `{"run_id":"${runId}","params":[{"key":"a","value":"1","__proto__":{"tlPolluted":1}}]}`],
        ['runs/log-batch', `{"run_id":"${runId}","params":[{"key":"a","value":"1"}],"constructor":{"prototype":{"tlPolluted":1}}}`],
        ['runs/log-batch', `{"run_id":"${runId}","params":[{"key":"a","value":"1"}],"\\u005f_proto__":{"tlPolluted":1}}`],
        ['experiments/create', `{"name":"x","tags":[{"key":"k","value":"v","__proto__":{"tlPolluted":1}}]}`],
        ['runs/search', `{"experiment_ids":["${experimentId}"],"__proto__":{"filter":"params.a = '1'"}}`],
      ];
      for (const [path, text] of bodies) {
        const res = await raw(fx.url, `/api/2.0/mlflow/${path}`, text);
        assert.equal(res.status, 400, `${path} ${text}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error_code, 'INVALID_PARAMETER_VALUE');
        assert.match(res.body.message, /prototype pollution/);
      }
      const run = (await api(fx.url, 'GET', 'runs/get', { run_id: runId })).body.run.data;
      assert.equal(run.params, undefined, 'no param was written');
      const names = (await api(fx.url, 'POST', 'experiments/search', {})).body.experiments.map((e: { name: string }) => e.name);
      assert.ok(!names.includes('x'), `no experiment was created: ${names.join(', ')}`);
      assertPrototypeClean();
    } finally {
      await fx.close();
    }
  });
}
