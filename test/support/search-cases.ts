/**
 * A shared run set and search cases for backend tests: every backend seeds
 * SEARCH_RUNS through the store contract (seedSearchRuns), runs every filter
 * of FILTER_CASES with every order of ORDER_CASES, and compares ids and
 * order with the oracle (search-oracle.ts).
 *
 * The runs are built to make the rules matter: metric values that tie, NaN,
 * ±Infinity, -0 and missing keys; params that are numbers in several spellings
 * and text that only looks like numbers; names and tags that differ only in
 * case, hold LIKE/GLOB characters or non-ASCII letters; start times that tie;
 * NULL end times, users and parents; deleted runs; datasets with and without
 * a context.
 */
import type { DatasetInput, MetricColumns } from '../../src/entities';
import type { TrackingStore } from '../../src/store/store';
import type { OracleInput, OracleRun } from './search-oracle';

/** The experiments the runs live in; searches scope to the first two. */
export const SEARCH_EXPERIMENTS = ['oracle-a', 'oracle-b', 'oracle-c'] as const;

const NAMES = ['alpha', 'Alpha', 'ALPHA-2', 'béta', 'Béta', 'gamma*?[x]', '50% done', 'under_score', 'under-score', 'zeta', 'élan', 'Élan', 'Zulu', 'a', '日本', '😀 emoji', '\uFF21 wide'];
const STATUSES = ['FINISHED', 'FAILED', 'RUNNING', 'KILLED', 'CRASHED', 'FINISHED'] as const;
const USERS = [null, 'ann', 'Ann', 'bob', 'ANN'];
const OPTS = ['adam', 'Adam', 'sgd', 'ADAM', 'sgd ', 'a%m', 'a\\%m'];
// Numbers in several spellings, and text that is not a decimal literal.
const LRS = ['0.1', '0.01', '1e-3', '.5', '10', '9', '-0', '0', 'abc', ' 1', '0x10', 'Infinity', '1.', '+2', '1e400', '0.10', '-2.5E+1', '', '1e', '.'];
const BATCHES = ['32', '64', '128', '8', '016'];
const TEAMS = ['nlp', 'NLP', 'vision', 'Vision', 'vision-x', 'vísion'];
const NOTES = ['50% done', '50 done', '50\\% x', 'a_b', 'aXb', 'keep', 'Keep me', 'line\nbreak'];
const ACCS = [0.1, 0.5, 0.5, 0.9, NaN, -Infinity, Infinity, 0, -0, 0.7, 1e-300];
const LOSSES = [0.3, NaN, 2.5, 0.3, -1, Infinity, 0.05];
const DATASETS: readonly OracleInput[] = [
  { name: 'mnist', digest: 'aaa111', context: 'training' },
  { name: 'mnist', digest: 'aaa111', context: 'validation' },
  { name: 'MNIST-test', digest: 'bbb222', context: '' },
  { name: 'cifar_10', digest: 'ccc333', context: 'Training' },
];

function pick<T>(list: readonly T[], i: number): T {
  return list[((i % list.length) + list.length) % list.length];
}

/** 120 runs over three experiments, deterministic. */
export const SEARCH_RUNS: readonly OracleRun[] = Array.from({ length: 120 }, (_, i): OracleRun => {
  const runId = `run-${String((i * 47) % 120).padStart(3, '0')}`;
  const status = pick(STATUSES, i);
  const startTime = 1_000_000 + (i % 9) * 1000;
  const params: Record<string, string> = {};
  if (i % 5 !== 0) params.opt = pick(OPTS, i * 3 + (i >> 2));
  if (i % 4 !== 1) params.lr = pick(LRS, i * 3 + (i >> 3));
  if (i % 3 === 0) params.batch = pick(BATCHES, i);
  if (i === 17) params['odd key\'); DROP TABLE runs; --'] = 'v';
  const tags: Record<string, string> = {};
  if (i % 6 !== 2) tags.team = pick(TEAMS, i * 5);
  if (i % 2 === 0) tags.note = pick(NOTES, i >> 1);
  const metrics: Record<string, number> = {};
  if (i % 8 !== 3) metrics.acc = pick(ACCS, i);
  if (i % 10 !== 4) metrics.loss = pick(LOSSES, i * 3 + (i >> 4));
  const inputs: OracleInput[] = [];
  if (i % 3 !== 2) inputs.push(pick(DATASETS, i));
  if (i % 7 === 0) inputs.push(pick(DATASETS, i + 2));
  return {
    runId,
    runName: pick(NAMES, i * 3 + (i >> 3)),
    experimentId: pick(SEARCH_EXPERIMENTS, (i * 7) % 11 === 3 ? 2 : (i * 5) % 7 < 2 ? 1 : 0),
    status,
    startTime,
    endTime: status === 'RUNNING' || i % 13 === 5 ? null : startTime + 10 + (i % 4) * 5,
    userId: pick(USERS, i * 3),
    parentRunId: i % 6 === 5 ? `run-${String(((i - 1) * 47) % 120).padStart(3, '0')}` : null,
    lifecycle: i % 11 === 7 ? 'deleted' : 'active',
    params,
    tags,
    metrics,
    inputs: dedupeInputs(inputs),
  };
});

function dedupeInputs(inputs: readonly OracleInput[]): OracleInput[] {
  const seen = new Set<string>();
  return inputs.filter((d) => {
    const id = `${d.name}\u0000${d.digest}\u0000${d.context}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Filters over every entity and comparator; '' is no filter. `{oracle-b}`
 * stands for that experiment's id, which the store assigns: use
 * {@link filterCases} to get them filled in.
 */
export const FILTER_CASES: readonly string[] = [
  '',
  // metrics: each comparator, NaN, ±Infinity, -0, missing keys
  'metrics.acc > 0.5', 'metrics.acc >= 0.5', 'metrics.acc < 0.5', 'metrics.acc <= 0', 'metrics.acc = 0.5',
  'metrics.acc != 0.5', 'metrics.acc = 0', 'metrics.acc = -0', 'metrics.acc != 0', 'metrics.acc > 1e308',
  'metrics.acc < -1e308', 'metrics.acc = 1e309', 'metrics.acc IS NULL', 'metrics.acc IS NOT NULL',
  'metrics.loss >= 0.3 AND metrics.acc != 0.9', 'metrics.missing != 1', 'metrics.missing IS NULL',
  // params as text (MLflow) and numbers (tracklab)
  "params.opt = 'adam'", "params.opt != 'adam'", "params.opt = 'sgd'", "params.opt LIKE 'a%'", "params.opt LIKE 'A%'",
  "params.opt ILIKE 'adam'", "params.opt ILIKE '_DAM'", "params.opt NOT LIKE 'a%'", "params.opt NOT ILIKE 'a%'",
  "params.opt LIKE '%m'", "params.opt LIKE 'a\\%m'", "params.opt LIKE 'a%%m'", "params.opt LIKE '%'", "params.opt LIKE '____'",
  "params.lr = '0.1'", "params.lr = '1e-3'", 'params.lr < 0.1', 'params.lr <= 0.1', 'params.lr = 0.1', 'params.lr != 0.1',
  'params.lr > 1', 'params.lr >= -1e308', 'params.lr = 0', 'params.lr = 1e400', 'params.lr > 1e308', 'params.lr = 2',
  'params.lr < 0', 'params.batch > 50', 'params.batch = 16', "params.batch = '16'", 'params.opt = 0', 'params.lr IS NULL',
  'params.lr IS NOT NULL', "params.`odd key'); DROP TABLE runs; --` = 'v'",
  // tags
  "tags.team = 'vision'", "tags.team != 'vision'", "tags.team LIKE 'vision%'", "tags.team ILIKE 'VISION%'",
  "tags.team ILIKE 'v_sion'", "tags.team NOT ILIKE 'nlp'", "tags.note LIKE '50%'", "tags.note LIKE '50\\%%'",
  "tags.note LIKE 'a_b'", "tags.note ILIKE 'keep%'", "tags.note LIKE '%\n%'", 'tags.team IS NULL', 'tags.note IS NOT NULL',
  // attributes
  "attributes.status = 'FAILED'", "status != 'FINISHED'", "status LIKE '%ED'", "status ILIKE 'running'",
  "run_name = 'alpha'", "run_name ILIKE 'alpha%'", "run_name LIKE 'gamma*?[x]'", "run_name LIKE 'gamma*%'",
  "run_name LIKE '50% done'", "run_name LIKE 'under_score'", "run_name ILIKE 'béta'", "run_name ILIKE 'ÉLAN'",
  "`Run name` LIKE '_'", "tags.mlflow.runName = 'Zulu'", "tags.mlflow.runName ILIKE 'z%'",
  "attributes.user_id = 'ann'", "user_id ILIKE 'ann'", "user_id != 'ann'", 'user_id IS NULL', "user_id NOT LIKE 'a%'",
  'attributes.start_time > 1004000', 'created <= 1002000', 'start_time = 1003000', 'end_time >= 1004015',
  'end_time != 1001010', 'end_time IS NULL', 'attributes.end_time IS NOT NULL',
  "run_id IN ('run-000', 'run-047', 'run-094', 'nope')", "run_id NOT IN ('run-000', 'run-047')",
  "parent_run_id IN ('run-068', 'run-110')", "parent_run_id NOT IN ('zzz')", 'parent_run_id IS NOT NULL',
  "experiment_id = '{oracle-b}'", "experiment_id IN ('{oracle-a}', 'oracle-a')",
  "artifact_uri = 'runs:/run-047'", "artifact_uri LIKE 'runs:/run-0%'", "artifact_uri ILIKE '%RUN-1__'",
  // datasets
  "datasets.name = 'mnist'", "datasets.name ILIKE 'mnist%'", "datasets.digest IN ('bbb222', 'ccc333')",
  "datasets.context = 'training'", "datasets.context ILIKE 'training'", "datasets.context = ''",
  "datasets.name != 'mnist'", "datasets.name NOT IN ('mnist')", "datasets.name = 'mnist' AND datasets.context = 'validation'",
  // AND, OR, parentheses, mixing attributes with keyed clauses
  "params.opt = 'sgd' OR metrics.acc > 0.8 AND tags.team = 'nlp'",
  "(params.opt = 'sgd' OR metrics.acc > 0.8) AND tags.team = 'nlp'",
  "status = 'FAILED' OR params.lr < 0.05",
  "status = 'FINISHED' AND (metrics.acc > 0.6 OR parent_run_id IS NOT NULL)",
  "(metrics.acc > 0.6 OR metrics.loss < 0) AND (tags.team ILIKE 'vision%' OR run_name LIKE 'a%')",
  'metrics.acc IS NULL OR metrics.loss IS NULL OR params.lr IS NULL',
  "(params.opt = 'adam' OR params.opt = 'Adam') AND (tags.team = 'nlp' OR tags.team = 'Vision') AND metrics.acc >= 0",
  "metrics.acc > 0 AND params.opt ILIKE 'adam' AND tags.team IS NOT NULL AND user_id = 'ann'",
  "datasets.context = 'training' OR (params.batch < 100 AND status != 'RUNNING')",
];

/** FILTER_CASES with `{name}` replaced by the id the store gave experiment `name`. */
export function filterCases(experiments: ReadonlyMap<string, string>): string[] {
  return FILTER_CASES.map((f) => f.replace(/\{(oracle-[a-z])\}/g, (_, name: string) => experiments.get(name)!));
}

/** Orders to combine with every filter ([] is the default order). */
export const ORDER_CASES: readonly (readonly string[])[] = [
  [],
  ['metrics.acc DESC'],
  ['metrics.acc'],
  ['metrics.loss DESC', 'metrics.acc'],
  ['params.lr'],
  ['params.opt DESC', 'metrics.acc DESC'],
  ['tags.team', 'run_id DESC'],
  ['run_name DESC'],
  ['start_time ASC'],
  ['attributes.end_time DESC'],
  ['user_id', 'status DESC'],
  ['artifact_uri DESC'],
  ['tags.mlflow.runName', 'metrics.loss'],
];

/** The latest value is logged at step 1; a decoy at step 0 comes after it, so "latest" must mean the greatest step. */
function metricBlocks(run: OracleRun): MetricColumns[] {
  return Object.entries(run.metrics).map(([key, value]) => ({
    runId: run.runId, key,
    steps: Float64Array.from([1, 0]),
    timestamps: Float64Array.from([run.startTime + 1, run.startTime + 2]),
    values: Float64Array.from([value, 12345]),
  }));
}

function datasetInputs(run: OracleRun): DatasetInput[] {
  return run.inputs.map((d) => ({
    dataset: { name: d.name, digest: d.digest, sourceType: 'rows', source: 'oracle', schema: null, profile: null, numRows: null },
    context: d.context === '' ? null : d.context,
  }));
}

/**
 * Writes SEARCH_RUNS into a store through its contract, and returns the
 * experiment ids by name (SEARCH_EXPERIMENTS). The runs' own experimentId
 * fields name experiments; map them with the result.
 */
export async function seedSearchRuns(store: TrackingStore): Promise<Map<string, string>> {
  const experiments = new Map<string, string>();
  for (const name of SEARCH_EXPERIMENTS) experiments.set(name, (await store.ensureExperiment(name)).experimentId);
  // Parents first, so a backend that checks them finds them.
  const ordered = [...SEARCH_RUNS].sort((a, b) => (a.parentRunId === null ? 0 : 1) - (b.parentRunId === null ? 0 : 1));
  for (const run of ordered) {
    await store.createRun({
      runId: run.runId,
      runName: run.runName,
      experimentId: experiments.get(run.experimentId)!,
      parentRunId: run.parentRunId ?? undefined,
      startTime: run.startTime,
      user: run.userId ?? undefined,
      params: run.params,
      tags: run.tags,
      end: run.status === 'RUNNING' ? undefined : {
        status: run.status, statusMessage: null, endTime: run.endTime ?? run.startTime, metrics: metricBlocks(run),
      },
    });
    if (run.status === 'RUNNING') await store.appendMetrics(metricBlocks(run));
    if (run.status !== 'RUNNING' && run.endTime === null) await store.updateRun(run.runId, { endTime: null });
    if (run.inputs.length > 0) await store.logInputs(run.runId, datasetInputs(run));
    if (run.lifecycle === 'deleted') await store.setRunLifecycle(run.runId, 'deleted');
  }
  return experiments;
}

/** SEARCH_RUNS with experiment names replaced by the ids a store gave them. */
export function runsWithExperimentIds(experiments: ReadonlyMap<string, string>): OracleRun[] {
  return SEARCH_RUNS.map((run) => ({ ...run, experimentId: experiments.get(run.experimentId)! }));
}
