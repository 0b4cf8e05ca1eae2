/**
 * Opaque page tokens: base64url JSON holding the next offset and a hash of
 * the query that produced it, so a token is only accepted by the same search
 * (same experiments, filter, order and lifecycle; the page size may change).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { TracklabError } from '../errors';

const VERSION = 1;

/**
 * Makes the token for the page that starts at `offset` of `query`.
 * `query` is any JSON-like description of the search without the page size.
 *
 * @example
 * const token = createPageToken(100, { experiments: ['0'], filter: 'metrics.acc > 0.5', orderBy: [] });
 */
export function createPageToken(offset: number, query: unknown): string {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new TracklabError('INTERNAL_ERROR', `A page token offset must be a non-negative integer, got ${offset}.`);
  }
  const body = JSON.stringify({ v: VERSION, o: offset, q: queryHash(query) });
  return Buffer.from(body, 'utf8').toString('base64url');
}

/**
 * Reads a page token made by createPageToken for the same `query` and returns
 * its offset; no token (undefined, null or '') means offset 0.
 */
export function readPageToken(token: string | null | undefined, query: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  const invalid = (why: string): TracklabError => new TracklabError(
    'INVALID_PARAMETER_VALUE',
    `Invalid page token: ${why}. Pass the nextPageToken of the previous page unchanged, or no token for the first page.`,
  );
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('it is not a base64url string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'Invalid page token: it does not decode to a tracklab token. Pass the nextPageToken of the previous page unchanged, or no token for the first page.', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('it does not decode to a tracklab token');
  const { v, o, q } = parsed as { v?: unknown; o?: unknown; q?: unknown };
  if (v !== VERSION || typeof q !== 'string') throw invalid('it does not decode to a tracklab token');
  if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) throw invalid('its offset is not a non-negative integer');
  if (q !== queryHash(query)) {
    throw new TracklabError(
      'INVALID_PARAMETER_VALUE',
      'This page token belongs to a different search (its experiments, filter, order or lifecycle differ). Repeat the original search to continue it, or start this one without a page token.',
    );
  }
  return o;
}

/** sha256 of the query's canonical JSON (object keys sorted), shortened; collisions only matter for accidental misuse. */
function queryHash(query: unknown): string {
  return createHash('sha256').update(canonicalJson(query)).digest('base64url').slice(0, 22);
}
