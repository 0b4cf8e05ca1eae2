import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTracklabError } from '../errors';
import { normalizeArtifactPath, normalizeArtifactPrefix } from './artifact-path';

function refused(input: string, reason: RegExp): void {
  assert.throws(() => normalizeArtifactPath(input), (e: unknown) => {
    assert.ok(isTracklabError(e, 'INVALID_PARAMETER_VALUE'), `expected INVALID_PARAMETER_VALUE for ${JSON.stringify(input)}`);
    assert.match(e.message, reason);
    assert.match(e.message, /relative path inside the run|plain characters/, 'the message says what to do');
    return true;
  });
}

test('good paths come back canonical', () => {
  assert.equal(normalizeArtifactPath('model.onnx'), 'model.onnx');
  assert.equal(normalizeArtifactPath('plots/loss.png'), 'plots/loss.png');
  assert.equal(normalizeArtifactPath('a//b///c'), 'a/b/c');
  assert.equal(normalizeArtifactPath('./a/./b/'), 'a/b');
  assert.equal(normalizeArtifactPath('with space/ünïcode 名前.txt'), 'with space/ünïcode 名前.txt');
  assert.equal(normalizeArtifactPath('a..b/..c/d..'), 'a..b/..c/d..', 'dots inside names are fine');
  assert.equal(normalizeArtifactPath('my%20file.txt'), 'my file.txt');
  assert.equal(normalizeArtifactPath('100%.txt'), '100%.txt', 'a lone % is literal');
  assert.equal(normalizeArtifactPath('time 12:30/x'), 'time 12:30/x', 'a colon after the first character is no drive letter');
});

test('traversal with ".." is refused, however it is spelt', () => {
  refused('../x', /"\.\." segment/);
  refused('a/../../b', /"\.\." segment/);
  refused('a/..', /"\.\." segment/);
  refused('%2e%2e/x', /"\.\." segment/);
  refused('%2E%2E%2Fx', /"\.\." segment/);
  refused('%252e%252e/x', /"\.\." segment/);
  refused('%25252e%25252e/x', /"\.\." segment/);
  refused('a/%2e%2e%2f%2e%2e/b', /"\.\." segment/);
});

test('absolute paths and drive letters are refused', () => {
  refused('/abs', /absolute/);
  refused('%2fetc/passwd', /absolute/);
  refused('C:/x', /drive letter/);
  refused('c:x', /drive letter/);
});

test('backslashes, NUL, #, ? and ; are refused', () => {
  refused('a\\b', /backslash/);
  refused('..\\x', /backslash/);
  refused('%5c..%5cx', /backslash/);
  refused('a\u0000b', /NUL/);
  refused('a%00b', /NUL/);
  refused('a#b', /"#"/);
  refused('a?b', /"\?"/);
  refused('a;b', /";"/);
});

test('empty and broken input is refused with a reason', () => {
  refused('', /names no file/);
  refused('./', /names no file/);
  refused('%c3%28', /not valid UTF-8/);
  refused('%2525252525252525252e', /percent-encoded more than/);
  assert.throws(() => normalizeArtifactPath(42 as unknown as string), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /must be a string/.test(e.message));
});

test('prefixes: empty means the whole run, otherwise the same rules', () => {
  assert.equal(normalizeArtifactPrefix(undefined), '');
  assert.equal(normalizeArtifactPrefix(''), '');
  assert.equal(normalizeArtifactPrefix('.'), '');
  assert.equal(normalizeArtifactPrefix('plots/'), 'plots');
  assert.throws(() => normalizeArtifactPrefix('../x'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  assert.throws(() => normalizeArtifactPrefix('/'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
});
