/**
 * The URL state of the runs table: filter, order, columns, page. Everything
 * the table shows is in the query string, so a link reproduces it.
 */
import type { Run } from '../entities';
import { naturalOrder } from '../natural-order';
import { displayKey } from '../search/search-keys';
import type { ViewType } from '../validation';
import { href } from './html';
import { readLifecycle } from './lifecycle';

export const ColumnKind = { param: 'param', metric: 'metric', 'metric-min': 'metric-min', 'metric-max': 'metric-max', tag: 'tag' } as const;
export type ColumnKind = keyof typeof ColumnKind;

export interface Column {
  readonly kind: ColumnKind;
  readonly key: string;
}

export interface RunsState {
  readonly filter: string;
  /** One order_by clause as typed, e.g. "metrics.`acc` DESC"; '' is the default (newest first). */
  readonly order: string;
  /** Columns asked for; undefined means "choose from the page". */
  readonly columns: readonly Column[] | undefined;
  readonly pageToken: string;
  /** 1-based page number, for the "showing 51–100" line. */
  readonly page: number;
  readonly size: number;
  /** Active, deleted or all runs (MLflow's lifecycle filter). */
  readonly lifecycle: ViewType;
  /** A `?lifecycle=` value that is none of the choices; the page says so. */
  readonly badLifecycle?: string;
}

export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

function isColumnKind(value: string): value is ColumnKind {
  return Object.prototype.hasOwnProperty.call(ColumnKind, value);
}

/** `param:lr` → { kind: 'param', key: 'lr' }; anything else is dropped. */
export function parseColumn(text: string): Column | undefined {
  const at = text.indexOf(':');
  if (at <= 0) return undefined;
  const kind = text.slice(0, at);
  const key = text.slice(at + 1);
  return isColumnKind(kind) && key !== '' ? { kind, key } : undefined;
}

export function columnId(c: Column): string {
  return `${c.kind}:${c.key}`;
}

export function readRunsState(query: URLSearchParams): RunsState {
  const cols = query.getAll('col').map(parseColumn).filter((c): c is Column => c !== undefined);
  const size = Number(query.get('size') ?? DEFAULT_PAGE_SIZE);
  const page = Number(query.get('page') ?? 1);
  const lifecycle = readLifecycle(query);
  return {
    filter: query.get('filter') ?? '',
    order: query.get('order') ?? '',
    columns: query.has('col') || query.has('cols') ? cols : undefined,
    pageToken: query.get('page_token') ?? '',
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
    size: Number.isSafeInteger(size) && size > 0 ? Math.min(size, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE,
    lifecycle: lifecycle.viewType,
    ...(lifecycle.bad !== undefined ? { badLifecycle: lifecycle.bad } : {}),
  };
}

/** The link to the table with some state changed; the page resets unless a token is given. */
export function runsHref(experimentId: string, state: RunsState, change: Partial<RunsState> = {}): string {
  const s = { ...state, pageToken: '', page: 1, ...change };
  const q = new URLSearchParams();
  if (s.filter) q.set('filter', s.filter);
  if (s.order) q.set('order', s.order);
  if (s.columns !== undefined) {
    q.set('cols', '1');
    for (const c of s.columns) q.append('col', columnId(c));
  }
  if (s.size !== DEFAULT_PAGE_SIZE) q.set('size', String(s.size));
  if (s.lifecycle !== 'active') q.set('lifecycle', s.lifecycle);
  if (s.pageToken) {
    q.set('page_token', s.pageToken);
    q.set('page', String(s.page));
  }
  const text = q.toString();
  return href(`/experiments/${encodeURIComponent(experimentId)}`) + (text ? `?${text}` : '');
}

/** The order_by key a column sorts by, or undefined (min/max are summaries the store does not order by). */
export function sortKey(c: Column): string | undefined {
  if (c.kind === 'param') return displayKey('param', c.key);
  if (c.kind === 'metric') return displayKey('metric', c.key);
  if (c.kind === 'tag') return displayKey('tag', c.key);
  return undefined;
}

/** Splits "key DESC" into its key and direction. */
export function splitOrder(order: string): { key: string; desc: boolean } {
  const m = /^(.*?)\s+(ASC|DESC)\s*$/i.exec(order.trim());
  return m ? { key: m[1], desc: m[2].toUpperCase() === 'DESC' } : { key: order.trim(), desc: false };
}

/** System tags that every run carries; the column chooser lists them last. */
export function isSystemTag(key: string): boolean {
  return key.startsWith('tracklab.') || key.startsWith('mlflow.');
}

/** Keys present on these runs, most common first, then by name (m2 before m10). */
export function keysOf(runs: readonly Run[], pick: (r: Run) => readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) for (const k of pick(r)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || naturalOrder(a[0], b[0])).map(([k]) => k);
}

/** Default columns: the params and last metrics most runs of the page share (up to five each). */
export function defaultColumns(runs: readonly Run[]): Column[] {
  const params = keysOf(runs, (r) => Object.keys(r.data.params)).slice(0, 5).sort(naturalOrder);
  const metrics = keysOf(runs, (r) => Object.keys(r.data.metrics)).slice(0, 5).sort(naturalOrder);
  return [...params.map((key): Column => ({ kind: 'param', key })), ...metrics.map((key): Column => ({ kind: 'metric', key }))];
}
