/**
 * Issue 10, item 4: a reader held open during writes keeps checkpoints from
 * finishing, so the WAL grows. Once the reader lets go, the WAL must come back
 * under its bound while every connection stays open (it stayed at 36 MB).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrackingClient } from '../../src/tracking/client';

const MiB = 1024 * 1024;
/** The documented bound (src/store/sqlite/connection.ts, WAL_LIMIT_BYTES). */
const WAL_LIMIT_BYTES = 24 * MiB;

function lines(stream: NodeJS.ReadableStream): (pattern: RegExp) => Promise<string> {
  let seen = '';
  const waiting: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    seen += chunk;
    for (const w of [...waiting]) {
      const m = w.pattern.exec(seen);
      if (m) { waiting.splice(waiting.indexOf(w), 1); w.resolve(m[0]); }
    }
  });
  return (pattern) => new Promise((resolve) => {
    const m = pattern.exec(seen);
    if (m) resolve(m[0]); else waiting.push({ pattern, resolve });
  });
}

test('the WAL grows while a reader holds it, and shrinks under its bound once the reader lets go', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-wal-'));
  const wal = path.join(home, 'tracklab.db-wal');
  const walSize = (): number => fs.statSync(wal, { throwIfNoEntry: false })?.size ?? 0;
  const client = new TrackingClient({ home });
  const run = await client.createRun({ experiment: 'wal' });
  const reader = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'held-reader.js'), path.join(home, 'tracklab.db')],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const next = lines(reader.stdout!);
    await next(/HELD \d+/);

    // About 700 KB of tags per write: past 36 MB of WAL in ~55 writes while the reader pins its snapshot.
    const value = 'v'.repeat(7000);
    let batch = 0;
    for (; walSize() < 36 * MiB && batch < 400; batch++) {
      const tags: Record<string, string> = {};
      for (let i = 0; i < 100; i++) tags[`t${batch}_${i}`] = value;
      await client.setTags(run.runId, tags);
    }
    const peak = walSize();
    assert.ok(peak >= 36 * MiB, `the held reader let the WAL grow (${(peak / MiB).toFixed(1)} MB after ${batch} writes)`);

    reader.stdin!.write('release\n');
    await next(/RELEASED/);
    // The reader's connection stays open; ordinary small writes continue.
    let writes = 0;
    for (; walSize() > WAL_LIMIT_BYTES && writes < 500; writes++) await client.setTag(run.runId, 'step', String(writes));
    const after = walSize();
    assert.ok(after <= WAL_LIMIT_BYTES,
      `the WAL came back under ${WAL_LIMIT_BYTES / MiB} MB (from ${(peak / MiB).toFixed(1)} MB to ${(after / MiB).toFixed(1)} MB after ${writes} writes)`);
    assert.equal(Object.keys((await client.getRun(run.runId)).data.tags).filter((k) => /^t\d+_\d+$/.test(k)).length, batch * 100, 'nothing was lost');
  } finally {
    reader.stdin!.end();
    await new Promise((resolve) => reader.once('exit', resolve));
    await client.close();
  }
});
