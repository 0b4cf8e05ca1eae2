/**
 * MLflow's REST API as tracklab's server answers it, with fetch: paths,
 * snake_case fields, MLflow's error shape and statuses, protobuf JSON rules
 * (NaN as "NaN", int64 from strings, enums by name or number, repeated GET
 * fields) and paging. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testStores } from '../support/test-stores';
import { api, startServerFixture } from './server-fixture';

const t0 = 1_700_000_000_000;

for (const kind of testStores()) {
  test(`${kind.name}: experiments: create, get, get-by-name, update, tag, delete, restore, search with view types and pages`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const created = await api(fx.url, 'POST', 'experiments/create', { name: 'exp-a', tags: [{ key: 'team', value: 'vision' }, { key: 'mlflow.note.content', value: 'about a' }] });
      assert.equal(created.status, 200);
      const id = created.body.experiment_id as string;
      const again = await api(fx.url, 'POST', 'experiments/create', { name: 'exp-a' });
      assert.equal(again.status, 400);
      assert.equal(again.body.error_code, 'RESOURCE_ALREADY_EXISTS');
      assert.deepEqual(Object.keys(again.body).sort(), ['error_code', 'message']);

      const got = await api(fx.url, 'GET', 'experiments/get', { experiment_id: id });
      assert.equal(got.status, 200);
      const exp = got.body.experiment;
      assert.equal(exp.experiment_id, id);
      assert.equal(exp.name, 'exp-a');
      assert.equal(exp.lifecycle_stage, 'active');
      assert.equal(exp.artifact_location, `mlflow-artifacts:/${id}`);
      assert.equal(typeof exp.creation_time, 'number');
      assert.equal(typeof exp.last_update_time, 'number');
      assert.deepEqual(Object.fromEntries(exp.tags.map((t: any) => [t.key, t.value])), { team: 'vision', 'mlflow.note.content': 'about a' });
      assert.equal((await fx.store.client().getExperiment(id)).description, 'about a', 'the note is the experiment description');

      assert.equal((await api(fx.url, 'GET', 'experiments/get', { experiment_id: 'exp-a' })).status, 404, 'get takes ids, not names');
      const byName = await api(fx.url, 'GET', 'experiments/get-by-name', { experiment_name: 'exp-a' });
      assert.equal(byName.body.experiment.experiment_id, id);
      const noName = await api(fx.url, 'GET', 'experiments/get-by-name', { experiment_name: 'nope' });
      assert.equal(noName.status, 404);
      assert.equal(noName.body.error_code, 'RESOURCE_DOES_NOT_EXIST');

      assert.deepEqual((await api(fx.url, 'POST', 'experiments/update', { experiment_id: id, new_name: 'exp-b' })).body, {});
      assert.equal((await api(fx.url, 'GET', 'experiments/get', { experiment_id: id })).body.experiment.name, 'exp-b');
      await api(fx.url, 'POST', 'experiments/set-experiment-tag', { experiment_id: id, key: 'team', value: 'nlp' });
      assert.deepEqual((await fx.store.client().getExperiment(id)).tags.team, 'nlp');

      for (const name of ['exp-c', 'exp-d', 'exp-e']) await api(fx.url, 'POST', 'experiments/create', { name });
      assert.deepEqual((await api(fx.url, 'POST', 'experiments/delete', { experiment_id: id })).body, {});
      const active = await api(fx.url, 'POST', 'experiments/search', { filter: "name LIKE 'exp-%'", order_by: ['name ASC'] });
      assert.deepEqual(active.body.experiments.map((e: any) => e.name), ['exp-c', 'exp-d', 'exp-e']);
      const deleted = await api(fx.url, 'GET', 'experiments/search', { view_type: 'DELETED_ONLY' });
      assert.deepEqual(deleted.body.experiments.map((e: any) => [e.name, e.lifecycle_stage]), [['exp-b', 'deleted']]);
      const all = await api(fx.url, 'GET', 'experiments/search', { view_type: 3, filter: "name LIKE 'exp-%'" });
      assert.equal(all.body.experiments.length, 4, 'view_type by number (ALL = 3)');

      const names: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await api(fx.url, 'POST', 'experiments/search', { max_results: 2, order_by: ['name DESC'], filter: "name LIKE 'exp-%'", view_type: 'ALL', page_token: token });
        names.push(...page.body.experiments.map((e: any) => e.name));
        token = page.body.next_page_token;
        pages++;
      } while (token !== undefined);
      assert.deepEqual(names, ['exp-e', 'exp-d', 'exp-c', 'exp-b']);
      assert.equal(pages, 2);

      await api(fx.url, 'POST', 'experiments/restore', { experiment_id: id });
      assert.equal((await api(fx.url, 'GET', 'experiments/get', { experiment_id: id })).body.experiment.lifecycle_stage, 'active');
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: runs: create, log, update, delete, restore, search, history pages and sampled intervals`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const { experiment_id: exp } = (await api(fx.url, 'POST', 'experiments/create', { name: 'runs' })).body;
      const created = await api(fx.url, 'POST', 'runs/create', {
        experiment_id: exp, run_name: 'first', start_time: String(t0), user_id: 'ana',
        tags: [{ key: 'mlflow.runName', value: 'first' }, { key: 'k', value: 'v' }],
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const run = created.body.run;
      const runId = run.info.run_id as string;
      assert.equal(run.info.run_uuid, runId);
      assert.equal(run.info.start_time, t0, 'int64 sent as a string, answered as a number');
      assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${exp}/${runId}/artifacts`);
      assert.equal(run.info.end_time, undefined);
      assert.deepEqual(run.data.tags.sort((a: any, b: any) => a.key.localeCompare(b.key)), [
        { key: 'k', value: 'v' }, { key: 'mlflow.runName', value: 'first' }, { key: 'mlflow.user', value: 'ana' },
      ]);
      assert.deepEqual(run.inputs, {});

      for (const [value, step] of [['NaN', 0], ['Infinity', 1], ['-Infinity', 2], [0.25, 3], ['1e-3', 4]] as const) {
        const r = await api(fx.url, 'POST', 'runs/log-metric', { run_id: runId, key: 'm', value, timestamp: t0 + step, step });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      const history = await api(fx.url, 'GET', 'metrics/get-history', { run_id: runId, metric_key: 'm' });
      assert.deepEqual(history.body.metrics.map((m: any) => m.value), ['NaN', 'Infinity', '-Infinity', 0.25, 0.001]);
      const stored = await fx.store.client().metricHistory(runId, ['m']);
      const values = stored.getChild('value')!.toArray() as Float64Array;
      assert.ok(Number.isNaN(values[0]) && values[1] === Infinity && values[2] === -Infinity, 'non-finite values are stored exactly');

      const pageA = await api(fx.url, 'GET', 'metrics/get-history', { run_uuid: runId, metric_key: 'm', max_results: 3 });
      assert.equal(pageA.body.metrics.length, 3);
      const pageB = await api(fx.url, 'GET', 'metrics/get-history', { run_id: runId, metric_key: 'm', max_results: 3, page_token: pageA.body.next_page_token });
      assert.deepEqual(pageB.body.metrics.map((m: any) => m.step), [3, 4]);
      assert.equal(pageB.body.next_page_token, undefined);

      const batch = Array.from({ length: 100 }, (_, i) => ({ key: 'b', value: i, timestamp: t0 + i, step: i }));
      assert.equal((await api(fx.url, 'POST', 'runs/log-batch', { run_id: runId, metrics: batch, params: [{ key: 'p', value: '1' }] })).status, 200);
      const sampled = await api(fx.url, 'GET', 'metrics/get-history-bulk-interval', { run_ids: [runId], metric_key: 'b', max_results: 5 });
      assert.deepEqual(sampled.body.metrics.map((m: any) => m.step), [0, 25, 50, 74, 99]);
      assert.ok(sampled.body.metrics.every((m: any) => m.run_id === runId));
      const window = await api(fx.url, 'GET', 'metrics/get-history-bulk-interval', { run_ids: [runId], metric_key: 'b', start_step: 10, end_step: 12 });
      assert.deepEqual(window.body.metrics.map((m: any) => m.step), [10, 11, 12]);

      const overwrite = await api(fx.url, 'POST', 'runs/log-parameter', { run_id: runId, key: 'p', value: '2' });
      assert.equal(overwrite.status, 400);
      assert.equal(overwrite.body.error_code, 'INVALID_PARAMETER_VALUE');
      assert.equal((await api(fx.url, 'POST', 'runs/log-parameter', { run_id: runId, key: 'p', value: '1' })).status, 200, 'the same value again is a no-op');

      const updated = await api(fx.url, 'POST', 'runs/update', { run_id: runId, status: 3, end_time: t0 + 500, run_name: 'renamed' });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.deepEqual([updated.body.run_info.status, updated.body.run_info.end_time, updated.body.run_info.run_name], ['FINISHED', t0 + 500, 'renamed']);
      assert.equal((await api(fx.url, 'POST', 'runs/update', { run_id: runId, status: 'FINISHED' })).status, 200, 'ending again the same way is a no-op');

      const second = (await api(fx.url, 'POST', 'runs/create', { experiment_id: exp, start_time: t0 + 1 })).body.run.info.run_id as string;
      await api(fx.url, 'POST', 'runs/log-batch', { run_id: second, metrics: [{ key: 'b', value: 500, timestamp: t0 }] });
      const ordered = await api(fx.url, 'POST', 'runs/search', { experiment_ids: [exp], order_by: ['metrics.b DESC'] });
      assert.deepEqual(ordered.body.runs.map((r: any) => r.info.run_id), [second, runId]);
      const oneEach: string[] = [];
      let token: string | undefined;
      do {
        const page = await api(fx.url, 'POST', 'runs/search', { experiment_ids: [exp], max_results: 1, page_token: token });
        oneEach.push(page.body.runs[0].info.run_id);
        token = page.body.next_page_token;
      } while (token !== undefined);
      assert.deepEqual(oneEach, [second, runId], 'start_time DESC by default, one page per run');

      assert.deepEqual((await api(fx.url, 'POST', 'runs/delete', { run_id: second })).body, {});
      assert.deepEqual((await api(fx.url, 'POST', 'runs/search', { experiment_ids: [exp] })).body.runs.map((r: any) => r.info.run_id), [runId]);
      const deleted = await api(fx.url, 'POST', 'runs/search', { experiment_ids: [exp], run_view_type: 'DELETED_ONLY' });
      assert.deepEqual(deleted.body.runs.map((r: any) => [r.info.run_id, r.info.lifecycle_stage]), [[second, 'deleted']]);
      const toDeleted = await api(fx.url, 'POST', 'runs/log-metric', { run_id: second, key: 'x', value: 1, timestamp: t0 });
      assert.equal(toDeleted.status, 400, 'logging to a deleted run is refused as in MLflow');
      assert.equal(toDeleted.body.error_code, 'INVALID_PARAMETER_VALUE');
      await api(fx.url, 'POST', 'runs/restore', { run_id: second });
      assert.equal((await api(fx.url, 'GET', 'runs/get', { run_id: second })).body.run.info.lifecycle_stage, 'active');

      const missingTag = await api(fx.url, 'POST', 'runs/delete-tag', { run_id: runId, key: 'nope' });
      assert.equal(missingTag.status, 404);
      await api(fx.url, 'POST', 'runs/set-tag', { run_id: runId, key: 'mlflow.runName', value: 'by-tag' });
      assert.equal((await fx.store.client().getRun(runId)).info.runName, 'by-tag', 'the mlflow.runName tag renames the run, as in MLflow');
      await api(fx.url, 'POST', 'runs/log-batch', { run_id: runId, tags: [{ key: 'mlflow.runName', value: 'by-batch' }] });
      const renamed = await fx.store.client().getRun(runId);
      assert.equal(renamed.info.runName, 'by-batch');
      assert.equal(renamed.data.tags['mlflow.runName'], undefined, 'kept once, as the run name');
    } finally {
      await fx.close();
    }
  });
}

test('experiment "0" is MLflow\'s default: a run created without an experiment lands in "Default"', async () => {
  const fx = await startServerFixture(testStores()[0]!);
  try {
    const created = await api(fx.url, 'POST', 'runs/create', {});
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const exp = await fx.store.client().getExperiment('Default');
    assert.equal(created.body.run.info.experiment_id, exp.experimentId);
    const found = await api(fx.url, 'POST', 'runs/search', { experiment_ids: ['0'] });
    assert.deepEqual(found.body.runs.map((r: any) => r.info.run_id), [created.body.run.info.run_id]);
    assert.match(created.body.run.info.run_name, /^[a-z]+-[a-z]+-\d{3}$/, 'an unnamed run gets a human name');
  } finally {
    await fx.close();
  }
});

test('bad requests get MLflow\'s error codes and statuses, and nothing is written', async () => {
  const fx = await startServerFixture(testStores()[0]!);
  try {
    const { experiment_id: exp } = (await api(fx.url, 'POST', 'experiments/create', { name: 'bad' })).body;
    const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id;
    const cases: [string, 'GET' | 'POST', string, unknown, number, string, RegExp?][] = [
      ['missing name', 'POST', 'experiments/create', {}, 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'name'/],
      ['name of the wrong type', 'POST', 'experiments/create', { name: 5 }, 400, 'INVALID_PARAMETER_VALUE', /parameter 'name'/],
      ['missing run id', 'POST', 'runs/log-metric', { key: 'a', value: 1, timestamp: 1 }, 400, 'INVALID_PARAMETER_VALUE', /'run_id'/],
      ['missing timestamp', 'POST', 'runs/log-metric', { run_id: runId, key: 'a', value: 1 }, 400, 'INVALID_PARAMETER_VALUE', /'timestamp'/],
      ['value that is not a number', 'POST', 'runs/log-metric', { run_id: runId, key: 'a', value: 'abc', timestamp: 1 }, 400, 'INVALID_PARAMETER_VALUE', /parameter 'value'/],
      ['fractional step', 'POST', 'runs/log-metric', { run_id: runId, key: 'a', value: 1, timestamp: 1, step: 1.5 }, 400, 'INVALID_PARAMETER_VALUE', /'step'/],
      ['key with bad characters', 'POST', 'runs/log-parameter', { run_id: runId, key: 'a;b', value: '1' }, 400, 'INVALID_PARAMETER_VALUE'],
      ['key with ..', 'POST', 'runs/set-tag', { run_id: runId, key: '../x', value: '1' }, 400, 'INVALID_PARAMETER_VALUE'],
      ['param value past 6000 characters', 'POST', 'runs/log-parameter', { run_id: runId, key: 'big', value: 'x'.repeat(6001) }, 400, 'INVALID_PARAMETER_VALUE'],
      ['unknown run', 'GET', 'runs/get', { run_id: 'nosuchrun' }, 404, 'RESOURCE_DOES_NOT_EXIST'],
      ['unknown experiment', 'POST', 'runs/create', { experiment_id: 'nosuchexp' }, 404, 'RESOURCE_DOES_NOT_EXIST'],
      ['bad enum', 'POST', 'runs/update', { run_id: runId, status: 'DONE' }, 400, 'INVALID_PARAMETER_VALUE', /RUNNING, SCHEDULED, FINISHED, FAILED, KILLED/],
      ['SCHEDULED', 'POST', 'runs/update', { run_id: runId, status: 'SCHEDULED' }, 400, 'INVALID_PARAMETER_VALUE'],
      ['bad filter', 'POST', 'runs/search', { experiment_ids: [exp], filter: 'metrics.a >' }, 400, 'INVALID_PARAMETER_VALUE'],
      ['max_results past 50000', 'POST', 'runs/search', { experiment_ids: [exp], max_results: 50001 }, 400, 'INVALID_PARAMETER_VALUE'],
      ['forged page token', 'POST', 'runs/search', { experiment_ids: [exp], page_token: 'abc' }, 400, 'INVALID_PARAMETER_VALUE'],
      ['tags that are not a list', 'POST', 'runs/log-batch', { run_id: runId, tags: { a: 'b' } }, 400, 'INVALID_PARAMETER_VALUE', /'tags'/],
      ['a batch metric without timestamp', 'POST', 'runs/log-batch', { run_id: runId, metrics: [{ key: 'a', value: 1 }] }, 400, 'INVALID_PARAMETER_VALUE', /metrics\[0\]\.timestamp/],
      ['a param twice with two values', 'POST', 'runs/log-batch', { run_id: runId, params: [{ key: 'p', value: '1' }, { key: 'p', value: '2' }] }, 400, 'INVALID_PARAMETER_VALUE'],
      ['a repeated GET field that is singular', 'GET', 'runs/get', { run_id: [runId, runId] }, 400, 'INVALID_PARAMETER_VALUE'],
      ['a body that is not an object', 'POST', 'runs/create', '[1, 2]', 400, 'INVALID_PARAMETER_VALUE'],
      ['a body that is not JSON', 'POST', 'runs/create', '{"experiment_id": ', 400, 'INVALID_PARAMETER_VALUE'],
      ['a prototype key', 'POST', 'runs/create', '{"__proto__": {"x": 1}}', 400, 'INVALID_PARAMETER_VALUE', /prototype/],
      ['a prototype key spelled with escapes', 'POST', 'runs/create', '{"tags": [], "\\u005f_proto__": {"x": 1}}', 400, 'INVALID_PARAMETER_VALUE', /prototype/],
      ['nesting past 100 levels', 'POST', 'runs/create', `{"tags": ${'['.repeat(200)}${']'.repeat(200)}}`, 400, 'INVALID_PARAMETER_VALUE', /deeper than 100/],
      ['no such endpoint', 'GET', 'runs/nope', undefined, 404, 'ENDPOINT_NOT_FOUND'],
      ['the wrong method', 'GET', 'runs/create', undefined, 405, 'BAD_REQUEST', /runs\/create does not answer GET: send POST/],
      ['runs/search with GET (it is POST only)', 'GET', 'runs/search', undefined, 405, 'BAD_REQUEST', /send POST/],
      ['an endpoint MLflow 2 removed', 'GET', 'experiments/list', undefined, 404, 'ENDPOINT_NOT_FOUND', /experiments\/list was removed in MLflow 2\. Use experiments\/search/],
      ['users without --auth', 'GET', 'users/list', undefined, 404, 'ENDPOINT_NOT_FOUND', /only on a server started with --auth/],
    ];
    for (const [what, method, path, body, status, code, message] of cases) {
      const r = await api(fx.url, method, path, body);
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error_code, code, what);
      assert.equal(typeof r.body.message, 'string', what);
      if (message) assert.match(r.body.message, message, what);
    }
    const wrong = await fetch(new URL('/api/2.0/mlflow/runs/create', fx.url), { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST', 'a 405 names the methods the path answers');
    const both = await fetch(new URL('/api/2.0/mlflow/experiments/search', fx.url), { method: 'DELETE' });
    assert.equal(both.headers.get('allow'), 'GET, POST');
    const noType = await fetch(new URL('/api/2.0/mlflow/experiments/create', fx.url), { method: 'POST', body: '{"name":"x"}', headers: { 'content-type': 'text/plain' } });
    assert.equal(noType.status, 400, 'a POST must be application/json (a cross-site form cannot send that)');
    assert.equal((await noType.json() as any).error_code, 'INVALID_PARAMETER_VALUE');
    const run = await fx.store.client().getRun(runId);
    assert.deepEqual({ ...run.data.params }, {}, 'no refused request wrote anything');
    assert.deepEqual(Object.keys(run.data.metrics), []);
    assert.equal(run.info.status, 'RUNNING');
    assert.equal((await fx.store.client().searchExperiments()).experiments.length, 1);
    const doubleEncoded = await api(fx.url, 'POST', 'experiments/create', JSON.stringify(JSON.stringify({ name: 'old-client' })));
    assert.equal(doubleEncoded.status, 200, 'a body double-encoded as a JSON string is read as MLflow reads it');
  } finally {
    await fx.close();
  }
});
