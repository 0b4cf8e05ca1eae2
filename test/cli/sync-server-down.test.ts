/**
 * `tracklab sync` against a tracking server that is down, as a real process
 * with a real outbox: it says only its own message (not the notice meant
 * for logging scripts), exits 1, and the outbox keeps every write.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runCliProcess } from '../support/cli-io';
import { repoRoot } from '../support/jupyter';

const INDEX = JSON.stringify(path.join(repoRoot(), 'dist', 'src', 'index.js'));

/** A loopback port that was free a moment ago, so nobody listens on it. */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The writes an outbox file holds, in order. */
function outboxWrites(file: string): { seq: number; kind: string; body: Buffer }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT seq, kind, body FROM ops ORDER BY seq').all() as { seq: number; kind: string; body: Buffer }[];
  } finally {
    db.close();
  }
}

test('tracklab sync with the server down prints only its own message, exits 1 and keeps the outbox', { timeout: 120_000 }, async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-sync-down-'));
  const url = `http://127.0.0.1:${await unusedPort()}`;
  try {
    const logged = spawnSync(process.execPath, ['-e', `
      const t = require(${INDEX});
      (async () => {
        t.startRun({ experiment: 'down' });
        for (let i = 0; i < 100; i++) t.log({ loss: i }, i);
        await t.endRun();
      })();
    `], { env: { ...process.env, TRACKLAB_TRACKING_URI: url, TRACKLAB_HOME: home }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(logged.status, 0, logged.stderr);
    assert.match(logged.stderr, /Logging goes on/, 'the logging script is told its writes wait');
    const [file, ...others] = fs.readdirSync(path.join(home, 'outbox')).filter((f) => f.endsWith('.db')).map((f) => path.join(home, 'outbox', f));
    assert.deepEqual(others, []);
    const before = outboxWrites(file!);
    assert.ok(before.length >= 2, 'the session left its writes (the run, its points, its end) in its outbox');

    const { code, stdout, stderr } = await runCliProcess(['sync', '--tracking-uri', url], { TRACKLAB_HOME: home });

    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, `error [INVALID_STATE]: The tracking server ${url} is unreachable (ECONNREFUSED). Nothing was lost: `
      + `the ${before.length} writes not sent stay in the outbox ${file}. Run tracklab sync again once the server is up.\n`);
    assert.deepEqual(outboxWrites(file!), before, 'the outbox holds every write it held');
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
