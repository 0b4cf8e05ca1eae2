import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostMatcher, isLoopbackHost } from './allowed-hosts';

test('the bound address and loopback names pass, other names do not', () => {
  const loopback = hostMatcher('127.0.0.1');
  for (const h of ['localhost', 'localhost:5000', 'LocalHost.', '127.0.0.1:1', '[::1]', '[::1]:8080']) assert.ok(loopback(h), h);
  for (const h of [undefined, '', 'evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', '[::2]', 'a b', 'localhost:x']) assert.ok(!loopback(h), String(h));
  assert.ok(hostMatcher('192.168.1.5')('192.168.1.5:5000'));
  assert.ok(hostMatcher('::1')('[::1]:1'));
  assert.ok(!hostMatcher('0.0.0.0')('0.0.0.0'), 'a wildcard bind address is not a name clients use');
  assert.ok(hostMatcher('127.0.0.1', ['*'])('anything.example'));
});

test('loopback addresses', () => {
  for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.168.0.1', 'example.com']) assert.ok(!isLoopbackHost(h), h);
});
