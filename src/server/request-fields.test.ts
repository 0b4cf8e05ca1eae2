import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTracklabError } from '../errors';
import { RequestFields } from './request-fields';

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => isTracklabError(err, 'INVALID_PARAMETER_VALUE') && message.test((err as Error).message));
}

test('int64 fields take integers and their decimal strings, as protobuf JSON does', () => {
  const f = RequestFields.fromJson({ a: 5, b: '-12', c: 2.0, d: 2.5, e: 'x', f: true, g: 2 ** 60 });
  assert.equal(f.int64('a'), 5);
  assert.equal(f.int64('b'), -12);
  assert.equal(f.int64('c'), 2);
  refused(() => f.int64('d'), /parameter 'd'.*integer/);
  refused(() => f.int64('e'), /parameter 'e'/);
  refused(() => f.int64('f'), /parameter 'f'/);
  refused(() => f.int64('g'), /within/);
  assert.equal(f.int64('missing'), undefined);
  refused(() => f.int64('missing', true), /Missing value for required parameter 'missing'/);
});

test('double fields take numbers, numeric strings and protobuf\'s NaN and Infinity spellings', () => {
  const f = RequestFields.fromJson({ a: 0.5, b: 'NaN', c: 'Infinity', d: '-Infinity', e: '1e3', f: 'nan', g: null });
  assert.equal(f.double('a'), 0.5);
  assert.ok(Number.isNaN(f.double('b')));
  assert.equal(f.double('c'), Infinity);
  assert.equal(f.double('d'), -Infinity);
  assert.equal(f.double('e'), 1000);
  refused(() => f.double('f'), /"NaN"/);
  refused(() => f.double('g', true), /Missing value/);
});

test('an empty string is a missing required field, as in MLflow\'s _assert_required', () => {
  const f = RequestFields.fromJson({ name: '' });
  refused(() => f.string('name', true), /Missing value for required parameter 'name'/);
  assert.equal(f.string('name'), '');
});

test('enums by name or number; repeated fields from JSON lists or repeated query names', () => {
  const values = { ACTIVE_ONLY: 1, DELETED_ONLY: 2, ALL: 3 } as const;
  assert.equal(RequestFields.fromJson({ v: 2 }).enumName('v', values), 'DELETED_ONLY');
  assert.equal(RequestFields.fromQuery(new URLSearchParams('v=ALL')).enumName('v', values), 'ALL');
  assert.equal(RequestFields.fromQuery(new URLSearchParams('v=3')).enumName('v', values), 'ALL');
  refused(() => RequestFields.fromJson({ v: 'SOME' }).enumName('v', values), /ACTIVE_ONLY, DELETED_ONLY, ALL/);
  assert.deepEqual(RequestFields.fromQuery(new URLSearchParams('id=a&id=b')).strings('id'), ['a', 'b']);
  assert.deepEqual(RequestFields.fromJson({ id: ['a'] }).strings('id'), ['a']);
  refused(() => RequestFields.fromJson({ id: 'a' }).strings('id'), /a list/);
  refused(() => RequestFields.fromQuery(new URLSearchParams('x=1&x=2')).string('x'), /a single value/);
});

test('nested messages name their path in errors', () => {
  refused(() => RequestFields.fromJson({ metrics: [{ key: 'a' }] }).messages('metrics')[0]!.int64('timestamp', true), /'metrics\[0\]\.timestamp'/);
  refused(() => RequestFields.fromJson({ metrics: [{ key: 'a' }, 'oops'] }).messages('metrics'), /'metrics\[1\]'.*an object/);
});
