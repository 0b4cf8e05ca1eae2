/** Finds the runs an inline view shows: given ones, or a search. */
import type { Run } from '../entities';
import { TracklabError } from '../errors';
import { getClient } from '../config';
import type { TrackingClient } from '../tracking/client';

/** A run as users hold it: its id, the ActiveRun they logged to, or a Run from a search. */
export type RunRef = string | { readonly id: string } | Run;

export interface RunSelection {
  /** Experiment names or ids; default: every active experiment. */
  readonly experiment?: string | readonly string[];
  /** MLflow filter, e.g. `params.optimizer = 'adam' AND metrics.acc > 0.8`. */
  readonly filter?: string;
  /** Exact runs to show; overrides experiment and filter. */
  readonly runs?: readonly RunRef[];
  /** At most this many runs, newest first (default 100). */
  readonly maxRuns?: number;
  /** Store client; default: the configured one. */
  readonly client?: TrackingClient;
}

export function runIdOf(ref: RunRef): string {
  if (typeof ref === 'string') return ref;
  if ('info' in ref) return ref.info.runId;
  if (typeof ref.id === 'string') return ref.id;
  throw new TracklabError('INVALID_PARAMETER_VALUE', 'A run must be a run id, an ActiveRun or a Run from searchRuns().');
}

export async function selectRuns(selection: RunSelection): Promise<{ client: TrackingClient; runs: Run[] }> {
  const client = selection.client ?? getClient();
  if (selection.runs) {
    const ids = selection.runs.map(runIdOf);
    // Runs logged in this cell may still have buffered points.
    await client.flush();
    return { client, runs: await Promise.all(ids.map((id) => client.getRun(id))) };
  }
  await client.flush();
  const { runs } = await client.searchRuns({
    experiments: selection.experiment,
    filter: selection.filter,
    maxResults: selection.maxRuns ?? 100,
  });
  return { client, runs: [...runs] };
}
