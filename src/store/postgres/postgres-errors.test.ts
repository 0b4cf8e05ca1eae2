/**
 * What a user sees when the server says no, is missing, is slow, or drops
 * the connection: a TracklabError that says what to do, with no password in
 * it or in its cause, and never a hang.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { isTracklabError } from '../../errors';
import { freshDatabase, PASSWORD, PASSWORD_USER, testCluster } from '../../../test/support/postgres-cluster';
import { openConnection } from './connection';
import { openPostgresStores } from './postgres-backend';

const WRONG = 'Wr0ng-pa55word!';

/** Asserts a TracklabError whose message matches and in which no secret appears, cause and stack included. */
async function refused(promise: Promise<unknown>, message: RegExp, secrets: readonly string[] = []): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isTracklabError(err), `expected a TracklabError, got ${String(err)}`);
    assert.equal(err.code, 'INVALID_STATE', err.message);
    assert.match(err.message, message);
    const cause = err.cause as Error | undefined;
    const everything = [err.message, err.stack ?? '', cause?.message ?? '', cause?.stack ?? '', JSON.stringify(cause ?? {})].join('\n');
    for (const s of secrets) assert.ok(!everything.includes(s), `"${s}" leaked: ${everything}`);
    return true;
  });
}

/** Runs `fn` with no PGPASSWORD and HOME (so ~/.pgpass) in an empty temporary folder, which it may fill. */
async function withoutPasswordSources(fn: (home: string) => Promise<void>): Promise<void> {
  const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE, HOME: process.env.HOME };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-home-'));
  delete process.env.PGPASSWORD;
  delete process.env.PGPASSFILE;
  process.env.HOME = home;
  try {
    await fn(home);
  } finally {
    for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key]; else process.env[key] = value;
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connection errors', () => {
  const cluster = testCluster();
  const db = freshDatabase();
  after(() => db.drop());

  test('a wrong password, or a missing grant, names the user and how to fix it, and never shows the password', async () => {
    const uri = cluster.tcpUri(db.name, PASSWORD_USER, WRONG);
    await refused(openPostgresStores(uri), new RegExp(`refused user "${PASSWORD_USER}".*Check the user name and password`, 's'), [WRONG]);
    const good = cluster.tcpUri(db.name, PASSWORD_USER, PASSWORD);
    // PostgreSQL 15 lets no one but the owner create tables in public: the first open says which grant is missing.
    await refused(openPostgresStores(good), /lacks a privilege.*GRANT CREATE ON SCHEMA public/s, [PASSWORD]);
    cluster.psql(`GRANT CREATE ON SCHEMA public TO ${PASSWORD_USER}`, db.name);
    const stores = await openPostgresStores(good);
    assert.equal((await stores.tracking.ensureExperiment('Default')).name, 'Default');
    await stores.close();
  });

  test('a teammate\'s role without grants on tables another role made is told the grants to ask for, which are enough', async () => {
    const team = freshDatabase();
    try {
      const owner = await openPostgresStores(team.uri);
      await owner.tracking.ensureExperiment('Default');
      await owner.close();
      const mate = cluster.tcpUri(team.name, PASSWORD_USER, PASSWORD);
      await refused(openPostgresStores(mate),
        new RegExp(`lacks a privilege.*GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${PASSWORD_USER}; `
          + `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${PASSWORD_USER}`, 's'), [PASSWORD]);
      cluster.psql(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${PASSWORD_USER}; `
        + `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${PASSWORD_USER}`, team.name);
      const stores = await openPostgresStores(mate);
      try {
        assert.equal((await stores.tracking.ensureExperiment('mate')).name, 'mate');
        assert.equal((await stores.registry().createRegisteredModel({ name: 'mate-model' })).name, 'mate-model');
      } finally {
        await stores.close();
      }
    } finally {
      team.drop();
    }
  });

  test('a missing password says where to put it, at once; a short wrong one leaves the server\'s message whole', async () => {
    const uri = cluster.tcpUri(db.name, PASSWORD_USER);
    await withoutPasswordSources(async (home) => {
      await refused(openPostgresStores(uri), new RegExp(`asks for a password, and there is none for user "${PASSWORD_USER}"\\. `
        + 'Put it in PGPASSWORD, in ~/\\.pgpass .*or in the URI', 's'));
      // pg looked up ~/.pgpass itself only to fail inside SCRAM ("client password must be a string"); the lookup is tracklab's now.
      fs.writeFileSync(path.join(home, '.pgpass'), `127.0.0.1:${cluster.port}:${db.name}:${PASSWORD_USER}:${PASSWORD}\n`, { mode: 0o600 });
      const conn = openConnection(uri, uri);
      assert.deepEqual(await conn.query('check', 'SELECT current_user AS who'), [{ who: PASSWORD_USER }]);
      await conn.close();
    });
    // A one-letter password occurs in most words: masked as the credential, not throughout the server's message.
    const short = cluster.tcpUri(db.name, PASSWORD_USER, 'e');
    await refused(openPostgresStores(short), new RegExp(`password authentication failed for user "${PASSWORD_USER}"`));
    await refused(openPostgresStores(short), new RegExp(`postgresql://${PASSWORD_USER}:\\*\\*\\*@127\\.0\\.0\\.1`));
  });

  test('a database that does not exist says how to create it', async () => {
    const uri = cluster.tcpUri('no_such_db', PASSWORD_USER, PASSWORD);
    await refused(openPostgresStores(uri), /database "no_such_db" does not exist.*createdb no_such_db/s, [PASSWORD]);
  });

  test('a port where nothing listens is reported as unreachable at once', async () => {
    const uri = `postgresql://${PASSWORD_USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${await closedPort()}/x`;
    await refused(openPostgresStores(uri), /^Could not open the store: the PostgreSQL store .* cannot be reached \(ECONNREFUSED\).*Check that the server is running/s, [PASSWORD]);
  });

  test('a server that accepts but never answers times out with a message instead of hanging', async () => {
    const silent = net.createServer(() => undefined); // accepts, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const uri = `postgresql://ana:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/x`;
      await refused(openPostgresStores(uri, { connectTimeoutMs: 300 }), /did not answer within 300 ms/, [PASSWORD]);
      await refused(openPostgresStores(`${uri}?connect_timeout=1`), /did not answer within 1000 ms/, [PASSWORD]);
    } finally {
      silent.close();
    }
  });

  test('a read whose connection is cut is tried again; a write is reported as maybe not saved', async () => {
    const conn = openConnection(db.uri, db.uri);
    let attempts = 0;
    const read = conn.read('read slowly', async (q) => {
      attempts++;
      if (attempts === 1) await q('SELECT pg_sleep(30)');
      return (await q<{ one: number }>('SELECT 1 AS one'))[0].one;
    });
    await terminateWhenRunning(db.name, 'pg_sleep(30)');
    assert.equal(await read, 1);
    assert.equal(attempts, 2);

    const write = conn.write('write slowly', async (q) => {
      await q('CREATE TABLE IF NOT EXISTS probe (n int)');
      await q('INSERT INTO probe VALUES (1)');
      await q('SELECT pg_sleep(31)');
    });
    await terminateWhenRunning(db.name, 'pg_sleep(31)');
    await refused(write, /connection to .* was lost during the write .*may not have been saved.*retry/s);
    const [row] = await conn.query<{ n: number }>('count probe rows', "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'probe'");
    assert.equal(row.n, 0, 'the cut transaction was rolled back whole');
    await conn.close();
    await assert.rejects(conn.query('after close', 'SELECT 1'), /this store was closed/);
  });

  /** Waits (by polling the server, not by sleeping a fixed time) until a backend runs `fragment`, then kills it. */
  async function terminateWhenRunning(database: string, fragment: string): Promise<void> {
    for (;;) {
      const killed = cluster.psql(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE datname = '${database}' AND state = 'active' AND query LIKE '%${fragment}%' AND pid <> pg_backend_pid()`).trim();
      if (killed !== '0') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
