/**
 * The behaviour every RegistryStore backend must show, through the contract
 * only (like store-contract.ts for tracking). A backend's test file calls
 * `describeRegistryContract('sqlite', open)`; `open` gives a fresh, empty
 * store's registry and the tracking store of the same database.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTracklabError, type ErrorCode } from '../errors';
import type { Comparator, FilterNode, FilterValue, OrderClause } from '../search/filter-ast';
import type { NewModelVersion, RegistryStore } from './registry-store';
import type { TrackingStore } from './store';

/** Opens a fresh, empty registry and its tracking store; `cleanup` closes them and removes what they left. */
export type OpenRegistry = () => Promise<{ registry: RegistryStore; tracking: TrackingStore; cleanup(): void | Promise<void> }>;

const sha = (c: string) => c.repeat(64);

function version(name: string, hash: string, extra: Partial<NewModelVersion> = {}): NewModelVersion {
  return { name, source: `runs:/r-${hash}/model`, runId: `r-${hash}`, files: [{ path: 'MLmodel', sha256: sha('a'), size: 3 }], contentHash: sha(hash), createModel: true, ...extra };
}

function where(key: string, op: Comparator, value: FilterValue, type: 'attribute' | 'tag' = 'attribute'): FilterNode {
  return { kind: 'compare', ident: { type, key }, op, value, position: 0 };
}

const order = (key: string, ascending = true): OrderClause => ({ ident: { type: 'attribute', key }, ascending });

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isTracklabError(err), `expected a TracklabError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
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
    it('creates a model once; names are exact, with a did-you-mean for a case slip', async (r) => {
      const model = await r.createRegisteredModel({ name: 'Churn', description: 'weekly', tags: { team: 'growth', __proto__x: 'p' } });
      assert.deepEqual([model.name, model.description, model.tags, model.aliases, model.latestVersion], ['Churn', 'weekly', { team: 'growth', __proto__x: 'p' }, [], null]);
      assert.deepEqual(await r.getRegisteredModel('Churn'), model);
      await rejectsWith(r.createRegisteredModel({ name: 'Churn' }), 'RESOURCE_ALREADY_EXISTS', /"Churn" already exists/);
      await rejectsWith(r.getRegisteredModel('churn'), 'RESOURCE_DOES_NOT_EXIST', /Did you mean "Churn"/);
    });

    it('numbers versions 1, 2, 3 and never reuses a deleted number; identical content is reused unless it failed', async (r) => {
      const v1 = await r.createModelVersion(version('m', 'a'));
      const v2 = await r.createModelVersion(version('m', 'b', { tags: { k: 'v' }, description: 'second', userId: 'ana' }));
      assert.deepEqual([v1.version.version, v1.reused, v1.version.status, v2.version.version], [1, false, 'PENDING_REGISTRATION', 2]);
      assert.deepEqual([v2.version.tags, v2.version.description, v2.version.userId, v2.version.runId], [{ k: 'v' }, 'second', 'ana', 'r-b']);
      const again = await r.createModelVersion(version('m', 'a', { source: 'elsewhere' }));
      assert.deepEqual([again.reused, again.version.version, again.version.source], [true, 1, 'runs:/r-a/model']);
      await r.deleteModelVersion('m', 2);
      assert.equal((await r.createModelVersion(version('m', 'c'))).version.version, 3);
      await r.updateModelVersion('m', 1, { status: 'FAILED_REGISTRATION', statusMessage: 'files missing' });
      const fresh = await r.createModelVersion(version('m', 'a'));
      assert.deepEqual([fresh.reused, fresh.version.version], [false, 4]);
      assert.equal((await r.getRegisteredModel('m')).latestVersion, 4);
      await rejectsWith(r.createModelVersion(version('ghost', 'x', { createModel: false })), 'RESOURCE_DOES_NOT_EXIST', /"ghost"/);
      await rejectsWith(r.getModelVersion('m', 2), 'RESOURCE_DOES_NOT_EXIST', /no version 2; its versions are 1, 3, 4/);
    });

    it('concurrent registrations of one model get distinct, consecutive numbers', async (r) => {
      const created = await Promise.all(Array.from({ length: 12 }, (_, i) => r.createModelVersion(version('race', `h${i}`))));
      assert.deepEqual(created.map((c) => c.version.version).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
    });

    it('pins files by path, and latest means the highest READY version', async (r) => {
      const files = [{ path: 'z/weights.bin', sha256: sha('1'), size: 10 }, { path: 'MLmodel', sha256: sha('2'), size: 2 }];
      await r.createModelVersion(version('m', 'a', { files }));
      await r.createModelVersion(version('m', 'b'));
      assert.deepEqual(await r.listModelVersionFiles('m', 1), [files[1], files[0]]);
      await rejectsWith(r.getLatestModelVersion('m'), 'RESOURCE_DOES_NOT_EXIST', /no READY version/);
      await r.updateModelVersion('m', 1, { status: 'READY', description: 'ok', tags: { stage: 'ready', gone: 'x' } });
      await r.updateModelVersion('m', 1, { deleteTags: ['gone'] });
      const latest = await r.getLatestModelVersion('m');
      assert.deepEqual([latest.version, latest.status, latest.description, latest.tags], [1, 'READY', 'ok', { stage: 'ready' }]);
    });

    it('pinned files count as referenced blobs for the tracking store until their model is deleted', async (r, tracking) => {
      const files = [{ path: 'MLmodel', sha256: sha('1'), size: 10 }, { path: 'model.json', sha256: sha('2'), size: 20 }];
      await r.createModelVersion(version('m', 'a', { files }));
      const refs = await tracking.referencedBlobs();
      for (const f of files) assert.ok(refs.has(f.sha256), 'pins keep content from gc');
      await r.deleteRegisteredModel('m');
      const after = await tracking.referencedBlobs();
      for (const f of files) assert.equal(after.has(f.sha256), false);
    });

    it('aliases point at READY versions, move, and go with their version', async (r) => {
      await r.createModelVersion(version('m', 'a'));
      await r.createModelVersion(version('m', 'b'));
      await rejectsWith(r.setAlias('m', 'champion', 1), 'INVALID_STATE', /PENDING_REGISTRATION, not READY/);
      for (const v of [1, 2]) await r.updateModelVersion('m', v, { status: 'READY' });
      await r.setAlias('m', 'champion', 1);
      await r.setAlias('m', 'backup', 1);
      await r.setAlias('m', 'champion', 2);
      assert.equal((await r.getModelVersionByAlias('m', 'champion')).version, 2);
      assert.deepEqual((await r.getRegisteredModel('m')).aliases, [{ alias: 'backup', version: 1 }, { alias: 'champion', version: 2 }]);
      assert.deepEqual((await r.getModelVersion('m', 1)).aliases, ['backup']);
      await r.deleteModelVersion('m', 2);
      await rejectsWith(r.getModelVersionByAlias('m', 'champion'), 'RESOURCE_DOES_NOT_EXIST', /no alias "champion"; its aliases are backup/);
      await r.deleteAlias('m', 'backup');
      await rejectsWith(r.deleteAlias('m', 'backup'), 'RESOURCE_DOES_NOT_EXIST', /it has no aliases/);
    });

    it('renames (versions and aliases follow), updates tags, and deletes with everything it owns', async (r) => {
      await r.createModelVersion(version('old', 'a'));
      await r.updateModelVersion('old', 1, { status: 'READY' });
      await r.setAlias('old', 'prod', 1);
      await r.createRegisteredModel({ name: 'taken' });
      await rejectsWith(r.renameRegisteredModel('old', 'taken'), 'RESOURCE_ALREADY_EXISTS', /"taken"/);
      const renamed = await r.renameRegisteredModel('old', 'new');
      assert.deepEqual([renamed.name, renamed.aliases, renamed.latestVersion], ['new', [{ alias: 'prod', version: 1 }], 1]);
      assert.equal((await r.getModelVersionByAlias('new', 'prod')).name, 'new');
      await rejectsWith(r.getRegisteredModel('old'), 'RESOURCE_DOES_NOT_EXIST', /"old"/);
      const updated = await r.updateRegisteredModel('new', { description: 'v2', tags: { a: '1', b: '2' } });
      assert.deepEqual([updated.description, updated.tags], ['v2', { a: '1', b: '2' }]);
      assert.deepEqual((await r.updateRegisteredModel('new', { deleteTags: ['a'], description: null })).tags, { b: '2' });
      await r.deleteRegisteredModel('new');
      await rejectsWith(r.getModelVersion('new', 1), 'RESOURCE_DOES_NOT_EXIST', /"new"/);
      assert.equal((await r.createModelVersion(version('new', 'a'))).version.version, 1, 'a model created again starts over');
    });

    it('searches models and versions with filters, orders and pages', async (r) => {
      for (const [model, hashes] of [['alpha', ['a', 'b']], ['Beta', ['c']], ['gamma', ['d', 'e', 'f']]] as const) {
        for (const h of hashes) await r.createModelVersion(version(model, h, { tags: { h } }));
      }
      await r.updateRegisteredModel('gamma', { tags: { team: 'vision' } });
      const names = async (filter?: FilterNode, orderBy: OrderClause[] = [], maxResults = 100, offset = 0) =>
        (await r.searchRegisteredModels({ filter, orderBy, maxResults, offset })).models.map((m) => m.name);
      assert.deepEqual(await names(), ['Beta', 'alpha', 'gamma'], 'by name, by bytes');
      assert.deepEqual(await names(where('name', 'ILIKE', 'b%')), ['Beta']);
      assert.deepEqual(await names(where('name', 'LIKE', 'b%')), []);
      assert.deepEqual(await names(where('team', '=', 'vision', 'tag')), ['gamma']);
      assert.deepEqual(await names(undefined, [order('name', false)]), ['gamma', 'alpha', 'Beta']);
      const first = await r.searchRegisteredModels({ orderBy: [], maxResults: 2, offset: 0 });
      assert.deepEqual([first.models.length, first.nextOffset], [2, 2]);
      assert.equal((await r.searchRegisteredModels({ orderBy: [], maxResults: 2, offset: 2 })).nextOffset, null);

      const versions = async (filter?: FilterNode, orderBy: OrderClause[] = []) =>
        (await r.searchModelVersions({ filter, orderBy, maxResults: 100, offset: 0 })).versions.map((v) => `${v.name}/${v.version}`);
      assert.deepEqual(await versions(), ['Beta/1', 'alpha/2', 'alpha/1', 'gamma/3', 'gamma/2', 'gamma/1']);
      assert.deepEqual(await versions(where('version_number', '>=', 2)), ['alpha/2', 'gamma/3', 'gamma/2']);
      assert.deepEqual(await versions(where('h', '=', 'e', 'tag')), ['gamma/2']);
      assert.deepEqual(await versions(where('name', '=', 'gamma'), [order('version_number')]), ['gamma/1', 'gamma/2', 'gamma/3']);
      assert.deepEqual(await versions(where('run_id', 'IN', ['r-a', 'r-f'])), ['alpha/1', 'gamma/3']);
    });
  });
}
