/**
 * Compiles run and experiment searches to one SELECT of ids, for any SQL
 * backend: what differs between engines (pattern matching, NaN, derived
 * tables, parameter types) comes from its `SqlDialect`. Every user value and
 * key is a bound `?` parameter; the SQL text holds only column names chosen
 * here. Both backends give the same ids in the same order.
 *
 * Semantics follow MLflow: a clause on a metric, param or tag the run lacks is
 * false (also for != and NOT IN); metrics compare their latest value; a NaN
 * latest value satisfies only != (IEEE, as MLflow's in-memory filter does);
 * LIKE is case-sensitive and ILIKE folds ASCII letters only; text compares
 * and orders by bytes; ordering puts NaN and then missing values last in both
 * directions. tracklab's additions: a param compared with an unquoted number
 * compares numerically (src/search/param-number.ts), and
 * `attributes.artifact_uri` is `runs:/<run_id>`.
 */
import { TracklabError } from '../errors';
import type { Comparator, Comparison, FilterNode, OrderClause } from '../search/filter-ast';
import { RUN_ARTIFACT_URI_PREFIX } from '../search/search-keys';
import type { ExperimentSearchQuery, RunCountQuery, RunSearchQuery } from './store';

/** A piece of SQL with the values for its `?` placeholders, in text order. */
export interface Fragment {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export type PatternOp = 'LIKE' | 'ILIKE' | 'NOT LIKE' | 'NOT ILIKE';

/** What one SQL engine spells its own way. */
export interface SqlDialect {
  /** `column` against an SQL LIKE pattern (`%`, `_`, no escape character): LIKE by bytes, ILIKE folding A-Z only. */
  match(column: string, op: PatternOp, pattern: string): Fragment;
  /**
   * A condition on a metric's latest value, in `<prefix>last_value` (and any
   * companion columns of the summary table). A NaN value satisfies only !=.
   */
  metricCondition(prefix: string, c: Comparison): Fragment;
  /** Order key of a LEFT JOINed summary `alias`: values, then NaN, then runs without the metric, in both directions. */
  metricOrder(alias: string, descending: boolean): string;
  /** The placeholder of a number compared with a numeric column. */
  readonly numberParam: string;
  /** Appended to a derived table, which some engines must name. */
  readonly derivedAlias: string;
  /** The number a param value stands for, NULL when it is not a decimal literal (src/search/param-number.ts has the rule). */
  paramNumber(column: string): string;
}

export interface CompiledQuery {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Selects `run_id` for one page (maxResults + 1 rows, so the caller can tell
 * whether another page follows): the joined form when it applies, else the
 * general one. Both give the same ids in the same order.
 */
export function compileRunSearch(d: SqlDialect, q: RunSearchQuery): CompiledQuery {
  return compileJoinedRunSearch(d, q) ?? compileGeneralRunSearch(d, q);
}

/** Any filter and order: id sets combined with INTERSECT/UNION, metric order through a CASE on a LEFT JOIN. */
export function compileGeneralRunSearch(d: SqlDialect, q: RunSearchQuery): CompiledQuery {
  checkPage(q.maxResults, q.offset);
  const joins: Fragment[] = [];
  const order = q.orderBy.map((clause, i) => runOrder(d, clause, i, joins));
  const where = runScope(q);
  if (q.filter !== undefined) where.push(runPredicate(d, q.filter));
  return runSelect(q, joins, where, order);
}

/**
 * The form for the common "filter on a few keys, best first" search: a filter
 * of AND only, ordered first by a metric, param or tag that the filter itself
 * constrains. Each metric/param/tag clause becomes an INNER JOIN on its
 * (run, key) row, which is exactly "a run without the key fails the clause"
 * for every comparator but IS NULL (the key is the primary key, so a join
 * never repeats a run). The constrained order key then needs no CASE: a
 * metric compared with =, <, <=, > or >= is neither NaN (stored NULL) nor
 * missing, and a param or tag with any row has a non-NULL value. SQLite can
 * walk the (key, value) index in order and stop after one page instead of
 * sorting every match. Undefined when the query does not have that shape.
 */
export function compileJoinedRunSearch(d: SqlDialect, q: RunSearchQuery): CompiledQuery | undefined {
  checkPage(q.maxResults, q.offset);
  const clauses = q.filter === undefined || q.orderBy.length === 0 ? undefined : conjuncts(q.filter);
  if (clauses === undefined) return undefined;
  const joins: Fragment[] = [];
  const ordered: OrderedKey[] = [];
  const where = runScope(q);
  for (const c of clauses) {
    const table = KEYED_TABLES[c.ident.type];
    if (table === undefined || c.op === 'IS NULL') {
      where.push(runComparison(d, c));
      continue;
    }
    const alias = `f${joins.length}`;
    const metric = c.ident.type === 'metric';
    const column = `${alias}.${metric ? 'last_value' : 'value'}`;
    const cond = c.op === 'IS NOT NULL' ? undefined : metric ? d.metricCondition(`${alias}.`, c) : keyedValueCondition(d, column, c);
    joins.push({
      sql: ` JOIN ${table} ${alias} ON ${alias}.run_id = r.run_id AND ${alias}.key = ?${cond === undefined ? '' : ` AND ${cond.sql}`}`,
      params: [c.ident.key, ...(cond?.params ?? [])],
    });
    // A param pinned by a number (`params.lr = 0.1`) may still differ in text ('0.1', '0.10'), and order_by sorts text.
    const constant = c.op === '=' && (metric || typeof c.value === 'string');
    if (!metric || VALUE_ONLY_OPS.has(c.op)) ordered.push({ type: c.ident.type, key: c.ident.key, column, constant });
  }
  const plain = (clause: OrderClause) => {
    const matches = ordered.filter((o) => o.type === clause.ident.type && o.key === clause.ident.key);
    return matches.find((o) => o.constant) ?? matches[0];
  };
  if (plain(q.orderBy[0]) === undefined) return undefined;
  const order: string[] = [];
  q.orderBy.forEach((clause, i) => {
    const o = plain(clause);
    // A key the filter pins with = has one value in every result: ordering by it is a no-op that would only hide the next key from the index.
    if (o === undefined) order.push(runOrder(d, clause, i, joins));
    else if (!o.constant) order.push(`${o.column}${clause.ascending ? '' : ' DESC'}`);
  });
  return runSelect(q, joins, where, order);
}

/** Metric comparators that only a present, non-NaN latest value can satisfy. */
const VALUE_ONLY_OPS: ReadonlySet<Comparator> = new Set<Comparator>(['=', '<', '<=', '>', '>=']);

/** A key whose joined row every result has, with a value that is never NULL, so it orders without a CASE. */
interface OrderedKey {
  readonly type: string;
  readonly key: string;
  readonly column: string;
  /** Pinned by =, so every result has the same value. */
  readonly constant: boolean;
}

/** The comparisons of an AND-only filter, or undefined when it holds an OR. */
function conjuncts(node: FilterNode): Comparison[] | undefined {
  if (node.kind === 'compare') return [node];
  if (node.kind === 'or') return undefined;
  const out: Comparison[] = [];
  for (const item of node.items) {
    const parts = conjuncts(item);
    if (parts === undefined) return undefined;
    out.push(...parts);
  }
  return out;
}

function runScope(q: Pick<RunSearchQuery, 'experimentIds' | 'lifecycle'>): Fragment[] {
  // No experiments match no runs; PostgreSQL refuses an empty IN list.
  const where: Fragment[] = [q.experimentIds.length === 0
    ? { sql: '1 = 0', params: [] }
    : { sql: `r.experiment_id IN (${marks(q.experimentIds)})`, params: q.experimentIds }];
  if (q.lifecycle !== 'all') where.push({ sql: 'r.lifecycle_stage = ?', params: [q.lifecycle] });
  return where;
}

/** Counts the runs a search matches (any filter; the order does not matter to a count). */
export function compileRunCount(d: SqlDialect, q: RunCountQuery): CompiledQuery {
  const where = runScope(q);
  if (q.filter !== undefined) where.push(runPredicate(d, q.filter));
  return { sql: `SELECT COUNT(*) AS n FROM runs r WHERE ${where.map((w) => w.sql).join(' AND ')}`, params: where.flatMap((w) => w.params) };
}

/** The SELECT of one page, with the default tie-breakers (start_time DESC, run_id) after the caller's order. */
function runSelect(q: RunSearchQuery, joins: readonly Fragment[], where: readonly Fragment[], order: string[]): CompiledQuery {
  if (!q.orderBy.some((c) => c.ident.type === 'attribute' && c.ident.key === 'start_time')) order.push('r.start_time DESC');
  order.push('r.run_id');
  return {
    sql: `SELECT r.run_id FROM runs r${joins.map((j) => j.sql).join('')} WHERE ${where.map((w) => w.sql).join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    params: [...joins.flatMap((j) => j.params), ...where.flatMap((w) => w.params), q.maxResults + 1, q.offset],
  };
}

/** Selects `experiment_id` for one page (maxResults + 1 rows). Default order: creation_time DESC, experiment_id ASC. */
export function compileExperimentSearch(d: SqlDialect, q: ExperimentSearchQuery): CompiledQuery {
  checkPage(q.maxResults, q.offset);
  const where: Fragment[] = [];
  if (q.lifecycle !== 'all') where.push({ sql: 'e.lifecycle_stage = ?', params: [q.lifecycle] });
  if (q.filter !== undefined) where.push(compileNode(q.filter, (c) => experimentComparison(d, c)));
  const clauses: readonly OrderClause[] = q.orderBy.length > 0 ? q.orderBy : [
    { ident: { type: 'attribute', key: 'creation_time' }, ascending: false },
    { ident: { type: 'attribute', key: 'experiment_id' }, ascending: true },
  ];
  const order = clauses.map((c) => `${experimentColumn(c.ident.type, c.ident.key)}${c.ascending ? '' : ' DESC'}`);
  // MLflow breaks ties on experiment_id descending when the caller did not order by it.
  if (!clauses.some((c) => c.ident.type === 'attribute' && c.ident.key === 'experiment_id')) order.push('e.experiment_id DESC');
  const whereSql = where.length > 0 ? ` WHERE ${where.map((w) => w.sql).join(' AND ')}` : '';
  return {
    sql: `SELECT e.experiment_id FROM experiments e${whereSql} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    params: [...where.flatMap((w) => w.params), q.maxResults + 1, q.offset],
  };
}

/** Experiment predicates: few rows, so plain per-row conditions (EXISTS for tags). */
function compileNode(node: FilterNode, compare: (c: Comparison) => Fragment): Fragment {
  if (node.kind === 'compare') return compare(node);
  const parts = node.items.map((item) => compileNode(item, compare));
  return {
    sql: `(${parts.map((p) => p.sql).join(node.kind === 'and' ? ' AND ' : ' OR ')})`,
    params: parts.flatMap((p) => p.params),
  };
}

const RUN_COLUMNS: Readonly<Record<string, string>> = {
  run_id: 'r.run_id', run_name: 'r.run_name', status: 'r.status', user_id: 'r.user_id',
  start_time: 'r.start_time', end_time: 'r.end_time', experiment_id: 'r.experiment_id',
  parent_run_id: 'r.parent_run_id',
  // A constant prefix chosen here (no quote in it) and the run id: the run's artifact URI.
  artifact_uri: `('${RUN_ARTIFACT_URI_PREFIX}' || r.run_id)`,
};
const NULLABLE_RUN_COLUMNS = new Set(['user_id', 'end_time', 'parent_run_id']);

/**
 * A run predicate. Clauses on metrics, params and tags become sets of run ids
 * read from the (key, value) indexes, combined with INTERSECT (AND) and
 * UNION (OR), and tested with `r.run_id IN (...)`: range scans there are far
 * cheaper than one primary-key probe per run (about 3x at 100k runs).
 * Attribute clauses are tested on the runs row itself.
 */
function runPredicate(d: SqlDialect, node: FilterNode): Fragment {
  const whole = runIdSet(d, node);
  if (whole !== undefined) return inSet(whole);
  if (node.kind === 'compare') return runComparison(d, node);
  if (node.kind === 'or') return join(node.items.map((item) => runPredicate(d, item)), ' OR ');
  const sets = node.items.map((item) => runIdSet(d, item)).filter((f): f is RunIdSet => f !== undefined);
  const rest = node.items.filter((item) => runIdSet(d, item) === undefined).map((item) => runPredicate(d, item));
  return join(sets.length > 0 ? [inSet(compound(d, sets, 'INTERSECT')), ...rest] : rest, ' AND ');
}

/** `SELECT run_id ...` matching the node, or undefined when it needs the runs row (attributes, IS NULL). */
interface RunIdSet extends Fragment {
  /** Joins several SELECTs with INTERSECT or UNION. */
  readonly compound: boolean;
}

function runIdSet(d: SqlDialect, node: FilterNode): RunIdSet | undefined {
  if (node.kind !== 'compare') {
    const parts = node.items.map((item) => runIdSet(d, item));
    if (parts.some((p) => p === undefined)) return undefined;
    return compound(d, parts as RunIdSet[], node.kind === 'and' ? 'INTERSECT' : 'UNION');
  }
  const table = KEYED_TABLES[node.ident.type];
  if (table === undefined || node.op === 'IS NULL') return undefined;
  if (node.op === 'IS NOT NULL') return { sql: `SELECT run_id FROM ${table} WHERE key = ?`, params: [node.ident.key], compound: false };
  const cond = node.ident.type === 'metric' ? d.metricCondition('', node) : keyedValueCondition(d, 'value', node);
  return { sql: `SELECT run_id FROM ${table} WHERE key = ? AND ${cond.sql}`, params: [node.ident.key, ...cond.params], compound: false };
}

const KEYED_TABLES: Partial<Record<string, string>> = { metric: 'metric_summaries', param: 'params', tag: 'tags' };

function compound(d: SqlDialect, parts: readonly RunIdSet[], op: 'INTERSECT' | 'UNION'): RunIdSet {
  if (parts.length === 1) return parts[0];
  // A compound cannot hold a parenthesised compound, so nested ones become subqueries.
  const operand = (p: RunIdSet): string => (p.compound ? `SELECT run_id FROM (${p.sql})${d.derivedAlias}` : p.sql);
  return { sql: parts.map(operand).join(` ${op} `), params: parts.flatMap((p) => p.params), compound: true };
}

function inSet(set: Fragment): Fragment {
  return { sql: `r.run_id IN (${set.sql})`, params: set.params };
}

function join(parts: readonly Fragment[], glue: string): Fragment {
  if (parts.length === 1) return parts[0];
  return { sql: `(${parts.map((p) => p.sql).join(glue)})`, params: parts.flatMap((p) => p.params) };
}

function runComparison(d: SqlDialect, c: Comparison): Fragment {
  switch (c.ident.type) {
    case 'metric':
    case 'param':
    case 'tag':
      // Only IS NULL gets here: the run has no row for the key.
      return { sql: `NOT EXISTS (SELECT 1 FROM ${KEYED_TABLES[c.ident.type]} k WHERE k.run_id = r.run_id AND k.key = ?)`, params: [c.ident.key] };
    case 'attribute':
      return valueCondition(d, runColumn(c.ident.key), c);
    case 'dataset':
      return datasetComparison(d, c);
  }
}

/**
 * `datasets.name|digest|context <op> value`: true when ANY dataset input of
 * the run matches (MLflow's semantics; each clause is tested on its own, so
 * `datasets.name = 'a' AND datasets.context = 'training'` may match through two
 * different inputs). A run without inputs matches nothing, `!=` included.
 * An input logged without a context has context ''.
 */
function datasetComparison(d: SqlDialect, c: Comparison): Fragment {
  const column = DATASET_COLUMNS[c.ident.key];
  if (column === undefined) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Cannot filter on datasets.${c.ident.key}: use datasets.name, datasets.digest or datasets.context.`);
  }
  const cond = valueCondition(d, column, c);
  return inSet({
    sql: `SELECT ri.run_id FROM run_inputs ri JOIN datasets d ON d.dataset_id = ri.dataset_id WHERE ${cond.sql}`,
    params: cond.params,
  });
}

const DATASET_COLUMNS: Partial<Record<string, string>> = { name: 'd.name', digest: 'd.digest', context: 'ri.context' };

function runColumn(key: string): string {
  const column = Object.prototype.hasOwnProperty.call(RUN_COLUMNS, key) ? RUN_COLUMNS[key] : undefined;
  if (column !== undefined) return column;
  throw new TracklabError('INVALID_PARAMETER_VALUE', `attributes.${key} is not a run attribute this store can search.`);
}

function experimentComparison(d: SqlDialect, c: Comparison): Fragment {
  if (c.ident.type === 'tag') {
    return keyed('experiment_tags', 'k.experiment_id = e.experiment_id', c, (x) => valueCondition(d, 'k.value', x));
  }
  if (c.ident.type !== 'attribute') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Experiments have no ${c.ident.type}s to search: filter on name, creation_time, last_update_time or tags.`);
  }
  return valueCondition(d, experimentColumn('attribute', c.ident.key), c);
}

function experimentColumn(type: string, key: string): string {
  if (type === 'attribute' && ['name', 'experiment_id', 'creation_time', 'last_update_time'].includes(key)) return `e.${key}`;
  throw new TracklabError('INVALID_PARAMETER_VALUE', `Cannot use ${type === 'attribute' ? `attributes.${key}` : `${type}s.${key}`} for experiments: use name, experiment_id, creation_time or last_update_time.`);
}

/** `EXISTS (a row of <table> for this owner and key, meeting the condition)`; IS [NOT] NULL asks only whether the key exists. */
function keyed(table: string, owner: string, c: Comparison, condition: (c: Comparison) => Fragment): Fragment {
  const exists = c.op === 'IS NULL' || c.op === 'IS NOT NULL';
  const cond = exists ? undefined : condition(c);
  const sql = `EXISTS (SELECT 1 FROM ${table} k WHERE ${owner} AND k.key = ?${cond === undefined ? '' : ` AND ${cond.sql}`})`;
  return { sql: c.op === 'IS NULL' ? `NOT ${sql}` : sql, params: [c.ident.key, ...(cond?.params ?? [])] };
}

/**
 * A condition on a param or tag value. A param compared with a number
 * compares numerically, and only values that are decimal literals can match
 * (NULL fails every comparison, `<>` included).
 */
function keyedValueCondition(d: SqlDialect, column: string, c: Comparison): Fragment {
  if (c.ident.type === 'param' && typeof c.value === 'number') {
    return { sql: `${d.paramNumber(column)} ${sqlOperator(c.op)} ${d.numberParam}`, params: [c.value] };
  }
  return valueCondition(d, column, c);
}

/** A condition on one column (attribute, param/tag value, registry column). */
export function valueCondition(d: SqlDialect, column: string, c: Comparison): Fragment {
  const op: Comparator = c.op;
  switch (op) {
    case 'IS NULL':
    case 'IS NOT NULL':
      return { sql: `${column} ${op}`, params: [] };
    case 'IN':
    case 'NOT IN': {
      const values = c.value as readonly string[];
      return { sql: `${column} ${op} (${marks(values)})`, params: values };
    }
    case 'LIKE':
    case 'NOT LIKE':
    case 'ILIKE':
    case 'NOT ILIKE':
      return d.match(column, op, String(c.value));
    default:
      return { sql: `${column} ${sqlOperator(op)} ${typeof c.value === 'number' ? d.numberParam : '?'}`, params: [c.value] };
  }
}

/** Only these operator spellings ever reach the SQL text. */
export function sqlOperator(op: Comparator): string {
  const ops: Partial<Record<Comparator, string>> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
  const sql = ops[op];
  if (sql === undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', `Comparator ${op} cannot be used here.`);
  return sql;
}

function runOrder(d: SqlDialect, clause: OrderClause, i: number, joins: Fragment[]): string {
  const dir = clause.ascending ? '' : ' DESC';
  const { type, key } = clause.ident;
  if (type === 'attribute') {
    const column = runColumn(key);
    return NULLABLE_RUN_COLUMNS.has(key) ? `${column} IS NULL, ${column}${dir}` : `${column}${dir}`;
  }
  const alias = `o${i}`;
  const table = type === 'metric' ? 'metric_summaries' : type === 'param' ? 'params' : type === 'tag' ? 'tags' : undefined;
  if (table === undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', `Cannot order runs by ${type}s.${key}: order by metrics, params, tags or attributes.`);
  joins.push({ sql: ` LEFT JOIN ${table} ${alias} ON ${alias}.run_id = r.run_id AND ${alias}.key = ?`, params: [key] });
  if (type === 'metric') {
    // Values first, then NaN, then runs without the metric: MLflow's order in both directions.
    return d.metricOrder(alias, !clause.ascending);
  }
  return `${alias}.value IS NULL, ${alias}.value${dir}`;
}

function marks(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

export function checkPage(maxResults: number, offset: number): void {
  if (!Number.isSafeInteger(maxResults) || maxResults < 1) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `maxResults must be a positive integer, got ${maxResults}.`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The page offset must be a non-negative integer, got ${offset}.`);
  }
}
