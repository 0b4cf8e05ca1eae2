/** The pure parts of access control: header parsing, the login limiter's schedule, password hashes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuthorization } from './credentials';
import { LoginLimiter } from './login-limiter';
import { hashPassword, verifyPassword } from './password-hash';
import { parsePermission } from './permissions';
import { isTracklabError } from '../../errors';

test('Authorization headers: Basic (UTF-8, a colon in the password), Bearer, and malformed ones', () => {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  assert.deepEqual(parseAuthorization(`Basic ${b64('ana:pa:ss wörd')}`), { kind: 'basic', username: 'ana', password: 'pa:ss wörd' });
  assert.deepEqual(parseAuthorization('bearer tlk_abc-DEF_123'), { kind: 'bearer', token: 'tlk_abc-DEF_123' });
  assert.equal(parseAuthorization(undefined), undefined);
  assert.equal(parseAuthorization(''), undefined);
  for (const bad of [`Basic ${b64('no-colon')}`, `Basic ${b64(':nouser')}`, 'Basic !!!', 'Digest x', 'Bearer a b', 'Bearer', 'Bearer tok"en']) {
    assert.equal(parseAuthorization(bad), 'malformed', bad);
  }
});

test('the login limiter: 5 failures lock a user for 1 s, then 2 s, 4 s...; a success clears the user but not the address', () => {
  let now = 1_000_000;
  const limiter = new LoginLimiter({ perUser: 5, perAddress: 20 }, () => now);
  for (let i = 0; i < 4; i++) limiter.failed('bob', '10.0.0.1');
  assert.equal(limiter.wait('bob', '10.0.0.1'), 0);
  limiter.failed('bob', '10.0.0.1');
  assert.equal(limiter.wait('bob', '10.0.0.1'), 1000);
  assert.equal(limiter.wait('bob', '10.0.0.2'), 1000, 'per user, from any address');
  assert.equal(limiter.wait('carol', '10.0.0.1'), 0);
  now += 1000;
  assert.equal(limiter.wait('bob', '10.0.0.1'), 0);
  limiter.failed('bob', '10.0.0.1');
  assert.equal(limiter.wait('bob', '10.0.0.1'), 2000);
  now += 2000;
  limiter.failed('bob', '10.0.0.1');
  assert.equal(limiter.wait('bob', '10.0.0.1'), 4000);
  now += 4000;
  limiter.succeeded('bob');
  assert.equal(limiter.wait('bob', '10.0.0.9'), 0);
  for (let i = 0; i < 13; i++) limiter.failed(`u${i}`, '10.0.0.1');
  assert.equal(limiter.wait(undefined, '10.0.0.1'), 1000, 'the address reached 20 failures (7 of bob, 13 more)');
  now += 16 * 60_000;
  limiter.failed('x', '10.0.0.1');
  assert.equal(limiter.wait(undefined, '10.0.0.1'), 0, 'counts fade after 15 quiet minutes');
});

test('the limiter forgets its oldest entries past its bound', () => {
  const limiter = new LoginLimiter({ perUser: 1, perAddress: 1000 }, () => 0, 10);
  limiter.failed('first', 'a');
  for (let i = 0; i < 20; i++) limiter.failed(`u${i}`, 'a');
  assert.equal(limiter.wait('first', 'b'), 0);
  assert.ok(limiter.wait('u19', 'b') > 0);
});

test('password hashes: scrypt with a per-password salt; the right password verifies, others and malformed hashes do not', async () => {
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  assert.match(a, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.notEqual(a, b, 'salted');
  assert.equal(await verifyPassword('correct horse', a), true);
  assert.equal(await verifyPassword('correct horsE', a), false);
  assert.equal(await verifyPassword('correct horse', 'plain'), false);
  assert.equal(await verifyPassword('correct horse', a.replace('$32768$', '$0$')), false);
});

test('permissions parse by name only', () => {
  assert.equal(parsePermission('EDIT'), 'EDIT');
  for (const bad of ['edit', 'OWNER', '__proto__', 3]) {
    assert.throws(() => parsePermission(bad), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /READ, EDIT, MANAGE, NO_PERMISSIONS/.test((e as Error).message));
  }
});
