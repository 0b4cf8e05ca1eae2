/**
 * The PostgreSQL store's run search against the independent oracle
 * (test/support/search-oracle.ts), on the shared cases (search-cases.ts):
 * the runs go in through the store contract, and every filter x order, pages,
 * lifecycles and one-experiment scopes must give the oracle's ids in its
 * order. The SQLite store passes the same cases (sqlite/search-oracle.test.ts),
 * so both backends answer alike.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseFilter } from '../../search/filter-parser';
import { parseOrderBy } from '../../search/order-by';
import type { RunSearchQuery } from '../store';
import { openStore } from '../open-store';
import type { StoreBackend } from '../backend';
import { ORDER_CASES, SEARCH_EXPERIMENTS, filterCases, runsWithExperimentIds, seedSearchRuns } from '../../../test/support/search-cases';
import { oracleSearch, type OracleRun } from '../../../test/support/search-oracle';
import { freshDatabase } from '../../../test/support/postgres-cluster';

let backend: StoreBackend;
let drop: () => void;
let runs: OracleRun[];
let scope: string[];
let filters: string[];

before(async () => {
  const db = freshDatabase();
  drop = db.drop;
  backend = await openStore(db.uri);
  const experiments = await seedSearchRuns(backend.tracking);
  runs = runsWithExperimentIds(experiments);
  filters = filterCases(experiments);
  scope = [experiments.get(SEARCH_EXPERIMENTS[0])!, experiments.get(SEARCH_EXPERIMENTS[1])!];
});

after(async () => {
  await backend?.close();
  drop?.();
});

function query(filter: string, orderBy: readonly string[], extra: Partial<RunSearchQuery> = {}): RunSearchQuery {
  return { experimentIds: scope, filter: parseFilter(filter), orderBy: parseOrderBy(orderBy), maxResults: 1000, offset: 0, lifecycle: 'active', ...extra };
}

async function viaStore(q: RunSearchQuery): Promise<string[]> {
  return (await backend.tracking.searchRuns(q)).runs.map((r) => r.info.runId);
}

describe('PostgreSQL run search agrees with the oracle', () => {
  it('for every filter and order: same ids, same order', async () => {
    let compared = 0;
    for (const filter of filters) {
      for (const orderBy of ORDER_CASES) {
        const q = query(filter, orderBy);
        assert.deepEqual(await viaStore(q), oracleSearch(runs, q), `${filter} | ${orderBy.join(', ')}`);
        compared++;
      }
    }
    assert.equal(compared, filters.length * ORDER_CASES.length);
  });

  it('pages cover the result exactly once, in order, with the same next offsets', async () => {
    for (const filter of filters.filter((_, i) => i % 4 === 0)) {
      for (const orderBy of [['metrics.acc DESC'], ['params.lr', 'tags.team DESC'], []]) {
        const pages: string[] = [];
        for (let offset = 0; ; offset += 7) {
          const q = query(filter, orderBy, { maxResults: 7, offset });
          const page = await backend.tracking.searchRuns(q);
          assert.deepEqual(page.runs.map((r) => r.info.runId), oracleSearch(runs, q), `${filter} | ${orderBy.join(', ')} @${offset}`);
          pages.push(...page.runs.map((r) => r.info.runId));
          if (page.nextOffset === null) break;
          assert.equal(page.nextOffset, offset + 7);
        }
        assert.deepEqual(pages, oracleSearch(runs, query(filter, orderBy)));
      }
    }
  });

  it('over deleted runs, every lifecycle, and one experiment', async () => {
    for (const filter of filters.filter((_, i) => i % 3 === 0)) {
      for (const lifecycle of ['deleted', 'all'] as const) {
        const q = query(filter, ['metrics.acc DESC'], { lifecycle });
        assert.deepEqual(await viaStore(q), oracleSearch(runs, q), `${filter} (${lifecycle})`);
      }
      const one = query(filter, [], { experimentIds: [scope[1]] });
      assert.deepEqual(await viaStore(one), oracleSearch(runs, one), `${filter} (one experiment)`);
    }
  });
});
