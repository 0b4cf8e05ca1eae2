/**
 * Issue 10, item 5: SQLite's WAL is unsafe on network file systems, so a
 * store there is refused with an error that says what to use instead. No NFS
 * server can be had here, so only statfs(2)'s answer is faked (the f_type a
 * real NFS, SMB or CIFS mount reports); files, SQLite and processes are real.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';
import { mountTmpfs, NEEDS_ROOT } from './tmpfs';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');
const PRETEND = path.join(__dirname, 'fixtures', 'pretend-network-fs.js');

/** f_type values from Linux's magic.h; CIFS and SMB2 as the signed numbers some platforms report. */
const NETWORK = [['NFS', 0x6969], ['SMB', 0x517b], ['CIFS', 0xff534d42 | 0], ['SMB2', 0xfe534d42], ['9p', 0x01021997]] as const;

function refusal(kind: string): (e: unknown) => boolean {
  return (e) => isTracklabError(e, 'INVALID_STATE') && e.message.includes(`on a network file system (${kind})`)
    && /local disk/.test(e.message) && /TRACKLAB_TRACKING_URI=postgresql:/.test(e.message);
}

for (const [kind, type] of NETWORK) {
  test(`a store on ${kind} is refused before SQLite opens it, with what to do instead`, async () => {
    const home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-netfs-')), '.tracklab');
    const real = fs.statfsSync;
    const statfs = mock.method(fs, 'statfsSync', (target: fs.PathLike, options?: fs.StatFsOptions) => {
      const answer = real(target, options as never) as fs.StatsFs;
      return String(target).startsWith(home) ? { ...answer, type } : answer;
    });
    const client = new TrackingClient({ home });
    try {
      await assert.rejects(client.createExperiment('shared'), refusal(kind));
      assert.ok(statfs.mock.calls.some((c) => String(c.arguments[0]).startsWith(home)), 'the store folder was asked about');
      assert.deepEqual(fs.readdirSync(home), [], 'no database file was created');
    } finally {
      statfs.mock.restore();
      await client.close();
    }
  });
}

test('the CLI refuses a store on NFS with exit 1 and the message, no stack', () => {
  const home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-netfs-')), '.tracklab');
  const cli = spawnSync(process.execPath, ['-r', PRETEND, CLI, '--home', home, 'experiments', 'create', 'nfs'], { // a command that creates the store
    encoding: 'utf8', env: { ...process.env, TRACKLAB_TEST_FS_DIR: home, TRACKLAB_TEST_FS_TYPE: String(0x6969) },
  });
  assert.equal(cli.status, 1, cli.stderr);
  assert.match(cli.stderr, /^error \[INVALID_STATE\]: The tracking store .* is on a network file system \(NFS\)/);
  assert.doesNotMatch(cli.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(fs.existsSync(path.join(home, 'tracklab.db')), false);
});

test('local file systems (the disk under the temp folder, a tmpfs) open as before', { skip: NEEDS_ROOT }, async () => {
  const volume = mountTmpfs(8 * 1024 * 1024);
  try {
    for (const home of [fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-local-')), path.join(volume.dir, 'store')]) {
      const client = new TrackingClient({ home });
      try {
        const exp = await client.createExperiment('local');
        assert.equal((await client.getExperiment('local')).experimentId, exp.experimentId);
      } finally {
        await client.close();
      }
    }
  } finally {
    volume.unmount();
  }
});
