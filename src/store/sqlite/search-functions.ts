/**
 * SQL functions the search compiler (search-sql.ts) calls, registered on
 * every connection. SQLite has no regular expressions, so the rule for "this
 * param value is a number" (src/search/param-number.ts) runs as JavaScript.
 */
import type Database from 'better-sqlite3';
import { paramNumber } from '../../search/param-number';

/** `tracklab_param_number(text)`: the number a param value stands for, or NULL when it is not a decimal literal. */
export const PARAM_NUMBER_FUNCTION = 'tracklab_param_number';

export function registerSearchFunctions(db: Database.Database): void {
  db.function(PARAM_NUMBER_FUNCTION, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? paramNumber(value) : null));
}
