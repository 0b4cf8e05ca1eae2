/**
 * openStore is the one place a URI scheme picks a backend: a folder or
 * sqlite:/// gives the embedded store (which also opens synchronously),
 * postgresql:// and postgres:// the PostgreSQL one (asynchronous only, with
 * no artifact folder of its own), anything else a clear refusal. Loading
 * tracklab loads no database driver until a store is opened.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { freshDatabase, postgresSkip } from '../../test/support/postgres-cluster';
import { isTracklabError } from '../errors';
import { openStore, openStoreSync, opensSynchronously } from './open-store';
import { parseStoreUri } from './store-uri';

test('a folder and sqlite:/// open the embedded store, also synchronously; artifacts default inside the folder', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-open-'));
  try {
    const folder = await openStore(path.join(dir, 'store'));
    assert.equal(folder.uri.scheme, 'sqlite');
    assert.equal(folder.defaultArtifactRoot, path.join(dir, 'store', 'artifacts'));
    assert.equal(folder.tracking.capabilities.synchronousWrites, true);
    await folder.tracking.createExperiment({ name: 'from-folder' });
    await folder.close();

    const file = await openStore(`sqlite:///${dir}/elsewhere/runs.db`);
    assert.ok(fs.existsSync(path.join(dir, 'elsewhere', 'runs.db')));
    await file.close();

    const uri = parseStoreUri(path.join(dir, 'store'));
    assert.equal(opensSynchronously(uri), true);
    const sync = openStoreSync(uri);
    assert.ok(sync);
    assert.equal((await sync.tracking.getExperiment('from-folder')).name, 'from-folder', 'the same store, opened again');
    await sync.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown schemes are refused, naming the forms that work; credentials in an http URI are refused without showing them', async () => {
  await assert.rejects(openStore('mysql://ana:hunter2@db/x'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE')
    && /postgresql:\/\//.test(e.message) && /sqlite:\/\/\//.test(e.message) && !e.message.includes('hunter2'));
  await assert.rejects(openStore('https://ana:hunter2@tracking.example'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE')
    && /TRACKLAB_TRACKING_TOKEN/.test(e.message) && !e.message.includes('hunter2'));
});

test('loading tracklab loads no database driver; opening a store loads only its own', () => {
  const index = path.join(__dirname, '..', 'index.js');
  const drivers = `Object.keys(require.cache).filter((k) => /node_modules\\/(pg|better-sqlite3|postgres)\\//.test(k)).map((k) => k.split('node_modules/')[1].split('/')[0]).filter((v, i, a) => a.indexOf(v) === i)`;
  const probe = spawnSync(process.execPath, ['-e', `
    const t = require(${JSON.stringify(index)});
    const before = ${drivers};
    const dir = require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'tracklab-open-'));
    require(${JSON.stringify(path.join(__dirname, 'open-store.js'))}).openStore(dir).then(async (b) => {
      await b.close();
      console.log(JSON.stringify({ before, after: ${drivers} }));
    });
  `], { encoding: 'utf8' });
  assert.equal(probe.status, 0, probe.stderr);
  assert.deepEqual(JSON.parse(probe.stdout), { before: [], after: ['better-sqlite3'] });
});

describe('PostgreSQL through openStore', { skip: postgresSkip() }, () => {
  test('postgresql:// and postgres:// open the PostgreSQL backend: asynchronous, no artifact folder of its own', async () => {
    const db = freshDatabase();
    try {
      for (const uri of [db.uri, db.uri.replace(/^postgresql:/, 'postgres:')]) {
        const parsed = parseStoreUri(uri);
        assert.equal(parsed.scheme, 'postgresql');
        assert.equal(opensSynchronously(parsed), false);
        assert.equal(openStoreSync(parsed), undefined);
        const backend = await openStore(uri);
        try {
          assert.equal(backend.defaultArtifactRoot, undefined);
          assert.equal(backend.tracking.capabilities.synchronousWrites, false);
          await backend.tracking.ensureExperiment('shared');
          assert.equal((await backend.tracking.getExperiment('shared')).name, 'shared');
        } finally {
          await backend.close();
        }
      }
    } finally {
      db.drop();
    }
  });
});
