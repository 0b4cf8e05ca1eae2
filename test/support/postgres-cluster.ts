/**
 * A throwaway PostgreSQL 15 cluster for tests and benches: initdb in a temp
 * folder, a server listening on a Unix socket in that folder (and, when
 * asked, on a loopback port), stopped and removed at the end. Never a mock.
 *
 * `npm test` starts one cluster in test/run.js and hands it to every test file
 * through TRACKLAB_TEST_PG (a JSON `ClusterInfo`); a test file run on its own
 * starts its own. Each test takes a fresh database from it (`freshDatabase`).
 *
 * initdb refuses to run as root, so as root the cluster belongs to the
 * `postgres` system user (runuser); as anyone else it belongs to the caller.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLUSTER_ENV = 'TRACKLAB_TEST_PG';
/** The superuser of a test cluster; it connects over the socket without a password (trust). */
export const SUPERUSER = 'tracklab';
/** A role that must give a password (scram-sha-256), for authentication tests. */
export const PASSWORD_USER = 'secured';
export const PASSWORD = 's3cret-Passw0rd';

export interface ClusterInfo {
  /** The data folder, which also holds the Unix socket. */
  readonly dir: string;
  /** Loopback TCP port, or null when the cluster listens on the socket only. */
  readonly port: number | null;
  /** Socket port number (the socket file is `<dir>/.s.PGSQL.<socketPort>`). */
  readonly socketPort: number;
}

export interface Cluster extends ClusterInfo {
  /** `postgresql://tracklab@/<db>?host=<dir>&port=<socketPort>` */
  uri(database: string): string;
  /** A URI over TCP on the loopback port (the cluster must have one). */
  tcpUri(database: string, user?: string, password?: string): string;
  /** Runs SQL as the superuser through psql (on database `postgres` unless named). */
  psql(sql: string, database?: string): string;
  stop(): void;
}

const BIN = process.env.TRACKLAB_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(cmd: string, args: readonly string[], what: string): string {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, [...args]];
  const result = spawnSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error || result.status !== 0) {
    throw new Error(`${what} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

export function postgresInstalled(): boolean {
  return fs.existsSync(path.join(BIN, 'initdb'));
}

/**
 * A PostgreSQL suite's `skip` option: false where PostgreSQL is installed, else the reason. Under
 * TRACKLAB_REQUIRE_POSTGRES=1 (set by .ci/run, which installs it) a missing PostgreSQL is an error, so CI can never
 * pass with the PostgreSQL half of the suite skipped.
 */
export function postgresSkip(): string | false {
  if (postgresInstalled()) return false;
  if (process.env['TRACKLAB_REQUIRE_POSTGRES'] === '1') throw new Error(`PostgreSQL is required here but ${BIN}/initdb is missing: apt-get install postgresql`);
  return 'PostgreSQL is not installed (apt-get install postgresql)';
}

/**
 * Starts a new cluster. `port` adds a loopback TCP listener (0 picks a free
 * one); `durable` keeps fsync on (benches), else the cluster trades
 * crash-safety for speed, which tests do not need.
 *
 * @example
 * const cluster = startCluster();
 * const uri = freshDatabase(cluster); // postgresql://tracklab@/t_ab12?host=/tmp/...
 * cluster.stop();
 */
export function startCluster(options: { port?: number; durable?: boolean } = {}): Cluster {
  if (!postgresInstalled()) throw new Error(`PostgreSQL is not installed (${BIN}/initdb missing): apt-get install postgresql`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-pg-'));
  if (asRoot) spawnSync('chown', ['postgres:postgres', dir]);
  run(path.join(BIN, 'initdb'), ['-D', dir, '-A', 'trust', '-U', SUPERUSER, '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], 'initdb');
  // Socket connections of the superuser need no password; the password user always gives one, over the socket and TCP.
  fs.writeFileSync(path.join(dir, 'pg_hba.conf'), [
    `local all ${PASSWORD_USER} scram-sha-256`,
    `host  all ${PASSWORD_USER} 127.0.0.1/32 scram-sha-256`,
    'local all all trust',
    'host  all all 127.0.0.1/32 trust',
    '',
  ].join('\n'));
  const port = options.port === undefined ? null : options.port === 0 ? freePort() : options.port;
  const socketPort = port ?? 5432;
  const settings = [
    `-k ${dir}`, `-p ${socketPort}`, `-c listen_addresses=${port === null ? "''" : '127.0.0.1'}`,
    '-c max_connections=300', '-c shared_buffers=128MB',
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ];
  run(path.join(BIN, 'pg_ctl'), ['-D', dir, '-o', settings.join(' '), '-l', path.join(dir, 'server.log'), '-w', '-t', '120', 'start'], 'pg_ctl start');
  const cluster = attach({ dir, port, socketPort });
  cluster.psql(`CREATE ROLE ${PASSWORD_USER} LOGIN PASSWORD '${PASSWORD}'`);
  return cluster;
}

/** A handle on a cluster started elsewhere (by test/run.js). */
export function attach(info: ClusterInfo): Cluster {
  return {
    ...info,
    uri: (database) => `postgresql://${SUPERUSER}@/${database}?host=${encodeURIComponent(info.dir)}&port=${info.socketPort}`,
    tcpUri(database, user = SUPERUSER, password) {
      if (info.port === null) throw new Error('this cluster has no TCP port; start it with { port: 0 }');
      const auth = password === undefined ? user : `${user}:${encodeURIComponent(password)}`;
      return `postgresql://${auth}@127.0.0.1:${info.port}/${database}`;
    },
    psql(sql, database = 'postgres') {
      return run(path.join(BIN, 'psql'), ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', info.dir, '-p', String(info.socketPort),
        '-U', SUPERUSER, '-d', database, '-c', sql], 'psql');
    },
    stop() {
      // Immediate: tests keep no data, and a fast shutdown would wait for clients a failed test left open.
      spawnSync(asRoot ? 'runuser' : path.join(BIN, 'pg_ctl'),
        asRoot ? ['-u', 'postgres', '--', path.join(BIN, 'pg_ctl'), '-D', info.dir, '-m', 'immediate', '-w', 'stop'] : ['-D', info.dir, '-m', 'immediate', '-w', 'stop'],
        { stdio: 'ignore' });
      fs.rmSync(info.dir, { recursive: true, force: true });
    },
  };
}

let shared: Cluster | undefined;

/**
 * The cluster of this test run: the one test/run.js started, or one started
 * now for this process and stopped when it exits.
 */
export function testCluster(): Cluster {
  if (shared) return shared;
  const env = process.env[CLUSTER_ENV];
  if (env) {
    shared = attach(JSON.parse(env) as ClusterInfo);
  } else {
    const own = startCluster({ port: 0 });
    shared = own;
    // Children of this process (race tests) reuse it.
    process.env[CLUSTER_ENV] = JSON.stringify({ dir: own.dir, port: own.port, socketPort: own.socketPort });
    process.on('exit', () => own.stop());
  }
  return shared;
}

/** Creates an empty database with a unique name and returns its URI; `drop` removes it. */
export function freshDatabase(cluster: Cluster = testCluster()): { uri: string; name: string; drop(): void } {
  const name = `t_${randomBytes(6).toString('hex')}`;
  cluster.psql(`CREATE DATABASE ${name}`);
  return {
    uri: cluster.uri(name),
    name,
    drop: () => { cluster.psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); },
  };
}

function freePort(): number {
  // Ask the kernel for a free port through a short-lived node child (synchronous, so startCluster stays sync).
  const out = spawnSync(process.execPath, ['-e',
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: 'utf8' });
  const port = Number(out.stdout.trim());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`could not find a free port: ${out.stderr}`);
  return port;
}
