import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTracklabError } from '../errors';
import { authorizationHeader } from './authorization-header';

test('authorizationHeader: a token wins, else Basic from user name and password, else none', () => {
  assert.equal(authorizationHeader({ TRACKLAB_TRACKING_TOKEN: 'tlk_abc', TRACKLAB_TRACKING_USERNAME: 'ana', TRACKLAB_TRACKING_PASSWORD: 'pw' }), 'Bearer tlk_abc');
  assert.equal(authorizationHeader({ TRACKLAB_TRACKING_USERNAME: 'ana', TRACKLAB_TRACKING_PASSWORD: 'pä:ss' }), `Basic ${Buffer.from('ana:pä:ss', 'utf8').toString('base64')}`);
  assert.equal(authorizationHeader({}), undefined);
  assert.equal(authorizationHeader({ TRACKLAB_TRACKING_TOKEN: '' }), undefined);
});

test('authorizationHeader: half a login, a colon in the name, or a token with spaces is a typed error', () => {
  for (const env of [{ TRACKLAB_TRACKING_USERNAME: 'ana' }, { TRACKLAB_TRACKING_PASSWORD: 'pw' }, { TRACKLAB_TRACKING_USERNAME: 'a:b', TRACKLAB_TRACKING_PASSWORD: 'pw' }, { TRACKLAB_TRACKING_TOKEN: 'two words' }]) {
    assert.throws(() => authorizationHeader(env), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'), JSON.stringify(env));
  }
});
