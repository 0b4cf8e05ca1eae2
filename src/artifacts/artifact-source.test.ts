import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTracklabError } from '../errors';
import { planArtifacts, stableJson, type ArtifactSource } from './artifact-source';

test('stableJson sorts keys at every depth and keeps array order', () => {
  assert.equal(stableJson({ z: 1, a: { y: [3, 1, 2], b: null } }),
    '{\n  "a": {\n    "b": null,\n    "y": [\n      3,\n      1,\n      2\n    ]\n  },\n  "z": 1\n}\n');
  assert.equal(stableJson({ b: 1, a: 2 }), stableJson({ a: 2, b: 1 }));
  assert.equal(stableJson('text'), '"text"\n');
  assert.equal(stableJson({ when: new Date(0) }), '{\n  "when": "1970-01-01T00:00:00.000Z"\n}\n', 'toJSON still applies');
});

test('stableJson keeps a "__proto__" key as data', () => {
  const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
  const text = stableJson(parsed);
  assert.equal(text, '{\n  "__proto__": {\n    "polluted": true\n  },\n  "a": 1\n}\n');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('stableJson refuses what JSON cannot hold', () => {
  for (const value of [undefined, () => 1, 10n, Symbol('s')]) {
    assert.throws(() => stableJson(value), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'), String(typeof value));
  }
});

test('a file defaults to its base name; an explicit path is the file\'s full path', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, '<p>hi</p>');
  assert.deepEqual(await planArtifacts(file), [{ path: 'report.html', source: file }]);
  assert.deepEqual(await planArtifacts(file, 'reports/final.html'), [{ path: 'reports/final.html', source: file }]);
  await assert.rejects(planArtifacts(file, '../up.html'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
});

test('unsupported sources get a message that lists the accepted ones', async () => {
  for (const source of [null, 42, { other: 1 }] as unknown as ArtifactSource[]) {
    await assert.rejects(planArtifacts(source, 'x'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /takes a local file or folder path/.test((e as Error).message));
  }
  await assert.rejects(planArtifacts({ text: 'x' }, 5 as unknown as string), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
});
