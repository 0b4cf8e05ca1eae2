/**
 * MLflow's model registry endpoints on tracklab's server: a model uploaded
 * through the artifact proxy is registered by its `mlflow-artifacts:/`
 * source, aliased, tagged, searched, and tracklab's RegistryClient loads
 * that exact version; a model tracklab registers is read through the API.
 * On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { test } from 'node:test';
import { RegistryClient } from '../../src/registry/registry-client';
import { testStores } from '../support/test-stores';
import { api, startServerFixture } from './server-fixture';

function put(url: string, target: string, body: Buffer): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: 'PUT', path: target, agent: false, headers: { 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const MLMODEL = Buffer.from('artifact_path: model\nflavors:\n  custom: {}\n');

for (const kind of testStores()) {
  test(`${kind.name}: registered models and versions through the API: create from an mlflow-artifacts source, alias, tag, search, rename, delete; tracklab loads that version`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const exp = (await api(fx.url, 'POST', 'experiments/create', { name: 'models' })).body.experiment_id as string;
      const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
      const base = `/api/2.0/mlflow-artifacts/artifacts/${exp}/${runId}/artifacts/model`;
      assert.equal(await put(fx.url, `${base}/MLmodel`, MLMODEL), 200);
      assert.equal(await put(fx.url, `${base}/weights.bin`, Buffer.from([1, 2, 3, 4])), 200);

      const created = await api(fx.url, 'POST', 'registered-models/create', { name: 'churn', description: 'first', tags: [{ key: 'team', value: 'ml' }] });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.deepEqual([created.body.registered_model.name, created.body.registered_model.description], ['churn', 'first']);
      assert.equal((await api(fx.url, 'POST', 'registered-models/create', { name: 'churn' })).body.error_code, 'RESOURCE_ALREADY_EXISTS');

      const v1 = await api(fx.url, 'POST', 'model-versions/create', { name: 'churn', source: `mlflow-artifacts:/${exp}/${runId}/artifacts/model`, run_id: runId, tags: [{ key: 'stage', value: 'candidate' }] });
      assert.equal(v1.status, 200, JSON.stringify(v1.body));
      const mv = v1.body.model_version;
      assert.deepEqual([mv.name, mv.version, mv.status, mv.current_stage, mv.run_id, mv.source], ['churn', '1', 'READY', 'None', runId, `runs:/${runId}/model`]);
      assert.deepEqual(mv.tags, [{ key: 'stage', value: 'candidate' }]);
      const missing = await api(fx.url, 'POST', 'model-versions/create', { name: 'nope', source: `runs:/${runId}/model` });
      assert.deepEqual([missing.status, missing.body.error_code], [404, 'RESOURCE_DOES_NOT_EXIST']);

      assert.deepEqual((await api(fx.url, 'POST', 'registered-models/alias', { name: 'churn', alias: 'champion', version: '1' })).body, {});
      const reserved = await api(fx.url, 'POST', 'registered-models/alias', { name: 'churn', alias: 'latest', version: '1' });
      assert.deepEqual([reserved.status, reserved.body.error_code], [400, 'INVALID_PARAMETER_VALUE']);
      const byAlias = await api(fx.url, 'GET', 'registered-models/alias', { name: 'churn', alias: 'champion' });
      assert.deepEqual([byAlias.body.model_version.version, byAlias.body.model_version.aliases], ['1', ['champion']]);
      const model = (await api(fx.url, 'GET', 'registered-models/get', { name: 'churn' })).body.registered_model;
      assert.deepEqual(model.aliases, [{ alias: 'champion', version: '1' }]);
      assert.deepEqual(model.tags, [{ key: 'team', value: 'ml' }]);
      assert.equal(model.latest_versions[0].version, '1');
      const latest = await api(fx.url, 'POST', 'registered-models/get-latest-versions', { name: 'churn', stages: ['None'] });
      assert.deepEqual(latest.body.model_versions.map((v: any) => v.version), ['1']);
      const found = await api(fx.url, 'GET', 'model-versions/search', { filter: "name = 'churn'" });
      assert.deepEqual(found.body.model_versions.map((v: any) => [v.name, v.version]), [['churn', '1']]);
      const models = await api(fx.url, 'GET', 'registered-models/search', { filter: "name LIKE 'ch%'" });
      assert.deepEqual(models.body.registered_models.map((x: any) => x.name), ['churn']);

      // tracklab's own registry loads exactly the uploaded files of that version.
      const registry = new RegistryClient({ tracking: fx.store.client() });
      const champion = await registry.getModelVersionByAlias('churn', 'champion');
      assert.deepEqual([champion.version, champion.runId], [1, runId]);
      const dir = await registry.resolveModelUri('models:/churn@champion');
      assert.deepEqual(fs.readFileSync(path.join(dir, 'MLmodel')), MLMODEL);
      assert.deepEqual([...fs.readFileSync(path.join(dir, 'weights.bin'))], [1, 2, 3, 4]);

      assert.equal((await api(fx.url, 'PATCH', 'registered-models/update', { name: 'churn', description: 'second' })).body.registered_model.description, 'second');
      assert.equal((await api(fx.url, 'PATCH', 'model-versions/update', { name: 'churn', version: '1', description: 'v1' })).body.model_version.description, 'v1');
      await api(fx.url, 'POST', 'model-versions/set-tag', { name: 'churn', version: '1', key: 'ok', value: 'yes' });
      await api(fx.url, 'DELETE', 'model-versions/delete-tag', { name: 'churn', version: '1', key: 'stage' });
      await api(fx.url, 'POST', 'registered-models/set-tag', { name: 'churn', key: 'owner', value: 'ana' });
      await api(fx.url, 'DELETE', 'registered-models/delete-tag', { name: 'churn', key: 'team' });
      const tagged = await registry.getModelVersion('churn', 1);
      assert.deepEqual({ ...tagged.tags }, { ok: 'yes' });
      assert.deepEqual({ ...(await registry.getRegisteredModel('churn')).tags }, { owner: 'ana' });
      assert.equal((await api(fx.url, 'GET', 'model-versions/get-download-uri', { name: 'churn', version: '1' })).body.artifact_uri, 'models:/churn/1');

      const renamed = await api(fx.url, 'POST', 'registered-models/rename', { name: 'churn', new_name: 'churn-v2' });
      assert.equal(renamed.body.registered_model.name, 'churn-v2');
      assert.deepEqual((await api(fx.url, 'DELETE', 'registered-models/alias', { name: 'churn-v2', alias: 'champion' })).body, {});
      assert.deepEqual((await api(fx.url, 'DELETE', 'model-versions/delete', { name: 'churn-v2', version: '1' })).body, {});
      assert.equal((await api(fx.url, 'GET', 'model-versions/get', { name: 'churn-v2', version: '1' })).status, 404);
      assert.deepEqual((await api(fx.url, 'DELETE', 'registered-models/delete', { name: 'churn-v2' })).body, {});
      assert.equal((await api(fx.url, 'GET', 'registered-models/get', { name: 'churn-v2' })).status, 404);
    } finally {
      await fx.close();
    }
  });

  test(`${kind.name}: a model tracklab registers is read through the registry API`, { skip: kind.skip }, async () => {
    const fx = await startServerFixture(kind);
    try {
      const client = fx.store.client();
      const run = await client.createRun({ experiment: 'tl-models' });
      await client.logArtifact(run.runId, MLMODEL, 'model/MLmodel');
      await client.setTerminated(run.runId, 'FINISHED');
      const registry = new RegistryClient({ tracking: client });
      const version = await registry.registerModel(`runs:/${run.runId}/model`, 'fraud');
      await registry.setRegisteredModelAlias('fraud', 'prod', version.version);
      const got = await api(fx.url, 'GET', 'model-versions/get', { name: 'fraud', version: String(version.version) });
      assert.deepEqual([got.body.model_version.run_id, got.body.model_version.source, got.body.model_version.aliases], [run.runId, `runs:/${run.runId}/model`, ['prod']]);
      const latest = await api(fx.url, 'GET', 'registered-models/get-latest-versions', { name: 'fraud' });
      assert.deepEqual(latest.body.model_versions.map((v: any) => v.version), [String(version.version)]);
    } finally {
      await fx.close();
    }
  });
}
