/**
 * `tracklab backup` and `tracklab doctor` through a tracking server (an
 * http:// URI), as real processes against a real server: they refuse with
 * INVALID_PARAMETER_VALUE and say to run them where the store is, instead of
 * advice about pg_dump (backup) or a report of problems the server's store
 * does not have (doctor); the store the server uses backs up as usual.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCliProcess } from '../support/cli-io';
import { testStores } from '../support/test-stores';
import { withTempHome } from '../support/temp-home';
import { startServerFixture } from '../server/server-fixture';

test('tracklab backup against an http:// tracking URI says to back up the store itself, where it is', { timeout: 60_000 }, () => withTempHome('tracklab-backup-remote-', async (home) => {
  const f = await startServerFixture(testStores().find((k) => k.name === 'sqlite')!);
  const dest = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-backup-remote-dest-')), 'copy');
  try {
    const refused = await runCliProcess(['backup', dest, '--tracking-uri', f.url], { TRACKLAB_HOME: home });
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^error \[INVALID_PARAMETER_VALUE\]: Cannot back up http:\/\/127\.0\.0\.1:\d+\/?: it is a tracking server, and backup copies the store itself/);
    assert.match(refused.stderr, /Run tracklab backup where the store is, with --tracking-uri naming the store the server uses/);
    assert.doesNotMatch(refused.stderr, /pg_dump|\n\s+at /, 'no advice for another backend, no stack');
    assert.equal(fs.existsSync(dest), false, 'nothing was created');

    const direct = await runCliProcess(['backup', dest, '--tracking-uri', f.store.uri], {});
    assert.equal(direct.code, 0, direct.stderr);
    assert.match(direct.stdout, /^backed up .* to .*copy: the database and \d+ artifact blob\(s\)/);
  } finally {
    await f.close();
    fs.rmSync(path.dirname(dest), { recursive: true, force: true });
  }
}));

test('tracklab doctor against an http:// tracking URI says to check the store itself, where it is', { timeout: 60_000 }, () => withTempHome('tracklab-doctor-remote-', async (home) => {
  const f = await startServerFixture(testStores().find((k) => k.name === 'sqlite')!);
  try {
    const refused = await runCliProcess(['doctor', '--tracking-uri', f.url], { TRACKLAB_HOME: home });
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^error \[INVALID_PARAMETER_VALUE\]: Cannot check http:\/\/127\.0\.0\.1:\d+\/?: it is a tracking server, and doctor examines the store itself/);
    assert.doesNotMatch(refused.stderr, /PROBLEM|\n\s+at /, 'no report of problems, no stack');

    const direct = await runCliProcess(['doctor', '--tracking-uri', f.store.uri], {});
    assert.equal(direct.code, 0, direct.stderr + direct.stdout);
  } finally {
    await f.close();
  }
}));
