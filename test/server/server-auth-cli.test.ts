/**
 * `tracklab server --auth` as a real process: the first admin comes from
 * TRACKLAB_ADMIN_USERNAME / _PASSWORD (and is not made twice), the auth
 * database sits beside a SQLite store, a public address is allowed with
 * --auth, and without an admin and without a terminal the server refuses to
 * start with a message that says what to set.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/jupyter';
import { testStores } from '../support/test-stores';
import { api } from './server-fixture';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const BASE_ENV: Record<string, string | undefined> = { ...process.env, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '' };
delete BASE_ENV.TRACKLAB_ADMIN_USERNAME;
delete BASE_ENV.TRACKLAB_ADMIN_PASSWORD;
const running = new Set<{ kill(): boolean }>();

function startCli(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => { running.delete(child); resolve(code); }));
  /** Resolves once stdout matches `pattern` (the startup lines come in several writes). */
  const printed = (pattern: RegExp) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (pattern.test(stdout)) { child.stdout.off('data', check); resolve(); }
    };
    child.stdout.on('data', check);
    check();
    void exited.then(() => reject(new Error(`exited before printing ${pattern}: ${stdout}${stderr}`)));
  });
  const listening = new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (https?:\/\/\S+)/.exec(stdout);
      if (m) { child.stdout.off('data', onData); resolve(m[1]!); }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`tracklab server exited (${code}) before listening: ${stderr}`)));
  });
  return { child, exited, listening, printed, output: () => ({ stdout, stderr }) };
}

const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

test('tracklab server --auth: the admin from the environment, the auth database beside the store, 401 without credentials', async () => {
  const store = testStores()[0]!.create();
  try {
    const env = { TRACKLAB_ADMIN_USERNAME: 'root', TRACKLAB_ADMIN_PASSWORD: 'root-password-1' };
    const first = startCli(['--tracking-uri', store.uri, 'server', '--port', '0', '--auth', '--default-permission', 'NO_PERMISSIONS'], env);
    const url = await first.listening;
    await first.printed(/web UI/);
    assert.match(first.output().stdout, /Created admin user "root"/);
    assert.match(first.output().stdout, /auth: on .*default permission NO_PERMISSIONS/);
    assert.ok(fs.existsSync(path.join(store.folder!, 'auth.db')));
    assert.equal((await api(url, 'GET', 'experiments/search')).status, 401);
    assert.equal((await api(url, 'POST', 'users/create', { username: 'ana', password: 'ana-password-1' }, basic('root', 'root-password-1'))).status, 200);
    const admin = basic('root', 'root-password-1');
    const exp = (await api(url, 'POST', 'experiments/create', { name: 'root-only' }, admin)).body.experiment_id;
    const ana = basic('ana', 'ana-password-1');
    assert.equal((await api(url, 'GET', 'experiments/get', { experiment_id: exp }, ana)).status, 403, 'the default is NO_PERMISSIONS');
    assert.equal((await api(url, 'GET', 'experiments/search', undefined, ana)).body.experiments, undefined);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output().stderr);
    assert.ok(!first.output().stderr.includes('root-password-1'));

    // Restarted with the same variables: the admin exists, nothing is created; users persist.
    const second = startCli(['--tracking-uri', store.uri, 'server', '--port', '0', '--auth'], env);
    const url2 = await second.listening;
    assert.doesNotMatch(second.output().stdout, /Created admin/);
    assert.equal((await api(url2, 'GET', 'experiments/get', { experiment_id: exp }, ana)).status, 200, 'default READ now');
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  } finally {
    for (const child of running) child.kill();
    await store.cleanup();
  }
});

test('TRACKLAB_ADMIN_* only make the first admin: later starts ignore them with one line, never fail on them; a world-readable auth database is made owner-only', async () => {
  const store = testStores()[0]!.create();
  const authDb = path.join(store.folder!, 'auth.db');
  const startStop = async (env: Record<string, string>) => {
    const server = startCli(['--tracking-uri', store.uri, 'server', '--port', '0', '--auth'], env);
    const url = await server.listening;
    await server.printed(/web UI/);
    const users = (await api(url, 'GET', 'users/list', undefined, basic('admin', 'admin-password-1'))).body.users as { username: string; is_admin: boolean }[];
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.output().stderr);
    return { ...server.output(), users };
  };
  try {
    const first = await startStop({ TRACKLAB_ADMIN_USERNAME: 'admin', TRACKLAB_ADMIN_PASSWORD: 'admin-password-1' });
    assert.match(first.stdout, /Created admin user "admin"/);
    if (process.platform !== 'win32') assert.equal(fs.statSync(authDb).mode & 0o777, 0o600, 'created owner-only');
    fs.chmodSync(authDb, 0o644);

    const later = await startStop({ TRACKLAB_ADMIN_USERNAME: 'root2', TRACKLAB_ADMIN_PASSWORD: 'long enough pw' });
    assert.doesNotMatch(later.stdout, /Created admin/);
    const ignored = later.stdout.split('\n').filter((l) => l.includes('TRACKLAB_ADMIN'));
    assert.equal(ignored.length, 1, later.stdout);
    assert.match(ignored[0]!, /^Ignoring TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD: .*auth\.db already has an admin \("admin"\), and they only create the first one/);
    assert.deepEqual(later.users.map((u) => [u.username, u.is_admin]), [['admin', true]], 'no second admin');
    if (process.platform !== 'win32') {
      assert.match(later.stderr, /auth\.db was readable by others \(mode 0644\); it holds password hashes, so it is now owner-only \(0600\)/);
      assert.equal(fs.statSync(authDb).mode & 0o777, 0o600);
    }

    // Values that could not make an admin (a short password, a bad name, one variable only) do not stop a server that has one.
    for (const env of [{ TRACKLAB_ADMIN_USERNAME: 'root2', TRACKLAB_ADMIN_PASSWORD: 'short' }, { TRACKLAB_ADMIN_USERNAME: 'no spaces allowed', TRACKLAB_ADMIN_PASSWORD: 'long enough pw' }, { TRACKLAB_ADMIN_USERNAME: 'root2' }] as Record<string, string>[]) {
      const again = await startStop(env);
      assert.match(again.stdout, /^Ignoring TRACKLAB_ADMIN_USERNAME/m, JSON.stringify(env));
      assert.equal(again.users.length, 1);
    }
    const plain = await startStop({});
    assert.doesNotMatch(plain.stdout, /TRACKLAB_ADMIN/, 'nothing to say when they are not set');
  } finally {
    for (const child of running) child.kill();
    await store.cleanup();
  }
});

test('tracklab server --auth with no admin, no TRACKLAB_ADMIN_* and no terminal exits 1 saying what to set; --host 0.0.0.0 is allowed with --auth', async () => {
  const store = testStores()[0]!.create();
  try {
    const refused = startCli(['--tracking-uri', store.uri, 'server', '--port', '0', '--auth']);
    refused.listening.catch(() => undefined);
    assert.equal(await refused.exited, 1);
    assert.match(refused.output().stderr, /^error \[INVALID_STATE\]: The auth database has no admin.*TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD/);
    assert.doesNotMatch(refused.output().stderr, /at .*\.js:\d+/, 'no stack trace');
    const half = startCli(['--tracking-uri', store.uri, 'server', '--port', '0', '--auth'], { TRACKLAB_ADMIN_USERNAME: 'root' });
    half.listening.catch(() => undefined);
    assert.equal(await half.exited, 1);
    assert.match(half.output().stderr, /Set both TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD/);
    const badPermission = startCli(['--tracking-uri', store.uri, 'server', '--port', '0', '--auth', '--default-permission', 'WRITE']);
    badPermission.listening.catch(() => undefined);
    assert.equal(await badPermission.exited, 1);
    assert.match(badPermission.output().stderr, /Invalid --default-permission/);

    const open = startCli(['--tracking-uri', store.uri, 'server', '--host', '0.0.0.0', '--port', '0', '--auth'], { TRACKLAB_ADMIN_USERNAME: 'root', TRACKLAB_ADMIN_PASSWORD: 'root-password-1' });
    const url = await open.listening;
    assert.match(open.output().stderr, /unencrypted/, 'a warning: passwords would cross the network in clear');
    const port = new URL(url).port;
    assert.equal((await api(`http://127.0.0.1:${port}`, 'GET', 'experiments/search', undefined, basic('root', 'root-password-1'))).status, 200);
    open.child.kill('SIGTERM');
    assert.equal(await open.exited, 0);
  } finally {
    for (const child of running) child.kill();
    await store.cleanup();
  }
});

function scriptMissing(): string | false {
  return fs.existsSync('/usr/bin/script') ? false : 'util-linux `script` (a pseudo-terminal for the prompt) is not installed';
}

/** The server on a pseudo-terminal (`script`), so stdin and stderr are TTYs as in a real shell; `seen` waits for output. */
function startOnTerminal(storeUri: string) {
  const command = [process.execPath, CLI, '--tracking-uri', storeUri, 'server', '--port', '0', '--auth'].map((a) => `'${a}'`).join(' ');
  const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { env: BASE_ENV as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const seen = (pattern: RegExp) => new Promise<void>((resolve, reject) => {
    const check = () => { if (pattern.test(out)) { child.stdout.off('data', check); resolve(); } };
    child.stdout.on('data', check);
    check();
    void exited.then(() => reject(new Error(`exited before printing ${pattern}: ${out}`)));
  });
  child.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; });
  return { child, exited, seen, output: () => out };
}

test('tracklab server --auth in a terminal with no admin asks for one, without echoing the password', { skip: scriptMissing() }, async () => {
  const store = testStores()[0]!.create();
  const { child, exited, seen, output } = startOnTerminal(store.uri);
  try {
    await seen(/Admin user name: /);
    child.stdin.write('boss\n');
    await seen(/Admin password \(8 characters or more\): /);
    child.stdin.write('boss-password-9\n');
    await seen(/web UI: (http:\/\/\S+)\//);
    const out = output();
    const url = /listening on (http:\/\/[\d.:]+)/.exec(out)![1]!;
    assert.match(out, /Created admin user "boss"/);
    assert.ok(!out.includes('boss-password-9'), 'the password is not echoed');
    assert.equal((await api(url, 'GET', 'users/get', { username: 'boss' }, basic('boss', 'boss-password-9'))).body.user.is_admin, true);
  } finally {
    child.kill('SIGTERM');
    await exited;
    await store.cleanup();
  }
});

test('Ctrl-C at the admin prompt gives up: exit 1 with the variables to set, no stack', { skip: scriptMissing() }, async () => {
  const store = testStores()[0]!.create();
  const { child, exited, seen, output } = startOnTerminal(store.uri);
  try {
    await seen(/Admin user name: /);
    child.stdin.write('\x03');
    assert.equal(await exited, 1);
    assert.match(output(), /error \[INVALID_STATE\]: The auth database has no admin/);
    assert.doesNotMatch(output(), /at .*\.js:\d+/);
  } finally {
    child.kill('SIGTERM');
    await store.cleanup();
  }
});
