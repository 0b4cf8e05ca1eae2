/**
 * Compiles registry searches (registered models, model versions) for any SQL
 * backend, after the backend's own SELECT of hydrated rows (`m` is
 * registered_models, `v` model_versions). Every user value and key is a bound
 * `?` parameter; the SQL text holds only the column names listed here. LIKE
 * is case-sensitive and ILIKE is not, as for runs (search-sql.ts).
 */
import { TracklabError } from '../errors';
import type { Comparison, FilterNode, OrderClause } from '../search/filter-ast';
import type { RegistrySearchQuery } from './registry-store';
import { checkPage, type Fragment, type SqlDialect, valueCondition } from './search-sql';

const MODEL_COLUMNS: Readonly<Record<string, string>> = {
  name: 'm.name', creation_timestamp: 'm.creation_time', last_updated_timestamp: 'm.last_updated_time',
};
const VERSION_COLUMNS: Readonly<Record<string, string>> = {
  name: 'm.name', version_number: 'v.version', run_id: 'v.run_id', source_path: 'v.source',
  creation_timestamp: 'v.creation_time', last_updated_timestamp: 'v.last_updated_time',
};

/** Hydrated registered models for one page (maxResults + 1 rows). Default order: name. */
export function compileModelSearch(d: SqlDialect, modelSelect: string, q: RegistrySearchQuery): { sql: string; params: unknown[] } {
  checkPage(q.maxResults, q.offset);
  const where = q.filter === undefined ? undefined : compileNode(q.filter, (c) => comparison(d, c, MODEL_COLUMNS, 'registered_model_tags', 'k.model_id = m.model_id'));
  const order = orderSql(q.orderBy, MODEL_COLUMNS);
  if (!q.orderBy.some((c) => c.ident.key === 'name')) order.push('m.name');
  return {
    sql: `${modelSelect}${where ? ` WHERE ${where.sql}` : ''} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    params: [...(where?.params ?? []), q.maxResults + 1, q.offset],
  };
}

/** Hydrated model versions for one page (maxResults + 1 rows). Default order: name, then version descending. */
export function compileVersionSearch(d: SqlDialect, versionSelect: string, q: RegistrySearchQuery): { sql: string; params: unknown[] } {
  checkPage(q.maxResults, q.offset);
  const where = q.filter === undefined ? undefined : compileNode(q.filter,
    (c) => comparison(d, c, VERSION_COLUMNS, 'model_version_tags', 'k.model_id = v.model_id AND k.version = v.version'));
  const order = orderSql(q.orderBy, VERSION_COLUMNS);
  if (!q.orderBy.some((c) => c.ident.key === 'name')) order.push('m.name');
  if (!q.orderBy.some((c) => c.ident.key === 'version_number')) order.push('v.version DESC');
  return {
    sql: `${versionSelect}${where ? ` WHERE ${where.sql}` : ''} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    params: [...(where?.params ?? []), q.maxResults + 1, q.offset],
  };
}

function compileNode(node: FilterNode, compare: (c: Comparison) => Fragment): Fragment {
  if (node.kind === 'compare') return compare(node);
  const parts = node.items.map((item) => compileNode(item, compare));
  return { sql: `(${parts.map((p) => p.sql).join(node.kind === 'and' ? ' AND ' : ' OR ')})`, params: parts.flatMap((p) => p.params) };
}

function comparison(d: SqlDialect, c: Comparison, columns: Readonly<Record<string, string>>, tagTable: string, owner: string): Fragment {
  if (c.ident.type === 'tag') {
    // A clause on a tag the entity lacks is false, also for != (MLflow's rule for runs).
    if (c.op === 'IS NULL' || c.op === 'IS NOT NULL') {
      const exists = `EXISTS (SELECT 1 FROM ${tagTable} k WHERE ${owner} AND k.key = ?)`;
      return { sql: c.op === 'IS NULL' ? `NOT ${exists}` : exists, params: [c.ident.key] };
    }
    const cond = valueCondition(d, 'k.value', c);
    return { sql: `EXISTS (SELECT 1 FROM ${tagTable} k WHERE ${owner} AND k.key = ? AND ${cond.sql})`, params: [c.ident.key, ...cond.params] };
  }
  return valueCondition(d, column(columns, c.ident.type, c.ident.key), c);
}

function column(columns: Readonly<Record<string, string>>, type: string, key: string): string {
  const col = type === 'attribute' && Object.prototype.hasOwnProperty.call(columns, key) ? columns[key] : undefined;
  if (col === undefined) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Cannot search the registry on ${type === 'attribute' ? key : `${type}s.${key}`}: use ${Object.keys(columns).join(', ')} or tags.<key>.`);
  }
  return col;
}

function orderSql(clauses: readonly OrderClause[], columns: Readonly<Record<string, string>>): string[] {
  return clauses.map((c) => `${column(columns, c.ident.type, c.ident.key)}${c.ascending ? '' : ' DESC'}`);
}
