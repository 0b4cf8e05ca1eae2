import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTracklabError } from '../errors';
import { checkDurations, type DeadlineOptions } from './request-deadlines';

test('every timeout option must be a whole number of ms within the timer range, with an error that names it', () => {
  const bad: [DeadlineOptions, RegExp][] = [
    [{ headersTimeoutMs: 0 }, /headersTimeoutMs must be a whole number from 1 to 2147483647; got 0/],
    [{ headersTimeoutMs: 2.5 }, /headersTimeoutMs .* got 2\.5/],
    [{ idleTimeoutMs: -1 }, /idleTimeoutMs must be a whole number from 0 to 2147483647; got -1/],
    [{ idleTimeoutMs: 2 ** 31 }, /idleTimeoutMs .* got 2147483648/],
    [{ requestTimeoutMs: Number.NaN }, /requestTimeoutMs .* got NaN/],
    [{ uploadRateWindowMs: 0 }, /uploadRateWindowMs must be a whole number from 1/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => checkDurations(options), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && message.test(e.message), JSON.stringify(options));
  }
  checkDurations({ headersTimeoutMs: 1, idleTimeoutMs: 0, requestTimeoutMs: 0, minUploadBytesPerWindow: 0, uploadRateWindowMs: 1 });
});
