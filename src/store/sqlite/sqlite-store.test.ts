import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { isTracklabError } from '../../errors';
import { openStore } from '../open-store';
import { describeStoreContract } from '../store-contract';
import { DB_FILE, openConnection } from './connection';
import { migrations, type Migration } from './schema';
import { SqliteStore } from './sqlite-store';
import { translateSqliteError } from './sqlite-errors';

/** A second migration that fails if applied twice (CREATE TABLE) and counts its runs. */
const RACE_MIGRATIONS: readonly Migration[] = [
  ...migrations,
  { version: 1000, name: 'race probe', sql: 'CREATE TABLE race_probe (n INTEGER); INSERT INTO race_probe VALUES (1);' },
];
const RACE_ENV = 'TRACKLAB_MIGRATION_RACE_ROOT';
const APPEND_ENV = 'TRACKLAB_APPEND_RACE_CHILD';
const APPEND_BLOCKS = 20;
const APPEND_POINTS = 500;

/** Starts `count` copies of this file as children, releases them at once, and returns their exit codes and stdout. */
async function raceChildren(root: string, count: number, env: (i: number) => NodeJS.ProcessEnv = () => ({})): Promise<{ code: number | null; out: string; err: string }[]> {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
  const children = Array.from({ length: count }, (_, i) => spawn(process.execPath, [...execArgv, __filename], {
    env: { ...process.env, [RACE_ENV]: root, ...env(i) }, stdio: ['pipe', 'pipe', 'pipe'],
  }));
  const runs = children.map((child) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready\n')) resolve();
      });
    });
    const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      child.on('exit', (code) => resolve({ code, out, err }));
    });
    return { ready, done };
  });
  await Promise.all(runs.map((r) => r.ready));
  for (const child of children) child.stdin.write('go\n');
  return Promise.all(runs.map((r) => r.done));
}

function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
}

if (process.env[RACE_ENV]) {
  // Child process of a race: get ready, wait for the go signal, then open (and append).
  const root = process.env[RACE_ENV] as string;
  const appendAs = process.env[APPEND_ENV];
  process.stdout.write('ready\n');
  process.stdin.once('data', async () => {
    if (appendAs === undefined) {
      const conn = openConnection(root, RACE_MIGRATIONS);
      process.stdout.write(`${JSON.stringify(conn.applied)}\n`);
      conn.close();
    } else {
      const store = SqliteStore.open(root);
      const child = Number(appendAs);
      for (let b = 0; b < APPEND_BLOCKS; b++) {
        const steps = Float64Array.from({ length: APPEND_POINTS }, (_, i) => child * 1e6 + b * APPEND_POINTS + i);
        await store.appendMetrics([{ runId: 'shared', key: 'loss', steps, timestamps: steps.map((s) => 1_700_000_000_000 + s), values: steps.map((s) => s / 1e6) }]);
      }
      store.close();
      process.stdout.write('[]\n');
    }
    process.exit(0);
  });
} else {
  describeStoreContract('sqlite', async () => {
    const root = tempRoot();
    const backend = await openStore(root);
    return {
      store: backend.tracking,
      cleanup: async () => {
        await backend.close();
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  });
  registerSqliteTests();
}

function registerSqliteTests(): void {
  test('the file is in WAL mode with foreign keys enforced, and passes integrity_check after work', async () => {
    const root = tempRoot();
    const store = SqliteStore.open(path.join(root, 'nested', '.tracklab'));
    assert.equal(store.root, path.join(root, 'nested', '.tracklab'));
    const exp = await store.ensureExperiment('Default');
    await store.createRun({ runId: 'r', runName: 'n', experimentId: exp.experimentId, startTime: 1, params: { a: '1' } });
    await store.appendMetrics([{ runId: 'r', key: 'k', steps: new Float64Array([0, 1]), timestamps: new Float64Array([1, 2]), values: new Float64Array([1, NaN]) }]);
    const raw = new Database(path.join(store.root, DB_FILE), { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all(),
      migrations.map(({ version, name }) => ({ version, name })));
    raw.close();
    await rejectsCode(store.createRun({ runId: 'orphan', runName: 'n', experimentId: 'nope', startTime: 1 }), 'RESOURCE_DOES_NOT_EXIST');
    store.close();
    store.close(); // idempotent
    await rejectsCode(store.getRun('r'), 'INVALID_STATE');
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a second store on the same file sees each write as soon as the call returns', async () => {
    const root = tempRoot();
    const a = SqliteStore.open(root);
    const b = SqliteStore.open(root);
    const exp = await a.ensureExperiment('Default');
    void a.createRun({ runId: 'r', runName: 'n', experimentId: exp.experimentId, startTime: 1 }); // not awaited: synchronousWrites
    assert.equal((await b.getRun('r')).info.runName, 'n');
    assert.equal((await b.ensureExperiment('Default')).experimentId, exp.experimentId);
    a.close();
    b.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('six processes opening one fresh store apply each migration exactly once', async () => {
    const root = tempRoot();
    const results = await raceChildren(root, 6);
    for (const r of results) assert.equal(r.code, 0, r.err);
    const applied = results.flatMap((r) => JSON.parse(r.out.split('\n')[1]) as number[]).sort((x, y) => x - y);
    const versions = RACE_MIGRATIONS.map((m) => m.version);
    assert.deepEqual(applied, versions);
    const raw = new Database(path.join(root, DB_FILE), { readonly: true });
    assert.deepEqual(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all(), versions.map((version) => ({ version })));
    assert.deepEqual(raw.prepare('SELECT COUNT(*) AS n FROM race_probe').get(), { n: 1 });
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    raw.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('four processes appending to one (run, key) at once lose nothing and keep seq and summary consistent', async () => {
    const root = tempRoot();
    const store = SqliteStore.open(root);
    const exp = await store.ensureExperiment('Default');
    await store.createRun({ runId: 'shared', runName: 'n', experimentId: exp.experimentId, startTime: 1 });
    const results = await raceChildren(root, 4, (i) => ({ [APPEND_ENV]: String(i) }));
    for (const r of results) assert.equal(r.code, 0, r.err);
    const blocks = await store.readMetrics(['shared']);
    const total = APPEND_BLOCKS * APPEND_POINTS * 4;
    assert.equal(blocks.reduce((n, b) => n + b.values.length, 0), total);
    const steps = new Set(blocks.flatMap((b) => Array.from(b.steps)));
    assert.equal(steps.size, total, 'every point once');
    const summary = (await store.getRun('shared')).data.metrics.loss;
    const top = 3 * 1e6 + APPEND_BLOCKS * APPEND_POINTS - 1;
    assert.deepEqual([summary.count, summary.lastStep, summary.last, summary.min, summary.max], [total, top, top / 1e6, 0, top / 1e6]);
    const raw = new Database(path.join(root, DB_FILE), { readonly: true });
    const seqs = (raw.prepare("SELECT seq FROM metric_blocks WHERE run_id = 'shared' ORDER BY seq").all() as { seq: number }[]).map((r) => r.seq);
    assert.deepEqual(seqs, Array.from({ length: APPEND_BLOCKS * 4 }, (_, i) => i));
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    raw.close();
    store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('blobs pinned by registered model versions count as referenced after their run is purged', async () => {
    const root = tempRoot();
    const store = SqliteStore.open(root);
    const exp = await store.ensureExperiment('Default');
    await store.createRun({ runId: 'src', runName: 'n', experimentId: exp.experimentId, startTime: 1 });
    await store.putArtifacts('src', [{ path: 'model/model.onnx', sha256: 'pinned', size: 9 }, { path: 'log.txt', sha256: 'loose', size: 1 }]);
    const raw = new Database(path.join(root, DB_FILE));
    raw.exec(`INSERT INTO registered_models (model_id, name, creation_time, last_updated_time) VALUES (1, 'm', 1, 1);
      INSERT INTO model_versions (model_id, version, source, run_id, status, content_hash, creation_time, last_updated_time)
        VALUES (1, 1, 'runs:/src/model', 'src', 'READY', 'h', 1, 1);
      INSERT INTO model_version_files (model_id, version, path, sha256, size) VALUES (1, 1, 'model.onnx', 'pinned', 9);`);
    raw.close();
    await store.setRunLifecycle('src', 'deleted');
    assert.deepEqual(await store.purgeDeletedRuns(), ['src']);
    assert.deepEqual([...(await store.referencedBlobs())], ['pinned']);
    store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a store written by a newer tracklab, or a file that is not a store, is refused clearly', () => {
    const root = tempRoot();
    openConnection(root, RACE_MIGRATIONS).close();
    assert.throws(() => SqliteStore.open(root), (e) => isTracklabError(e, 'INVALID_STATE') && /newer tracklab/.test(e.message));
    const junk = tempRoot();
    fs.writeFileSync(path.join(junk, DB_FILE), 'this is not a database, just text that is long enough to have a header'.repeat(20));
    assert.throws(() => SqliteStore.open(junk), (e) => isTracklabError(e, 'INTERNAL_ERROR') && /not a tracklab store/.test(e.message));
    const fileAsRoot = path.join(junk, 'plain-file');
    fs.writeFileSync(fileAsRoot, 'x');
    assert.throws(() => SqliteStore.open(fileAsRoot), (e) => isTracklabError(e) && e.message.includes(fileAsRoot));
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(junk, { recursive: true, force: true });
  });

  test('engine errors become TracklabErrors with the cause kept', () => {
    const root = tempRoot();
    const file = path.join(root, 'x.db');
    const holder = new Database(file);
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (k TEXT PRIMARY KEY, p TEXT REFERENCES t(k)); PRAGMA foreign_keys = ON;');
    holder.exec("INSERT INTO t VALUES ('a', NULL)");
    const caught = (fn: () => unknown): unknown => {
      try { fn(); } catch (err) { return err; }
      assert.fail('expected an error');
    };
    const unique = translateSqliteError(caught(() => holder.exec("INSERT INTO t VALUES ('a', NULL)")), 'add a', file);
    assert.equal(unique.code, 'RESOURCE_ALREADY_EXISTS');
    assert.match(unique.message, /^Could not add a: it already exists/);
    assert.equal((unique.cause as { code: string }).code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
    const fk = translateSqliteError(caught(() => holder.exec("INSERT INTO t VALUES ('b', 'zz')")), 'add b', file);
    assert.equal(fk.code, 'RESOURCE_DOES_NOT_EXIST');
    holder.exec('BEGIN IMMEDIATE');
    const other = new Database(file, { timeout: 0 });
    const busy = translateSqliteError(caught(() => other.exec('BEGIN IMMEDIATE')), 'write', file);
    assert.equal(busy.code, 'INTERNAL_ERROR');
    assert.match(busy.message, /locked by another process.*Retry/);
    holder.exec('ROLLBACK');
    other.close();
    holder.close();
    const bug = translateSqliteError(new TypeError('bad bind'), 'do x', file);
    assert.equal(bug.code, 'INTERNAL_ERROR');
    assert.match(bug.message, /bad bind.*tracklab bug/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('reopening migrates nothing and keeps the data', async () => {
    const root = tempRoot();
    const first = openConnection(root);
    assert.deepEqual(first.applied, migrations.map((m) => m.version));
    first.close();
    const again = openConnection(root);
    assert.deepEqual(again.applied, []);
    again.close();
    const store = SqliteStore.open(root);
    const exp = await store.createExperiment({ name: 'kept' });
    store.close();
    const reopened = SqliteStore.open(root);
    assert.equal((await reopened.getExperiment('kept')).experimentId, exp.experimentId);
    reopened.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
}

async function rejectsCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => isTracklabError(err) && err.code === code);
}
