import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTracklabError } from '../errors';
import { createPageToken, readPageToken } from './page-token';

const query = { experimentIds: ['1', '2'], filter: "metrics.acc > 0.5", orderBy: ['metrics.acc DESC'], lifecycle: 'active' };

function assertInvalid(token: string, fragment: string, q: unknown = query): void {
  assert.throws(() => readPageToken(token, q), (err: unknown) => {
    assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), String(err));
    assert.ok(err.message.includes(fragment), err.message);
    return true;
  });
}

describe('page tokens', () => {
  it('round-trips the offset for the same query', () => {
    for (const offset of [0, 1, 100, 123456789]) {
      assert.equal(readPageToken(createPageToken(offset, query), query), offset);
    }
  });

  it('is opaque url-safe text', () => {
    const token = createPageToken(100, query);
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.ok(!token.includes('metrics'));
  });

  it('treats no token as the first page', () => {
    assert.equal(readPageToken(undefined, query), 0);
    assert.equal(readPageToken(null, query), 0);
    assert.equal(readPageToken('', query), 0);
  });

  it('accepts the same query written with keys in another order', () => {
    const token = createPageToken(7, query);
    assert.equal(readPageToken(token, { lifecycle: 'active', orderBy: ['metrics.acc DESC'], filter: 'metrics.acc > 0.5', experimentIds: ['1', '2'] }), 7);
  });

  it('rejects a token from a different query', () => {
    const token = createPageToken(100, query);
    for (const other of [{ ...query, filter: 'metrics.acc > 0.6' }, { ...query, orderBy: [] }, { ...query, experimentIds: ['1'] }, { ...query, lifecycle: 'all' }]) {
      assertInvalid(token, 'This page token belongs to a different search', other);
    }
  });

  it('rejects damaged tokens with a clear message', () => {
    assertInvalid('not a token!', 'Invalid page token: it is not a base64url string');
    assertInvalid(Buffer.from('{"offset": 5').toString('base64url'), 'Invalid page token: it does not decode to a tracklab token');
    assertInvalid(Buffer.from('{"offset": 5}').toString('base64url'), 'Invalid page token: it does not decode to a tracklab token');
    assertInvalid(Buffer.from('[1]').toString('base64url'), 'it does not decode to a tracklab token');
    const good = JSON.parse(Buffer.from(createPageToken(5, query), 'base64url').toString('utf8')) as Record<string, unknown>;
    assertInvalid(Buffer.from(JSON.stringify({ ...good, o: -1 })).toString('base64url'), 'its offset is not a non-negative integer');
    assertInvalid(Buffer.from(JSON.stringify({ ...good, o: 1.5 })).toString('base64url'), 'its offset is not a non-negative integer');
    assertInvalid(Buffer.from(JSON.stringify({ ...good, o: '5' })).toString('base64url'), 'its offset is not a non-negative integer');
  });
});
