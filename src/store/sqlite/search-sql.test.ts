import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { LifecycleStage } from '../../entities';
import { isTracklabError } from '../../errors';
import { parseExperimentFilter, parseExperimentOrderBy } from '../../search/experiment-filter';
import { parseFilter } from '../../search/filter-parser';
import { parseOrderBy } from '../../search/order-by';
import { migrations } from './schema';
import { registerSearchFunctions } from './search-functions';
import { oracleSearch, type OracleRun } from '../../../test/support/search-oracle';
import { compileExperimentSearch, compileGeneralRunSearch, compileJoinedRunSearch, compileRunSearch, type CompiledQuery, likeToGlob } from './search-sql';

let dir: string;
let db: Database.Database;

interface RunRow {
  id: string; name: string; exp?: string; status?: string; start: number; end?: number | null; user?: string | null;
  parent?: string; deleted?: boolean;
  params?: Record<string, string>; tags?: Record<string, string>; metrics?: Record<string, number>;
}

// r-a..r-e live in experiment e1; r-f in e2; r-x is deleted. r-c and r-d share a start time (ties break on run_id).
const RUNS: RunRow[] = [
  { id: 'r-a', name: 'alpha-run', status: 'FINISHED', start: 1000, end: 2000, user: 'ann', params: { lr: '0.1', opt: 'adam' }, tags: { team: 'Vision', note: '50% done' }, metrics: { acc: 0.9, loss: NaN } },
  { id: 'r-b', name: 'beta_run', status: 'FAILED', start: 2000, end: 2500, user: 'bob', params: { lr: '0.01', opt: 'Adam' }, tags: { team: 'nlp' }, metrics: { acc: 0.5, loss: 0.3 } },
  { id: 'r-c', name: 'Gamma', status: 'RUNNING', start: 3000, end: null, user: null, params: { opt: 'sgd' }, tags: { team: 'vision-x' }, metrics: { acc: NaN, loss: Infinity } },
  { id: 'r-d', name: 'delta*?[x]', status: 'FINISHED', start: 3000, end: 3500, user: 'ann', parent: 'r-a' },
  { id: 'r-e', name: 'épsilon', status: 'KILLED', start: 500, end: 600, user: 'Ann', params: { 'odd key\'); DROP TABLE runs; --': 'v' }, metrics: { acc: -Infinity, loss: -0.5 } },
  { id: 'r-f', name: 'other-exp', exp: 'e2', status: 'FINISHED', start: 4000, end: 4100, params: { opt: 'adam' }, metrics: { acc: 0.7 } },
  { id: 'r-x', name: 'gone', status: 'FINISHED', start: 5000, end: 5100, deleted: true, params: { opt: 'adam' }, metrics: { acc: 0.95 } },
];

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  db = new Database(path.join(dir, 'store.db'));
  registerSearchFunctions(db);
  db.exec(migrations[0].sql);
  const exp = db.prepare('INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)');
  exp.run('e1', 'vision-baseline', 'active', 100, 900);
  exp.run('e2', 'Vision-large', 'active', 300, 300);
  exp.run('e3', 'nlp', 'active', 200, 950);
  exp.run('e4', 'old', 'deleted', 50, 50);
  const etag = db.prepare('INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)');
  etag.run('e1', 'group', 'cv');
  etag.run('e2', 'group', 'CV');
  etag.run('e3', 'group', 'text');
  const run = db.prepare(`INSERT INTO runs (run_id, run_name, experiment_id, parent_run_id, status, start_time, end_time, user_id, lifecycle_stage)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const param = db.prepare('INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)');
  const tag = db.prepare('INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)');
  const metric = db.prepare(`INSERT INTO metric_summaries (run_id, key, last_value, last_is_nan, last_step, last_timestamp, min_value, max_value, count)
    VALUES (?, ?, ?, ?, 0, 0, ?, ?, 1)`);
  for (const r of RUNS) {
    run.run(r.id, r.name, r.exp ?? 'e1', r.parent ?? null, r.status ?? 'FINISHED', r.start, r.end ?? null, r.user ?? null, r.deleted === true ? 'deleted' : 'active');
    for (const [k, v] of Object.entries(r.params ?? {})) param.run(r.id, k, v);
    for (const [k, v] of Object.entries(r.tags ?? {})) tag.run(r.id, k, v);
    // As the store writes them: NaN becomes NULL with the flag set.
    for (const [k, v] of Object.entries(r.metrics ?? {})) metric.run(r.id, k, Number.isNaN(v) ? null : v, Number.isNaN(v) ? 1 : 0, Number.isNaN(v) ? null : v, Number.isNaN(v) ? null : v);
  }
});

after(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Options { experiments?: string[]; lifecycle?: LifecycleStage | 'all'; maxResults?: number; offset?: number }

function search(filter: string, orderBy?: string | string[], o: Options = {}): string[] {
  const q = compileRunSearch({
    experimentIds: o.experiments ?? ['e1'], filter: parseFilter(filter), orderBy: parseOrderBy(orderBy),
    maxResults: o.maxResults ?? 1000, offset: o.offset ?? 0, lifecycle: o.lifecycle ?? 'active',
  });
  return db.prepare(q.sql).pluck().all(...q.params) as string[];
}

/** The matching ids, order ignored. */
function matching(filter: string, o: Options = {}): string[] {
  return search(filter, undefined, o).sort();
}

describe('run search: metrics', () => {
  it('applies each numeric comparator to the latest value; NaN only satisfies !=; missing satisfies nothing', () => {
    assert.deepEqual(matching('metrics.acc > 0.5'), ['r-a']);
    assert.deepEqual(matching('metrics.acc >= 0.5'), ['r-a', 'r-b']);
    assert.deepEqual(matching('metrics.acc < 0.9'), ['r-b', 'r-e']);
    assert.deepEqual(matching('metrics.acc <= 0.9'), ['r-a', 'r-b', 'r-e']);
    assert.deepEqual(matching('metrics.acc = 0.5'), ['r-b']);
    assert.deepEqual(matching('metrics.acc != 0.5'), ['r-a', 'r-c', 'r-e']);
  });

  it('compares infinities as numbers', () => {
    assert.deepEqual(matching('metrics.loss > 1e308'), ['r-c']);
    assert.deepEqual(matching('metrics.acc < -1e308'), ['r-e']);
    assert.deepEqual(matching('metrics.loss < 0'), ['r-e']);
  });

  it('tests presence with IS NULL / IS NOT NULL', () => {
    assert.deepEqual(matching('metrics.acc IS NULL'), ['r-d']);
    assert.deepEqual(matching('metrics.acc IS NOT NULL'), ['r-a', 'r-b', 'r-c', 'r-e']);
  });
});

describe('run search: params and tags', () => {
  it('compares strings exactly and case-sensitively; != needs the key', () => {
    assert.deepEqual(matching("params.opt = 'adam'"), ['r-a']);
    assert.deepEqual(matching("params.opt != 'adam'"), ['r-b', 'r-c']);
    assert.deepEqual(matching("params.lr = '0.1'"), ['r-a']);
    assert.deepEqual(matching("tags.team = 'Vision'"), ['r-a']);
    assert.deepEqual(matching("tags.team != 'Vision'"), ['r-b', 'r-c']);
  });

  it('LIKE is case-sensitive with % and _; ILIKE ignores case', () => {
    assert.deepEqual(matching("params.opt LIKE 'a%'"), ['r-a']);
    assert.deepEqual(matching("params.opt LIKE 'A%'"), ['r-b']);
    assert.deepEqual(matching("params.opt LIKE '_dam'"), ['r-a', 'r-b']);
    assert.deepEqual(matching("params.opt LIKE 'ad_m'"), ['r-a']);
    assert.deepEqual(matching("params.opt ILIKE 'a%'"), ['r-a', 'r-b']);
    assert.deepEqual(matching("params.opt ILIKE '_DAM'"), ['r-a', 'r-b']);
    assert.deepEqual(matching("tags.team ILIKE 'vision%'"), ['r-a', 'r-c']);
    assert.deepEqual(matching("tags.team LIKE 'vision'"), []);
    assert.deepEqual(matching("tags.note LIKE '50%'"), ['r-a']);
    assert.deepEqual(matching("params.opt LIKE '%'"), ['r-a', 'r-b', 'r-c']);
  });

  it('NOT LIKE / NOT ILIKE need the key too', () => {
    assert.deepEqual(matching("params.opt NOT LIKE 'a%'"), ['r-b', 'r-c']);
    assert.deepEqual(matching("params.opt NOT ILIKE 'a%'"), ['r-c']);
  });

  it('keeps LIKE case-sensitive even when the connection says otherwise', () => {
    db.pragma('case_sensitive_like = ON');
    try {
      assert.deepEqual(matching("params.opt ILIKE 'a%'"), ['r-a', 'r-b']);
      assert.deepEqual(matching("params.opt LIKE 'a%'"), ['r-a']);
    } finally {
      db.pragma('case_sensitive_like = OFF');
    }
    assert.deepEqual(matching("params.opt LIKE 'a%'"), ['r-a']);
  });

  it('compares a param with an unquoted number numerically; values that are not numbers never match', () => {
    assert.deepEqual(matching('params.lr < 0.05'), ['r-b']);
    assert.deepEqual(matching('params.lr <= 0.1'), ['r-a', 'r-b']);
    assert.deepEqual(matching('params.lr = 1e-1'), ['r-a']);
    assert.deepEqual(matching('params.lr != 0.1'), ['r-b']);
    assert.deepEqual(matching('params.opt > -1e308 OR params.opt != 0'), [], 'adam/sgd are not numbers');
    assert.deepEqual(matching("params.lr = '1e-1'"), [], 'a quoted value still compares as text');
  });

  it('tests presence with IS NULL / IS NOT NULL', () => {
    assert.deepEqual(matching('params.lr IS NULL'), ['r-c', 'r-d', 'r-e']);
    assert.deepEqual(matching('tags.team IS NOT NULL'), ['r-a', 'r-b', 'r-c']);
  });

  it('binds keys and values as parameters, so SQL in them is inert', () => {
    assert.deepEqual(matching("params.`odd key'); DROP TABLE runs; --` = 'v'"), ['r-e']);
    assert.deepEqual(matching("params.opt = 'x'' OR 1=1 --'"), []);
    const q = compileRunSearch({ experimentIds: ['e1'], filter: parseFilter("params.`odd key'); DROP TABLE runs; --` = 'adam'"), orderBy: parseOrderBy("tags.`x'y`"), maxResults: 5, offset: 0, lifecycle: 'active' });
    assert.ok(!q.sql.includes('DROP') && !q.sql.includes('adam') && !q.sql.includes("x'y"), q.sql);
    assert.equal((db.prepare('SELECT count(*) FROM runs').pluck().get() as number), RUNS.length);
  });
});

describe('run search: attributes', () => {
  it('compares string attributes', () => {
    assert.deepEqual(matching("attributes.status = 'FAILED'"), ['r-b']);
    assert.deepEqual(matching("status != 'FINISHED'"), ['r-b', 'r-c', 'r-e']);
    assert.deepEqual(matching("run_name LIKE '%run'"), ['r-a', 'r-b']);
    assert.deepEqual(matching("run_name ILIKE 'gam%'"), ['r-c']);
    assert.deepEqual(matching("`Run Name` = 'Gamma'"), ['r-c']);
    assert.deepEqual(matching("attributes.user_id = 'ann'"), ['r-a', 'r-d']);
    assert.deepEqual(matching("attributes.user_id ILIKE 'ANN'"), ['r-a', 'r-d', 'r-e']);
    assert.deepEqual(matching("run_name = 'épsilon'"), ['r-e']);
  });

  it('treats GLOB characters in a LIKE pattern literally', () => {
    assert.deepEqual(matching("run_name LIKE 'delta*?[x]'"), ['r-d']);
    assert.deepEqual(matching("run_name LIKE 'delta*%'"), ['r-d']);
    assert.deepEqual(matching("run_name LIKE 'delta_?%'"), ['r-d']);
    assert.deepEqual(matching("run_name LIKE 'delt*'"), []);
    assert.equal(likeToGlob('a%b_c*d?e[f]'), 'a*b?c[*]d[?]e[[]f]');
  });

  it('compares numeric attributes; a NULL end_time matches no comparison', () => {
    assert.deepEqual(matching('attributes.start_time > 1000'), ['r-b', 'r-c', 'r-d']);
    assert.deepEqual(matching('created <= 1000'), ['r-a', 'r-e']);
    assert.deepEqual(matching('attributes.end_time >= 0'), ['r-a', 'r-b', 'r-d', 'r-e']);
    assert.deepEqual(matching('attributes.end_time != 2000'), ['r-b', 'r-d', 'r-e']);
    assert.deepEqual(matching('attributes.end_time IS NULL'), ['r-c']);
  });

  it('matches run_id, experiment_id and parent_run_id lists with IN / NOT IN', () => {
    assert.deepEqual(matching("attributes.run_id IN ('r-a', 'r-c', 'nope')"), ['r-a', 'r-c']);
    assert.deepEqual(matching("run_id NOT IN ('r-a', 'r-c')"), ['r-b', 'r-d', 'r-e']);
    assert.deepEqual(matching("parent_run_id IN ('r-a')"), ['r-d']);
    assert.deepEqual(matching("parent_run_id NOT IN ('zzz')"), ['r-d']);
    assert.deepEqual(matching("experiment_id IN ('e2')", { experiments: ['e1', 'e2'] }), ['r-f']);
  });

  it('handles long IN lists', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `'x${i}'`).concat(["'r-b'"]);
    assert.deepEqual(matching(`run_id IN (${ids.join(',')})`), ['r-b']);
  });

  it('searches artifact_uri as runs:/<run_id>, and tags.mlflow.runName as the run name (as MLflow answers both)', () => {
    assert.deepEqual(matching("attributes.artifact_uri = 'runs:/r-b'"), ['r-b']);
    assert.deepEqual(matching("artifact_uri LIKE 'runs:/r-%'"), ['r-a', 'r-b', 'r-c', 'r-d', 'r-e']);
    assert.deepEqual(matching("artifact_uri ILIKE '%R-C'"), ['r-c']);
    assert.deepEqual(search('', 'attributes.artifact_uri DESC'), ['r-e', 'r-d', 'r-c', 'r-b', 'r-a']);
    assert.deepEqual(matching("tags.mlflow.runName = 'Gamma'"), ['r-c']);
    assert.deepEqual(matching("tags.`mlflow.runName` LIKE '%run'"), ['r-a', 'r-b']);
    assert.deepEqual(matching("tags.mlflow.runName != 'Gamma' AND status = 'FINISHED'"), ['r-a', 'r-d']);
    assert.deepEqual(search('', 'tags.mlflow.runName'), search('', 'run_name'));
  });

  it('compiles dataset clauses to bound parameters over run_inputs (executed in test/datasets/)', () => {
    const sql = compileRunSearch({ experimentIds: ['e1'], filter: parseFilter("metrics.a > 1 OR datasets.digest IN ('x', 'y')"), orderBy: [], maxResults: 10, offset: 0, lifecycle: 'active' });
    assert.match(sql.sql, /SELECT ri\.run_id FROM run_inputs ri JOIN datasets d ON d\.dataset_id = ri\.dataset_id WHERE d\.digest IN \(\?, \?\)/);
    assert.deepEqual(sql.params.slice(-4), ['x', 'y', 11, 0]);
  });
});

describe('run search: AND, OR, parentheses', () => {
  it('binds AND tighter than OR', () => {
    assert.deepEqual(matching("params.opt = 'sgd' OR metrics.acc > 0.8 AND tags.team = 'nlp'"), ['r-c']);
    assert.deepEqual(matching("(params.opt = 'sgd' OR metrics.acc > 0.8) AND tags.team = 'nlp'"), []);
    assert.deepEqual(matching("(params.opt = 'sgd' OR metrics.acc > 0.8) AND tags.team ILIKE 'vision%'"), ['r-a', 'r-c']);
  });

  it('mixes attribute clauses with metric, param and tag clauses in both operators', () => {
    assert.deepEqual(matching("status = 'FAILED' OR params.opt = 'sgd'"), ['r-b', 'r-c']);
    assert.deepEqual(matching("status = 'FINISHED' AND (metrics.acc > 0.8 OR parent_run_id = 'r-a')"), ['r-a', 'r-d']);
    assert.deepEqual(matching("(metrics.acc > 0.8 OR metrics.loss < 0) AND (tags.team = 'Vision' OR run_name = 'épsilon')"), ['r-a', 'r-e']);
    assert.deepEqual(matching("metrics.acc > 0 AND params.opt ILIKE 'adam' AND tags.team IS NOT NULL AND user_id = 'ann'"), ['r-a']);
    assert.deepEqual(matching("params.lr IS NULL OR metrics.acc = 0.5"), ['r-b', 'r-c', 'r-d', 'r-e']);
    assert.deepEqual(matching("(params.opt = 'adam' OR params.opt = 'Adam') AND (tags.team = 'nlp' OR tags.team = 'Vision')"), ['r-a', 'r-b']);
  });
});

describe('run search: scope', () => {
  it('searches the given experiments and lifecycle', () => {
    assert.deepEqual(matching("params.opt = 'adam'", { experiments: ['e1', 'e2'] }), ['r-a', 'r-f']);
    assert.deepEqual(matching("params.opt = 'adam'", { lifecycle: 'deleted' }), ['r-x']);
    assert.deepEqual(matching("params.opt = 'adam'", { lifecycle: 'all' }), ['r-a', 'r-x']);
    assert.deepEqual(matching('', { experiments: [] }), []);
  });
});

describe('run search: order', () => {
  it('defaults to start_time DESC, then run_id', () => {
    assert.deepEqual(search(''), ['r-c', 'r-d', 'r-b', 'r-a', 'r-e']);
  });

  it('orders by metrics with NaN and then missing values last, in both directions', () => {
    assert.deepEqual(search('', 'metrics.acc DESC'), ['r-a', 'r-b', 'r-e', 'r-c', 'r-d']);
    assert.deepEqual(search('', 'metrics.acc ASC'), ['r-e', 'r-b', 'r-a', 'r-c', 'r-d']);
    assert.deepEqual(search('', 'metrics.loss'), ['r-e', 'r-b', 'r-c', 'r-a', 'r-d']);
    assert.deepEqual(search('', 'metrics.loss DESC'), ['r-c', 'r-b', 'r-e', 'r-a', 'r-d']);
  });

  it('orders by params and tags as strings with missing values last, in both directions', () => {
    assert.deepEqual(search('', 'params.lr'), ['r-b', 'r-a', 'r-c', 'r-d', 'r-e']);
    assert.deepEqual(search('', 'params.lr DESC'), ['r-a', 'r-b', 'r-c', 'r-d', 'r-e']);
    assert.deepEqual(search('', 'tags.team DESC'), ['r-c', 'r-b', 'r-a', 'r-d', 'r-e']);
  });

  it('orders by attributes, nullable ones with NULL last', () => {
    assert.deepEqual(search('', 'start_time ASC'), ['r-e', 'r-a', 'r-b', 'r-c', 'r-d']);
    assert.deepEqual(search('', 'attributes.end_time DESC'), ['r-d', 'r-b', 'r-a', 'r-e', 'r-c']);
    assert.deepEqual(search('', 'attributes.end_time'), ['r-e', 'r-a', 'r-b', 'r-d', 'r-c']);
    assert.deepEqual(search('', 'run_name'), ['r-c', 'r-a', 'r-b', 'r-d', 'r-e']);
    assert.deepEqual(search('', ['user_id DESC', 'run_id DESC']), ['r-b', 'r-d', 'r-a', 'r-e', 'r-c']);
  });

  it('applies clauses in turn, then the default tie-breakers', () => {
    assert.deepEqual(search('', ['params.opt', 'metrics.acc DESC']), ['r-b', 'r-a', 'r-c', 'r-e', 'r-d']);
    assert.deepEqual(search('', ['status', 'start_time']), ['r-b', 'r-a', 'r-d', 'r-e', 'r-c']);
  });

  it('combines a filter with an order', () => {
    assert.deepEqual(search("metrics.acc != 0.5 AND status != 'KILLED'", 'metrics.acc DESC'), ['r-a', 'r-c']);
  });
});

describe('run search: paging', () => {
  it('returns maxResults + 1 rows so the caller sees a next page, and pages cover the result exactly once', () => {
    const all = search('', 'metrics.acc DESC');
    assert.equal(search('', 'metrics.acc DESC', { maxResults: 2 }).length, 3);
    const pages: string[] = [];
    for (let offset = 0; ; offset += 2) {
      const page = search('', 'metrics.acc DESC', { maxResults: 2, offset });
      pages.push(...page.slice(0, 2));
      if (page.length <= 2) break;
    }
    assert.deepEqual(pages, all);
  });

  it('refuses bad page sizes and offsets', () => {
    const base = { experimentIds: ['e1'], orderBy: [], lifecycle: 'active' as const };
    assert.throws(() => compileRunSearch({ ...base, maxResults: 0, offset: 0 }), /maxResults must be a positive integer/);
    assert.throws(() => compileRunSearch({ ...base, maxResults: 10, offset: -1 }), /offset must be a non-negative integer/);
  });
});

describe('run search: joined form', () => {
  let mixed: Database.Database;

  // 90 runs over two experiments (some deleted), with metric values that tie, NaN and missing keys,
  // params and tags from small vocabularies, and start times that tie, so every tie-breaker matters.
  before(() => {
    mixed = new Database(path.join(dir, 'mixed.db'));
    registerSearchFunctions(mixed);
    mixed.exec(migrations[0].sql);
    mixed.prepare("INSERT INTO experiments (experiment_id, name, creation_time, last_update_time) VALUES ('m1', 'm1', 0, 0), ('m2', 'm2', 0, 0)").run();
    const run = mixed.prepare(`INSERT INTO runs (run_id, run_name, experiment_id, status, start_time, lifecycle_stage) VALUES (?, ?, ?, ?, ?, ?)`);
    const param = mixed.prepare('INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)');
    const tag = mixed.prepare('INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)');
    const metric = mixed.prepare(`INSERT INTO metric_summaries (run_id, key, last_value, last_is_nan, last_step, last_timestamp, count) VALUES (?, ?, ?, ?, 0, 0, 1)`);
    const acc = [0.1, 0.5, 0.5, 0.9, NaN, -Infinity, Infinity, 0, 0.7];
    for (let i = 0; i < 90; i++) {
      const id = `m-${String((i * 37) % 90).padStart(2, '0')}`;
      run.run(id, id, i % 4 === 0 ? 'm2' : 'm1', i % 3 === 0 ? 'FAILED' : 'FINISHED', 1000 + (i % 7) * 10, i % 11 === 0 ? 'deleted' : 'active');
      if (i % 5 !== 0) param.run(id, 'opt', ['adam', 'sgd', 'Adam'][i % 3]);
      if (i % 4 !== 1) param.run(id, 'lr', ['0.1', '0.01'][i % 2]);
      if (i % 6 !== 2) tag.run(id, 'team', ['nlp', 'vision'][i % 2]);
      const metrics: Record<string, number> = { acc: acc[i % acc.length], loss: acc[(i * 5 + Math.floor(i / 9)) % acc.length] };
      if (i % 8 === 3) delete metrics.acc;
      if (i % 10 === 4) delete metrics.loss;
      for (const [k, v] of Object.entries(metrics)) metric.run(id, k, Number.isNaN(v) ? null : v, Number.isNaN(v) ? 1 : 0);
      const params: Record<string, string> = {};
      if (i % 5 !== 0) params.opt = ['adam', 'sgd', 'Adam'][i % 3];
      if (i % 4 !== 1) params.lr = ['0.1', '0.01'][i % 2];
      oracleRuns.push({
        runId: id, runName: id, experimentId: i % 4 === 0 ? 'm2' : 'm1', status: i % 3 === 0 ? 'FAILED' : 'FINISHED',
        startTime: 1000 + (i % 7) * 10, endTime: null, userId: null, parentRunId: null, lifecycle: i % 11 === 0 ? 'deleted' : 'active',
        params, tags: i % 6 !== 2 ? { team: ['nlp', 'vision'][i % 2] } : {}, metrics, inputs: [],
      });
    }
  });

  /** The same 90 runs as plain records, for the independent oracle (test/support/search-oracle.ts). */
  const oracleRuns: OracleRun[] = [];

  after(() => mixed.close());

  function query(filter: string, orderBy: string[], maxResults = 1000, offset = 0) {
    return { experimentIds: ['m1', 'm2'], filter: parseFilter(filter), orderBy: parseOrderBy(orderBy), maxResults, offset, lifecycle: 'active' as const };
  }
  const ids = (q: CompiledQuery) => mixed.prepare(q.sql).pluck().all(...q.params) as string[];

  const FAST: [string, string[]][] = [
    ["metrics.acc > 0.2 AND params.opt = 'adam'", ['metrics.acc DESC']],
    ["metrics.acc > 0.2 AND params.opt = 'adam'", ['metrics.acc']],
    ['metrics.acc >= 0', ['metrics.acc DESC']],
    ['metrics.acc <= 0.5', ['metrics.acc', 'metrics.loss DESC']],
    ['metrics.acc = 0.5', ['metrics.acc DESC', 'params.lr']],
    ['metrics.acc < 1e308 AND metrics.loss != 0.5', ['metrics.acc DESC', 'metrics.loss DESC']],
    ['metrics.acc < 1e308 AND metrics.loss != 0.5', ['metrics.acc', 'metrics.loss', 'start_time']],
    ["metrics.acc > -1e308 AND params.opt != 'adam' AND tags.team NOT LIKE 'n%'", ['metrics.acc DESC', 'tags.team']],
    ["metrics.acc > 0 AND metrics.loss IS NULL", ['metrics.acc DESC']],
    ["metrics.acc > 0 AND params.lr IS NULL AND status = 'FINISHED'", ['metrics.acc']],
    ["params.opt != 'Adam'", ['params.opt DESC', 'metrics.acc']],
    ["params.opt NOT ILIKE 'adam' AND metrics.acc IS NOT NULL", ['params.opt', 'metrics.acc DESC']],
    ["params.opt = 'adam'", ['params.opt', 'metrics.loss DESC']],
    ["params.opt = 'sgd' AND metrics.acc >= 0", ['params.opt', 'metrics.acc DESC']],
    ["tags.team ILIKE 'V%' AND params.lr LIKE '0.0%'", ['tags.team DESC', 'params.lr', 'run_id DESC']],
    ['tags.team IS NOT NULL', ['tags.team']],
    ["metrics.acc > 0.2 AND metrics.acc < 1 AND params.opt LIKE 'a%'", ['metrics.acc DESC']],
  ];

  it('both forms return the oracle\'s ids in the oracle\'s order, with NaN, missing keys and ties', () => {
    for (const [filter, orderBy] of FAST) {
      const q = query(filter, orderBy);
      const joined = compileJoinedRunSearch(q);
      assert.ok(joined !== undefined, `no joined form for ${filter} | ${orderBy}`);
      assert.deepEqual(compileRunSearch(q), joined);
      const expected = oracleSearch(oracleRuns, q);
      assert.ok(expected.length > 1, `${filter} | ${orderBy} should match several runs`);
      assert.deepEqual(ids(compileGeneralRunSearch(q)), expected, `general: ${filter} | ${orderBy}`);
      assert.deepEqual(ids(joined), expected, `joined: ${filter} | ${orderBy}`);
    }
  });

  it('pages as the oracle says, in both forms', () => {
    for (const [filter, orderBy] of FAST) {
      for (const [size, offset] of [[1, 0], [3, 2], [4, 5]]) {
        const q = query(filter, orderBy, size, offset);
        const expected = oracleSearch(oracleRuns, q);
        assert.deepEqual(ids(compileGeneralRunSearch(q)).slice(0, size), expected, `general: ${filter} | ${orderBy} page ${size}@${offset}`);
        assert.deepEqual(ids(compileJoinedRunSearch(q)!).slice(0, size), expected, `joined: ${filter} | ${orderBy} page ${size}@${offset}`);
      }
    }
  });

  it('leaves OR filters, IS NULL-only filters and orders the filter does not pin as values to the general form', () => {
    const general: [string, string[]][] = [
      ["metrics.acc > 0.2 OR params.opt = 'adam'", ['metrics.acc DESC']],
      ['metrics.acc != 0.5', ['metrics.acc DESC']],
      ['metrics.acc < 1e308 AND metrics.loss != 0.5', ['metrics.loss DESC']],
      ['metrics.acc IS NOT NULL', ['metrics.acc']],
      ['metrics.acc IS NULL', ['metrics.acc']],
      ["params.opt = 'adam'", ['metrics.acc DESC']],
      ["metrics.acc > 0.2 AND params.opt = 'adam'", []],
      ["metrics.acc > 0.2 AND params.opt = 'adam'", ['start_time', 'metrics.acc DESC']],
      ['', ['metrics.acc DESC']],
    ];
    for (const [filter, orderBy] of general) {
      const q = query(filter, orderBy);
      assert.equal(compileJoinedRunSearch(q), undefined, `${filter} | ${orderBy}`);
      assert.deepEqual(compileRunSearch(q), compileGeneralRunSearch(q));
    }
  });

  it('walks the (key, value) index in the order asked, so SQLite stops after one page', () => {
    for (const orderBy of ['metrics.acc DESC', 'metrics.acc']) {
      const q = compileRunSearch(query("metrics.acc > 0.2 AND params.opt = 'adam' AND status = 'FINISHED'", [orderBy], 5));
      const plan = mixed.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[];
      assert.match(plan[0].detail, /^SEARCH f0 USING COVERING INDEX metric_summaries_by_key \(key=\? AND last_value>\?\)$/, JSON.stringify(plan));
      // Only the tie-breakers (start_time, run_id) may be sorted, within runs of equal acc.
      assert.ok(plan.every((row) => !/TEMP B-TREE FOR ORDER BY$/.test(row.detail)), JSON.stringify(plan));
    }
  });

  it('binds every key and value in the joined form too', () => {
    const q = compileJoinedRunSearch(query("metrics.`a'b` > 0 AND params.`x\"; DROP TABLE runs; --` = 'adam'", ["metrics.`a'b` DESC"]))!;
    assert.ok(!q.sql.includes('DROP') && !q.sql.includes('adam') && !q.sql.includes("a'b"), q.sql);
    assert.deepEqual(ids(q), []);
  });
});

describe('experiment search', () => {
  function experiments(filter: string, orderBy?: string | string[], lifecycle: LifecycleStage | 'all' = 'active'): string[] {
    const q = compileExperimentSearch({ filter: parseExperimentFilter(filter), orderBy: parseExperimentOrderBy(orderBy), maxResults: 100, offset: 0, lifecycle });
    return db.prepare(q.sql).pluck().all(...q.params) as string[];
  }

  it('defaults to creation_time DESC', () => {
    assert.deepEqual(experiments(''), ['e2', 'e3', 'e1']);
    assert.deepEqual(experiments('', undefined, 'all'), ['e2', 'e3', 'e1', 'e4']);
    assert.deepEqual(experiments('', undefined, 'deleted'), ['e4']);
  });

  it('filters on name, times and tags', () => {
    assert.deepEqual(experiments("name = 'nlp'"), ['e3']);
    assert.deepEqual(experiments("attributes.name LIKE 'vision%'"), ['e1']);
    assert.deepEqual(experiments("name ILIKE 'vision%'"), ['e2', 'e1']);
    assert.deepEqual(experiments("name != 'nlp'"), ['e2', 'e1']);
    assert.deepEqual(experiments('creation_time >= 200'), ['e2', 'e3']);
    assert.deepEqual(experiments('last_update_time > 900'), ['e3']);
    assert.deepEqual(experiments("tags.group = 'cv'"), ['e1']);
    assert.deepEqual(experiments("tags.group ILIKE 'cv'"), ['e2', 'e1']);
    assert.deepEqual(experiments("tags.group != 'cv'"), ['e2', 'e3']);
    assert.deepEqual(experiments("tags.group = 'text' OR name LIKE '%large'"), ['e2', 'e3']);
    assert.deepEqual(experiments('tags.missing IS NULL'), ['e2', 'e3', 'e1']);
  });

  it('orders by the given attributes with experiment_id breaking ties', () => {
    assert.deepEqual(experiments('', 'name'), ['e2', 'e3', 'e1']);
    assert.deepEqual(experiments('', 'last_update_time DESC'), ['e3', 'e1', 'e2']);
    assert.deepEqual(experiments('', 'experiment_id DESC'), ['e3', 'e2', 'e1']);
  });
});
