import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTracklabError } from '../errors';
import { TrackingClient } from '../tracking/client';
import { findRun } from './run-ref';

test('a name of more runs than one search page says "more than", not a count it did not make', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-run-ref-'));
  const client = new TrackingClient({ home });
  try {
    for (let i = 0; i < 101; i++) await client.setTerminated((await client.createRun({ experiment: 'many', name: 'many' })).runId);
    await assert.rejects(findRun(client, 'many'), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /matches more than 100 runs: .*, …\./.test(e.message));
  } finally {
    await client.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('a deleted run is found by its name when no active run has it, as by its id; several deleted ones are listed as deleted', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-run-ref-'));
  const client = new TrackingClient({ home });
  try {
    const made = async (name: string) => {
      const { runId } = await client.createRun({ experiment: 'e', name });
      await client.setTerminated(runId);
      return runId;
    };
    const gone = await made('gone');
    await client.deleteRun(gone);
    assert.equal((await findRun(client, 'gone')).info.runId, gone);
    assert.equal((await findRun(client, 'gone')).info.lifecycleStage, 'deleted');
    const kept = await made('gone');
    assert.equal((await findRun(client, 'gone')).info.runId, kept, 'an active run of the name comes first');
    await client.deleteRun(kept);
    await assert.rejects(findRun(client, 'gone'), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE')
      && e.message.includes(`matches 2 deleted runs (and no active one): ${gone}, ${kept}.`) && e.message.includes('`tracklab runs --all`'));
    await assert.rejects(findRun(client, 'gnoe'), (e) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  } finally {
    await client.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
