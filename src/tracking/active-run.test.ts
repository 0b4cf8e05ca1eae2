import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrackingClient } from './client';
import { ActiveRun } from './active-run';

test('a run\'s snapshot gives the end time the store keeps, so live views show the stored duration', async () => {
  const client = new TrackingClient({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-end-')) });
  try {
    const run = new ActiveRun(client, { experiment: 'ends' });
    run.log({ loss: 1 });
    assert.equal(run.snapshot().endTime, null);
    const ending = run.end();
    const seen = run.snapshot().endTime;
    // Writes queued before the end make the store write wait; the end time is still the one end() took.
    await new Promise((r) => setTimeout(r, 20));
    await ending;
    const stored = (await client.getRun(run.id)).info;
    assert.equal(seen, stored.endTime);
  } finally {
    await client.close();
  }
});
