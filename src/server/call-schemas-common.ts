/**
 * Shapes shared by the tracking and registry call schemas: search filters
 * and orderings (the parsed AST of src/search/filter-ast.ts, since the
 * remote store sends queries already parsed), tags, artifact entries.
 */
import { normalizeArtifactPath } from '../artifacts/artifact-path';
import { isSha256 } from '../artifacts/content-store';
import { TracklabError } from '../errors';
import { Limits } from '../validation';
import { anyOf, arr, bool, finite, int, nullable, obj, oneOf, opt, rec, refine, str, type Schema } from './call-schema';

const ident = obj({ type: oneOf('metric', 'param', 'tag', 'attribute', 'dataset'), key: str(Limits.keyLength) });

const COMPARATORS = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL'];

const filterValue: Schema = anyOf('a string, a number, a list of strings or null', (v) =>
  v === null ? () => undefined : typeof v === 'string' ? str(Limits.tagValueLength) : typeof v === 'number' ? finite : Array.isArray(v) ? arr(str(Limits.tagValueLength), 10_000) : undefined);

const MAX_FILTER_DEPTH = 64;

/** A parsed filter: comparisons joined by AND/OR, at most 64 deep. */
export const filterNode: Schema = (v, at) => filterAt(v, at, 0);

function filterAt(v: unknown, at: string, depth: number): void {
  if (depth > MAX_FILTER_DEPTH) throw new TracklabError('INVALID_PARAMETER_VALUE', `'${at}' nests filters more than ${MAX_FILTER_DEPTH} deep.`);
  const kind = (v as { kind?: unknown } | null)?.kind;
  if (kind === 'and' || kind === 'or') {
    obj({ kind: oneOf('and', 'or'), items: arr((item, a) => filterAt(item, a, depth + 1), 10_000) })(v, at);
  } else {
    obj({ kind: oneOf('compare'), ident, op: oneOf(...COMPARATORS), value: filterValue, position: int(0) })(v, at);
  }
}

export const orderBy = arr(obj({ ident, ascending: bool }), 100);

export const tags = (valueChars: number = Limits.tagValueLength) => rec(str(valueChars), Limits.entitiesPerBatch);

export const id = str(Limits.runIdLength);
export const name = str(Limits.experimentNameLength);
export const stage = oneOf('active', 'deleted');
export const time = finite;

/** A manifest entry as a client sends it: a canonical safe path, a lowercase sha256, a size in bytes. */
export const artifactEntry: Schema = refine(obj({ path: str(Limits.artifactPathLength), sha256: str(64), size: int(0) }),
  (e: { path: string; sha256: string }, at) => {
    let canonical: string | undefined;
    try {
      canonical = normalizeArtifactPath(e.path);
    } catch (err) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `'${at}.path': ${(err as Error).message}`, { cause: err });
    }
    if (canonical !== e.path) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `'${at}.path' ${JSON.stringify(e.path)} is not in canonical form; send ${JSON.stringify(canonical)}.`);
    }
    if (!isSha256(e.sha256)) throw new TracklabError('INVALID_PARAMETER_VALUE', `'${at}.sha256' ${JSON.stringify(e.sha256)} is not a sha256 digest (64 lowercase hex digits).`);
  });

export const artifactEntries = arr(artifactEntry, Limits.entitiesPerBatch);

export { nullable, opt };
