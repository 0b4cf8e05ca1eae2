import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TrackingClient } from '../../tracking/client';
import { captureIo } from '../capture-io';
import { main } from '../main';

test('runs delete hides runs from search until runs restore brings them back; a typo changes nothing', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  const client = new TrackingClient({ home });
  const a = await client.createRun({ experiment: 'e', name: 'a' });
  const b = await client.createRun({ experiment: 'e', name: 'b' });
  await client.close();
  const listed = async (...extra: string[]) => {
    const io = captureIo();
    assert.equal(await main(['--home', home, 'runs', '-e', 'e', '--json', ...extra], io), 0);
    return (JSON.parse(io.stdout).runs as { info: { runName: string; lifecycleStage: string } }[]).map((r) => `${r.info.runName}:${r.info.lifecycleStage}`).sort();
  };

  const typo = captureIo();
  assert.equal(await main(['--home', home, 'runs', 'delete', a.runId, 'no-such-run'], typo), 1);
  assert.match(typo.stderr, /^error \[RESOURCE_DOES_NOT_EXIST\]/);
  assert.deepEqual(await listed(), ['a:active', 'b:active'], 'nothing was deleted');

  const del = captureIo();
  assert.equal(await main(['--home', home, 'runs', 'delete', a.runId, b.runId], del), 0);
  assert.match(del.stdout, new RegExp(`^deleted 2 run\\(s\\): ${a.runId}, ${b.runId} \\(restore with: tracklab runs restore ID`));
  assert.deepEqual(await listed(), []);
  assert.deepEqual(await listed('--all'), ['a:deleted', 'b:deleted']);

  const restore = captureIo();
  assert.equal(await main(['--home', home, 'runs', 'restore', b.runId], restore), 0);
  assert.equal(restore.stdout, `restored 1 run(s): ${b.runId}\n`);
  assert.deepEqual(await listed(), ['b:active']);

  const usage = captureIo();
  assert.equal(await main(['--home', home, 'runs', 'delete'], usage), 2);
  assert.equal(usage.stderr, 'usage error: Missing RUN_ID. Usage: tracklab runs delete RUN_ID...\n');
});
