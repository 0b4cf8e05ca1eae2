import { TracklabError } from '../errors';
import { normalizeArtifactPrefix } from './artifact-path';

/** A parsed `runs:/<run_id>/<path>` URI. `path` is `''` for the whole run. */
export interface RunsUri {
  readonly runId: string;
  readonly path: string;
}

/** Run ids are nanoid-style: URL-safe letters, digits, `_` and `-`. */
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

function bad(uri: string, what: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE',
    `Artifact URI ${JSON.stringify(uri)} is not valid: ${what}. Write it as runs:/<run_id>/<path>, for example runs:/V1StGXR8_Z5jdHi6B-myT/model/model.onnx.`);
}

/**
 * Parses `runs:/<run_id>/<path>` strictly: exactly one slash after the scheme
 * (MLflow's form), a plain run id, and a path that passes the artifact path
 * validator. The path may be empty (`runs:/<run_id>` or `runs:/<run_id>/`).
 *
 * @example
 * parseRunsUri('runs:/V1StGXR8_Z5jdHi6B-myT/plots/loss.png');
 * // { runId: 'V1StGXR8_Z5jdHi6B-myT', path: 'plots/loss.png' }
 */
export function parseRunsUri(uri: string): RunsUri {
  if (typeof uri !== 'string') throw bad(String(uri), 'it is not a string');
  if (!uri.startsWith('runs:')) throw bad(uri, 'it does not start with "runs:/"');
  const rest = uri.slice('runs:'.length);
  if (!rest.startsWith('/')) throw bad(uri, 'a "/" must follow "runs:"');
  if (rest.startsWith('//')) throw bad(uri, 'it has "//" after "runs:" (a host part); tracklab run URIs have none');
  const slash = rest.indexOf('/', 1);
  const runId = slash === -1 ? rest.slice(1) : rest.slice(1, slash);
  if (!RUN_ID.test(runId)) {
    throw bad(uri, runId === '' ? 'the run id is missing' : `the run id ${JSON.stringify(runId)} has characters other than letters, digits, "_" and "-"`);
  }
  const path = normalizeArtifactPrefix(slash === -1 ? '' : rest.slice(slash + 1));
  return { runId, path };
}

/** Formats a run artifact URI; the inverse of {@link parseRunsUri}. */
export function formatRunsUri(runId: string, path = ''): string {
  return path === '' ? `runs:/${runId}` : `runs:/${runId}/${path}`;
}
