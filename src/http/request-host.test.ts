import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { requestHost, singleHost } from './request-host';

const req = (rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage;

test('the Host comes from rawHeaders: one is the host, none is none, a repeat (any case) names no host', () => {
  assert.deepEqual(requestHost(req(['Host', 'a.example', 'Accept', '*/*'])), { kind: 'one', host: 'a.example' });
  assert.deepEqual(requestHost(req(['Accept', '*/*'])), { kind: 'none' });
  assert.deepEqual(requestHost(req(['Host', '127.0.0.1', 'HOST', 'evil.example'])), { kind: 'repeated', count: 2 });
  assert.equal(singleHost(req(['host', '127.0.0.1', 'host', '127.0.0.1'])), undefined, 'even the same value twice');
  assert.equal(singleHost(req(['host', 'localhost:5000'])), 'localhost:5000');
});
