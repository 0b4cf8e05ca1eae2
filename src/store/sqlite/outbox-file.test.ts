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

test('release removes an empty file and keeps one with writes; a write after it makes a new file under the same sender, server and owner', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-outbox-'));
  const owner = { pid: process.pid, host: os.hostname(), processStart: 'now' };
  const box = Outbox.create(folder, 'http://example.invalid', owner);
  const files = () => fs.readdirSync(folder).filter((f) => f.endsWith('.db'));
  try {
    const sender = box.senderId();
    const seq = box.add('call', Buffer.from('{"a":1}'));
    box.release();
    assert.deepEqual(files(), [path.basename(box.file)], 'a file that holds a write stays');
    box.delivered(seq);
    const first = box.file;
    box.release();
    assert.deepEqual(fs.readdirSync(folder), [], 'empty: the file and its -wal and -shm are gone');
    assert.equal(box.size(), 0);
    assert.equal(box.first(), undefined);

    box.add('call', Buffer.from('{"end":1}')); // the end of a run written by an exit hook after the release
    assert.notEqual(box.file, first, 'a new name, so a sync holding the old file cannot remove this one');
    assert.deepEqual(files(), [path.basename(box.file)]);
    box.close();
    const again = Outbox.open(path.join(folder, files()[0]!));
    assert.equal(again.size(), 1, 'the write is in the file');
    assert.equal(again.senderId(), sender, 'batch ids go on under the same sender');
    assert.equal(again.meta('server'), 'http://example.invalid');
    assert.deepEqual(JSON.parse(again.meta('owner')!), owner);
    again.close({ keep: true });
    assert.equal(files().length, 1);
    assert.throws(() => Outbox.open(path.join(folder, 'gone.db')), 'open never makes a file');
    assert.equal(files().length, 1);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
