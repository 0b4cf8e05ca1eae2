/**
 * ensureAdmin over a real auth database: TRACKLAB_ADMIN_* make the first
 * admin only; once there is one they are ignored with a line, whatever they
 * hold; with no admin, a name already taken by a non-admin is refused rather
 * than promoted.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTracklabError } from '../../src/errors';
import { ensureAdmin } from '../../src/server/auth/admin-bootstrap';
import { AuthDb } from '../../src/server/auth/auth-db';

function withDb(fn: (db: AuthDb) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-admin-'));
  const db = new AuthDb(path.join(dir, 'auth.db'));
  return fn(db).finally(() => { db.close(); fs.rmSync(dir, { recursive: true, force: true }); });
}

test('TRACKLAB_ADMIN_* make the first admin, then are ignored with one line whatever they hold', () => withDb(async (db) => {
  assert.match((await ensureAdmin(db, { TRACKLAB_ADMIN_USERNAME: 'admin', TRACKLAB_ADMIN_PASSWORD: 'admin-password-1' }))!, /^Created admin user "admin"/);
  for (const env of [{ TRACKLAB_ADMIN_USERNAME: 'root2', TRACKLAB_ADMIN_PASSWORD: 'long enough pw' }, { TRACKLAB_ADMIN_USERNAME: 'x', TRACKLAB_ADMIN_PASSWORD: 'short' }, { TRACKLAB_ADMIN_PASSWORD: 'only-the-password' }]) {
    assert.match((await ensureAdmin(db, env))!, /^Ignoring TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD: .* already has an admin \("admin"\)/);
  }
  assert.equal(await ensureAdmin(db, {}), undefined);
  assert.deepEqual(db.listUsers().map((u) => [u.username, u.isAdmin]), [['admin', true]]);
}));

test('with no admin, TRACKLAB_ADMIN_USERNAME naming an existing non-admin is refused, not promoted', () => withDb(async (db) => {
  db.createUser('ana', 'not-a-real-hash', false);
  await assert.rejects(ensureAdmin(db, { TRACKLAB_ADMIN_USERNAME: 'ana', TRACKLAB_ADMIN_PASSWORD: 'ana-password-1' }),
    (err) => isTracklabError(err) && err.code === 'INVALID_STATE' && /user "ana" already exists as a non-admin: pick another name/.test(err.message));
  await assert.rejects(ensureAdmin(db, { TRACKLAB_ADMIN_USERNAME: 'root' }), (err) => isTracklabError(err) && /Set both/.test(err.message));
  assert.deepEqual(db.listUsers().map((u) => u.isAdmin), [false]);
}));
