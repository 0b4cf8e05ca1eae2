import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Outbox } from './outbox-file';

test('blocksFrom joins the block writes after the first while they fit, stops at another kind, and loads only the bodies it returns', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-outbox-'));
  const box = Outbox.create(folder, 'http://example.invalid', { pid: process.pid, host: os.hostname(), processStart: 'now' });
  try {
    const body = (n: number, fill: number) => Buffer.alloc(n, fill);
    box.add('blocks', body(100, 1), 1);
    box.add('blocks', body(200, 2), 1);
    box.add('blocks', body(300, 3), 1);
    box.add('blocks', body(5_000, 4), 1); // would pass the cap
    box.add('blocks', body(10, 5), 1);
    const first = box.first()!;
    const joined = box.blocksFrom(first, 32, 1_000);
    assert.deepEqual(joined.map((o) => o.body[0]), [1, 2, 3], 'up to the cap, in order');
    assert.deepEqual(joined.map((o) => o.body.length), [100, 200, 300], 'whole bodies');
    assert.deepEqual(box.blocksFrom(first, 2, 1_000).map((o) => o.body[0]), [1, 2], 'at most maxOps');
    assert.deepEqual(box.blocksFrom(first, 32, 100).map((o) => o.body[0]), [1], 'the first alone when the next does not fit');

    box.deliveredAll(joined.map((o) => o.seq));
    box.add('call', Buffer.from('{}'));
    box.add('blocks', body(10, 6), 1);
    const big = box.first()!;
    assert.deepEqual(box.blocksFrom(big, 32, 1_000_000).map((o) => o.body[0]), [4, 5], 'stops at a call');
  } finally {
    box.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
