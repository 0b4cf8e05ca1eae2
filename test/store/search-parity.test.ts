/**
 * SQLite and PostgreSQL, loaded with the same 97 runs (NaN, ±Infinity,
 * missing keys, ties on every order key, mixed case, non-ASCII text), give
 * the same ids in the same order and the same pages for every filter and
 * order below: single clauses of each kind, their AND/OR combinations, and
 * each with several orders and page sizes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { parseFilter } from '../../src/search/filter-parser';
import { parseOrderBy } from '../../src/search/order-by';
import { openConnection } from '../../src/store/postgres/connection';
import { openPostgresStores, type PostgresBackend } from '../../src/store/postgres/postgres-backend';
import { FIXTURE_EXPERIMENTS, FIXTURE_RUNS, loadFixture, mixedRuns } from '../../src/store/search-contract';
import { DB_FILE } from '../../src/store/sqlite/connection';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { TrackingStore } from '../../src/store/store';
import { freshDatabase } from '../support/postgres-cluster';

const CLAUSES = [
  'metrics.acc > 0.2', 'metrics.acc >= 0.5', 'metrics.acc < 0.5', 'metrics.acc <= 0', 'metrics.acc = 0.5', 'metrics.acc != 0.5',
  'metrics.loss > -1e308', 'metrics.loss < 1e308', 'metrics.acc IS NULL', 'metrics.loss IS NOT NULL',
  "params.opt = 'adam'", "params.opt != 'adam'", "params.opt LIKE 'a%'", "params.opt ILIKE 'A%'", "params.opt NOT ILIKE '%d%'",
  "params.lr = '0.1'", 'params.lr IS NULL', "tags.team ILIKE 'V%'", "tags.team LIKE '%i%'", "tags.team ILIKE 'NÄIVE'", "tags.team NOT LIKE 'n%'",
  "status = 'FAILED'", "run_name LIKE 'delta%%'", "run_name ILIKE 'beta_'", "user_id = 'ann'", 'user_id IS NULL', 'end_time > 2050',
  "run_id IN ('m-01', 'm-02', 'r-a', 'r-c')", "run_id NOT IN ('m-01')", 'start_time <= 1020',
  'params.lr < 0.05', 'params.lr != 0.1', 'params.n >= 0', 'params.n != 1', "artifact_uri LIKE 'runs:/m-1%'", "tags.mlflow.runName ILIKE 'ALPHA%'",
];
const ORDERS: string[][] = [
  [], ['metrics.acc DESC'], ['metrics.acc'], ['metrics.loss DESC', 'metrics.acc'], ['params.opt', 'metrics.acc DESC'],
  ['tags.team DESC'], ['user_id', 'run_name DESC'], ['end_time DESC'], ['start_time'], ['params.lr DESC', 'status'],
  ['artifact_uri DESC'], ['tags.mlflow.runName', 'params.n'],
];

describe('search parity: SQLite and PostgreSQL', () => {
  let root: string;
  let sqlite: SqliteStore;
  let pg: PostgresBackend;
  let drop: () => void;
  const experimentIds = new Map<TrackingStore, string[]>();

  before(async () => {
    const runs = [...FIXTURE_RUNS, ...mixedRuns()];
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-parity-'));
    sqlite = SqliteStore.open(root);
    const db = freshDatabase();
    drop = db.drop;
    pg = await openPostgresStores(db.uri);
    const raw = openConnection(db.uri, db.uri);
    const sqliteIds = await loadFixture({
      store: sqlite,
      async setExperimentTimes(id, created, updated) {
        const file = new Database(path.join(root, DB_FILE));
        file.prepare('UPDATE experiments SET creation_time = ?, last_update_time = ? WHERE experiment_id = ?').run(created, updated, id);
        file.close();
      },
      close: async () => undefined,
    }, FIXTURE_EXPERIMENTS, runs);
    const pgIds = await loadFixture({
      store: pg.tracking,
      async setExperimentTimes(id, created, updated) {
        await raw.query('backdate', 'UPDATE experiments SET creation_time = $1, last_update_time = $2 WHERE experiment_id = $3', [created, updated, id], true);
      },
      close: async () => undefined,
    }, FIXTURE_EXPERIMENTS, runs);
    await raw.close();
    experimentIds.set(sqlite, [sqliteIds.get('e1') as string, sqliteIds.get('e2') as string]);
    experimentIds.set(pg.tracking, [pgIds.get('e1') as string, pgIds.get('e2') as string]);
  });

  after(async () => {
    sqlite.close();
    await pg.close();
    drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function ids(store: TrackingStore, filter: string, orderBy: string[], maxResults: number, offset: number, lifecycle: 'active' | 'all') {
    const page = await store.searchRuns({
      experimentIds: experimentIds.get(store) as string[], filter: parseFilter(filter), orderBy: parseOrderBy(orderBy), maxResults, offset, lifecycle,
    });
    return { ids: page.runs.map((r) => r.info.runId), next: page.nextOffset };
  }

  async function same(filter: string, orderBy: string[], maxResults = 1000, offset = 0, lifecycle: 'active' | 'all' = 'active'): Promise<number> {
    const a = await ids(sqlite, filter, orderBy, maxResults, offset, lifecycle);
    const b = await ids(pg.tracking, filter, orderBy, maxResults, offset, lifecycle);
    assert.deepEqual(b, a, `${filter} | ${orderBy.join(', ')} | ${maxResults}@${offset} ${lifecycle}`);
    return a.ids.length;
  }

  it('every single clause, under every order', async () => {
    let matched = 0;
    for (const clause of CLAUSES) for (const order of ORDERS) matched += await same(clause, order);
    assert.ok(matched > 1000, `the cases should match many runs, matched ${matched}`);
  });

  it('pairs of clauses joined by AND and by OR, and nested groups', async () => {
    for (let i = 0; i < CLAUSES.length; i++) {
      const a = CLAUSES[i];
      const b = CLAUSES[(i * 7 + 3) % CLAUSES.length];
      const c = CLAUSES[(i * 11 + 5) % CLAUSES.length];
      const order = ORDERS[i % ORDERS.length];
      await same(`${a} AND ${b}`, order);
      await same(`${a} OR ${b}`, order, 1000, 0, 'all');
      await same(`(${a} OR ${b}) AND ${c}`, order);
      await same(`${a} AND (${b} OR ${c})`, ORDERS[(i + 3) % ORDERS.length]);
    }
  });

  it('pages alike, with the same next offsets', async () => {
    for (const order of ORDERS) {
      for (const [size, offset] of [[1, 0], [7, 3], [10, 40], [25, 75], [50, 90]]) {
        await same('', order, size, offset);
        await same("metrics.acc >= 0 AND params.opt != 'sgd'", order, size, offset);
      }
    }
  });
});
