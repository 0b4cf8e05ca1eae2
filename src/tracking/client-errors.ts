/** How store and driver failures reach callers of TrackingClient: always as a TracklabError. */
import { TracklabError, isTracklabError } from '../errors';
import { msg } from '../messages';
import { maskedError, maskUri } from '../store/store-uri';

/** Wraps anything that is not a TracklabError, so driver errors never escape; a URI in the driver's message loses its password. */
export function asTracklabError(err: unknown, what: string): TracklabError {
  if (isTracklabError(err)) return err;
  const detail = maskUri(err instanceof Error ? err.message : String(err));
  return new TracklabError('INTERNAL_ERROR', msg.storeFailed(what, detail), { cause: maskedError(err) });
}
