import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../store/sqlite/sqlite-store';
import { TrackingClient } from '../tracking/client';
import { startRun } from '../tracking/fluent';
import { GIT_DIFF_ARTIFACT } from './provenance';

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'ignore' });
}

/** A repository whose committed train.js sets lr = 0.1, edited to `lr` and not committed. */
function dirtyRepo(lr: string): string {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  fs.writeFileSync(path.join(repo, 'train.js'), 'let lr = 0.1;\n');
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'init');
  fs.writeFileSync(path.join(repo, 'train.js'), `let lr = ${lr};\n`);
  return repo;
}

test('runs of one dirty tree each carry the diff, stored once; a blob removed by gc is stored again for the next run', async () => {
  const repo = dirtyRepo('0.2');
  const client = new TrackingClient({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-')) });
  try {
    const diffOf = async (runId: string) => {
      const [entry] = await client.listArtifacts(runId, GIT_DIFF_ARTIFACT);
      return { entry, text: (await client.openArtifact(runId, GIT_DIFF_ARTIFACT)).toString('utf8') };
    };
    const first = await client.createRun({ sourceDir: repo });
    const second = await client.createRun({ sourceDir: repo });
    const a = await diffOf(first.runId);
    const b = await diffOf(second.runId);
    assert.match(a.text, /-let lr = 0\.1;\n\+let lr = 0\.2;/);
    assert.deepEqual(b, a);

    // Only the run holding the blob goes: gc removes the blob, so the next run must store it again.
    await client.setTerminated(first.runId);
    await client.setTerminated(second.runId);
    await client.deleteRun(first.runId);
    await client.deleteRun(second.runId);
    await client.gc({ force: true });
    const third = await client.createRun({ sourceDir: repo });
    assert.deepEqual(await diffOf(third.runId), a);
  } finally {
    await client.close();
  }
});

test('a loop of runs in a dirty tree records the stored diff in each run\'s own write, and stores it again once gc removed it', async () => {
  const repo = dirtyRepo('0.3');
  const client = new TrackingClient({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-')) });
  const put = SqliteStore.prototype.putArtifacts;
  let separateWrites = 0;
  SqliteStore.prototype.putArtifacts = function (this: SqliteStore, ...args: Parameters<typeof put>) {
    separateWrites++;
    return put.apply(this, args);
  };
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const run = startRun({ client, sourceDir: repo });
      ids.push(run.id);
      await run.end();
    }
    const texts = await Promise.all(ids.map(async (id) => (await client.openArtifact(id, GIT_DIFF_ARTIFACT)).toString('utf8')));
    for (const text of texts) assert.match(text, /-let lr = 0\.1;\n\+let lr = 0\.3;/);
    assert.equal(separateWrites, 1, 'only the first run stores the diff apart from its row');

    for (const id of ids) await client.deleteRun(id);
    await client.gc({ force: true });
    const again = startRun({ client, sourceDir: repo });
    await again.end();
    assert.match((await client.openArtifact(again.id, GIT_DIFF_ARTIFACT)).toString('utf8'), /\+let lr = 0\.3;/);
  } finally {
    SqliteStore.prototype.putArtifacts = put;
    await client.close();
  }
});
