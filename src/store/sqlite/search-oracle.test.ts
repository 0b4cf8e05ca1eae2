/**
 * The SQLite search compiler against an independent oracle: a plain
 * JavaScript evaluation of the same parsed filter and order over the same
 * runs (test/support/search-oracle.ts). The runs go in through the store
 * contract, so the journal folding, metric summaries and dataset links are
 * the store's own; both SQL forms (joined and general) are checked, with
 * every filter of the shared case list and every order, and pages.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { parseFilter } from '../../search/filter-parser';
import { parseOrderBy } from '../../search/order-by';
import type { RunSearchQuery } from '../store';
import { ORDER_CASES, SEARCH_EXPERIMENTS, filterCases, runsWithExperimentIds, seedSearchRuns } from '../../../test/support/search-cases';
import { oracleSearch, type OracleRun } from '../../../test/support/search-oracle';
import { DB_FILE } from './connection';
import { registerSearchFunctions } from './search-functions';
import { compileGeneralRunSearch, compileJoinedRunSearch } from './search-sql';
import { SqliteStore } from './sqlite-store';

let dir: string;
let store: SqliteStore;
let raw: Database.Database;
let runs: OracleRun[];
let scope: string[];
let filters: string[];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-oracle-'));
  store = SqliteStore.open(dir);
  const experiments = await seedSearchRuns(store);
  runs = runsWithExperimentIds(experiments);
  filters = filterCases(experiments);
  scope = [experiments.get(SEARCH_EXPERIMENTS[0])!, experiments.get(SEARCH_EXPERIMENTS[1])!];
  // A search folds the journal into the search tables; then a second connection reads the same file.
  await store.searchRuns({ experimentIds: scope, orderBy: [], maxResults: 1, offset: 0, lifecycle: 'all' });
  raw = new Database(path.join(dir, DB_FILE), { readonly: true });
  registerSearchFunctions(raw);
});

after(() => {
  raw?.close();
  store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function query(filter: string, orderBy: readonly string[], extra: Partial<RunSearchQuery> = {}): RunSearchQuery {
  return { experimentIds: scope, filter: parseFilter(filter), orderBy: parseOrderBy(orderBy), maxResults: 1000, offset: 0, lifecycle: 'active', ...extra };
}

function expected(q: RunSearchQuery): string[] {
  return oracleSearch(runs, { ...q, maxResults: q.maxResults, offset: q.offset });
}

async function viaStore(q: RunSearchQuery): Promise<string[]> {
  return (await store.searchRuns(q)).runs.map((r) => r.info.runId);
}

function viaSql(compiled: { sql: string; params: unknown[] }, maxResults: number): string[] {
  return (raw.prepare(compiled.sql).pluck().all(...compiled.params) as string[]).slice(0, maxResults);
}

describe('run search agrees with the oracle', () => {
  it('the cases discriminate: each filter matches some runs in scope but not all, unless meant to', () => {
    const inScope = expected(query('', [])).length;
    assert.ok(inScope > 60, `${inScope} runs in scope`);
    // Meant to match nothing or everything: a missing key, text that is no number, '016' is not '16' as text.
    const meant = new Set(['', 'metrics.missing != 1', 'metrics.missing IS NULL', 'params.opt = 0', "params.batch = '16'"]);
    const blunt = filters.filter((f) => !meant.has(f)).filter((f) => {
      const n = expected(query(f, [])).length;
      return n === 0 || n === inScope;
    });
    assert.deepEqual(blunt, []);
  });

  it('through the store, for every filter and order: same ids, same order', async () => {
    let compared = 0;
    for (const filter of filters) {
      for (const orderBy of ORDER_CASES) {
        const q = query(filter, orderBy);
        assert.deepEqual(await viaStore(q), expected(q), `${filter} | ${orderBy.join(', ')}`);
        compared++;
      }
    }
    assert.equal(compared, filters.length * ORDER_CASES.length);
  });

  it('in both SQL forms: the general one always, the joined one wherever it applies', () => {
    let joined = 0;
    for (const filter of filters) {
      for (const orderBy of [...ORDER_CASES, ...orderByItsOwnKeys(filter)]) {
        const q = query(filter, orderBy);
        const want = expected(q);
        assert.deepEqual(viaSql(compileGeneralRunSearch(q), q.maxResults), want, `general: ${filter} | ${orderBy.join(', ')}`);
        const fast = compileJoinedRunSearch(q);
        if (fast === undefined) continue;
        joined++;
        assert.deepEqual(viaSql(fast, q.maxResults), want, `joined: ${filter} | ${orderBy.join(', ')}`);
      }
    }
    assert.ok(joined >= 100, `the joined form was checked ${joined} times`);
  });

  it('pages cover the result exactly once, in order', async () => {
    for (const filter of filters.filter((_, i) => i % 4 === 0)) {
      for (const orderBy of [['metrics.acc DESC'], ['params.lr', 'tags.team DESC'], []]) {
        const all = expected(query(filter, orderBy));
        const pages: string[] = [];
        for (let offset = 0; ; offset += 7) {
          const q = query(filter, orderBy, { maxResults: 7, offset });
          const page = await store.searchRuns(q);
          assert.deepEqual(page.runs.map((r) => r.info.runId), expected(q), `${filter} | ${orderBy.join(', ')} @${offset}`);
          pages.push(...page.runs.map((r) => r.info.runId));
          if (page.nextOffset === null) break;
          assert.equal(page.nextOffset, offset + 7);
        }
        assert.deepEqual(pages, all);
      }
    }
  });

  it('over deleted runs, every lifecycle, and one experiment', async () => {
    for (const filter of filters.filter((_, i) => i % 3 === 0)) {
      for (const lifecycle of ['deleted', 'all'] as const) {
        const q = query(filter, ['metrics.acc DESC'], { lifecycle });
        assert.deepEqual(await viaStore(q), expected(q), `${filter} (${lifecycle})`);
      }
      const one = query(filter, [], { experimentIds: [scope[1]] });
      assert.deepEqual(await viaStore(one), expected(one), `${filter} (one experiment)`);
    }
  });
});

/** Orders by the keys a filter constrains, both ways: the shape the joined form takes. */
function orderByItsOwnKeys(filter: string): string[][] {
  const keys = [...filter.matchAll(/\b(metrics|params|tags)\.([a-z]+)\b/g)].map((m) => `${m[1]}.${m[2]}`);
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  return [unique.map((k) => `${k} DESC`), unique, [unique[0], 'start_time']];
}
