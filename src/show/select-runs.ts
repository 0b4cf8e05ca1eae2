/** Finds the runs an inline view shows: given ones, or a search. */
import type { Run } from '../entities';
import { isTracklabError, TracklabError } from '../errors';
import { getClient } from '../config';
import type { TrackingClient } from '../tracking/client';
import { currentExperiment, latestRun } from '../tracking/fluent';
import { isWrapperRun } from '../tracking/system-tags';

/** A run as users hold it: its id, the ActiveRun they logged to, or a Run from a search. */
export type RunRef = string | { readonly id: string } | Run;

export interface RunSelection {
  /**
   * Experiment names or ids. Default: the current experiment (the latest
   * run's, else configure({ experiment }) / TRACKLAB_EXPERIMENT / "Default");
   * see currentExperiment().
   */
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

export interface SelectedRuns {
  readonly client: TrackingClient;
  readonly runs: Run[];
  /** The run the user most likely just trained, when it is among `runs`: views keep it in view. */
  readonly latestRunId: string | undefined;
}

export async function selectRuns(selection: RunSelection): Promise<SelectedRuns> {
  const client = selection.client ?? getClient();
  // Runs logged in this cell may still have buffered points.
  await client.flush();
  let runs: Run[];
  if (selection.runs) {
    const ids = selection.runs.map(runIdOf);
    runs = await Promise.all(ids.map((id) => client.getRun(id)));
  } else {
    const named = selection.experiment !== undefined;
    try {
      // Project and sweep runs (`tracklab run` wraps them around a notebook's runs) train nothing themselves:
      // they are left out, and pages are read on until maxRuns others are found.
      const maxRuns = selection.maxRuns ?? 100;
      const experiments = named ? selection.experiment : currentExperiment(client);
      runs = [];
      let pageToken: string | undefined;
      do {
        const found = await client.searchRuns({ experiments, filter: selection.filter, maxResults: maxRuns - runs.length, pageToken });
        runs.push(...found.runs.filter((r) => !isWrapperRun(r.data.tags)));
        pageToken = found.nextPageToken;
      } while (pageToken !== undefined && runs.length < maxRuns);
    } catch (err) {
      // The default experiment may not exist yet: that is "no runs", not a typo to report.
      if (named || !isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
      runs = [];
    }
  }
  return { client, runs, latestRunId: latestOf(runs, client) };
}

/** The latest run of this process when it is among `runs`, else the one that started last. */
function latestOf(runs: readonly Run[], client: TrackingClient): string | undefined {
  const latest = latestRun();
  if (latest && latest.client.home === client.home && runs.some((r) => r.info.runId === latest.id)) return latest.id;
  let newest: Run | undefined;
  for (const run of runs) if (!newest || run.info.startTime > newest.info.startTime) newest = run;
  return newest?.info.runId;
}
