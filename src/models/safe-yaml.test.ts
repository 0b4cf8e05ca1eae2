import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSafeYaml, stringifyYaml } from './safe-yaml';
import { parseMLmodel } from './mlmodel';

const ok = 'flavors:\n  js_function: {loader_module: tracklab.models.json}\nutc_time_created: x\n';

test('plain YAML parses to plain data with the core schema', () => {
  assert.deepEqual(parseSafeYaml('a: 1\nb: [x, true, null]\nc: 2024-01-01\n', 'doc'), { a: 1, b: ['x', true, null], c: '2024-01-01' });
  assert.equal(parseMLmodel(ok).flavors.js_function.loader_module, 'tracklab.models.json');
});

test('hostile YAML is refused with a message naming the problem', () => {
  const cases: [string, RegExp][] = [
    [`${ok}__proto__: {polluted: true}\n`, /key "__proto__"/],
    [`${ok}metadata: {constructor: {prototype: {x: 1}}}\n`, /key "constructor"/],
    [`${ok}metadata: {prototype: 1}\n`, /key "prototype"/],
    [`${ok}metadata: !!js/function "function(){}"\n`, /tag/],
    [`${ok}metadata: !custom {a: 1}\n`, /tag/],
    [`${ok}a: &x [1, 2]\nb: *x\n`, /alias/],
    // billion laughs: refused at the first alias, before any expansion
    ['a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n', /alias/],
    [`${ok}flavors: {}\n`, /not valid YAML/], // duplicate key
    [`${ok}? [complex, key]\n: 1\n`, /non-scalar mapping key/],
    ['a: [unclosed\n', /not valid YAML/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseMLmodel(text), (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE' && message.test(e.message), text);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('oversized and deeply nested YAML is refused', () => {
  assert.throws(() => parseSafeYaml(`a: "${'x'.repeat(2000)}"\n`, 'The doc', 1000), /larger than 1000 bytes/);
  let deep = 'v: 1';
  for (let i = 0; i < 80; i++) deep = `k${i}:\n${deep.replace(/^/gm, '  ')}`;
  assert.throws(() => parseSafeYaml(deep, 'The doc'), /nests deeper than 64/);
});

test('written YAML quotes strings that YAML 1.1 readers (PyYAML) would retype', () => {
  const text = stringifyYaml({ t: '2022-09-19 14:43:00.353762', yes: 'yes', num: '0123', v: '1.10', plain: 'mlflow.sklearn' });
  assert.match(text, /^t: '2022-09-19 14:43:00.353762'$/m);
  assert.match(text, /: 'yes'$/m);
  assert.match(text, /^num: '0123'$/m);
  assert.match(text, /^v: '1.10'$/m);
  assert.match(text, /^plain: mlflow.sklearn$/m);
  assert.deepEqual(parseSafeYaml(text, 'doc'), { t: '2022-09-19 14:43:00.353762', yes: 'yes', num: '0123', v: '1.10', plain: 'mlflow.sklearn' });
});
