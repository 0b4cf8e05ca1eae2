/**
 * The behaviour every RegistryStore backend must show, as node:test tests
 * over the interface only (like store-contract.ts for tracking). A backend's
 * test file calls `describeRegistryContract('sqlite', open)`; `open` gives a
 * fresh, empty store's registry and the tracking store of the same database.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PinnedFile } from '../registry-entities';
import { isTracklabError, type ErrorCode } from '../errors';
import type { Comparator, FilterNode, FilterValue } from '../search/filter-ast';
import type { NewModelVersion, RegistryStore } from './registry-store';
import type { TrackingStore } from './store';

export type OpenRegistry = () => Promise<{ registry: RegistryStore; tracking: TrackingStore; cleanup(): void | Promise<void> }>;

const sha = (c: string): string => c.repeat(64);
const files = (...names: string[]): PinnedFile[] => names.map((n, i) => ({ path: n, sha256: sha(String.fromCharCode(97 + i)), size: 10 * (i + 1) }));

function version(name: string, hash: string, extra: Partial<NewModelVersion> = {}): NewModelVersion {
  return { name, source: `runs:/r-${hash}/model`, runId: `r-${hash}`, files: files('MLmodel', 'model.json'), contentHash: sha(hash), createModel: true, ...extra };
}

function where(key: string, op: Comparator, value: FilterValue, type: 'attribute' | 'tag' = 'attribute'): FilterNode {
  return { kind: 'compare', ident: { type, key }, op, value, position: 0 };
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => isTracklabError(e, code) && (message === undefined || message.test(e.message)));
}

/** Registers the registry contract tests for one backend. */
export function describeRegistryContract(name: string, open: OpenRegistry): void {
  const it = (title: string, fn: (registry: RegistryStore, tracking: TrackingStore) => Promise<void>): void => {
    test(title, async () => {
      const { registry, tracking, cleanup } = await open();
      try {
        await fn(registry, tracking);
      } finally {
        await cleanup();
      }
    });
  };

  describe(`${name} registry contract`, () => {
    it('registered models: create, read, refuse a duplicate, describe, tag, rename, delete', async (r) => {
      const m = await r.createRegisteredModel({ name: 'churn', description: 'weekly', tags: { team: 'growth' } });
      assert.deepEqual([m.name, m.description, m.tags, m.aliases, m.latestVersion], ['churn', 'weekly', { team: 'growth' }, [], null]);
      assert.deepEqual(await r.getRegisteredModel('churn'), m);
      await rejectsWith(r.createRegisteredModel({ name: 'churn' }), 'RESOURCE_ALREADY_EXISTS', /"churn"/);
      await rejectsWith(r.getRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST');
      const updated = await r.updateRegisteredModel('churn', { description: null, tags: { tier: '1' }, deleteTags: ['team'] });
      assert.deepEqual([updated.description, updated.tags], [null, { tier: '1' }]);
      assert.ok(updated.lastUpdatedTime >= m.lastUpdatedTime);
      await r.createRegisteredModel({ name: 'other' });
      await rejectsWith(r.renameRegisteredModel('churn', 'other'), 'RESOURCE_ALREADY_EXISTS', /"other"/);
      await r.createModelVersion(version('churn', 'a'));
      await r.updateModelVersion('churn', 1, { status: 'READY' });
      await r.setAlias('churn', 'champion', 1);
      const renamed = await r.renameRegisteredModel('churn', 'churn-v2');
      assert.deepEqual(renamed.aliases, [{ alias: 'champion', version: 1 }], 'aliases follow the model');
      assert.equal((await r.getModelVersion('churn-v2', 1)).name, 'churn-v2', 'versions follow the model');
      await rejectsWith(r.getRegisteredModel('churn'), 'RESOURCE_DOES_NOT_EXIST');
      await r.deleteRegisteredModel('churn-v2');
      await rejectsWith(r.getModelVersion('churn-v2', 1), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(r.deleteRegisteredModel('churn-v2'), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('versions: numbered 1, 2, 3; equal content is reused unless it failed; numbers are never reused', async (r) => {
      const first = await r.createModelVersion(version('m', 'a', { description: 'first', tags: { k: 'v' }, userId: 'ana' }));
      assert.equal(first.reused, false);
      assert.deepEqual([first.version.version, first.version.status, first.version.description, first.version.tags, first.version.userId, first.version.runId],
        [1, 'PENDING_REGISTRATION', 'first', { k: 'v' }, 'ana', 'r-a']);
      assert.equal(first.version.contentHash, sha('a'));
      assert.deepEqual(await r.listModelVersionFiles('m', 1), files('MLmodel', 'model.json'));
      const same = await r.createModelVersion(version('m', 'a', { source: 'runs:/elsewhere/model', runId: 'elsewhere' }));
      assert.deepEqual([same.reused, same.version.version, same.version.runId], [true, 1, 'r-a']);
      assert.equal((await r.createModelVersion(version('m', 'b'))).version.version, 2);
      await r.updateModelVersion('m', 2, { status: 'FAILED_REGISTRATION', statusMessage: 'content gone' });
      const again = await r.createModelVersion(version('m', 'b'));
      assert.deepEqual([again.reused, again.version.version], [false, 3], 'a failed version is never reused');
      await r.deleteModelVersion('m', 3);
      assert.equal((await r.createModelVersion(version('m', 'c'))).version.version, 4, 'a deleted number is not given again');
      assert.equal((await r.getRegisteredModel('m')).latestVersion, 4);
      await rejectsWith(r.createModelVersion(version('missing', 'a', { createModel: false })), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(r.getModelVersion('m', 3), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('versions registered at once get distinct, consecutive numbers', async (r) => {
      await r.createRegisteredModel({ name: 'race' });
      const made = await Promise.all(Array.from({ length: 8 }, (_, i) => r.createModelVersion(version('race', `${i}`, { createModel: false }))));
      assert.deepEqual(made.map((v) => v.version.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('updates and tags a version; latest is the highest READY one', async (r) => {
      await r.createModelVersion(version('m', 'a'));
      await r.createModelVersion(version('m', 'b'));
      await rejectsWith(r.getLatestModelVersion('m'), 'RESOURCE_DOES_NOT_EXIST', /READY/);
      await r.updateModelVersion('m', 1, { status: 'READY' });
      assert.equal((await r.getLatestModelVersion('m')).version, 1);
      const v2 = await r.updateModelVersion('m', 2, { status: 'READY', description: 'better', tags: { a: '1', b: '2' } });
      assert.deepEqual([v2.status, v2.description, v2.tags], ['READY', 'better', { a: '1', b: '2' }]);
      assert.deepEqual((await r.updateModelVersion('m', 2, { deleteTags: ['a'] })).tags, { b: '2' });
      assert.equal((await r.getLatestModelVersion('m')).version, 2);
    });

    it('aliases: only READY versions, moved by setting again, dropped with their version', async (r) => {
      await r.createModelVersion(version('m', 'a'));
      await r.createModelVersion(version('m', 'b'));
      await rejectsWith(r.setAlias('m', 'champion', 1), 'INVALID_STATE', /READY/);
      await r.updateModelVersion('m', 1, { status: 'READY' });
      await r.updateModelVersion('m', 2, { status: 'READY' });
      await r.setAlias('m', 'champion', 1);
      await r.setAlias('m', 'backup', 1);
      assert.deepEqual((await r.getModelVersionByAlias('m', 'champion')).version, 1);
      assert.deepEqual((await r.getModelVersion('m', 1)).aliases, ['backup', 'champion']);
      await r.setAlias('m', 'champion', 2);
      assert.equal((await r.getModelVersionByAlias('m', 'champion')).version, 2);
      assert.deepEqual((await r.getRegisteredModel('m')).aliases, [{ alias: 'backup', version: 1 }, { alias: 'champion', version: 2 }]);
      await r.deleteAlias('m', 'backup');
      await rejectsWith(r.getModelVersionByAlias('m', 'backup'), 'RESOURCE_DOES_NOT_EXIST', /champion/);
      await rejectsWith(r.deleteAlias('m', 'backup'), 'RESOURCE_DOES_NOT_EXIST');
      await r.deleteModelVersion('m', 2);
      await rejectsWith(r.getModelVersionByAlias('m', 'champion'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(r.setAlias('m', 'x', 9), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('pinned files count as referenced blobs for the tracking store until their model is deleted', async (r, tracking) => {
      await r.createModelVersion(version('m', 'a'));
      const pinned = files('MLmodel', 'model.json').map((f) => f.sha256);
      const refs = await tracking.referencedBlobs();
      for (const h of pinned) assert.ok(refs.has(h), 'pins keep content from gc');
      await r.deleteRegisteredModel('m');
      const after = await tracking.referencedBlobs();
      for (const h of pinned) assert.equal(after.has(h), false);
    });

    it('names are exact bytes: a case slip is refused with a did-you-mean, order is by bytes, LIKE keeps case and ILIKE folds it', async (r) => {
      for (const [model, hash] of [['alpha', 'a'], ['Beta', 'b'], ['gamma', 'c']] as const) await r.createModelVersion(version(model, hash));
      await rejectsWith(r.getRegisteredModel('beta'), 'RESOURCE_DOES_NOT_EXIST', /Did you mean "Beta"/);
      const names = async (filter?: FilterNode) => (await r.searchRegisteredModels({ filter, orderBy: [], maxResults: 10, offset: 0 })).models.map((m) => m.name);
      assert.deepEqual(await names(), ['Beta', 'alpha', 'gamma']);
      assert.deepEqual(await names(where('name', 'LIKE', 'b%')), []);
      assert.deepEqual(await names(where('name', 'ILIKE', 'b%')), ['Beta']);
      const byRuns = await r.searchModelVersions({ filter: where('run_id', 'IN', ['r-a', 'r-c']), orderBy: [], maxResults: 10, offset: 0 });
      assert.deepEqual(byRuns.versions.map((v) => v.name), ['alpha', 'gamma']);
    });

    it('searches models and versions by filter, in order, page by page', async (r) => {
      for (const name of ['churn-a', 'churn-b', 'fraud']) await r.createRegisteredModel({ name, tags: { team: name.startsWith('churn') ? 'growth' : 'risk' } });
      for (const hash of ['a', 'b', 'c']) await r.createModelVersion(version('churn-a', hash));
      await r.createModelVersion(version('fraud', 'd'));

      const all = await r.searchRegisteredModels({ orderBy: [], maxResults: 10, offset: 0 });
      assert.deepEqual(all.models.map((m) => m.name), ['churn-a', 'churn-b', 'fraud'], 'models by name by default');
      assert.equal(all.nextOffset, null);
      const like = await r.searchRegisteredModels({ filter: where('name', 'LIKE', 'churn%'), orderBy: [{ ident: { type: 'attribute', key: 'name' }, ascending: false }], maxResults: 1, offset: 0 });
      assert.deepEqual([like.models.map((m) => m.name), like.nextOffset], [['churn-b'], 1]);
      const next = await r.searchRegisteredModels({ filter: where('name', 'LIKE', 'churn%'), orderBy: [{ ident: { type: 'attribute', key: 'name' }, ascending: false }], maxResults: 1, offset: 1 });
      assert.deepEqual([next.models.map((m) => m.name), next.nextOffset], [['churn-a'], null]);
      const tagged = await r.searchRegisteredModels({ filter: where('team', '=', 'risk', 'tag'), orderBy: [], maxResults: 10, offset: 0 });
      assert.deepEqual(tagged.models.map((m) => m.name), ['fraud']);

      const versions = await r.searchModelVersions({ filter: where('name', '=', 'churn-a'), orderBy: [], maxResults: 10, offset: 0 });
      assert.deepEqual(versions.versions.map((v) => v.version), [3, 2, 1], 'versions by name, then version descending');
      const above = await r.searchModelVersions({ filter: { kind: 'and', items: [where('name', '=', 'churn-a'), where('version_number', '>', 1)] }, orderBy: [], maxResults: 10, offset: 0 });
      assert.deepEqual(above.versions.map((v) => v.version), [3, 2]);
      const byRun = await r.searchModelVersions({ filter: where('run_id', '=', 'r-d'), orderBy: [], maxResults: 10, offset: 0 });
      assert.deepEqual(byRun.versions.map((v) => [v.name, v.version]), [['fraud', 1]]);
    });
  });
}
