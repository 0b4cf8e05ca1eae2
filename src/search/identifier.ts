/**
 * Turns the key token of a clause (`metrics.acc`, `params.\`a b\``,
 * `tags."x y"`, bare `status`) into an Identifier, as MLflow's
 * `_get_identifier` does: split at the first dot, prefix to entity type, no
 * prefix means an attribute.
 */
import type { EntityType, Identifier } from './filter-ast';
import type { Token, WordSegment } from './filter-tokens';
import { clauseError, describeFound, syntaxError } from './search-error';
import type { AttributeSpec, SearchProfile } from './search-keys';

export interface ResolvedIdentifier {
  readonly ident: Identifier;
  /** Set for attributes. */
  readonly attribute?: AttributeSpec;
}

export function resolveIdentifier(
  token: Token, profile: SearchProfile, source: string, use: 'filter' | 'order_by clause',
): ResolvedIdentifier {
  const example = profile.target === 'runs' ? 'metrics.acc' : 'name';
  if (token.kind === 'string' && token.quote === '"') {
    // MLflow reads a double-quoted bare key ("Run name") as an attribute name.
    return attribute(token.value, token, profile, source, use);
  }
  if (token.kind !== 'word') {
    throw syntaxError(source, token.start, `expected a key such as ${example}, found ${describeFound(token.kind === 'eof' ? undefined : token.raw)}.`, use);
  }
  const split = splitPrefix(token.segments);
  if (split === undefined) {
    if (token.segments.length === 1) return attribute(token.segments[0].text, token, profile, source, use);
    throw syntaxError(source, token.start, `cannot read the key '${token.raw}': write prefix.key, quoting the whole key if needed (metrics.\`my key\`).`, use);
  }
  // Prefixes are case-sensitive, as in MLflow (`METRICS.acc` is an error there too).
  const type = own(profile.prefixes, split.prefix);
  if (type === undefined) {
    const lower = own(profile.prefixes, split.prefix.toLowerCase()) === undefined ? '' : ` (prefixes are lower case: ${split.prefix.toLowerCase()}.)`;
    throw clauseError(source, token.start,
      `Invalid entity type '${split.prefix}' in ${use === 'filter' ? 'the filter' : 'order_by'}: valid prefixes for ${profile.target} are ${validPrefixes(profile)}${lower}`);
  }
  const key = joinKey(split.rest);
  if (key === undefined) {
    throw syntaxError(source, token.start, `cannot read the key in '${token.raw}': quote the whole key after the dot (${split.prefix}.\`my.key\`).`, use);
  }
  if (key === '') {
    throw syntaxError(source, token.end, `expected a key after '${split.prefix}.', found ${describeFound(source[token.end])}.`, use);
  }
  if (type === 'attribute') return attribute(key, token, profile, source, use);
  const tagAttribute = type === 'tag' && profile.tagAttributes !== undefined ? own(profile.tagAttributes, key) : undefined;
  if (tagAttribute !== undefined) return { ident: { type: 'attribute', key: tagAttribute.key }, attribute: tagAttribute };
  if (type === 'dataset' && !profile.datasetKeys.includes(key)) {
    throw clauseError(source, token.start, `Invalid dataset key '${key}': use one of ${profile.datasetKeys.join(', ')}`);
  }
  return { ident: { type, key } };
}

function attribute(name: string, token: Token, profile: SearchProfile, source: string, use: 'filter' | 'order_by clause'): ResolvedIdentifier {
  const table = use === 'filter' ? profile.filterAttributes : profile.orderAttributes;
  const spec = own(table, name);
  if (spec === undefined && own(profile.filterAttributes, name) !== undefined) {
    const keys = Object.keys(profile.orderAttributes).join(', ');
    throw clauseError(source, token.start,
      `Invalid attribute key '${name}' in order_by: ${profile.target} can be filtered on it but not ordered by it (as in MLflow). Order by one of ${keys}`);
  }
  if (spec === undefined) {
    const hint = profile.target === 'runs' && !name.includes('.')
      ? ` (for a metric, param or tag write metrics.${name}, params.${name} or tags.${name})`
      : '';
    const keys = [...new Set(Object.values(table).map((s) => s.key))].join(', ');
    throw clauseError(source, token.start, `Invalid attribute key '${name}' for ${profile.target}: use one of ${keys}${hint}`);
  }
  return { ident: { type: 'attribute', key: spec.key }, attribute: spec };
}

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Splits off the entity prefix: `metrics.acc` → metrics + [acc]; `` `metrics`.acc `` works too. */
function splitPrefix(segments: readonly WordSegment[]): { prefix: string; rest: WordSegment[] } | undefined {
  const [first, ...others] = segments;
  if (first.quote !== null) {
    const next = others[0];
    if (first.quote === '`' && next !== undefined && next.quote === null && next.text.startsWith('.')) {
      return { prefix: first.text, rest: [{ text: next.text.slice(1), quote: null }, ...others.slice(1)] };
    }
    return undefined;
  }
  const dot = first.text.indexOf('.');
  if (dot === -1) return undefined;
  return { prefix: first.text.slice(0, dot), rest: [{ text: first.text.slice(dot + 1), quote: null }, ...others] };
}

/** The key after the prefix: all plain, or one quoted part right after the dot. Mixed forms are refused. */
function joinKey(rest: readonly WordSegment[]): string | undefined {
  const parts = rest.filter((s) => !(s.quote === null && s.text === ''));
  if (parts.length === 0) return '';
  if (parts.length === 1 && (parts[0].quote !== null || rest.length === 1)) return parts[0].text;
  return undefined;
}

function validPrefixes(profile: SearchProfile): string {
  const byType = new Map<EntityType, string[]>();
  for (const [prefix, type] of Object.entries(profile.prefixes)) {
    byType.set(type, [...(byType.get(type) ?? []), prefix]);
  }
  return [...byType.values()].map((names) => names.join('/')).join(', ');
}
