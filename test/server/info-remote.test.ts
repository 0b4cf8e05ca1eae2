/** `tracklab info` against a tracking server says what its artifact folder is: the local cache, not a store folder. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { test } from 'node:test';
import { testStores } from '../support/test-stores';
import { withTempHome } from '../support/temp-home';
import { startServerFixture } from './server-fixture';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

test('tracklab info on a server URI names the artifact cache as such', { timeout: 60_000 }, () => withTempHome('tracklab-info-remote-', async (home) => {
  const f = await startServerFixture(testStores().find((k) => k.name === 'sqlite')!);
  try {
    // Not spawnSync: the server answers from this process.
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'info', '--tracking-uri', f.url], { env: { ...process.env, TRACKLAB_HOME: home }, timeout: 30_000 });
    assert.match(stdout, /the local cache of what goes to and comes from the server/);
    assert.doesNotMatch(stdout, /inside the store folder/);
  } finally {
    await f.close();
  }
}));
