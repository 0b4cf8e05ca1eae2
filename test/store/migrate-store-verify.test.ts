/**
 * migrate-store's own checks, SQLite to SQLite: the progress it prints while
 * copying and verifying, counted in metric points (not the blocks they are
 * stored in), and a copy that does not match its source (here a
 * trigger in the destination rewrites what it is given) is an error naming
 * the table, with both stores left as they were.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main';
import { openStore } from '../../src/store/open-store';
import { TrackingClient } from '../../src/tracking/client';
import { captureIo as capture } from '../support/cli-io';

describe('migrate-store checks its copy', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-migrate-verify-'));
  const home = path.join(temp, 'solo');
  let runId: string;

  before(async () => {
    const solo = new TrackingClient({ trackingUri: home });
    try {
      ({ runId } = await solo.createRun({ experiment: 'vision', params: { lr: 0.1, layers: 3 } }));
      // 4,500 points in several blocks (one per batch), and one more point of another key.
      for (let from = 0; from < 4500; from += 1000) {
        await solo.logBatch(runId, { metrics: Array.from({ length: Math.min(1000, 4500 - from) }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), step: from + i })) });
      }
      await solo.logBatch(runId, { metrics: [{ key: 'acc', value: 0.5, step: 0 }] });
      await solo.setTerminated(runId);
    } finally {
      await solo.close();
    }
  });

  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('prints each phase as it goes: copying and verifying each table, metric points, then the totals', async () => {
    const io = capture();
    assert.equal(await main(['migrate-store', '--from', home, '--to', path.join(temp, 'good')], io), 0, io.stderr);
    assert.match(io.stderr, /^copying runs: done \(0%\)$/m);
    assert.match(io.stderr, /^verifying params: done \(0%\)$/m);
    assert.match(io.stderr, /^copying metric points: done \(99%\)$/m, 'the bar moves with the points, most of what this store holds');
    assert.match(io.stderr, /^verifying metric points: done \(99%\)$/m);
    assert.doesNotMatch(io.stderr, /metric_blocks/, 'blocks are how points are stored, not what a user counts');
    // Each line gives the share done once its step ended: it only grows within a phase, to 100%.
    for (const phase of ['copying', 'verifying']) {
      const shares = [...io.stderr.matchAll(new RegExp(`^${phase} .*: done \\((\\d+)%\\)$`, 'gm'))].map((m) => Number(m[1]));
      assert.ok(shares.length >= 5, io.stderr);
      assert.deepEqual(shares, [...shares].sort((a, b) => a - b), io.stderr);
      assert.equal(shares.at(-1), 100, io.stderr);
    }
    assert.match(io.stderr, /^copied and verified 4,501 metric points of 1 run \(\d+ rows in all\)$/m);
    assert.match(io.stdout, /^metric points: 4,501$/m);
    assert.ok(io.stderr.indexOf('copying params') < io.stderr.indexOf('verifying params'), io.stderr);
  });

  it('a copy that differs from its source is refused, naming the table; the source keeps its data', async () => {
    const bad = path.join(temp, 'bad');
    (await openStore(bad)).close(); // creates the empty schema
    const db = new Database(path.join(bad, 'tracklab.db'));
    db.exec("CREATE TRIGGER tamper AFTER INSERT ON params BEGIN UPDATE params SET value = 'tampered' WHERE run_id = NEW.run_id AND key = NEW.key; END");
    db.close();

    const io = capture();
    assert.equal(await main(['migrate-store', '--from', home, '--to', bad], io), 1);
    assert.match(io.stderr, /The copy does not match the source in params \(2 rows written, 2 found\)/);
    assert.match(io.stderr, /none of it was kept: both stores are as they were/);
    assert.doesNotMatch(io.stderr, /\n\s+at /, 'no stack trace');
    const destination = await openStore(bad);
    try {
      assert.equal(await destination.transfer!().isEmpty(), true, 'the wrong copy was rolled back');
    } finally {
      await destination.close();
    }

    const solo = new TrackingClient({ trackingUri: home });
    try {
      assert.deepEqual({ ...(await solo.getRun(runId)).data.params }, { lr: '0.1', layers: '3' });
    } finally {
      await solo.close();
    }
  });
});
