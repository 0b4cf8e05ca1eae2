/**
 * The README's own URI, `postgresql://user@host:port/db`, against a server
 * that asks for a password: `tracklab` and `tracklab server` find it in
 * PGPASSWORD or ~/.pgpass, and without one they say where to put it and exit
 * at once. (pg left the half-authenticated socket open, so the process lived
 * until the server's authentication_timeout, 60 s, closed it.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureBuilt, repoRoot } from '../support/jupyter';
import { freshDatabase, PASSWORD, PASSWORD_USER, postgresSkip, testCluster } from '../support/postgres-cluster';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
/** Far below the server's 60 s authentication_timeout, far above a loaded machine's start-up. */
const AT_ONCE_MS = 20_000;

interface Outcome { readonly code: number | null; readonly out: string; readonly ms: number }

/** Runs the CLI with no password source but those in `env`, killing it (and failing) after 90 s. */
function tracklab(args: readonly string[], env: Record<string, string>): Promise<Outcome> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'PGPASSWORD' && key !== 'PGPASSFILE'));
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...base, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { out += t; });
  return new Promise((resolve) => child.once('close', (code) => {
    clearTimeout(killer);
    resolve({ code, out, ms: Date.now() - started });
  }));
}

describe('a PostgreSQL URI without a password', { skip: postgresSkip() }, () => {
  let home: string;
  let uri: string;
  let drop: () => void;
  before(() => {
    ensureBuilt();
    const cluster = testCluster();
    const db = freshDatabase(cluster);
    drop = db.drop;
    cluster.psql(`ALTER DATABASE ${db.name} OWNER TO ${PASSWORD_USER}`);
    uri = cluster.tcpUri(db.name, PASSWORD_USER);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-home-'));
  });
  after(() => {
    drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('fails at once, in the CLI and the server, saying where the password goes', async () => {
    const expected = new RegExp(`error \\[INVALID_STATE\\]: .*asks for a password, and there is none for user "${PASSWORD_USER}"\\. `
      + 'Put it in PGPASSWORD, in ~/\\.pgpass .*or in the URI');
    for (const args of [['experiments', '--tracking-uri', uri], ['server', '--tracking-uri', uri, '--host', '127.0.0.1', '--port', '0', '--insecure-no-auth']]) {
      const r = await tracklab(args, { HOME: home });
      assert.equal(r.code, 1, `tracklab ${args[0]}: ${r.out}`);
      assert.match(r.out, expected);
      assert.doesNotMatch(r.out, /tracklab bug|SASL/);
      assert.ok(r.ms < AT_ONCE_MS, `tracklab ${args[0]} took ${r.ms} ms to exit`);
    }
  });

  test('takes the password from PGPASSWORD or ~/.pgpass', async () => {
    const fromEnv = await tracklab(['experiments', '--tracking-uri', uri], { HOME: home, PGPASSWORD: PASSWORD });
    assert.equal(fromEnv.code, 0, fromEnv.out);
    const port = new URL(uri).port;
    fs.writeFileSync(path.join(home, '.pgpass'), `# tracklab test\n127.0.0.1:${port}:*:${PASSWORD_USER}:${PASSWORD}\n`, { mode: 0o600 });
    const fromFile = await tracklab(['experiments', '--tracking-uri', uri], { HOME: home });
    assert.equal(fromFile.code, 0, fromFile.out);
    // pg's own ~/.pgpass lookup, deprecated, warned on every connection; tracklab's does not.
    assert.doesNotMatch(fromFile.out, /DeprecationWarning/);
  });
});
