import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTracklabError } from '../errors';
import { csvRecords, parseCsvRows } from './parse-csv';

test('RFC 4180 records: quotes, doubled quotes, quoted newlines, CRLF, blank lines', () => {
  assert.deepEqual(csvRecords('a,b\r\n"x,y","say ""hi"""\n\n"two\nlines",\n'), [['a', 'b'], ['x,y', 'say "hi"'], ['two\nlines', '']]);
  assert.throws(() => csvRecords('a\n"open'), (e: unknown) => isTracklabError(e, 'BAD_REQUEST'));
});

test('columns are typed as pandas infers them, or by the signature', () => {
  assert.deepEqual(parseCsvRows('n,f,b,s\n1,0.5,True,x\n,nan,False,\n'), [
    { n: 1, f: 0.5, b: true, s: 'x' },
    { n: NaN, f: NaN, b: false, s: null },
  ]);
  assert.deepEqual(parseCsvRows('id,v\n007,1\n', new Map([['id', 'string' as const]])), [{ id: '007', v: 1 }]);
  assert.throws(() => parseCsvRows('v\nx\n', new Map([['v', 'double' as const]])), /"x" is not a number/);
  assert.throws(() => parseCsvRows('a,a\n1,2\n'), /names the column "a" twice/);
  assert.throws(() => parseCsvRows('__proto__\n1\n'), /prototype pollution/);
});
