/**
 * Several real processes on one PostgreSQL database at once: opening a fresh
 * database, registering versions of one model, appending to one series.
 * Each child is this file run again with a role in the environment; children
 * wait for a "go" on stdin so they start together.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { freshDatabase } from '../../../test/support/postgres-cluster';
import { openConnection } from './connection';
import { openPostgresStores } from './postgres-backend';
import { migrations } from './schema';

const ROLE = 'TRACKLAB_PG_CHILD_ROLE';
const URI = 'TRACKLAB_PG_CHILD_URI';
const INDEX = 'TRACKLAB_PG_CHILD_INDEX';
const VERSIONS_PER_CHILD = 5;
const BLOCKS_PER_CHILD = 20;
const POINTS_PER_BLOCK = 500;

interface ChildResult { code: number | null; out: string; err: string }

async function race(role: string, uri: string, count: number): Promise<ChildResult[]> {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
  const children = Array.from({ length: count }, (_, i) => spawn(process.execPath, [...execArgv, __filename], {
    env: { ...process.env, [ROLE]: role, [URI]: uri, [INDEX]: String(i) }, stdio: ['pipe', 'pipe', 'pipe'],
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
    const done = new Promise<ChildResult>((resolve) => child.on('exit', (code) => resolve({ code, out: out.replace('ready\n', ''), err })));
    return { ready, done };
  });
  await Promise.all(runs.map((r) => r.ready));
  for (const child of children) child.stdin.write('go\n');
  return Promise.all(runs.map((r) => r.done));
}

async function child(role: string, uri: string, index: number): Promise<unknown> {
  if (role === 'open') return (await withStores(uri, async (s) => s.applied));
  if (role === 'register') {
    return withStores(uri, async (s) => {
      const numbers: number[] = [];
      for (let v = 0; v < VERSIONS_PER_CHILD; v++) {
        const created = await s.registry().createModelVersion({
          name: 'shared-model', source: `runs:/child-${index}/model`, runId: null, files: [], contentHash: `hash-${index}-${v}`, createModel: true,
        });
        numbers.push(created.version.version);
      }
      return numbers;
    });
  }
  return withStores(uri, async (s) => {
    for (let b = 0; b < BLOCKS_PER_CHILD; b++) {
      const steps = Float64Array.from({ length: POINTS_PER_BLOCK }, (_, i) => index * 1e6 + b * POINTS_PER_BLOCK + i);
      await s.tracking.appendMetrics([{ runId: 'shared', key: 'loss', steps, timestamps: steps.map((x) => 1_700_000_000_000 + x), values: steps.map((x) => x / 1e6) }]);
    }
    return [];
  });
}

async function withStores<T>(uri: string, fn: (s: Awaited<ReturnType<typeof openPostgresStores>>) => Promise<T>): Promise<T> {
  const stores = await openPostgresStores(uri);
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}

function parse(results: ChildResult[]): unknown[] {
  for (const r of results) assert.equal(r.code, 0, r.err);
  return results.map((r) => JSON.parse(r.out.trim()));
}

const role = process.env[ROLE];
if (role !== undefined) {
  process.stdout.write('ready\n');
  process.stdin.once('data', () => {
    child(role, process.env[URI] as string, Number(process.env[INDEX])).then(
      (result) => { process.stdout.write(`${JSON.stringify(result)}\n`); process.exit(0); },
      (err: unknown) => { process.stderr.write(String((err as Error).stack ?? err)); process.exit(1); },
    );
  });
} else {
  test('8 processes opening one fresh database apply the migrations exactly once', async () => {
    const db = freshDatabase();
    const applied = parse(await race('open', db.uri, 8)) as number[][];
    const appliers = applied.filter((a) => a.length > 0);
    assert.equal(appliers.length, 1, JSON.stringify(applied));
    const all = migrations.map((m) => m.version);
    assert.deepEqual(appliers[0], all);
    const conn = openConnection(db.uri, db.uri);
    const ledger = await conn.query<{ version: number }>('read ledger', 'SELECT version FROM tracklab_schema_migrations ORDER BY version');
    assert.deepEqual(ledger.map((r) => r.version), all);
    // Migration 6: the run foreign key of applied_batches is validated. Migration 7: keyed by (run_id, batch_id), whose
    // primary key replaced version 6's partial run index.
    const [fk] = await conn.query<{ convalidated: boolean }>('read constraint', "SELECT convalidated FROM pg_constraint WHERE conname = 'applied_batches_run_id_fkey'");
    assert.equal(fk?.convalidated, true);
    const [index] = await conn.query<{ indexdef: string }>('read index', "SELECT indexdef FROM pg_indexes WHERE indexname = 'applied_batches_pkey'");
    assert.match(index?.indexdef ?? '', /UNIQUE INDEX applied_batches_pkey ON public\.applied_batches USING btree \(run_id, batch_id\)/);
    const [old] = await conn.query<{ n: number }>('read index', "SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'applied_batches_run'");
    assert.equal(old?.n, 0);
    await conn.close();
    db.drop();
  });

  test('processes registering versions of one model at once get distinct, consecutive numbers', async () => {
    const db = freshDatabase();
    const children = 6;
    const numbers = (parse(await race('register', db.uri, children)) as number[][]);
    for (const list of numbers) assert.deepEqual([...list].sort((a, b) => a - b), list, 'each process sees its own versions increase');
    const all = numbers.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: children * VERSIONS_PER_CHILD }, (_, i) => i + 1));
    const stores = await openPostgresStores(db.uri);
    const model = await stores.registry().getRegisteredModel('shared-model');
    assert.equal(model.latestVersion, children * VERSIONS_PER_CHILD);
    await stores.close();
    db.drop();
  });

  test('processes appending to one (run, key) at once lose nothing and keep the summary consistent', async () => {
    const db = freshDatabase();
    const stores = await openPostgresStores(db.uri);
    const exp = await stores.tracking.ensureExperiment('Default');
    await stores.tracking.createRun({ runId: 'shared', runName: 'shared', experimentId: exp.experimentId, startTime: 1 });
    const children = 4;
    parse(await race('append', db.uri, children));
    const blocks = await stores.tracking.readMetrics(['shared']);
    const total = children * BLOCKS_PER_CHILD * POINTS_PER_BLOCK;
    assert.equal(blocks.reduce((n, b) => n + b.values.length, 0), total);
    for (const b of blocks) {
      for (let i = 1; i < b.steps.length; i++) assert.equal(b.steps[i], b.steps[i - 1] + 1, 'a block stays whole');
    }
    const perChild = new Map<number, number[]>();
    for (const b of blocks) {
      const c = Math.floor(b.steps[0] / 1e6);
      perChild.set(c, [...(perChild.get(c) ?? []), b.steps[0]]);
    }
    for (const firsts of perChild.values()) assert.deepEqual(firsts, [...firsts].sort((x, y) => x - y), 'each writer\'s blocks keep their order');
    const summary = (await stores.tracking.getRun('shared')).data.metrics.loss;
    assert.equal(summary.count, total);
    assert.equal(summary.lastStep, (children - 1) * 1e6 + BLOCKS_PER_CHILD * POINTS_PER_BLOCK - 1);
    assert.equal(summary.min, 0);
    await stores.close();
    db.drop();
  });
}
