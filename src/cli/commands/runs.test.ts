import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TrackingClient } from '../../tracking/client';
import { runCli } from '../../../test/support/cli-io';

test('runs says how many params and metrics its columns leave out, and how to see them; --json leaves out nothing', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  try {
    const client = new TrackingClient({ home });
    const params = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`p${i}`, i]));
    const wide = await client.createRun({ experiment: 'wide', name: 'wide', params });
    client.logMetrics(wide.runId, Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`m${i}`, i])), 0);
    await client.setTerminated(wide.runId);
    const narrow = await client.createRun({ experiment: 'narrow', name: 'narrow', params: { lr: 0.1 } });
    client.logMetrics(narrow.runId, { loss: 1 }, 0);
    await client.setTerminated(narrow.runId);
    await client.close();

    const table = await runCli(home, ['runs', '-e', 'wide']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4, table.stdout);
    assert.equal(lines[3], '2 params and 1 metric not shown (at most 6 columns of each): `tracklab run show RUN_ID` shows all of a run\'s, --json every run\'s');

    const fits = await runCli(home, ['runs', '-e', 'narrow']);
    assert.equal(fits.code, 0, fits.stderr);
    assert.doesNotMatch(fits.stdout, /not shown/);

    const json = await runCli(home, ['runs', '-e', 'wide', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const run = (JSON.parse(json.stdout) as { runs: { data: { params: object; metrics: object } }[] }).runs[0]!;
    assert.equal(Object.keys(run.data.params).length, 8);
    assert.equal(Object.keys(run.data.metrics).length, 7);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
