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
