/**
 * A run as a CLI user names it: by id, or by the name `tracklab runs` shows
 * (MLflow users name their runs). The id is tried first because ids are
 * unique; names need not be, so a name of several runs is refused, not guessed.
 */
import type { Run } from '../entities';
import { isTracklabError, TracklabError } from '../errors';
import { nearestName } from '../option-names';
import { quoteFilterValue } from '../search';
import type { TrackingClient } from '../tracking/client';
import { cliMsg } from './messages';

/** Runs whose names a missing name is checked against for a "did you mean": the newest this many. */
const NAMES_TO_SUGGEST_FROM = 1000;

/**
 * The run with id `ref`, else the one run named `ref`: an active one, or
 * when no active run has the name, a deleted one (as an id finds deleted
 * runs too). Throws INVALID_PARAMETER_VALUE (listing the ids) when several
 * runs have the name, RESOURCE_DOES_NOT_EXIST (with the nearest name) when none has.
 */
export async function findRun(client: TrackingClient, ref: string): Promise<Run> {
  try {
    return await client.getRun(ref);
  } catch (err) {
    // A name need not look like an id (`my run`), which getRun refuses as INVALID_PARAMETER_VALUE.
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST') && !isTracklabError(err, 'INVALID_PARAMETER_VALUE')) throw err;
  }
  for (const viewType of ['active', 'deleted'] as const) {
    const { runs, nextPageToken } = await client.searchRuns({
      filter: `tags.mlflow.runName = ${quoteFilterValue(ref)}`, orderBy: ['attributes.start_time ASC'], maxResults: 100, viewType,
    });
    if (runs.length === 1) return runs[0];
    if (runs.length > 1) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', cliMsg.runNameAmbiguous(ref, runs.map((r) => r.info.runId), nextPageToken !== undefined, viewType === 'deleted'));
    }
  }
  const newest = await client.searchRuns({ maxResults: NAMES_TO_SUGGEST_FROM });
  const names = [...new Set(newest.runs.map((r) => r.info.runName))];
  throw new TracklabError('RESOURCE_DOES_NOT_EXIST', cliMsg.noRunIdOrName(ref, nearestName(ref, names)));
}
