/** Row shapes of the runs and experiments tables, the same in every SQL backend, and their mapping to entities. */
import type { Experiment, LifecycleStage, RunInfo, RunStatus } from '../entities';

export interface RunRow {
  readonly run_id: string;
  readonly run_name: string;
  readonly experiment_id: string;
  readonly parent_run_id: string | null;
  readonly status: RunStatus;
  readonly status_message: string | null;
  readonly start_time: number;
  readonly end_time: number | null;
  readonly user_id: string | null;
  readonly lifecycle_stage: LifecycleStage;
}

export const RUN_COLUMNS = 'r.run_id, r.run_name, r.experiment_id, r.parent_run_id, r.status, r.status_message, '
  + 'r.start_time, r.end_time, r.user_id, r.lifecycle_stage';

export function runInfoFromRow(row: RunRow): RunInfo {
  return {
    runId: row.run_id,
    runName: row.run_name,
    experimentId: row.experiment_id,
    parentRunId: row.parent_run_id,
    status: row.status,
    statusMessage: row.status_message,
    startTime: row.start_time,
    endTime: row.end_time,
    user: row.user_id,
    lifecycleStage: row.lifecycle_stage,
  };
}

export interface ExperimentRow {
  readonly experiment_id: string;
  readonly name: string;
  readonly description: string | null;
  readonly lifecycle_stage: LifecycleStage;
  readonly creation_time: number;
  readonly last_update_time: number;
}

export function experimentFromRow(row: ExperimentRow, tags: Readonly<Record<string, string>>): Experiment {
  return {
    experimentId: row.experiment_id,
    name: row.name,
    description: row.description,
    lifecycleStage: row.lifecycle_stage,
    creationTime: row.creation_time,
    lastUpdateTime: row.last_update_time,
    tags,
  };
}
