/**
 * The search grammar as every backend must answer it: one fixture of runs
 * and experiments, written through the store contract, and the ids (in
 * order) each filter and order must give, through `searchRuns` and
 * `searchExperiments`. A backend's test file calls
 * `describeSearchContract('sqlite', open)`. Together with the cross-backend
 * parity test (test/store/search-parity.test.ts) this is what makes "the same
 * ids in the same order" on SQLite and PostgreSQL a tested fact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LifecycleStage, MetricColumns } from '../entities';
import { isTracklabError } from '../errors';
import { parseExperimentFilter, parseExperimentOrderBy } from '../search/experiment-filter';
import { parseFilter } from '../search/filter-parser';
import { parseOrderBy } from '../search/order-by';
import type { TrackingStore } from './store';

export interface SearchFixtureStore {
  readonly store: TrackingStore;
  /** Sets an experiment's creation and update times, which the contract cannot (they are the clock's). */
  setExperimentTimes(experimentId: string, creationTime: number, lastUpdateTime: number): Promise<void>;
  close(): Promise<void>;
}

export interface FixtureRun {
  id: string; name: string; exp?: string; status?: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED'; start: number; end?: number | null;
  user?: string | null; parent?: string; deleted?: boolean;
  params?: Record<string, string>; tags?: Record<string, string>; metrics?: Record<string, number>;
}

export interface FixtureExperiment { key: string; name: string; created: number; updated: number; deleted?: boolean; tags?: Record<string, string> }

// r-a..r-e live in experiment e1; r-f in e2; r-x is deleted. r-c and r-d share a start time (ties break on run_id).
export const FIXTURE_EXPERIMENTS: readonly FixtureExperiment[] = [
  { key: 'e1', name: 'vision-baseline', created: 100, updated: 900, tags: { group: 'cv' } },
  { key: 'e2', name: 'Vision-large', created: 300, updated: 300, tags: { group: 'CV' } },
  { key: 'e3', name: 'nlp', created: 200, updated: 950, tags: { group: 'text' } },
  { key: 'e4', name: 'old', created: 50, updated: 50, deleted: true },
];

export const FIXTURE_RUNS: readonly FixtureRun[] = [
  { id: 'r-a', name: 'alpha-run', status: 'FINISHED', start: 1000, end: 2000, user: 'ann', params: { lr: '0.1', opt: 'adam', n: '1e400' }, tags: { team: 'Vision', note: '50% done' }, metrics: { acc: 0.9, loss: NaN } },
  { id: 'r-b', name: 'beta_run', status: 'FAILED', start: 2000, end: 2500, user: 'bob', params: { lr: '0.01', opt: 'Adam', n: '-1e-400' }, tags: { team: 'nlp' }, metrics: { acc: 0.5, loss: 0.3 } },
  { id: 'r-c', name: 'Gamma', status: 'RUNNING', start: 3000, end: null, user: null, params: { opt: 'sgd', n: ' 1' }, tags: { team: 'vision-x' }, metrics: { acc: NaN, loss: Infinity } },
  { id: 'r-d', name: 'delta*?[x]', status: 'FINISHED', start: 3000, end: 3500, user: 'ann', parent: 'r-a', params: { n: '.5' } },
  { id: 'r-e', name: 'épsilon', status: 'KILLED', start: 500, end: 600, user: 'Ann', params: { 'odd key\'); DROP TABLE runs; --': 'v', n: '5.' }, metrics: { acc: -Infinity, loss: -0.5 } },
  { id: 'r-f', name: 'other-exp', exp: 'e2', status: 'FINISHED', start: 4000, end: 4100, params: { opt: 'adam' }, metrics: { acc: 0.7 } },
  { id: 'r-x', name: 'gone', status: 'FINISHED', start: 5000, end: 5100, deleted: true, params: { opt: 'adam' }, metrics: { acc: 0.95 } },
];

/** Writes experiments and runs through the contract; returns the real experiment id of each fixture key. */
export async function loadFixture(
  target: SearchFixtureStore, experiments: readonly FixtureExperiment[], runs: readonly FixtureRun[],
): Promise<Map<string, string>> {
  const { store } = target;
  const ids = new Map<string, string>();
  for (const e of experiments) {
    const exp = await store.createExperiment({ name: e.name, tags: e.tags });
    ids.set(e.key, exp.experimentId);
  }
  for (const r of runs) {
    const experimentId = ids.get(r.exp ?? 'e1') as string;
    const status = r.status ?? 'FINISHED';
    await store.createRun({
      runId: r.id, runName: r.name, experimentId, startTime: r.start, user: r.user ?? undefined, parentRunId: r.parent,
      params: r.params, tags: r.tags,
      end: status === 'RUNNING' ? undefined : { status, statusMessage: null, endTime: r.end ?? r.start, metrics: [] },
    });
    const blocks: MetricColumns[] = Object.entries(r.metrics ?? {}).map(([key, v]) => ({
      runId: r.id, key, steps: new Float64Array([0]), timestamps: new Float64Array([0]), values: new Float64Array([v]),
    }));
    if (blocks.length) await store.appendMetrics(blocks);
    if (r.deleted) await store.setRunLifecycle(r.id, 'deleted');
  }
  for (const e of experiments) {
    const id = ids.get(e.key) as string;
    if (e.deleted) await store.setExperimentLifecycle(id, 'deleted');
    await target.setExperimentTimes(id, e.created, e.updated);
  }
  return ids;
}

interface Options { experiments?: string[]; lifecycle?: LifecycleStage | 'all'; maxResults?: number; offset?: number }

/** Registers the grammar tests for one backend. */
export function describeSearchContract(name: string, open: () => Promise<SearchFixtureStore>): void {
  let target: SearchFixtureStore;
  let expIds: Map<string, string>;

  async function page(filter: string, orderBy?: string | string[], o: Options = {}): Promise<{ ids: string[]; nextOffset: number | null }> {
    const result = await target.store.searchRuns({
      experimentIds: (o.experiments ?? ['e1']).map((k) => expIds.get(k) ?? k), filter: parseFilter(filter), orderBy: parseOrderBy(orderBy),
      maxResults: o.maxResults ?? 1000, offset: o.offset ?? 0, lifecycle: o.lifecycle ?? 'active',
    });
    return { ids: result.runs.map((r) => r.info.runId), nextOffset: result.nextOffset };
  }
  const search = async (filter: string, orderBy?: string | string[], o: Options = {}) => (await page(filter, orderBy, o)).ids;
  const matching = async (filter: string, o: Options = {}) => (await search(filter, undefined, o)).sort();

  describe(`${name} search grammar`, () => {
    before(async () => {
      target = await open();
      expIds = await loadFixture(target, FIXTURE_EXPERIMENTS, FIXTURE_RUNS);
    });
    after(() => target.close());

    describe('metrics', () => {
      it('applies each numeric comparator to the latest value; NaN only satisfies !=; missing satisfies nothing', async () => {
        assert.deepEqual(await matching('metrics.acc > 0.5'), ['r-a']);
        assert.deepEqual(await matching('metrics.acc >= 0.5'), ['r-a', 'r-b']);
        assert.deepEqual(await matching('metrics.acc < 0.9'), ['r-b', 'r-e']);
        assert.deepEqual(await matching('metrics.acc <= 0.9'), ['r-a', 'r-b', 'r-e']);
        assert.deepEqual(await matching('metrics.acc = 0.5'), ['r-b']);
        assert.deepEqual(await matching('metrics.acc != 0.5'), ['r-a', 'r-c', 'r-e']);
      });

      it('compares infinities as numbers', async () => {
        assert.deepEqual(await matching('metrics.loss > 1e308'), ['r-c']);
        assert.deepEqual(await matching('metrics.acc < -1e308'), ['r-e']);
        assert.deepEqual(await matching('metrics.loss < 0'), ['r-e']);
      });

      it('tests presence with IS NULL / IS NOT NULL', async () => {
        assert.deepEqual(await matching('metrics.acc IS NULL'), ['r-d']);
        assert.deepEqual(await matching('metrics.acc IS NOT NULL'), ['r-a', 'r-b', 'r-c', 'r-e']);
      });
    });

    describe('params and tags', () => {
      it('compares strings exactly and case-sensitively; != needs the key', async () => {
        assert.deepEqual(await matching("params.opt = 'adam'"), ['r-a']);
        assert.deepEqual(await matching("params.opt != 'adam'"), ['r-b', 'r-c']);
        assert.deepEqual(await matching("params.lr = '0.1'"), ['r-a']);
        assert.deepEqual(await matching("tags.team = 'Vision'"), ['r-a']);
        assert.deepEqual(await matching("tags.team != 'Vision'"), ['r-b', 'r-c']);
      });

      it('LIKE is case-sensitive with % and _; ILIKE ignores case', async () => {
        assert.deepEqual(await matching("params.opt LIKE 'a%'"), ['r-a']);
        assert.deepEqual(await matching("params.opt LIKE 'A%'"), ['r-b']);
        assert.deepEqual(await matching("params.opt LIKE '_dam'"), ['r-a', 'r-b']);
        assert.deepEqual(await matching("params.opt LIKE 'ad_m'"), ['r-a']);
        assert.deepEqual(await matching("params.opt ILIKE 'a%'"), ['r-a', 'r-b']);
        assert.deepEqual(await matching("params.opt ILIKE '_DAM'"), ['r-a', 'r-b']);
        assert.deepEqual(await matching("tags.team ILIKE 'vision%'"), ['r-a', 'r-c']);
        assert.deepEqual(await matching("tags.team LIKE 'vision'"), []);
        assert.deepEqual(await matching("tags.note LIKE '50%'"), ['r-a']);
        assert.deepEqual(await matching("params.opt LIKE '%'"), ['r-a', 'r-b', 'r-c']);
      });

      it('NOT LIKE / NOT ILIKE need the key too', async () => {
        assert.deepEqual(await matching("params.opt NOT LIKE 'a%'"), ['r-b', 'r-c']);
        assert.deepEqual(await matching("params.opt NOT ILIKE 'a%'"), ['r-c']);
      });

      it('compares a param with an unquoted number numerically; values that are not numbers never match', async () => {
        assert.deepEqual(await matching('params.lr < 0.05'), ['r-b']);
        assert.deepEqual(await matching('params.lr <= 0.1'), ['r-a', 'r-b']);
        assert.deepEqual(await matching('params.lr = 1e-1'), ['r-a']);
        assert.deepEqual(await matching('params.lr != 0.1'), ['r-b']);
        assert.deepEqual(await matching('params.opt > -1e308 OR params.opt != 0'), [], 'adam/sgd are not numbers');
        assert.deepEqual(await matching("params.lr = '1e-1'"), [], 'a quoted value still compares as text');
      });

      it('reads param numbers as JavaScript does: out of range is ±Infinity or ±0, spaces make text', async () => {
        assert.deepEqual(await matching('params.n > 1e308'), ['r-a']);
        assert.deepEqual(await matching('params.n = 0'), ['r-b']);
        assert.deepEqual(await matching('params.n < 0'), [], '-1e-400 reads as -0, which is not below 0');
        assert.deepEqual(await matching('params.n >= 0.5'), ['r-a', 'r-d', 'r-e']);
        assert.deepEqual(await matching('params.n != 1'), ['r-a', 'r-b', 'r-d', 'r-e']);
      });

      it('tests presence with IS NULL / IS NOT NULL', async () => {
        assert.deepEqual(await matching('params.lr IS NULL'), ['r-c', 'r-d', 'r-e']);
        assert.deepEqual(await matching('tags.team IS NOT NULL'), ['r-a', 'r-b', 'r-c']);
      });

      it('binds keys and values as parameters, so SQL in them is inert', async () => {
        assert.deepEqual(await matching("params.`odd key'); DROP TABLE runs; --` = 'v'"), ['r-e']);
        assert.deepEqual(await matching("params.opt = 'x'' OR 1=1 --'"), []);
        assert.equal((await search('', undefined, { experiments: ['e1', 'e2'], lifecycle: 'all' })).length, FIXTURE_RUNS.length);
      });
    });

    describe('attributes', () => {
      it('compares string attributes, ILIKE folding ASCII letters only', async () => {
        assert.deepEqual(await matching("attributes.status = 'FAILED'"), ['r-b']);
        assert.deepEqual(await matching("status != 'FINISHED'"), ['r-b', 'r-c', 'r-e']);
        assert.deepEqual(await matching("run_name LIKE '%run'"), ['r-a', 'r-b']);
        assert.deepEqual(await matching("run_name ILIKE 'gam%'"), ['r-c']);
        assert.deepEqual(await matching("`Run Name` = 'Gamma'"), ['r-c']);
        assert.deepEqual(await matching("attributes.user_id = 'ann'"), ['r-a', 'r-d']);
        assert.deepEqual(await matching("attributes.user_id ILIKE 'ANN'"), ['r-a', 'r-d', 'r-e']);
        assert.deepEqual(await matching("run_name = 'épsilon'"), ['r-e']);
        assert.deepEqual(await matching("run_name ILIKE 'ÉPSILON'"), [], 'É is not an ASCII letter, so ILIKE does not fold it');
        assert.deepEqual(await matching("run_name ILIKE 'éPSILON'"), ['r-e']);
      });

      it('treats GLOB and regex characters in a LIKE pattern literally, with no escape character', async () => {
        assert.deepEqual(await matching("run_name LIKE 'delta*?[x]'"), ['r-d']);
        assert.deepEqual(await matching("run_name LIKE 'delta*%'"), ['r-d']);
        assert.deepEqual(await matching("run_name LIKE 'delta_?%'"), ['r-d']);
        assert.deepEqual(await matching("run_name LIKE 'delt*'"), []);
        assert.deepEqual(await matching("tags.note LIKE '50\\%%'"), [], 'a backslash is an ordinary character');
      });

      it('compares numeric attributes; a NULL end_time matches no comparison', async () => {
        assert.deepEqual(await matching('attributes.start_time > 1000'), ['r-b', 'r-c', 'r-d']);
        assert.deepEqual(await matching('created <= 1000'), ['r-a', 'r-e']);
        assert.deepEqual(await matching('attributes.start_time > 999.5'), ['r-a', 'r-b', 'r-c', 'r-d']);
        assert.deepEqual(await matching('attributes.end_time >= 0'), ['r-a', 'r-b', 'r-d', 'r-e']);
        assert.deepEqual(await matching('attributes.end_time != 2000'), ['r-b', 'r-d', 'r-e']);
        assert.deepEqual(await matching('attributes.end_time IS NULL'), ['r-c']);
      });

      it('matches run_id, experiment_id and parent_run_id lists with IN / NOT IN', async () => {
        assert.deepEqual(await matching("attributes.run_id IN ('r-a', 'r-c', 'nope')"), ['r-a', 'r-c']);
        assert.deepEqual(await matching("run_id NOT IN ('r-a', 'r-c')"), ['r-b', 'r-d', 'r-e']);
        assert.deepEqual(await matching("parent_run_id IN ('r-a')"), ['r-d']);
        assert.deepEqual(await matching("parent_run_id NOT IN ('zzz')"), ['r-d']);
        assert.deepEqual(await matching(`experiment_id IN ('${expIds.get('e2')}')`, { experiments: ['e1', 'e2'] }), ['r-f']);
      });

      it('handles long IN lists', async () => {
        const list = Array.from({ length: 3000 }, (_, i) => `'x${i}'`).concat(["'r-b'"]);
        assert.deepEqual(await matching(`run_id IN (${list.join(',')})`), ['r-b']);
      });

      it('searches artifact_uri as runs:/<run_id>, and tags.mlflow.runName as the run name (as MLflow answers both)', async () => {
        assert.deepEqual(await matching("attributes.artifact_uri = 'runs:/r-b'"), ['r-b']);
        assert.deepEqual(await matching("artifact_uri LIKE 'runs:/r-%'"), ['r-a', 'r-b', 'r-c', 'r-d', 'r-e']);
        assert.deepEqual(await matching("artifact_uri ILIKE '%R-C'"), ['r-c']);
        assert.deepEqual(await search('', 'attributes.artifact_uri DESC'), ['r-e', 'r-d', 'r-c', 'r-b', 'r-a']);
        assert.deepEqual(await matching("tags.mlflow.runName = 'Gamma'"), ['r-c']);
        assert.deepEqual(await matching("tags.`mlflow.runName` LIKE '%run'"), ['r-a', 'r-b']);
        assert.deepEqual(await matching("tags.mlflow.runName != 'Gamma' AND status = 'FINISHED'"), ['r-a', 'r-d']);
        assert.deepEqual(await search('', 'tags.mlflow.runName'), await search('', 'run_name'));
      });

      it('refuses an unknown attribute with a clear error', async () => {
        await assert.rejects(matching("attributes.colour = 'x'"), (err: unknown) => isTracklabError(err, 'INVALID_PARAMETER_VALUE'));
      });
    });

    describe('AND, OR, parentheses', () => {
      it('binds AND tighter than OR', async () => {
        assert.deepEqual(await matching("params.opt = 'sgd' OR metrics.acc > 0.8 AND tags.team = 'nlp'"), ['r-c']);
        assert.deepEqual(await matching("(params.opt = 'sgd' OR metrics.acc > 0.8) AND tags.team = 'nlp'"), []);
        assert.deepEqual(await matching("(params.opt = 'sgd' OR metrics.acc > 0.8) AND tags.team ILIKE 'vision%'"), ['r-a', 'r-c']);
      });

      it('mixes attribute clauses with metric, param and tag clauses in both operators', async () => {
        assert.deepEqual(await matching("status = 'FAILED' OR params.opt = 'sgd'"), ['r-b', 'r-c']);
        assert.deepEqual(await matching("status = 'FINISHED' AND (metrics.acc > 0.8 OR parent_run_id = 'r-a')"), ['r-a', 'r-d']);
        assert.deepEqual(await matching("(metrics.acc > 0.8 OR metrics.loss < 0) AND (tags.team = 'Vision' OR run_name = 'épsilon')"), ['r-a', 'r-e']);
        assert.deepEqual(await matching("metrics.acc > 0 AND params.opt ILIKE 'adam' AND tags.team IS NOT NULL AND user_id = 'ann'"), ['r-a']);
        assert.deepEqual(await matching('params.lr IS NULL OR metrics.acc = 0.5'), ['r-b', 'r-c', 'r-d', 'r-e']);
        assert.deepEqual(await matching("(params.opt = 'adam' OR params.opt = 'Adam') AND (tags.team = 'nlp' OR tags.team = 'Vision')"), ['r-a', 'r-b']);
        assert.deepEqual(await matching("((metrics.acc > 0.8 OR metrics.acc < 0) AND (params.opt = 'adam' OR params.lr IS NULL)) OR tags.team = 'nlp'"), ['r-a', 'r-b', 'r-e']);
      });
    });

    describe('scope', () => {
      it('searches the given experiments and lifecycle', async () => {
        assert.deepEqual(await matching("params.opt = 'adam'", { experiments: ['e1', 'e2'] }), ['r-a', 'r-f']);
        assert.deepEqual(await matching("params.opt = 'adam'", { lifecycle: 'deleted' }), ['r-x']);
        assert.deepEqual(await matching("params.opt = 'adam'", { lifecycle: 'all' }), ['r-a', 'r-x']);
        assert.deepEqual(await matching('', { experiments: [] }), []);
      });
    });

    describe('order', () => {
      it('defaults to start_time DESC, then run_id', async () => {
        assert.deepEqual(await search(''), ['r-c', 'r-d', 'r-b', 'r-a', 'r-e']);
      });

      it('orders by metrics with NaN and then missing values last, in both directions', async () => {
        assert.deepEqual(await search('', 'metrics.acc DESC'), ['r-a', 'r-b', 'r-e', 'r-c', 'r-d']);
        assert.deepEqual(await search('', 'metrics.acc ASC'), ['r-e', 'r-b', 'r-a', 'r-c', 'r-d']);
        assert.deepEqual(await search('', 'metrics.loss'), ['r-e', 'r-b', 'r-c', 'r-a', 'r-d']);
        assert.deepEqual(await search('', 'metrics.loss DESC'), ['r-c', 'r-b', 'r-e', 'r-a', 'r-d']);
      });

      it('orders by params and tags as strings (by bytes) with missing values last, in both directions', async () => {
        assert.deepEqual(await search('', 'params.lr'), ['r-b', 'r-a', 'r-c', 'r-d', 'r-e']);
        assert.deepEqual(await search('', 'params.lr DESC'), ['r-a', 'r-b', 'r-c', 'r-d', 'r-e']);
        assert.deepEqual(await search('', 'tags.team DESC'), ['r-c', 'r-b', 'r-a', 'r-d', 'r-e']);
        assert.deepEqual(await search('', 'params.opt'), ['r-b', 'r-a', 'r-c', 'r-d', 'r-e'], "'Adam' sorts before 'adam' by bytes");
      });

      it('orders by attributes, nullable ones with NULL last', async () => {
        assert.deepEqual(await search('', 'start_time ASC'), ['r-e', 'r-a', 'r-b', 'r-c', 'r-d']);
        assert.deepEqual(await search('', 'attributes.end_time DESC'), ['r-d', 'r-b', 'r-a', 'r-e', 'r-c']);
        assert.deepEqual(await search('', 'attributes.end_time'), ['r-e', 'r-a', 'r-b', 'r-d', 'r-c']);
        assert.deepEqual(await search('', 'run_name'), ['r-c', 'r-a', 'r-b', 'r-d', 'r-e']);
        assert.deepEqual(await search('', ['user_id DESC', 'run_id DESC']), ['r-b', 'r-d', 'r-a', 'r-e', 'r-c']);
      });

      it('applies clauses in turn, then the default tie-breakers', async () => {
        assert.deepEqual(await search('', ['params.opt', 'metrics.acc DESC']), ['r-b', 'r-a', 'r-c', 'r-e', 'r-d']);
        assert.deepEqual(await search('', ['status', 'start_time']), ['r-b', 'r-a', 'r-d', 'r-e', 'r-c']);
      });

      it('combines a filter with an order', async () => {
        assert.deepEqual(await search("metrics.acc != 0.5 AND status != 'KILLED'", 'metrics.acc DESC'), ['r-a', 'r-c']);
        assert.deepEqual(await search("metrics.acc > -1e308 AND params.opt LIKE '%a%'", 'metrics.acc DESC'), ['r-a', 'r-b']);
      });
    });

    describe('paging', () => {
      it('says when another page follows, and pages cover the result exactly once', async () => {
        const all = await search('', 'metrics.acc DESC');
        assert.equal((await page('', 'metrics.acc DESC', { maxResults: 2 })).nextOffset, 2);
        const pages: string[] = [];
        for (let offset: number | null = 0; offset !== null;) {
          const p: { ids: string[]; nextOffset: number | null } = await page('', 'metrics.acc DESC', { maxResults: 2, offset });
          pages.push(...p.ids);
          offset = p.nextOffset;
        }
        assert.deepEqual(pages, all);
        assert.deepEqual(await page('', 'metrics.acc DESC', { maxResults: 5 }), { ids: all, nextOffset: null });
      });

      it('refuses bad page sizes and offsets', async () => {
        const base = { experimentIds: [expIds.get('e1') as string], orderBy: [], lifecycle: 'active' as const };
        await assert.rejects(target.store.searchRuns({ ...base, maxResults: 0, offset: 0 }), /maxResults must be a positive integer/);
        await assert.rejects(target.store.searchRuns({ ...base, maxResults: 10, offset: -1 }), /offset must be a non-negative integer/);
      });
    });

    describe('experiments', () => {
      async function experiments(filter: string, orderBy?: string | string[], lifecycle: LifecycleStage | 'all' = 'active'): Promise<string[]> {
        const byId = new Map([...expIds].map(([k, v]) => [v, k]));
        const { experiments: found } = await target.store.searchExperiments({
          filter: parseExperimentFilter(filter), orderBy: parseExperimentOrderBy(orderBy), maxResults: 100, offset: 0, lifecycle,
        });
        return found.map((e) => byId.get(e.experimentId) ?? e.experimentId);
      }

      it('defaults to creation_time DESC', async () => {
        assert.deepEqual(await experiments(''), ['e2', 'e3', 'e1']);
        assert.deepEqual(await experiments('', undefined, 'all'), ['e2', 'e3', 'e1', 'e4']);
        assert.deepEqual(await experiments('', undefined, 'deleted'), ['e4']);
      });

      it('filters on name, times and tags', async () => {
        assert.deepEqual(await experiments("name = 'nlp'"), ['e3']);
        assert.deepEqual(await experiments("attributes.name LIKE 'vision%'"), ['e1']);
        assert.deepEqual(await experiments("name ILIKE 'vision%'"), ['e2', 'e1']);
        assert.deepEqual(await experiments("name != 'nlp'"), ['e2', 'e1']);
        assert.deepEqual(await experiments('creation_time >= 200'), ['e2', 'e3']);
        assert.deepEqual(await experiments('last_update_time > 900'), ['e3']);
        assert.deepEqual(await experiments("tags.group = 'cv'"), ['e1']);
        assert.deepEqual(await experiments("tags.group ILIKE 'cv'"), ['e2', 'e1']);
        assert.deepEqual(await experiments("tags.group != 'cv'"), ['e2', 'e3']);
        assert.deepEqual(await experiments("tags.group = 'text' OR name LIKE '%large'"), ['e2', 'e3']);
        assert.deepEqual(await experiments('tags.missing IS NULL'), ['e2', 'e3', 'e1']);
      });

      it('orders by the given attributes, names by bytes', async () => {
        assert.deepEqual(await experiments('', 'name'), ['e2', 'e3', 'e1']);
        assert.deepEqual(await experiments('', 'last_update_time DESC'), ['e3', 'e1', 'e2']);
      });
    });
  });
}

/**
 * 90 runs over two experiments (some deleted), with metric values that tie,
 * NaN and missing keys, params and tags from small vocabularies, and start
 * times that tie, so every tie-breaker matters. For parity tests.
 */
export function mixedRuns(): FixtureRun[] {
  const acc = [0.1, 0.5, 0.5, 0.9, NaN, -Infinity, Infinity, 0, 0.7];
  const runs: FixtureRun[] = [];
  for (let i = 0; i < 90; i++) {
    const id = `m-${String((i * 37) % 90).padStart(2, '0')}`;
    const params: Record<string, string> = {};
    const tags: Record<string, string> = {};
    if (i % 5 !== 0) params.opt = ['adam', 'sgd', 'Adam'][i % 3];
    if (i % 4 !== 1) params.lr = ['0.1', '0.01'][i % 2];
    if (i % 6 !== 2) tags.team = ['nlp', 'vision', 'Vision-X', 'näive'][i % 4];
    const metrics: Record<string, number> = { acc: acc[i % acc.length], loss: acc[(i * 5 + Math.floor(i / 9)) % acc.length] };
    if (i % 8 === 3) delete metrics.acc;
    if (i % 10 === 4) delete metrics.loss;
    runs.push({
      id, name: ['alpha', 'Beta', 'gamma_1', 'delta%'][i % 4] + String(i % 3), exp: i % 4 === 0 ? 'e2' : 'e1',
      status: i % 3 === 0 ? 'FAILED' : 'FINISHED', start: 1000 + (i % 7) * 10, end: i % 9 === 0 ? 5000 : 2000 + i,
      user: i % 5 === 1 ? null : ['ann', 'Ann', 'bob'][i % 3], deleted: i % 11 === 0, params, tags, metrics,
    });
  }
  return runs;
}
