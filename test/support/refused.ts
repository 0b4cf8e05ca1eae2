/** Helpers for tests of options a call refuses. */
import assert from 'node:assert/strict';
import { isTracklabError } from '../../src/errors';

/** Loose options, as plain JavaScript (or `as any`) passes them. */
export const loose = (o: unknown): never => o as never;

/** An `assert.rejects` check: INVALID_PARAMETER_VALUE whose message matches `pattern`. */
export function refused(pattern: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(isTracklabError(e, 'INVALID_PARAMETER_VALUE'), String(e));
    assert.match(e.message, pattern);
    return true;
  };
}
