/**
 * RegistryClient over a real SQLite store in a temp dir: versions, reuse of
 * identical content, alias rules, rename and delete rules, search filters.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../../src/models/load-model';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { currentUser } from '../../src/tracking/system-tags';
import { codeOf, tempHome, trainRun, type LoggedRun } from './helpers';

describe('RegistryClient', () => {
  let tracking: TrackingClient;
  let registry: RegistryClient;
  let runs: LoggedRun[];

  before(async () => {
    tracking = new TrackingClient({ home: tempHome() });
    registry = new RegistryClient({ tracking });
    runs = [];
    for (const slope of [1, 2, 3]) runs.push(await trainRun(tracking, 'reg', slope, { rmse: 1 / slope }));
  });

  after(async () => {
    registry.close();
    await tracking.close();
  });

  it('registers versions 1..n READY, pinned, and reuses a version for identical content', async () => {
    const v1 = await registry.registerModel(runs[0].modelUri, 'line');
    assert.equal(v1.version, 1);
    assert.equal(v1.status, 'READY');
    assert.equal(v1.runId, runs[0].runId);
    assert.equal(v1.source, runs[0].modelUri);
    assert.match(v1.contentHash, /^[0-9a-f]{64}$/);
    const v2 = await registry.createModelVersion('line', runs[1].modelUri, runs[1].runId, { description: 'slope 2', tags: { data: 'synthetic' } });
    assert.equal(v2.version, 2);
    assert.deepEqual({ ...v2.tags }, { data: 'synthetic' });
    assert.equal(v2.description, 'slope 2');

    const again = await registry.registerModel(runs[0].modelUri, 'line');
    assert.equal(again.version, 1, 'identical content reuses version 1');
    const copy = await registry.registerModel('models:/line/2', 'line-copy');
    assert.equal(copy.version, 1);
    assert.equal(copy.contentHash, v2.contentHash);
    assert.equal(copy.runId, runs[1].runId);

    const files = await registry.store.listModelVersionFiles('line', 1);
    assert.ok(files.some((f) => f.path === 'MLmodel'));
    assert.ok(files.every((f) => !f.path.startsWith('model/')), 'paths are relative to the model root');

    const model = await registry.getRegisteredModel('line');
    assert.equal(model.latestVersion, 2);
    await assert.rejects(registry.createModelVersion('nope', runs[0].modelUri), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST');
    await assert.rejects(registry.createModelVersion('line', runs[0].modelUri, runs[1].runId), /does not match the source/);
    await assert.rejects(registry.registerModel(`runs:/${runs[0].runId}/nothing`, 'line'), /no artifacts under "nothing"/);
    await assert.rejects(registry.registerModel(`runs:/${runs[0].runId}/model/MLmodel`, 'line'), /is a file, not a model folder. Register the folder that holds MLmodel, e.g. runs:\/.*\/model\./);
    await assert.rejects(registry.registerModel('s3://bucket/model', 'line'), /must be runs:\/<run_id>\/<path>/);
  });

  it('records the OS user as a version\'s userId unless a caller names one, and refuses an empty userId', async () => {
    const mine = await registry.registerModel(runs[0].modelUri, 'who');
    assert.equal(mine.userId, currentUser());
    const theirs = await registry.registerModel(runs[1].modelUri, 'who', { userId: 'alice' });
    assert.equal(theirs.userId, 'alice');
    await assert.rejects(registry.registerModel(runs[2].modelUri, 'who', { userId: ' ' }), (e) => codeOf(e) === 'INVALID_PARAMETER_VALUE' && /userId must be a non-empty string/.test((e as Error).message));
    await registry.deleteRegisteredModel('who'); // the search case counts models
  });

  it('resolves models:/ URIs to the pinned files, and loadModel predicts like the trained model', async () => {
    await registry.setRegisteredModelAlias('line', 'champion', 2);
    const x = [0.5, 10];
    for (const [uri, run] of [['models:/line/1', runs[0]], ['models:/line@champion', runs[1]], ['models:/line/latest', runs[1]]] as const) {
      const loaded = await loadModel(uri, { resolver: registry.resolver });
      assert.deepEqual(await loaded.predict(x), run.model.predict(x), uri);
    }
    await assert.rejects(registry.resolveModelUri('models:/line/9'), /has no version 9; its versions are 1, 2/);
    await assert.rejects(registry.resolveModelUri('models:/line/Production'), /stages .* are not supported/);
    await assert.rejects(registry.resolveModelUri('models:/line@nobody'), /has no alias "nobody"; its aliases are champion/);
  });

  it('keeps MLflow\'s alias rules: reserved names, one version per alias, moving, several aliases per version', async () => {
    for (const reserved of ['latest', 'LATEST', 'v1', 'V12']) {
      await assert.rejects(registry.setRegisteredModelAlias('line', reserved, 1), (e) => codeOf(e) === 'INVALID_PARAMETER_VALUE' && /reserved/.test((e as Error).message), reserved);
    }
    for (const bad of ['', 'has space', 'dots.no', 'a/b', 'x'.repeat(256)]) {
      await assert.rejects(registry.setRegisteredModelAlias('line', bad, 1), (e) => codeOf(e) === 'INVALID_PARAMETER_VALUE', bad);
    }
    await registry.setRegisteredModelAlias('line', 'v1beta', 1); // only v<digits> is reserved
    await registry.setRegisteredModelAlias('line', 'challenger', 1);
    assert.deepEqual((await registry.getModelVersion('line', 1)).aliases, ['challenger', 'v1beta']);
    await registry.setRegisteredModelAlias('line', 'challenger', 2); // moves
    assert.deepEqual((await registry.getModelVersion('line', 1)).aliases, ['v1beta']);
    assert.deepEqual((await registry.getModelVersion('line', 2)).aliases, ['challenger', 'champion']);
    assert.equal((await registry.getModelVersionByAlias('line', 'challenger')).version, 2);
    assert.deepEqual((await registry.getRegisteredModel('line')).aliases,
      [{ alias: 'challenger', version: 2 }, { alias: 'champion', version: 2 }, { alias: 'v1beta', version: 1 }]);
    await registry.deleteRegisteredModelAlias('line', 'v1beta');
    await assert.rejects(registry.deleteRegisteredModelAlias('line', 'v1beta'), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST');
    await assert.rejects(registry.setRegisteredModelAlias('line', 'champion', 7), /has no version 7/);
  });

  it('renames (name unique; versions and aliases follow) and deletes versions with their aliases, never reusing numbers', async () => {
    await registry.createRegisteredModel('taken');
    await assert.rejects(registry.renameRegisteredModel('line', 'taken'), (e) => codeOf(e) === 'RESOURCE_ALREADY_EXISTS');
    await assert.rejects(registry.createRegisteredModel('taken'), (e) => codeOf(e) === 'RESOURCE_ALREADY_EXISTS');
    for (const bad of ['a/b', 'a@b', ' padded', '']) {
      await assert.rejects(registry.renameRegisteredModel('line', bad), (e) => codeOf(e) === 'INVALID_PARAMETER_VALUE', bad);
    }
    const renamed = await registry.renameRegisteredModel('line', 'line2');
    assert.equal(renamed.latestVersion, 2);
    assert.equal((await registry.getModelVersionByAlias('line2', 'champion')).version, 2);
    await assert.rejects(registry.getRegisteredModel('line'), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST');
    await assert.rejects(registry.getRegisteredModel('LINE2'), /Did you mean "line2"\?/);

    // Deleting a version an alias points to is allowed (as in MLflow); the alias goes with it.
    await registry.deleteModelVersion('line2', 2);
    await assert.rejects(registry.getModelVersionByAlias('line2', 'champion'), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST');
    assert.deepEqual((await registry.getRegisteredModel('line2')).aliases, []);
    const v3 = await registry.registerModel(runs[2].modelUri, 'line2');
    assert.equal(v3.version, 3, 'numbers are not reused after a delete');
    assert.equal((await registry.getLatestModelVersion('line2')).version, 3);

    await registry.deleteRegisteredModel('line2');
    await assert.rejects(registry.getModelVersion('line2', 1), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST');
    assert.equal((await registry.searchModelVersions({ filter: "name = 'line2'" })).modelVersions.length, 0);
    const fresh = await registry.registerModel(runs[0].modelUri, 'line2');
    assert.equal(fresh.version, 1, 'a re-created model starts again at 1');
  });

  it('updates descriptions: a string sets, null clears, an update without one leaves it; a missing update or a misspelt key is a clear error', async () => {
    const v = await registry.registerModel(runs[0].modelUri, 'described');
    assert.equal((await registry.updateRegisteredModel('described', { description: 'weekly' })).description, 'weekly');
    assert.equal((await registry.updateRegisteredModel('described', {})).description, 'weekly', 'no description in the update: kept');
    assert.equal((await registry.updateRegisteredModel('described', { description: null })).description, null);
    assert.equal((await registry.updateModelVersion('described', v.version, { description: 'first' })).description, 'first');
    assert.equal((await registry.updateModelVersion('described', v.version, {})).description, 'first', 'no description in the update: kept');
    assert.equal((await registry.updateModelVersion('described', v.version, { description: null })).description, null);
    for (const update of [undefined, 'text', null]) {
      await assert.rejects(registry.updateRegisteredModel('described', update as never), (e) => codeOf(e) === 'INVALID_PARAMETER_VALUE' && /must be an object such as \{ description: /.test((e as Error).message), String(update));
      await assert.rejects(registry.updateModelVersion('described', v.version, update as never), (e) => codeOf(e) === 'INVALID_PARAMETER_VALUE' && /must be an object such as \{ description: /.test((e as Error).message), String(update));
    }
    // A misspelt key is refused, and the description stays as it was.
    await registry.updateRegisteredModel('described', { description: 'kept' });
    await assert.rejects(registry.updateRegisteredModel('described', { descripton: 'x' } as never), (e) => codeOf(e) === 'INVALID_PARAMETER_VALUE' && /did you mean "description"/.test((e as Error).message));
    await assert.rejects(registry.updateModelVersion('described', v.version, { descripton: 'x' } as never), (e) => codeOf(e) === 'INVALID_PARAMETER_VALUE' && /did you mean "description"/.test((e as Error).message));
    assert.equal((await registry.getRegisteredModel('described')).description, 'kept');
    await registry.deleteRegisteredModel('described');
  });

  it('searches models and versions with MLflow\'s registry filter grammar', async () => {
    await registry.registerModel(runs[1].modelUri, 'line2');
    await registry.registerModel(runs[2].modelUri, 'line2');
    await registry.setRegisteredModelTag('line2', 'team', 'growth');
    await registry.setModelVersionTag('line2', 2, 'validated', 'yes');

    const names = async (filter?: string, orderBy?: string[]) => (await registry.searchRegisteredModels({ filter, orderBy })).registeredModels.map((m) => m.name);
    assert.deepEqual(await names(), ['line-copy', 'line2', 'taken']);
    assert.deepEqual(await names("name LIKE 'line%'"), ['line-copy', 'line2']);
    assert.deepEqual(await names("name ILIKE 'LINE_'"), ['line2']);
    assert.deepEqual(await names("tags.team = 'growth'"), ['line2']);
    assert.deepEqual(await names("name = 'taken' OR tags.team != 'x'"), ['line2', 'taken']);
    assert.deepEqual(await names(undefined, ['name DESC']), ['taken', 'line2', 'line-copy']);

    const versions = async (filter: string) => (await registry.searchModelVersions({ filter })).modelVersions.map((v) => `${v.name}/${v.version}`);
    assert.deepEqual(await versions("name = 'line2'"), ['line2/3', 'line2/2', 'line2/1']);
    assert.deepEqual(await versions("name = 'line2' AND version_number >= 2"), ['line2/3', 'line2/2']);
    assert.deepEqual(await versions(`run_id = '${runs[1].runId}'`), ['line-copy/1', 'line2/2']);
    assert.deepEqual(await versions(`run_id IN ('${runs[0].runId}', '${runs[2].runId}')`), ['line2/3', 'line2/1']);
    assert.deepEqual(await versions(`source_path = '${runs[2].modelUri}'`), ['line2/3']);
    assert.deepEqual(await versions("tags.validated = 'yes'"), ['line2/2']);

    const page1 = await registry.searchModelVersions({ maxResults: 2 });
    assert.equal(page1.modelVersions.length, 2);
    const page2 = await registry.searchModelVersions({ maxResults: 2, pageToken: page1.nextPageToken });
    assert.equal(page2.modelVersions.length, 2);
    assert.equal(page2.nextPageToken, undefined);

    await assert.rejects(registry.searchRegisteredModels({ filter: "version_number > 1" }), /Invalid attribute key 'version_number' for registered models: use one of name/);
    await assert.rejects(registry.searchModelVersions({ filter: "version_number > 'x'" }), /Expected a numeric value/);
    await assert.rejects(registry.searchModelVersions({ filter: "name = 'a' AND" }), /Invalid filter at position 14: expected a key such as name/);
    await assert.rejects(registry.searchRegisteredModels({ pageToken: page1.nextPageToken }), /belongs to a different search/);
  });
});
