/**
 * `tracklab server --auth` (issue 13, auth must-show), on SQLite and
 * PostgreSQL: users and tokens, MLflow's per-experiment and per-model
 * permissions with a default of READ, creators getting MANAGE, searches
 * filtered to what a user may read, the admin endpoints, and MLflow's
 * 401 / 403 answers.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { testStores } from '../support/test-stores';
import { ADMIN, basic, bearer, startAuthFixture } from './auth-fixture';

for (const kind of testStores()) {
  test(`${kind.name}: without credentials every route but /health gets 401 with WWW-Authenticate: Basic; wrong ones too`, { skip: kind.skip }, async () => {
    const fx = await startAuthFixture(kind);
    try {
      assert.equal((await fetch(`${fx.url}/health`)).status, 200);
      for (const [method, p] of [['GET', 'experiments/search'], ['POST', 'experiments/create'], ['GET', 'users/get'], ['GET', 'no/such/endpoint']] as const) {
        const res = await fetch(`${fx.url}/api/2.0/mlflow/${p}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? '{"name":"x"}' : undefined });
        assert.equal(res.status, 401, p);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="tracklab"/);
        const body = await res.json() as { error_code: string; message: string };
        assert.equal(body.error_code, 'UNAUTHENTICATED');
        assert.match(body.message, /TRACKLAB_TRACKING_TOKEN/);
      }
      const artifacts = await fetch(`${fx.url}/api/2.0/mlflow-artifacts/artifacts?path=0`);
      assert.equal(artifacts.status, 401);
      for (const headers of [basic(ADMIN.username, 'wrong-password'), basic('nobody', 'whatever-pass'), bearer('tlk_unknown'), { authorization: 'Digest abc' }]) {
        const r = await fx.as(headers)('GET', 'experiments/search');
        assert.equal(r.status, 401, headers.authorization);
        assert.equal(r.body.error_code, 'UNAUTHENTICATED');
      }
      assert.equal((await fx.store.client().searchExperiments()).experiments.length, 0, 'the refused create wrote nothing');
      const ok = await fx.as(basic(ADMIN.username, ADMIN.password))('GET', 'experiments/search');
      assert.equal(ok.status, 200);
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: a READ user can read and search but not log (403); EDIT granted by the creator lets them log`, { skip: kind.skip }, async () => {
    const fx = await startAuthFixture(kind);
    try {
      const alice = fx.as(await fx.user('alice'));
      const bob = fx.as(await fx.user('bob'));
      const exp = (await alice('POST', 'experiments/create', { name: 'vision' })).body.experiment_id as string;
      const runId = (await alice('POST', 'runs/create', { experiment_id: exp, start_time: 1 })).body.run.info.run_id as string;
      assert.equal((await alice('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 0.5, timestamp: 1, step: 0 })).status, 200);
      const aliceUser = await alice('GET', 'users/get', { username: 'alice' });
      assert.deepEqual(aliceUser.body.user.experiment_permissions, [{ experiment_id: exp, user_id: aliceUser.body.user.id, permission: 'MANAGE' }], 'the creator gets MANAGE');

      // bob has the default permission, READ.
      assert.equal((await bob('GET', 'experiments/get', { experiment_id: exp })).status, 200);
      assert.equal((await bob('GET', 'runs/get', { run_id: runId })).status, 200);
      assert.equal((await bob('POST', 'runs/search', { experiment_ids: [exp] })).body.runs.length, 1);
      assert.equal((await bob('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss' })).body.metrics.length, 1);
      const refused = [
        await bob('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 9, timestamp: 2, step: 1 }),
        await bob('POST', 'runs/log-batch', { run_id: runId, metrics: [{ key: 'loss', value: 9, timestamp: 2, step: 1 }], params: [{ key: 'lr', value: '1' }] }),
        await bob('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '1' }),
        await bob('POST', 'runs/set-tag', { run_id: runId, key: 't', value: 'v' }),
        await bob('POST', 'runs/update', { run_id: runId, status: 'FINISHED' }),
        await bob('POST', 'runs/create', { experiment_id: exp }),
        await bob('POST', 'experiments/update', { experiment_id: exp, new_name: 'mine' }),
        await bob('POST', 'experiments/delete', { experiment_id: exp }),
        await bob('POST', 'experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'MANAGE' }),
      ];
      for (const r of refused) {
        assert.equal(r.status, 403, JSON.stringify(r.body));
        assert.equal(r.body.error_code, 'PERMISSION_DENIED');
      }
      assert.match(refused[0]!.body.message, /needs EDIT on experiment/);
      const client = fx.store.client();
      assert.equal((await client.metricHistory(runId, ['loss'])).numRows, 1, 'nothing bob sent was written');
      assert.equal(Object.keys((await client.getRun(runId)).data.params).length, 0);
      assert.equal((await client.searchRuns({ experiments: [exp] })).runs.length, 1);

      // The creator (MANAGE) grants EDIT; bob logs.
      const granted = await alice('POST', 'experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'EDIT' });
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      assert.equal(granted.body.experiment_permission.permission, 'EDIT');
      assert.equal((await alice('GET', 'experiments/permissions/get', { experiment_id: exp, username: 'bob' })).body.experiment_permission.permission, 'EDIT');
      assert.equal((await bob('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 0.25, timestamp: 3, step: 1 })).status, 200);
      assert.equal((await bob('POST', 'runs/create', { experiment_id: exp })).status, 200);
      assert.equal((await bob('POST', 'experiments/delete', { experiment_id: exp })).status, 403, 'EDIT does not delete');
      assert.equal((await client.metricHistory(runId, ['loss'])).numRows, 2);

      // Down to NO_PERMISSIONS: bob can no longer read it.
      assert.equal((await alice('PATCH', 'experiments/permissions/update', { experiment_id: exp, username: 'bob', permission: 'NO_PERMISSIONS' })).status, 200);
      assert.equal((await bob('GET', 'experiments/get', { experiment_id: exp })).status, 403);
      assert.equal((await bob('GET', 'runs/get', { run_id: runId })).status, 403);
      assert.equal((await bob('POST', 'runs/search', { experiment_ids: [exp] })).status, 403);
      assert.equal((await bob('GET', 'metrics/get-history-bulk-interval', { run_ids: runId, metric_key: 'loss' })).status, 403);
      assert.equal((await alice('DELETE', 'experiments/permissions/delete', { experiment_id: exp, username: 'bob' })).status, 200);
      assert.equal((await bob('GET', 'experiments/get', { experiment_id: exp })).status, 200, 'back to the default READ');
      assert.equal((await alice('PATCH', 'experiments/permissions/update', { experiment_id: exp, username: 'bob', permission: 'READ' })).body.error_code, 'RESOURCE_DOES_NOT_EXIST');
      assert.equal((await alice('POST', 'experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'OWNER' })).body.error_code, 'INVALID_PARAMETER_VALUE');
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: experiment search shows only readable experiments, with full pages and no item skipped or repeated`, { skip: kind.skip }, async () => {
    const fx = await startAuthFixture(kind);
    try {
      const alice = fx.as(await fx.user('alice'));
      const bob = fx.as(await fx.user('bob'));
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await alice('POST', 'experiments/create', { name: `e${i}` })).body.experiment_id);
      const hidden = new Set([ids[1], ids[2], ids[3], ids[5]]);
      for (const id of hidden) {
        assert.equal((await alice('POST', 'experiments/permissions/create', { experiment_id: id, username: 'bob', permission: 'NO_PERMISSIONS' })).status, 200);
      }
      const all = (await bob('GET', 'experiments/search', { max_results: 100 })).body.experiments.map((e: { name: string }) => e.name).sort();
      assert.deepEqual(all, ['e0', 'e4', 'e6']);
      const paged: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const r = await bob('POST', 'experiments/search', { max_results: 2, ...(token ? { page_token: token } : {}) });
        assert.equal(r.status, 200);
        const names = (r.body.experiments ?? []).map((e: { name: string }) => e.name);
        if (r.body.next_page_token) assert.equal(names.length, 2, 'a page that has a next page is full');
        paged.push(...names);
        token = r.body.next_page_token;
        pages++;
      } while (token && pages < 10);
      assert.deepEqual([...paged].sort(), ['e0', 'e4', 'e6']);
      assert.equal((await alice('GET', 'experiments/search', { max_results: 100 })).body.experiments.length, 7, 'the creator sees all');
      const admin = fx.as(basic(ADMIN.username, ADMIN.password));
      assert.equal((await admin('GET', 'experiments/search', { max_results: 100 })).body.experiments.length, 7, 'an admin sees all');
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: API tokens sign in as their user; a revoked token gets 401; a user manages only their own`, { skip: kind.skip }, async () => {
    const fx = await startAuthFixture(kind);
    try {
      const bobBasic = await fx.user('bob');
      const bob = fx.as(bobBasic);
      const created = await bob('POST', 'users/tokens/create', { name: 'laptop' });
      assert.equal(created.status, 200);
      const secret: string = created.body.secret;
      assert.match(secret, /^tlk_[\w-]{43}$/);
      const byToken = fx.as(bearer(secret));
      const exp = await byToken('POST', 'experiments/create', { name: 'by-token' });
      assert.equal(exp.status, 200);
      assert.equal((await byToken('GET', 'users/get', { username: 'bob' })).body.user.experiment_permissions[0].experiment_id, exp.body.experiment_id, 'the token acts as bob');
      const listed = await bob('GET', 'users/tokens/list');
      assert.deepEqual(listed.body.tokens.map((t: { id: string; name: string }) => [t.id, t.name]), [[created.body.token.id, 'laptop']]);
      assert.ok(!JSON.stringify(listed.body).includes(secret), 'a listing never shows the secret');
      const carol = fx.as(await fx.user('carol'));
      assert.equal((await carol('DELETE', 'users/tokens/revoke', { id: created.body.token.id })).body.error_code, 'RESOURCE_DOES_NOT_EXIST', "carol cannot revoke bob's token");
      assert.equal((await carol('GET', 'users/tokens/list', { username: 'bob' })).status, 403);
      assert.equal((await byToken('GET', 'experiments/search')).status, 200);
      assert.equal((await bob('DELETE', 'users/tokens/revoke', { id: created.body.token.id })).status, 200);
      const revoked = await byToken('GET', 'experiments/search');
      assert.equal(revoked.status, 401);
      assert.equal(revoked.body.error_code, 'UNAUTHENTICATED');
      assert.equal((await bob('GET', 'users/tokens/list')).body.tokens.length, 0);
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: admin endpoints work for admins, non-admins get 403; users change only their own password`, { skip: kind.skip }, async () => {
    const fx = await startAuthFixture(kind);
    try {
      const admin = fx.as(basic(ADMIN.username, ADMIN.password));
      const bob = fx.as(await fx.user('bob', 'bob-password-1'));
      await fx.user('carol');
      for (const [method, p, body] of [
        ['POST', 'users/create', { username: 'mallory', password: 'mallory-pass-1' }],
        ['PATCH', 'users/update-admin', { username: 'bob', is_admin: true }],
        ['DELETE', 'users/delete', { username: 'carol' }],
        ['GET', 'users/list', undefined],
        ['GET', 'users/get', { username: 'carol' }],
        ['PATCH', 'users/update-password', { username: 'carol', password: 'carol-new-password' }],
      ] as const) {
        const r = await bob(method, p, body);
        assert.equal(r.status, 403, p);
        assert.equal(r.body.error_code, 'PERMISSION_DENIED');
      }
      assert.equal((await admin('GET', 'users/list')).body.users.map((u: { username: string }) => u.username).join(), 'admin,bob,carol');
      assert.equal((await admin('POST', 'users/create', { username: 'bob', password: 'another-password' })).body.error_code, 'RESOURCE_ALREADY_EXISTS');
      assert.equal((await admin('POST', 'users/create', { username: 'dave', password: 'short' })).body.error_code, 'INVALID_PARAMETER_VALUE');
      assert.equal((await admin('POST', 'users/create', { username: 'bad:name', password: 'long-enough-1' })).body.error_code, 'INVALID_PARAMETER_VALUE');
      assert.equal((await admin('GET', 'users/get', { username: 'carol' })).body.user.username, 'carol');

      // bob changes his own password: the old one stops working at once.
      assert.equal((await bob('PATCH', 'users/update-password', { username: 'bob', password: 'bob-password-2' })).status, 200);
      assert.equal((await bob('GET', 'experiments/search')).status, 401);
      const bob2 = fx.as(basic('bob', 'bob-password-2'));
      assert.equal((await bob2('GET', 'experiments/search')).status, 200);

      // Made admin, bob may do admin things; deleted, carol may not sign in.
      assert.equal((await admin('PATCH', 'users/update-admin', { username: 'bob', is_admin: true })).status, 200);
      assert.equal((await bob2('DELETE', 'users/delete', { username: 'carol' })).status, 200);
      assert.equal((await fx.as(basic('carol', 'carol-password'))('GET', 'experiments/search')).status, 401);
      assert.equal((await bob2('PATCH', 'users/update-admin', { username: 'admin', is_admin: false })).status, 200);
      const last = await bob2('DELETE', 'users/delete', { username: 'bob' });
      assert.equal(last.status, 400, 'the last admin cannot be deleted');
      assert.match(last.body.message, /last admin/);
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: registered models: the creator gets MANAGE, READ users read but cannot change, deleting clears the grants`, { skip: kind.skip }, async () => {
    const fx = await startAuthFixture(kind);
    try {
      const alice = fx.as(await fx.user('alice'));
      const bob = fx.as(await fx.user('bob'));
      assert.equal((await alice('POST', 'registered-models/create', { name: 'churn' })).status, 200);
      assert.equal((await alice('POST', 'registered-models/create', { name: 'secret-model' })).status, 200);
      assert.equal((await alice('POST', 'registered-models/permissions/create', { name: 'secret-model', username: 'bob', permission: 'NO_PERMISSIONS' })).status, 200);
      // One version of each, from a model package uploaded through the proxy.
      const exp = (await alice('POST', 'experiments/create', { name: 'models' })).body.experiment_id as string;
      const runId = (await alice('POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
      const base = `${fx.url}/api/2.0/mlflow-artifacts/artifacts/${exp}/${runId}/artifacts/model`;
      const aliceHeaders = basic('alice', 'alice-password');
      assert.equal((await fetch(`${base}/MLmodel`, { method: 'PUT', headers: aliceHeaders, body: 'artifact_path: model\nflavors:\n  custom: {}\n' })).status, 200);
      for (const name of ['churn', 'secret-model']) {
        const v = await alice('POST', 'model-versions/create', { name, source: `mlflow-artifacts:/${exp}/${runId}/artifacts/model`, run_id: runId });
        assert.equal(v.status, 200, JSON.stringify(v.body));
      }
      assert.deepEqual((await bob('GET', 'model-versions/search')).body.model_versions.map((v: { name: string }) => v.name), ['churn']);
      assert.equal((await bob('GET', 'model-versions/get', { name: 'secret-model', version: '1' })).status, 403);
      assert.equal((await alice('GET', 'model-versions/search')).body.model_versions.length, 2);
      assert.equal((await bob('GET', 'registered-models/get', { name: 'churn' })).status, 200);
      assert.equal((await bob('GET', 'registered-models/get', { name: 'secret-model' })).status, 403);
      assert.deepEqual((await bob('GET', 'registered-models/search')).body.registered_models.map((m: { name: string }) => m.name), ['churn']);
      assert.equal((await bob('POST', 'registered-models/set-tag', { name: 'churn', key: 'k', value: 'v' })).status, 403);
      assert.equal((await bob('DELETE', 'registered-models/delete', { name: 'churn' })).status, 403);
      assert.equal((await alice('POST', 'registered-models/permissions/create', { name: 'churn', username: 'bob', permission: 'EDIT' })).status, 200);
      assert.equal((await bob('POST', 'registered-models/set-tag', { name: 'churn', key: 'k', value: 'v' })).status, 200);
      assert.equal((await alice('POST', 'registered-models/rename', { name: 'churn', new_name: 'churn-v2' })).status, 200);
      assert.equal((await alice('GET', 'registered-models/permissions/get', { name: 'churn-v2', username: 'bob' })).body.registered_model_permission.permission, 'EDIT', 'grants follow a rename');
      assert.equal((await alice('DELETE', 'registered-models/delete', { name: 'churn-v2' })).status, 200);
      const bobUser = await bob('GET', 'users/get', { username: 'bob' });
      assert.deepEqual(bobUser.body.user.registered_model_permissions.map((p: { name: string }) => p.name), ['secret-model'], "a deleted model's grants are gone");
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: a user, token or permission path called with the wrong method is a 405 naming the right one; the auth database is owner-only`, { skip: kind.skip }, async () => {
    const fx = await startAuthFixture(kind);
    try {
      const admin = fx.as(basic(ADMIN.username, ADMIN.password));
      for (const [method, p, allow] of [['POST', 'users/tokens/list', 'GET'], ['GET', 'users/create', 'POST'], ['POST', 'users/delete', 'DELETE'], ['POST', 'experiments/search', undefined]] as const) {
        const r = await admin(method, p, method === 'GET' ? undefined : {});
        if (allow === undefined) {
          assert.equal(r.status, 200, `${p} answers ${method} too`);
          continue;
        }
        assert.equal(r.status, 405, `${method} ${p}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error_code, 'BAD_REQUEST');
        assert.equal(r.body.message, `/api/2.0/mlflow/${p} does not answer ${method}: send ${allow} (it answers ${allow} only).`);
      }
      const raw = await fetch(`${fx.url}/api/2.0/mlflow/users/tokens/list`, { method: 'POST', headers: { ...basic(ADMIN.username, ADMIN.password), 'content-type': 'application/json' }, body: '{}' });
      assert.equal(raw.status, 405);
      assert.equal(raw.headers.get('allow'), 'GET');
      assert.equal((await admin('POST', 'no/such/path', {})).status, 404, 'a path no method answers stays a 404');
      if (process.platform !== 'win32') {
        const files = fs.readdirSync(fx.authDir).filter((f) => f.startsWith('auth.db'));
        assert.ok(files.includes('auth.db'), files.join(', '));
        for (const f of files) assert.equal(fs.statSync(path.join(fx.authDir, f)).mode & 0o777, 0o600, `${f} holds hashes: owner-only`);
      }
    } finally {
      await fx.close();
    }
  });
}
