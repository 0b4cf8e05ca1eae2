/**
 * SQLite's spelling of the shared search compiler (../search-sql.ts): LIKE
 * through GLOB, which is case-sensitive whatever PRAGMA case_sensitive_like
 * says; NaN stored as NULL with a flag beside it; the param-number rule as a
 * registered JavaScript function (search-functions.ts).
 */
import type { Comparison } from '../../search/filter-ast';
import type { ExperimentSearchQuery, RunCountQuery, RunSearchQuery } from '../store';
import * as shared from '../search-sql';
import { PARAM_NUMBER_FUNCTION } from './search-functions';
import type { CompiledQuery, Fragment, PatternOp, SqlDialect } from '../search-sql';

export type { CompiledQuery } from '../search-sql';

export const sqliteDialect: SqlDialect = {
  match(column: string, op: PatternOp, pattern: string): Fragment {
    const fold = op === 'ILIKE' || op === 'NOT ILIKE';
    const test = fold ? `lower(${column}) GLOB ?` : `${column} GLOB ?`;
    const glob = fold ? asciiLower(likeToGlob(pattern)) : likeToGlob(pattern);
    return { sql: op.startsWith('NOT') ? `NOT (${test})` : test, params: [glob] };
  },
  metricCondition(prefix: string, c: Comparison): Fragment {
    // NaN is stored as NULL with the NaN flag set: NULL fails every comparison, and != must still hold for it.
    if (c.op === '!=') return { sql: `(${prefix}last_value <> ? OR ${prefix}last_is_nan = 1)`, params: [c.value] };
    return { sql: `${prefix}last_value ${shared.sqlOperator(c.op)} ?`, params: [c.value] };
  },
  metricOrder(alias: string, descending: boolean): string {
    return `CASE WHEN ${alias}.run_id IS NULL THEN 2 WHEN ${alias}.last_is_nan = 1 THEN 1 ELSE 0 END, ${alias}.last_value${descending ? ' DESC' : ''}`;
  },
  numberParam: '?',
  derivedAlias: '',
  paramNumber: (column: string) => `${PARAM_NUMBER_FUNCTION}(${column})`,
};

export const compileRunSearch = (q: RunSearchQuery): CompiledQuery => shared.compileRunSearch(sqliteDialect, q);
export const compileGeneralRunSearch = (q: RunSearchQuery): CompiledQuery => shared.compileGeneralRunSearch(sqliteDialect, q);
export const compileJoinedRunSearch = (q: RunSearchQuery): CompiledQuery | undefined => shared.compileJoinedRunSearch(sqliteDialect, q);
export const compileExperimentSearch = (q: ExperimentSearchQuery): CompiledQuery => shared.compileExperimentSearch(sqliteDialect, q);
export const compileRunCount = (q: RunCountQuery): CompiledQuery => shared.compileRunCount(sqliteDialect, q);

/** SQL LIKE (`%`, `_`, no escape character) to GLOB. */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/** Lower-cases A-Z only, as SQLite's lower() does without ICU, so both sides fold alike. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
}
