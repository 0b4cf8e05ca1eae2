import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TracklabError, isTracklabError } from './errors';

test('TracklabError carries a code and prints without a stack', () => {
  const err = new TracklabError('INVALID_PARAMETER_VALUE', 'Param "lr" was 0.1, cannot change it to 0.2.');
  assert.equal(err.code, 'INVALID_PARAMETER_VALUE');
  assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'));
  assert.ok(!isTracklabError(err, 'INVALID_STATE'));
  assert.equal(String(err), 'TracklabError [INVALID_PARAMETER_VALUE]: Param "lr" was 0.1, cannot change it to 0.2.');
});
