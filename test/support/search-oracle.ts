/**
 * An independent oracle for run search: the meaning of a parsed filter and
 * order_by, evaluated in plain JavaScript over plain run records. It shares no
 * code with any SQL compiler (only the parsed tree, which is the contract
 * between the parser and the backends), so a backend test compares the ids
 * and order its SQL returns with what these rules say. Any backend (SQLite,
 * PostgreSQL) must agree with it.
 *
 * The rules, as MLflow's in-memory SearchUtils has them unless noted:
 * - A clause on a metric, param or tag the run lacks is false, `!=` and
 *   NOT LIKE included; IS NULL / IS NOT NULL ask whether the key exists.
 * - Metrics compare their latest value as IEEE doubles: NaN satisfies only `!=`.
 * - Params compared with a number compare numerically when the stored text is
 *   a decimal literal, and never match otherwise (tracklab).
 * - Text compares by exact equality; LIKE has `%` and `_` (one code point) and
 *   no escape; ILIKE folds ASCII letters only (as SQLite's lower()).
 * - A NULL attribute (end_time, user_id, parent_run_id) satisfies only IS NULL.
 * - `attributes.artifact_uri` is `runs:/<run_id>` (tracklab).
 * - datasets.* is true when any input of the run matches; a run without
 *   inputs matches nothing.
 * - Ordering: metric values first, then NaN, then missing, in both
 *   directions; params, tags and nullable attributes put missing last; text
 *   sorts by code point (UTF-8 byte order); ties go to start_time DESC (unless
 *   ordered by start_time already), then run_id ascending.
 */
import type { Comparator, Comparison, FilterNode, OrderClause } from '../../src/search/filter-ast';

export interface OracleInput {
  readonly name: string;
  readonly digest: string;
  /** '' when the input was logged without a context. */
  readonly context: string;
}

/** Everything search can see of one run. */
export interface OracleRun {
  readonly runId: string;
  readonly runName: string;
  readonly experimentId: string;
  readonly status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED' | 'CRASHED';
  readonly startTime: number;
  readonly endTime: number | null;
  readonly userId: string | null;
  readonly parentRunId: string | null;
  readonly lifecycle: 'active' | 'deleted';
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** Latest value of each metric. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly inputs: readonly OracleInput[];
}

export interface OracleQuery {
  readonly experimentIds: readonly string[];
  readonly filter?: FilterNode;
  readonly orderBy: readonly OrderClause[];
  readonly lifecycle: 'active' | 'deleted' | 'all';
  readonly maxResults?: number;
  readonly offset?: number;
}

/** The ids a search must return, in order. */
export function oracleSearch(runs: readonly OracleRun[], q: OracleQuery): string[] {
  const scoped = runs.filter((r) => q.experimentIds.includes(r.experimentId) && (q.lifecycle === 'all' || r.lifecycle === q.lifecycle));
  const matched = q.filter === undefined ? scoped : scoped.filter((r) => matches(q.filter!, r));
  const sorted = [...matched].sort((a, b) => compareRuns(a, b, q.orderBy));
  const from = q.offset ?? 0;
  return sorted.slice(from, q.maxResults === undefined ? undefined : from + q.maxResults).map((r) => r.runId);
}

/** Whether `run` satisfies the filter tree. */
export function matches(node: FilterNode, run: OracleRun): boolean {
  if (node.kind === 'compare') return clauseHolds(node, run);
  return node.kind === 'and' ? node.items.every((item) => matches(item, run)) : node.items.some((item) => matches(item, run));
}

function clauseHolds(c: Comparison, run: OracleRun): boolean {
  const { type, key } = c.ident;
  if (type === 'dataset') {
    return run.inputs.some((input) => textHolds(c.op, input[key as keyof OracleInput], c.value));
  }
  const present = (record: Readonly<Record<string, unknown>>) => Object.prototype.hasOwnProperty.call(record, key);
  let value: string | number | null;
  if (type === 'metric') value = present(run.metrics) ? run.metrics[key] : null;
  else if (type === 'param') value = present(run.params) ? run.params[key] : null;
  else if (type === 'tag') value = present(run.tags) ? run.tags[key] : null;
  else value = attributeOf(run, key);
  if (c.op === 'IS NULL') return value === null;
  if (c.op === 'IS NOT NULL') return value !== null;
  if (value === null) return false;
  if (typeof value === 'number') return numberHolds(c.op, value, c.value as number);
  if (type === 'param' && typeof c.value === 'number') {
    const n = decimalLiteral(value);
    return n !== null && numberHolds(c.op, n, c.value);
  }
  return textHolds(c.op, value, c.value);
}

function attributeOf(run: OracleRun, key: string): string | number | null {
  switch (key) {
    case 'run_id': return run.runId;
    case 'run_name': return run.runName;
    case 'status': return run.status;
    case 'user_id': return run.userId;
    case 'start_time': return run.startTime;
    case 'end_time': return run.endTime;
    case 'experiment_id': return run.experimentId;
    case 'parent_run_id': return run.parentRunId;
    case 'artifact_uri': return `runs:/${run.runId}`;
    default: throw new Error(`the oracle knows no run attribute ${key}`);
  }
}

function numberHolds(op: Comparator, a: number, b: number): boolean {
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    default: throw new Error(`the oracle cannot apply ${op} to numbers`);
  }
}

function textHolds(op: Comparator, text: string, value: unknown): boolean {
  switch (op) {
    case '=': return text === value;
    case '!=': return text !== value;
    case 'LIKE': return like(text, value as string);
    case 'NOT LIKE': return !like(text, value as string);
    case 'ILIKE': return like(foldAscii(text), foldAscii(value as string));
    case 'NOT ILIKE': return !like(foldAscii(text), foldAscii(value as string));
    case 'IN': return (value as readonly string[]).includes(text);
    case 'NOT IN': return !(value as readonly string[]).includes(text);
    default: throw new Error(`the oracle cannot apply ${op} to text`);
  }
}

/** SQL LIKE without an escape character, over code points: `%` any run, `_` exactly one. */
export function like(text: string, pattern: string): boolean {
  const t = [...text];
  const p = [...pattern];
  // reach[j]: the first i characters of the text can be matched by the first j of the pattern.
  let reach = new Array<boolean>(p.length + 1).fill(false);
  reach[0] = true;
  for (let j = 1; j <= p.length; j++) reach[j] = reach[j - 1] && p[j - 1] === '%';
  for (let i = 1; i <= t.length; i++) {
    const next = new Array<boolean>(p.length + 1).fill(false);
    for (let j = 1; j <= p.length; j++) {
      const pc = p[j - 1];
      if (pc === '%') next[j] = next[j - 1] || reach[j];
      else next[j] = reach[j - 1] && (pc === '_' || pc === t[i - 1]);
    }
    reach = next;
  }
  return reach[p.length];
}

function foldAscii(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    out += ch.length === 1 && code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch;
  }
  return out;
}

/**
 * The number a param's text stands for when the whole text is a decimal
 * literal (sign, digits, optional fraction, optional exponent), else null.
 * Written as a scanner, apart from the backends' pattern.
 */
export function decimalLiteral(text: string): number | null {
  let i = 0;
  const digitsFrom = (at: number): number => {
    let j = at;
    while (j < text.length && text[j] >= '0' && text[j] <= '9') j++;
    return j - at;
  };
  if (text[i] === '+' || text[i] === '-') i++;
  const whole = digitsFrom(i);
  i += whole;
  let fraction = 0;
  if (text[i] === '.') {
    i++;
    fraction = digitsFrom(i);
    i += fraction;
  }
  if (whole === 0 && fraction === 0) return null;
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    const exponent = digitsFrom(i);
    if (exponent === 0) return null;
    i += exponent;
  }
  return i === text.length ? parseFloat(text) : null;
}

/** Sort comparator: the order_by clauses, then start_time DESC (unless ordered by it), then run_id. */
function compareRuns(a: OracleRun, b: OracleRun, orderBy: readonly OrderClause[]): number {
  for (const clause of orderBy) {
    const d = compareBy(a, b, clause);
    if (d !== 0) return d;
  }
  if (!orderBy.some((c) => c.ident.type === 'attribute' && c.ident.key === 'start_time')) {
    if (a.startTime !== b.startTime) return b.startTime - a.startTime;
  }
  return compareText(a.runId, b.runId);
}

/** Missing (and, for metrics, NaN) sort after every value whatever the direction; NaN before missing. */
function compareBy(a: OracleRun, b: OracleRun, clause: OrderClause): number {
  const va = sortValue(a, clause);
  const vb = sortValue(b, clause);
  const ra = rank(va);
  const rb = rank(vb);
  if (ra !== rb) return ra - rb;
  if (ra !== 0) return 0;
  const d = typeof va === 'number' ? (va as number) - (vb as number) : compareText(va as string, vb as string);
  // -0 and 0 are equal; Infinity - Infinity is NaN.
  const sign = d > 0 ? 1 : d < 0 ? -1 : 0;
  return clause.ascending ? sign : -sign;
}

function sortValue(run: OracleRun, clause: OrderClause): string | number | null {
  const { type, key } = clause.ident;
  const own = (record: Readonly<Record<string, string | number>>) => (Object.prototype.hasOwnProperty.call(record, key) ? record[key] : null);
  if (type === 'metric') return own(run.metrics);
  if (type === 'param') return own(run.params);
  if (type === 'tag') return own(run.tags);
  if (type === 'attribute') return attributeOf(run, key);
  throw new Error(`the oracle cannot order by ${type}s`);
}

function rank(v: string | number | null): number {
  if (v === null) return 2;
  return typeof v === 'number' && Number.isNaN(v) ? 1 : 0;
}

/** Code point order, which is UTF-8 byte order (how SQLite's BINARY collation and PostgreSQL's "C" sort). */
export function compareText(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}
