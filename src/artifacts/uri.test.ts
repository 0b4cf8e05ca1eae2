import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTracklabError } from '../errors';
import { formatRunsUri, parseRunsUri } from './uri';

function refused(uri: string, reason: RegExp): void {
  assert.throws(() => parseRunsUri(uri), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && reason.test(e.message),
    `expected ${uri} to be refused with ${String(reason)}`);
}

test('parses run id and path', () => {
  assert.deepEqual(parseRunsUri('runs:/V1StGXR8_Z5jdHi6B-myT/plots/loss.png'), { runId: 'V1StGXR8_Z5jdHi6B-myT', path: 'plots/loss.png' });
  assert.deepEqual(parseRunsUri('runs:/abc'), { runId: 'abc', path: '' });
  assert.deepEqual(parseRunsUri('runs:/abc/'), { runId: 'abc', path: '' });
  assert.deepEqual(parseRunsUri('runs:/abc/model//MLmodel'), { runId: 'abc', path: 'model/MLmodel' });
});

test('round-trips with formatRunsUri', () => {
  for (const [id, p] of [['abc', ''], ['x-Y_z', 'a/b.txt']] as const) {
    assert.deepEqual(parseRunsUri(formatRunsUri(id, p)), { runId: id, path: p });
  }
});

test('malformed URIs are refused with the reason', () => {
  refused('models:/m/1', /does not start with "runs:\/"/);
  refused('runs:abc/x', /a "\/" must follow/);
  refused('runs://host/abc/x', /host part/);
  refused('runs:/', /run id is missing/);
  refused('runs:/a%2fb/x', /run id/);
  refused('runs:/a b/x', /run id/);
});

test('the path part goes through the artifact path validator', () => {
  assert.throws(() => parseRunsUri('runs:/abc/../x'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /"\.\." segment/.test(e.message));
  assert.throws(() => parseRunsUri('runs:/abc/%2e%2e/x'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  assert.throws(() => parseRunsUri('runs:/abc/a\\b'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
});
