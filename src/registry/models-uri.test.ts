import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelsUri } from './models-uri';
import { validateAlias, validateModelName, validateVersion } from './registry-validation';

test('parseModelsUri reads versions, latest and aliases', () => {
  assert.deepEqual(parseModelsUri('models:/churn/3'), { name: 'churn', kind: 'version', version: 3 });
  assert.deepEqual(parseModelsUri('models:/churn/latest'), { name: 'churn', kind: 'latest' });
  assert.deepEqual(parseModelsUri('models:/churn/LATEST'), { name: 'churn', kind: 'latest' });
  assert.deepEqual(parseModelsUri('models:/churn model.v2@champion'), { name: 'churn model.v2', kind: 'alias', alias: 'champion' });
});

test('parseModelsUri refuses malformed and hostile URIs with the expected forms', () => {
  const refused = (uri: string, why: RegExp) => assert.throws(() => parseModelsUri(uri), (e: Error & { code?: string }) =>
    e.code === 'INVALID_PARAMETER_VALUE' && why.test(e.message) && /models:\/<name>\/<version>/.test(e.message), uri);
  refused('runs:/abc/model', /does not start with "models:\/"/);
  refused('models://host/m/1', /host part/);
  refused('models:/churn', /the version is missing/);
  refused('models:/churn/1/extra', /more than a name and a version/);
  refused('models:/churn/Production', /stages .* are not supported, use an alias \(models:\/churn@champion\)/);
  refused('models:/churn/0', /whole number from 1/);
  refused('models:/churn/1@x', /alias URI has no version part/);
  refused('models:/churn@latest', /reserved/);
  refused('models:/churn@v3', /reserved/);
  refused('models:/churn@a/b', /alias URI has no version part|letters, digits/);
  refused('models:/..%2f..@x', /contains "%"|contains/);
  refused('models:/@champion', /non-empty/);
});

test('alias, model name and version rules', () => {
  for (const ok of ['champion', 'prod-2', 'A_b', 'v', 'v1a', 'version1', 'x'.repeat(255)]) validateAlias(ok);
  for (const bad of ['latest', 'Latest', 'v0', 'V10', '', 'a b', 'a.b', 'ü', 'x'.repeat(256)]) {
    assert.throws(() => validateAlias(bad), (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE', bad);
  }
  for (const ok of ['churn', 'Churn Model v2', 'a-b_c.d', 'モデル']) validateModelName(ok);
  for (const bad of ['', 'a/b', 'a@b', 'a:b', 'a\\b', 'a%2f', 'x\u0000', ' x', 'x ', '..', 'x'.repeat(257)]) {
    assert.throws(() => validateModelName(bad), (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE', JSON.stringify(bad));
  }
  assert.equal(validateVersion(3), 3);
  assert.equal(validateVersion('12'), 12);
  for (const bad of [0, -1, 1.5, '1.0', 'one', NaN, null]) assert.throws(() => validateVersion(bad), /whole number from 1/, String(bad));
});
