/**
 * The registry contract on SQLite (a temp folder per test), and what is
 * SQLite's own: the registry shares the tracking store's file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../open-store';
import { describeRegistryContract } from '../registry-contract';
import { SqliteRegistryStore } from './registry-store';
import { SqliteStore } from './sqlite-store';

describeRegistryContract('sqlite', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  const backend = await openStore(root);
  return {
    registry: backend.registry(),
    tracking: backend.tracking,
    cleanup: async () => {
      await backend.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});

const sha = (c: string) => c.repeat(64);

test('the registry shares the tracking store\'s file; its pins are referenced blobs until the model is deleted', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  const tracking = SqliteStore.open(root);
  const registry = SqliteRegistryStore.open(root);
  try {
    assert.equal(registry.root, tracking.root);
    const files = [{ path: 'MLmodel', sha256: sha('a'), size: 10 }, { path: 'model.json', sha256: sha('b'), size: 20 }];
    const created = await registry.createModelVersion({ name: 'm', source: 'runs:/r1/model', runId: 'r1', files, contentHash: sha('c'), createModel: true });
    assert.equal(created.reused, false);
    assert.equal(created.version.status, 'PENDING_REGISTRATION');
    assert.deepEqual(await registry.listModelVersionFiles('m', 1), files);
    const refs = await tracking.referencedBlobs();
    assert.ok(refs.has(sha('a')) && refs.has(sha('b')), 'pins count as references for gc');

    const same = await registry.createModelVersion({ name: 'm', source: 'runs:/r2/model', runId: 'r2', files, contentHash: sha('c') });
    assert.deepEqual([same.reused, same.version.version, same.version.runId], [true, 1, 'r1']);
    await registry.updateModelVersion('m', 1, { status: 'FAILED_REGISTRATION', statusMessage: 'gone' });
    const fresh = await registry.createModelVersion({ name: 'm', source: 'runs:/r2/model', runId: 'r2', files, contentHash: sha('c') });
    assert.deepEqual([fresh.reused, fresh.version.version], [false, 2], 'a failed version is never reused');

    await registry.deleteRegisteredModel('m');
    const after = await tracking.referencedBlobs();
    assert.ok(!after.has(sha('a')) && !after.has(sha('b')));
    await assert.rejects(registry.createModelVersion({ name: 'm', source: 'runs:/r1/model', runId: 'r1', files, contentHash: sha('c') }),
      (e: Error & { code?: string }) => e.code === 'RESOURCE_DOES_NOT_EXIST');
  } finally {
    registry.close();
    tracking.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
