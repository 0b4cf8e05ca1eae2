/**
 * Issue 10, item 6: logging a folder must not carry files from outside it
 * through symlinks (`dir/x -> /etc/hostname` stored the host's file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

test('a symlink leading out of a logged folder is refused, naming it; nothing is logged', async () => {
  const home = tempDir('tracklab-links-');
  const secret = path.join(tempDir('tracklab-outside-'), 'secret.txt');
  fs.writeFileSync(secret, 'not for the store');
  const client = new TrackingClient({ home });
  try {
    const run = await client.createRun({ experiment: 'links' });
    // createRun may log provenance (a git diff) of its own.
    const before = await client.listArtifacts(run.runId);
    const blobsBefore = await (await client.core.artifacts()).content.listBlobs();
    const cases: Array<[string, (dir: string) => void]> = [
      ['x', (dir) => fs.symlinkSync('/etc/hostname', path.join(dir, 'x'))],
      ['sub/up', (dir) => { fs.mkdirSync(path.join(dir, 'sub')); fs.symlinkSync(path.join('..', '..', '..', path.basename(path.dirname(secret)), 'secret.txt'), path.join(dir, 'sub', 'up')); }],
      // A link that stays inside, to a link that does not: judged by where the chain ends.
      ['hop', (dir) => { fs.symlinkSync(secret, path.join(dir, '.out')); fs.symlinkSync('.out', path.join(dir, 'hop')); }],
      ['data', (dir) => fs.symlinkSync(path.dirname(secret), path.join(dir, 'data'))],
    ];
    for (const [link, make] of cases) {
      const dir = path.join(tempDir('tracklab-logged-'), 'outputs');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'a.txt'), 'inside');
      make(dir);
      const named = (e: unknown): boolean => isTracklabError(e, 'INVALID_PARAMETER_VALUE')
        && e.message.includes(`symlink "${link === 'hop' ? '.out' : link}"`) && /leads outside it/.test(e.message);
      await assert.rejects(client.logArtifacts(run.runId, dir), named, link);
      await assert.rejects(client.logArtifact(run.runId, dir), named, link);
      assert.deepEqual(await client.listArtifacts(run.runId), before, `nothing was logged (${link})`);
    }
    assert.deepEqual(await (await client.core.artifacts()).content.listBlobs(), blobsBefore, 'no content of the outside files was stored');
  } finally {
    await client.close();
  }
});

test('symlinks that stay inside the logged folder are followed', async () => {
  const home = tempDir('tracklab-links-');
  const dir = path.join(tempDir('tracklab-logged-'), 'outputs');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.txt'), 'inside');
  fs.symlinkSync('a.txt', path.join(dir, 'same'));
  fs.symlinkSync(path.join('..', 'a.txt'), path.join(dir, 'sub', 'up'));
  fs.symlinkSync(path.join(dir, 'a.txt'), path.join(dir, 'absolute'));
  // The logged folder itself reached through a symlink: "inside" means inside its real path.
  const alias = path.join(tempDir('tracklab-alias-'), 'alias');
  fs.symlinkSync(dir, alias);
  const client = new TrackingClient({ home });
  try {
    const run = await client.createRun({ experiment: 'links' });
    const entries = await client.logArtifacts(run.runId, alias, 'outputs');
    assert.deepEqual(entries.map((e) => e.path), ['outputs/a.txt', 'outputs/absolute', 'outputs/same', 'outputs/sub/up']);
    assert.equal(new Set(entries.map((e) => e.sha256)).size, 1, 'every link stored the content of a.txt');
  } finally {
    await client.close();
  }
});
