import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ContentStore } from './content-store';
import { copyBlobs } from './copy-blobs';

test('copyBlobs copies what the destination lacks, counts what it holds already, and lists what the source lacks', async () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-copy-blobs-'));
  try {
    const [from, to] = [new ContentStore(path.join(temp, 'from')), new ContentStore(path.join(temp, 'to'))];
    const shared = await from.put(Buffer.from('in both'));
    await to.put(Buffer.from('in both'));
    const only = await from.put(Buffer.from('only in the source'));
    const gone = 'f'.repeat(64);
    const report = await copyBlobs(from, to, [shared.sha256, only.sha256, gone]);
    assert.deepEqual(report, { copied: 1, bytes: only.size, present: 1, missing: [gone] });
    assert.equal(fs.readFileSync(to.resolveBlob(only.sha256), 'utf8'), 'only in the source');
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
});
