import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decodeMessage, encodeMessage, newHeader } from './jupyter-message';

const key = randomBytes(32);
const header = newHeader('execute_request', 'session-1');
const message = { header, parent_header: {}, metadata: {}, content: { code: 'console.log(1)' } };

test('a signed message decodes back, with a routing prefix before the delimiter', () => {
  const frames = [Buffer.from('routing-id'), ...encodeMessage(key, message)];
  const decoded = decodeMessage(key, frames);
  assert.ok('message' in decoded);
  assert.equal(decoded.message.header.msg_id, header.msg_id);
  assert.deepEqual(decoded.message.content, { code: 'console.log(1)' });
  assert.equal(decoded.message.header.version, '5.3');
});

test('a tampered or wrongly keyed message is rejected', () => {
  const frames = encodeMessage(key, message);
  const tampered = [...frames];
  tampered[5] = Buffer.from(JSON.stringify({ code: 'process.exit(1)' }));
  assert.deepEqual(decodeMessage(key, tampered), { failure: 'bad-signature' });
  assert.deepEqual(decodeMessage(randomBytes(32), frames), { failure: 'bad-signature' });
  const truncatedSignature = [...frames];
  truncatedSignature[1] = frames[1]!.subarray(0, 10);
  assert.deepEqual(decodeMessage(key, truncatedSignature), { failure: 'bad-signature' });
});

test('frames without the <IDS|MSG> delimiter are rejected', () => {
  const frames = encodeMessage(key, message).slice(1);
  assert.deepEqual(decodeMessage(key, frames), { failure: 'no-delimiter' });
});

test('the signature covers exactly header, parent, metadata and content (HMAC-SHA256 hex)', async () => {
  const { createHmac } = await import('node:crypto');
  const frames = encodeMessage(key, message);
  const hmac = createHmac('sha256', key);
  for (const f of frames.slice(2, 6)) hmac.update(f);
  assert.equal(frames[1]!.toString(), hmac.digest('hex'));
});
