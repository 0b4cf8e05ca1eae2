/**
 * PostgreSQL's spelling of the shared search compiler (../search-sql.ts), so
 * both backends return the same ids in the same order:
 * - LIKE with no escape character (PostgreSQL's default is backslash);
 * - ILIKE folds A-Z only, as SQLite does, whatever the database's locale
 *   (lower() would also fold É, and ILIKE follows the ctype);
 * - float8 keeps NaN, and PostgreSQL orders NaN above every number, so the
 *   comparisons that NaN must fail exclude it (NaN <> x already holds);
 * - text is COLLATE "C" in the schema, so order is by bytes.
 */
import type { Comparison } from '../../search/filter-ast';
import type { RegistrySearchQuery } from '../registry-store';
import { compileModelSearch, compileVersionSearch } from '../registry-search-sql';
import * as shared from '../search-sql';
import type { CompiledQuery, Fragment, PatternOp, SqlDialect } from '../search-sql';
import type { ExperimentSearchQuery, RunCountQuery, RunSearchQuery } from '../store';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

export const postgresDialect: SqlDialect = {
  match(column: string, op: PatternOp, pattern: string): Fragment {
    const fold = op === 'ILIKE' || op === 'NOT ILIKE';
    const test = `${fold ? `translate(${column}, '${UPPER}', '${LOWER}')` : column} LIKE ? ESCAPE ''`;
    return { sql: op.startsWith('NOT') ? `NOT (${test})` : test, params: [fold ? asciiLower(pattern) : pattern] };
  },
  metricCondition(prefix: string, c: Comparison): Fragment {
    const column = `${prefix}last_value`;
    const test = `${column} ${shared.sqlOperator(c.op)} ?::float8`;
    return { sql: c.op === '>' || c.op === '>=' ? `(${test} AND ${column} <> 'NaN')` : test, params: [c.value] };
  },
  metricOrder(alias: string, descending: boolean): string {
    return `CASE WHEN ${alias}.run_id IS NULL THEN 2 WHEN ${alias}.last_value = 'NaN' THEN 1 ELSE 0 END, ${alias}.last_value${descending ? ' DESC' : ''}`;
  },
  numberParam: '?::float8',
  derivedAlias: ' AS s',
  // Created by migration 4 (schema.ts), from the same pattern the JavaScript rule uses.
  paramNumber: (column: string) => `tracklab_param_number(${column})`,
};

export function compileRunSearch(q: RunSearchQuery): CompiledQuery {
  return numbered(shared.compileRunSearch(postgresDialect, q));
}

export function compileRunCount(q: RunCountQuery): CompiledQuery {
  return numbered(shared.compileRunCount(postgresDialect, q));
}

export function compileExperimentSearch(q: ExperimentSearchQuery): CompiledQuery {
  return numbered(shared.compileExperimentSearch(postgresDialect, q));
}

export function compileModels(modelSelect: string, q: RegistrySearchQuery): CompiledQuery {
  return numbered(compileModelSearch(postgresDialect, modelSelect, q));
}

export function compileVersions(versionSelect: string, q: RegistrySearchQuery): CompiledQuery {
  return numbered(compileVersionSearch(postgresDialect, versionSelect, q));
}

/** `?` placeholders to `$1, $2, ...`. The compiler writes `?` only as a placeholder (names and keywords never hold one). */
export function numbered(q: { sql: string; params: unknown[] }): CompiledQuery {
  let n = 0;
  return { sql: q.sql.replace(/\?/g, () => `$${++n}`), params: q.params };
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
}
