import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { tableFromArrays, tableFromJSON, tableToIPC } from 'apache-arrow';
import { isTracklabError } from '../errors';
import { describeDataset } from './describe-dataset';

const ROWS = [
  { x: 1.5, label: 'a', ok: true },
  { x: -2, label: 'b', ok: false },
  { x: 7, label: 'a', ok: null },
];

function tempFile(name: string, content: string | Uint8Array): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-')), name);
  fs.writeFileSync(file, content);
  return file;
}

test('rows: the digest ignores key order and object identity, and changes with any value; NaN, null and -0 stay apart', () => {
  const a = describeDataset(ROWS);
  const b = describeDataset(ROWS.map((r) => ({ ok: r.ok, label: r.label, x: r.x })));
  assert.equal(a.digest, b.digest);
  assert.match(a.digest, /^[0-9a-f]{64}$/);
  assert.notEqual(describeDataset([...ROWS.slice(0, 2), { ...ROWS[2], x: 7.000001 }]).digest, a.digest);
  assert.notEqual(describeDataset(ROWS.slice(0, 2)).digest, a.digest, 'a dropped row');
  assert.notEqual(describeDataset([...ROWS].reverse()).digest, a.digest, 'row order is part of the data');
  const one = (x: unknown) => describeDataset([{ x }]).digest;
  assert.equal(new Set([one(NaN), one(null), one(0), one(-0), one('NaN'), one(Infinity)]).size, 6);
  assert.equal(a.sourceType, 'rows');
  assert.equal(a.name, 'dataset');
  assert.equal(a.numRows, 3);
  assert.deepEqual(a.schema, [{ name: 'x', type: 'number' }, { name: 'label', type: 'string' }, { name: 'ok', type: 'boolean' }]);
  assert.deepEqual(a.profile, [
    { name: 'x', type: 'number', nulls: 0, min: -2, max: 7 },
    { name: 'label', type: 'string', nulls: 0, distinct: 2 },
    { name: 'ok', type: 'boolean', nulls: 1, distinct: 2 },
  ]);
  const sparse = describeDataset([{ a: 1 }, { a: 2, b: 'x' }, { a: 'three' }]);
  assert.deepEqual(sparse.schema, [{ name: 'a', type: 'number|string' }, { name: 'b', type: 'string' }]);
  assert.equal(sparse.profile?.[1]?.nulls, 2, 'rows without the key count as nulls');
});

test('Arrow tables: one digest however the table is chunked or dictionary-encoded; schema and profile from the columns', () => {
  const table = tableFromArrays({ x: Float64Array.from([1.5, -2, 7]), label: ['a', 'b', 'a'] });
  const chunked = table.slice(0, 1).concat(table.slice(1));
  assert.equal(chunked.batches.length, 2);
  const a = describeDataset(table, { name: 'toy', context: 'training' });
  assert.equal(describeDataset(chunked).digest, a.digest);
  assert.equal(describeDataset(tableFromJSON([{ x: 1.5, label: 'a' }, { x: -2, label: 'b' }, { x: 7, label: 'a' }])).digest, a.digest, 'built another way, same data');
  assert.notEqual(describeDataset(tableFromArrays({ x: Float64Array.from([1.5, -2, 8]), label: ['a', 'b', 'a'] })).digest, a.digest);
  assert.equal(a.sourceType, 'arrow');
  assert.equal(a.name, 'toy');
  assert.equal(a.numRows, 3);
  assert.deepEqual(a.schema, [{ name: 'x', type: 'Float64' }, { name: 'label', type: 'Utf8' }]);
  assert.deepEqual(a.profile, [{ name: 'x', type: 'Float64', nulls: 0, min: -2, max: 7 }, { name: 'label', type: 'Utf8', nulls: 0, distinct: 2 }]);
});

test('files: the digest is the sha256 of the bytes; CSV, JSON, JSON lines and Arrow files get schema, rows and profile', () => {
  const csv = 'x,label,note\n1.5,a,"hi, there"\n-2,b,\n7,a,"say ""x"""\n';
  const file = tempFile('train.csv', csv);
  const d = describeDataset(file, { context: 'training' });
  assert.equal(d.digest, createHash('sha256').update(csv).digest('hex'));
  assert.equal(d.sourceType, 'file');
  assert.equal(d.source, file);
  assert.equal(d.name, 'train.csv');
  assert.equal(d.numRows, 3);
  assert.deepEqual(d.schema, [{ name: 'x', type: 'number' }, { name: 'label', type: 'string' }, { name: 'note', type: 'string' }]);
  assert.deepEqual(d.profile?.[0], { name: 'x', type: 'number', nulls: 0, min: -2, max: 7 });
  assert.deepEqual(d.profile?.[2], { name: 'note', type: 'string', nulls: 1, distinct: 2 });
  fs.appendFileSync(file, '8,c,\n');
  assert.notEqual(describeDataset(file).digest, d.digest, 'changed data, new digest');

  const json = describeDataset(tempFile('d.json', JSON.stringify(ROWS)));
  assert.equal(json.numRows, 3);
  assert.deepEqual(json.profile, describeDataset(ROWS).profile);
  assert.equal(describeDataset(tempFile('d.jsonl', ROWS.map((r) => JSON.stringify(r)).join('\n'))).numRows, 3);
  const arrowFile = describeDataset(tempFile('d.arrow', tableToIPC(tableFromArrays({ v: Int32Array.from([3, 1, 2]) }), 'file')));
  assert.deepEqual(arrowFile.schema, [{ name: 'v', type: 'Int32' }]);
  assert.deepEqual(arrowFile.profile, [{ name: 'v', type: 'Int32', nulls: 0, min: 1, max: 3 }]);
  const opaque = describeDataset(tempFile('blob.bin', new Uint8Array([1, 2, 3])));
  assert.deepEqual([opaque.schema, opaque.profile, opaque.numRows], [null, null, null], 'unknown formats: digest only');
});

test('bad input is a clear INVALID_PARAMETER_VALUE', () => {
  const bad = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && pattern.test(e.message));
  bad(() => describeDataset('/no/such/file.csv'), /does not exist/);
  bad(() => describeDataset(os.tmpdir()), /is not a file/);
  bad(() => describeDataset([{ a: 1 }, 5] as never), /Row 1 of the dataset is a number/);
  bad(() => describeDataset({ rows: [] } as never), /takes an apache-arrow Table, an array of row objects, or a file path/);
  bad(() => describeDataset([], { context: '' }), /non-empty string/);
  bad(() => describeDataset([{ f: () => 1 }]), /not a function/);
  bad(() => describeDataset(tempFile('broken.json', '[{"a": 1},')), /could not be read as JSON/);
});
