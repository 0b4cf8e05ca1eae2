/**
 * Recursive-descent parser for MLflow's search filter grammar, plus OR and
 * parentheses (AND binds tighter than OR), a few tracklab comparators
 * (NOT LIKE, NOT ILIKE, IS [NOT] NULL) and params compared with an unquoted
 * number, numerically (param-number.ts).
 *
 *   filter     := or EOF
 *   or         := and ('OR' and)*
 *   and        := primary ('AND' primary)*
 *   primary    := '(' or ')' | comparison
 *   comparison := key comparator value
 *   value      := 'string' | "string" | number | '(' string (',' string)* ','? ')'
 */
import { TracklabError } from '../errors';
import type { Comparator, Comparison, FilterNode, FilterValue } from './filter-ast';
import { keywordOf, tokenize, type Token } from './filter-tokens';
import { resolveIdentifier, type ResolvedIdentifier } from './identifier';
import { clauseError, describeFound, syntaxError } from './search-error';
import { comparatorsFor, displayKey, entityLabel, RUN_SEARCH, type SearchProfile } from './search-keys';

const MAX_DEPTH = 64;
/** Comparators that compare a param with an unquoted number numerically (param-number.ts). */
const PARAM_NUMBER_OPS: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const PARAM_ORDER_OPS: readonly Comparator[] = ['<', '<=', '>', '>='];

/**
 * Parses a run search filter. Empty or blank input gives undefined (no filter).
 * Errors are INVALID_PARAMETER_VALUE naming the 0-based position, with a caret.
 *
 * @example
 * parseFilter("metrics.acc > 0.9 AND (params.opt = 'adam' OR tags.`team name` ILIKE '%vision%')");
 */
export function parseFilter(filter: string): FilterNode | undefined {
  return parseFilterWith(RUN_SEARCH, filter);
}

/** Parses a filter against a search profile (runs or experiments). */
export function parseFilterWith(profile: SearchProfile, filter: string): FilterNode | undefined {
  if (typeof filter !== 'string') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `A filter must be a string, got ${typeof filter}. Example: "metrics.acc > 0.9".`);
  }
  if (filter.trim() === '') return undefined;
  return new FilterParser(profile, filter).parse();
}

class FilterParser {
  private readonly tokens: Token[];
  private at = 0;
  private depth = 0;

  constructor(private readonly profile: SearchProfile, private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parse(): FilterNode {
    const node = this.or();
    const next = this.peek();
    if (next.kind !== 'eof') {
      const hint = next.kind === ')' ? "this ')' has no matching '('" : `expected AND, OR or the end of the filter, found ${describeFound(next.raw)}`;
      throw this.syntax(next, `${hint}.`);
    }
    return node;
  }

  private or(): FilterNode {
    const items = [this.and()];
    while (keywordOf(this.peek()) === 'OR') {
      this.next();
      items.push(this.and());
    }
    return junction('or', items);
  }

  private and(): FilterNode {
    const items = [this.primary()];
    while (keywordOf(this.peek()) === 'AND') {
      this.next();
      items.push(this.primary());
    }
    return junction('and', items);
  }

  private primary(): FilterNode {
    const open = this.peek();
    if (open.kind !== '(') return this.comparison();
    if (++this.depth > MAX_DEPTH) throw this.syntax(open, `parentheses nest deeper than ${MAX_DEPTH} levels.`);
    this.next();
    const node = this.or();
    const close = this.peek();
    if (close.kind !== ')') {
      throw this.syntax(close, `expected ')' to close the '(' at position ${open.start}, found ${describeFound(close.kind === 'eof' ? undefined : close.raw)}.`);
    }
    this.next();
    this.depth--;
    return node;
  }

  private comparison(): Comparison {
    const keyToken = this.next();
    if (keyToken.kind === 'word' && keywordOf(keyToken) !== undefined) {
      throw this.syntax(keyToken, `expected a key such as ${this.profile.target === 'runs' ? 'metrics.acc' : 'name'}, found the keyword ${keyToken.raw.toUpperCase()}.`);
    }
    const resolved = resolveIdentifier(keyToken, this.profile, this.source, 'filter');
    const opToken = this.peek();
    const op = this.comparator(keyToken);
    this.checkComparator(resolved, op, opToken);
    const value = this.value(resolved, op, this.tokens[this.at - 1]);
    return { kind: 'compare', ident: resolved.ident, op, value, position: keyToken.start };
  }

  /** Reads one comparator, which may span several keywords (NOT IN, IS NOT NULL). */
  private comparator(after: Token): Comparator {
    const t = this.next();
    if (t.kind === 'op') {
      if (t.raw === '<>') throw this.syntax(t, "'<>' is not a comparator here: use != instead.");
      if (t.raw === '==') throw this.syntax(t, "'==' is not a comparator here: use = instead.");
      return t.raw as Comparator;
    }
    const kw = keywordOf(t);
    if (kw === 'LIKE' || kw === 'ILIKE' || kw === 'IN') return kw;
    if (kw === 'NOT') {
      const second = this.next();
      const kw2 = keywordOf(second);
      if (kw2 === 'LIKE' || kw2 === 'ILIKE' || kw2 === 'IN') return `NOT ${kw2}`;
      throw this.syntax(second, `expected IN, LIKE or ILIKE after NOT, found ${describeFound(second.kind === 'eof' ? undefined : second.raw)}.`);
    }
    if (kw === 'IS') {
      let second = this.next();
      const negated = keywordOf(second) === 'NOT';
      if (negated) second = this.next();
      if (keywordOf(second) === 'NULL') return negated ? 'IS NOT NULL' : 'IS NULL';
      throw this.syntax(second, `expected ${negated ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS'}, found ${describeFound(second.kind === 'eof' ? undefined : second.raw)}.`);
    }
    throw this.syntax(t, `expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) after '${after.raw}', found ${describeFound(t.kind === 'eof' ? undefined : t.raw)}.`);
  }

  private checkComparator(resolved: ResolvedIdentifier, op: Comparator, at: Token): void {
    const { mlflow, extra } = comparatorsFor(resolved.ident.type, resolved.attribute);
    if (mlflow.includes(op) || extra.includes(op)) return;
    const label = entityLabel(resolved.ident.type, resolved.ident.key);
    let headline = `Invalid comparator ${op} for ${label}: use one of ${[...mlflow, ...extra].join(', ')}`;
    if ((op === 'IN' || op === 'NOT IN') && resolved.ident.type === 'attribute') {
      headline += `. Only the id attributes (run_id, experiment_id, parent_run_id) take a list; combine other values with OR`;
    }
    throw clauseError(this.source, at.start, headline);
  }

  private value(resolved: ResolvedIdentifier, op: Comparator, opToken: Token): FilterValue {
    if (op === 'IS NULL' || op === 'IS NOT NULL') return null;
    const { type, key } = resolved.ident;
    const shown = displayKey(type, key);
    const t = this.next();
    if (op === 'IN' || op === 'NOT IN') return this.list(t, op);
    if (t.kind === 'eof') throw this.syntax(t, `expected a value after '${opToken.raw}', found end of input.`);
    const numeric = type === 'metric' || resolved.attribute?.kind === 'numeric';
    if (numeric) {
      if (t.kind === 'number') return t.value;
      throw clauseError(this.source, t.start, `Expected a numeric value for ${shown}, found ${t.raw}: write a number, e.g. ${shown} ${op} 0.5`);
    }
    if (type === 'param' && t.kind === 'number' && PARAM_NUMBER_OPS.includes(op)) return t.value;
    if (type === 'param' && PARAM_ORDER_OPS.includes(op)) {
      throw clauseError(this.source, t.start,
        `Expected an unquoted number after ${op} for ${shown}, found ${t.raw}: write ${shown} ${op} 0.1 to compare numerically (a quoted value compares as text, with =, !=, LIKE or ILIKE)`);
    }
    if (t.kind === 'string') return t.value;
    if (t.kind === 'number') {
      throw clauseError(this.source, t.start, `Expected a quoted string value for ${shown}, found ${t.raw}: write ${shown} ${op} '${t.raw}'`);
    }
    throw this.syntax(t, `expected a quoted value after '${opToken.raw}', found ${describeFound(t.raw)}; quote text values ('like this').`);
  }

  private list(open: Token, op: Comparator): readonly string[] {
    if (open.kind !== '(') {
      throw this.syntax(open, `expected a parenthesised list of quoted strings after ${op}, e.g. ('a', 'b'), found ${describeFound(open.kind === 'eof' ? undefined : open.raw)}.`);
    }
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === ')' && values.length > 0) return values;
      if (t.kind === ')') throw this.syntax(t, `the list after ${op} is empty: give at least one quoted value.`);
      if (t.kind !== 'string') {
        throw this.syntax(t, `expected a quoted string in the list after ${op}, found ${describeFound(t.kind === 'eof' ? undefined : t.raw)}.`);
      }
      values.push(t.value);
      const sep = this.next();
      if (sep.kind === ')') return values;
      if (sep.kind !== ',') {
        throw this.syntax(sep, `expected ',' or ')' in the list after ${op}, found ${describeFound(sep.kind === 'eof' ? undefined : sep.raw)}.`);
      }
    }
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private next(): Token {
    const t = this.tokens[this.at];
    if (t.kind !== 'eof') this.at++;
    return t;
  }

  private syntax(t: Token, detail: string): Error {
    return syntaxError(this.source, t.start, detail);
  }
}

function junction(kind: 'and' | 'or', items: FilterNode[]): FilterNode {
  if (items.length === 1) return items[0];
  // (a AND b) AND c is a AND b AND c: flatten so backends see one level per operator.
  const flat = items.flatMap((n) => (n.kind === kind ? n.items : [n]));
  return { kind, items: flat };
}
