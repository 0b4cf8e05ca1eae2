/**
 * MLflow's order_by syntax: `key [ASC|DESC]` per clause, ascending by
 * default, keys as in filters (`metrics.acc`, `params.\`a b\``, `start_time`).
 */
import { TracklabError } from '../errors';
import type { OrderClause } from './filter-ast';
import { keywordOf, tokenize, type Token } from './filter-tokens';
import { resolveIdentifier } from './identifier';
import { clauseError, describeFound, syntaxError } from './search-error';
import { displayKey, RUN_SEARCH, type SearchProfile } from './search-keys';

const WHAT = 'order_by clause';

/**
 * Parses run order_by clauses. A single string may hold several clauses
 * separated by commas; an array holds one or more per element. Undefined or
 * empty gives [] (the store's default: start_time DESC, then run_id).
 *
 * @example
 * parseOrderBy(['metrics.acc DESC', 'params.lr']);
 * parseOrderBy('metrics.`val loss` ASC, start_time DESC');
 */
export function parseOrderBy(clauses: string | readonly string[] | undefined): OrderClause[] {
  return parseOrderByWith(RUN_SEARCH, clauses);
}

/** Parses order_by clauses against a search profile (runs or experiments). */
export function parseOrderByWith(profile: SearchProfile, clauses: string | readonly string[] | undefined): OrderClause[] {
  if (clauses === undefined) return [];
  const list = typeof clauses === 'string' ? [clauses] : clauses;
  if (!Array.isArray(list)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `order_by must be a string or an array of strings, got ${typeof clauses}. Example: ['metrics.acc DESC'].`);
  }
  const out: OrderClause[] = [];
  const seen = new Set<string>();
  for (const source of list) {
    if (typeof source !== 'string') {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `order_by entries must be strings, got ${typeof source}. Example: ['metrics.acc DESC'].`);
    }
    if (source.trim() === '' && typeof clauses !== 'string') {
      // MLflow refuses a blank entry in the list; a blank string alone means "no order".
      throw new TracklabError('INVALID_PARAMETER_VALUE', `Invalid order_by clause '${source}': it is empty. Give a key such as 'metrics.acc DESC', or leave it out.`);
    }
    for (const { clause, position } of parseClauses(profile, source)) {
      const id = `${clause.ident.type}\u0000${clause.ident.key}`;
      if (seen.has(id)) {
        throw clauseError(source, position, `order_by lists ${displayKey(clause.ident.type, clause.ident.key)} twice: keep one`);
      }
      seen.add(id);
      out.push(clause);
    }
  }
  return out;
}

function parseClauses(profile: SearchProfile, source: string): { clause: OrderClause; position: number }[] {
  const tokens = tokenize(source, WHAT);
  const out: { clause: OrderClause; position: number }[] = [];
  let at = 0;
  if (tokens[0].kind === 'eof') return out;
  for (;;) {
    const key = tokens[at++];
    if (key.kind === 'eof' || key.kind === ',') {
      throw syntaxError(source, key.start, `expected a key such as ${example(profile)}, found ${found(key)}.`, WHAT);
    }
    const resolved = resolveIdentifier(key, profile, source, WHAT);
    if (!profile.orderEntities.includes(resolved.ident.type)) {
      const allowed = profile.orderEntities.map((t) => (t === 'attribute' ? 'attributes' : `${t}s`)).join(', ');
      throw clauseError(source, key.start, `Cannot order ${profile.target} by ${displayKey(resolved.ident.type, resolved.ident.key)}: order by ${allowed}`);
    }
    let ascending = true;
    const dir = keywordOf(tokens[at]);
    if (dir === 'ASC' || dir === 'DESC') {
      ascending = dir === 'ASC';
      at++;
    }
    out.push({ clause: { ident: resolved.ident, ascending }, position: key.start });
    const sep = tokens[at++];
    if (sep.kind === 'eof') return out;
    if (sep.kind !== ',') {
      throw syntaxError(source, sep.start, `expected ASC, DESC, ',' or the end after '${key.raw}', found ${found(sep)}.`, WHAT);
    }
  }
}

function found(t: Token): string {
  return describeFound(t.kind === 'eof' ? undefined : t.raw);
}

function example(profile: SearchProfile): string {
  return profile.target === 'runs' ? 'metrics.acc DESC' : 'name ASC';
}
