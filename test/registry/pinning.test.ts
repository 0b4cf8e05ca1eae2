/**
 * A registered version pins its content: deleting, purging and gc-ing the
 * source run must not break `models:/` loads. Real SQLite store and real gc.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContentStore } from '../../src/artifacts/content-store';
import { loadModel } from '../../src/models/load-model';
import { CACHE_FOLDER } from '../../src/registry/materialize';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { codeOf, tempHome, trainRun } from './helpers';

test('a version loads by alias after its source run is deleted, purged and garbage-collected', async () => {
  const home = tempHome();
  const tracking = new TrackingClient({ home });
  const registry = new RegistryClient({ tracking });
  try {
    const kept = await trainRun(tracking, 'pin', 2.5, { rmse: 0.1 });
    const dropped = await trainRun(tracking, 'pin', 7, { rmse: 0.9 }); // never registered: its blobs must go
    const version = await registry.registerModel(kept.modelUri, 'pinned');
    await registry.setRegisteredModelAlias('pinned', 'champion', version.version);
    const pinned = await registry.store.listModelVersionFiles('pinned', version.version);
    const droppedOnly = (await tracking.listArtifacts(dropped.runId)).map((e) => e.sha256).filter((sha) => !pinned.some((p) => p.sha256 === sha));
    assert.ok(droppedOnly.length > 0);

    await tracking.deleteRun(kept.runId);
    await tracking.deleteRun(dropped.runId);
    const result = await tracking.gc({ force: true });
    assert.equal(result.purgedRuns, 2);
    await assert.rejects(tracking.getRun(kept.runId), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST');

    const content = new ContentStore(path.join(home, 'artifacts'));
    for (const file of pinned) assert.ok(await content.has(file.sha256), `pinned ${file.path} survives gc`);
    for (const sha of droppedOnly) assert.equal(await content.has(sha), false, 'unregistered content is collected');

    // Nothing was unpacked before gc, so the load below reads the pinned blobs themselves.
    assert.equal(fs.existsSync(path.join(home, 'artifacts', CACHE_FOLDER)), false);
    const x = [0, 3, 4.5];
    const loaded = await loadModel('models:/pinned@champion', { resolver: registry.resolver });
    assert.deepEqual(await loaded.predict(x), kept.model.predict(x));
    assert.equal(loaded.metadata.run_id, kept.runId, 'the MLmodel still names its (purged) source run');
    const v = await registry.getModelVersion('pinned', version.version);
    assert.equal(v.runId, kept.runId);
    assert.equal(v.status, 'READY');

    // Deleting the registered model releases the pins for the next gc.
    await registry.deleteRegisteredModel('pinned');
    await tracking.gc({ force: true });
    for (const file of pinned) assert.equal(await content.has(file.sha256), false, `${file.path} is collected once unpinned`);
  } finally {
    registry.close();
    await tracking.close();
  }
});

test('the unpacked cache is rebuilt when tampered with, and a version pinning missing content fails clearly', async () => {
  const home = tempHome();
  const tracking = new TrackingClient({ home });
  const registry = new RegistryClient({ tracking });
  try {
    const run = await trainRun(tracking, 'pin', 1.5, { rmse: 0.2 });
    const v = await registry.registerModel(run.modelUri, 'cache');
    const dir = await registry.resolveModelUri('models:/cache/1');
    assert.equal(dir, path.join(home, 'artifacts', CACHE_FOLDER, v.contentHash));
    assert.equal(await registry.resolveModelUri('models:/cache/latest'), dir, 'same content, same folder');
    const modelJson = path.join(dir, 'model.json');
    fs.writeFileSync(modelJson, '{}');
    const again = await registry.resolveModelUri('models:/cache/1');
    const x = [2, 5];
    assert.deepEqual(await (await loadModel(again, {})).predict(x), run.model.predict(x), 'a damaged cache folder is replaced');

    // Remove a blob behind the registry's back: unpacking a fresh copy says what happened.
    fs.rmSync(path.join(home, 'artifacts', CACHE_FOLDER), { recursive: true });
    const files = await registry.store.listModelVersionFiles('cache', 1);
    const content = new ContentStore(path.join(home, 'artifacts'));
    const victim = files.find((f) => f.path === 'model.json')!;
    fs.rmSync(content.blobPath(victim.sha256));
    await assert.rejects(registry.resolveModelUri('models:/cache/1'), (e) => codeOf(e) === 'INVALID_STATE' && /"model.json".*is missing from the store/.test((e as Error).message));
  } finally {
    registry.close();
    await tracking.close();
  }
});

test('a version whose content vanished before pinning is FAILED_REGISTRATION, never aliased or reused', async () => {
  const home = tempHome();
  const tracking = new TrackingClient({ home });
  const registry = new RegistryClient({ tracking });
  try {
    const run = await trainRun(tracking, 'pin', 3, { rmse: 0.3 });
    const content = new ContentStore(path.join(home, 'artifacts'));
    const modelJson = (await tracking.listArtifacts(run.runId, 'model')).find((e) => e.path === 'model/model.json')!;
    const bytes = fs.readFileSync(content.blobPath(modelJson.sha256));
    fs.rmSync(content.blobPath(modelJson.sha256)); // as a gc racing the registration would

    await assert.rejects(registry.registerModel(run.modelUri, 'broken'),
      (e) => codeOf(e) === 'INVALID_STATE' && /Version 1 of "broken" failed to register: content of model.json was missing/.test((e as Error).message));
    const failed = await registry.getModelVersion('broken', 1);
    assert.equal(failed.status, 'FAILED_REGISTRATION');
    assert.match(failed.statusMessage ?? '', /model.json/);
    await assert.rejects(registry.setRegisteredModelAlias('broken', 'champion', 1), (e) => codeOf(e) === 'INVALID_STATE' && /FAILED_REGISTRATION, not READY/.test((e as Error).message));
    await assert.rejects(registry.resolveModelUri('models:/broken/1'), /only READY versions load/);
    await assert.rejects(registry.resolveModelUri('models:/broken/latest'), /has no READY version/);

    // Once the content is back (here: the same bytes stored again), the same content registers as a new, READY version.
    assert.equal((await content.put(bytes)).sha256, modelJson.sha256);
    const v2 = await registry.registerModel(run.modelUri, 'broken');
    assert.equal(v2.version, 2);
    assert.equal(v2.status, 'READY');
  } finally {
    registry.close();
    await tracking.close();
  }
});
