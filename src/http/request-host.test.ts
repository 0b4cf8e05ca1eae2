import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { requestHost, singleHost } from './request-host';
import { requestTarget, routedPath } from './request-target';

const req = (rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage;

test('the Host comes from rawHeaders: one is the host, none is none, a repeat (any case) names no host', () => {
  assert.deepEqual(requestHost(req(['Host', 'a.example', 'Accept', '*/*'])), { kind: 'one', host: 'a.example' });
  assert.deepEqual(requestHost(req(['Accept', '*/*'])), { kind: 'none' });
  assert.deepEqual(requestHost(req(['Host', '127.0.0.1', 'HOST', 'evil.example'])), { kind: 'repeated', count: 2 });
  assert.equal(singleHost(req(['host', '127.0.0.1', 'host', '127.0.0.1'])), undefined, 'even the same value twice');
  assert.equal(singleHost(req(['host', 'localhost:5000'])), 'localhost:5000');
});

test('an absolute-form target names the host; a Host header that names another is a conflict, a missing one is no matter', () => {
  const abs = (url: string, rawHeaders: string[]) => ({ url, rawHeaders }) as unknown as IncomingMessage;
  assert.deepEqual(requestHost(abs('http://evil.example/health', ['Host', '127.0.0.1:5000'])), { kind: 'conflicting', host: 'evil.example', header: '127.0.0.1:5000' });
  assert.deepEqual(requestHost(abs('HTTP://LocalHost:5000/x?y', ['Host', 'localhost:5000'])), { kind: 'one', host: 'LocalHost:5000' });
  assert.deepEqual(requestHost(abs('http://127.0.0.1:5000/', [])), { kind: 'one', host: '127.0.0.1:5000' });
  assert.deepEqual(requestHost(abs('http://127.0.0.1:5000/', ['Host', '127.0.0.1:5000', 'Host', '127.0.0.1:5000'])), { kind: 'repeated', count: 2 });
  assert.deepEqual(requestHost(abs('/health', ['Host', 'a.example'])), { kind: 'one', host: 'a.example' });
  assert.equal(singleHost(abs('http://a.example/', ['Host', 'b.example'])), undefined);
});

test('request targets: a path, a URL (its path routed, "/" when empty), "*", and the rest', () => {
  assert.deepEqual(requestTarget('/api/x?y=1'), { form: 'origin', path: '/api/x?y=1' });
  assert.deepEqual(requestTarget('http://127.0.0.1:5000/api/x?y=1'), { form: 'absolute', authority: '127.0.0.1:5000', path: '/api/x?y=1' });
  assert.deepEqual(requestTarget('https://[::1]:5000'), { form: 'absolute', authority: '[::1]:5000', path: '/' });
  assert.deepEqual(requestTarget('http://a.example?q'), { form: 'absolute', authority: 'a.example', path: '/?q' });
  assert.deepEqual(requestTarget('*'), { form: 'asterisk' });
  for (const other of ['ftp://a.example/x', 'http://user:pw@a.example/x', 'http:///x', 'http://a.example/x#f', 'a.example:443']) {
    assert.deepEqual(requestTarget(other), { form: 'other' }, other);
  }
  assert.equal(routedPath('http://a.example'), '/');
  assert.equal(routedPath('*'), undefined);
});
