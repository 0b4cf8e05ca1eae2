/**
 * tracklab entities as MLflow's JSON (protobuf MessageToJson with
 * snake_case names, as `message_to_json` writes it): int64 fields as JSON
 * numbers, doubles that JSON cannot hold as the strings "NaN", "Infinity"
 * and "-Infinity", unset optional fields and empty lists left out.
 *
 * Where tracklab and MLflow differ:
 * - CRASHED (a run whose process died) is not an MLflow status: it is
 *   answered as FAILED, and the run keeps its status message;
 * - an experiment's description is MLflow's tag `mlflow.note.content`, and a
 *   run's name its tag `mlflow.runName`: both are added when absent;
 * - artifacts live under the server's proxy root, `mlflow-artifacts:/`.
 */
import type { Experiment, MetricPoint, Run, RunInfo, RunInput } from '../entities';
import { mlflowDatasetInputJson } from './mlflow-dataset-json';

export const NOTE_TAG = 'mlflow.note.content';
export const RUN_NAME_TAG = 'mlflow.runName';
export const USER_TAG = 'mlflow.user';
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

/** MLflow's RunStatus enum, by name and number. */
export const MlflowRunStatus = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 } as const;
export type MlflowRunStatus = keyof typeof MlflowRunStatus;

/** MLflow's ViewType enum. */
export const ViewType = { ACTIVE_ONLY: 1, DELETED_ONLY: 2, ALL: 3 } as const;
export type ViewType = keyof typeof ViewType;

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export function jsonDouble(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

function keyValues(record: Readonly<Record<string, string>>): KeyValue[] {
  return Object.keys(record).map((key) => ({ key, value: record[key]! }));
}

function withList<T extends object>(out: T, name: string, list: readonly unknown[]): T {
  if (list.length > 0) (out as Record<string, unknown>)[name] = list;
  return out;
}

export function experimentArtifactLocation(experimentId: string): string {
  return `mlflow-artifacts:/${experimentId}`;
}

export function runArtifactUri(info: RunInfo): string {
  return `mlflow-artifacts:/${info.experimentId}/${info.runId}/artifacts`;
}

export function experimentJson(exp: Experiment): Record<string, unknown> {
  const tags = { ...exp.tags };
  if (exp.description !== null && tags[NOTE_TAG] === undefined) tags[NOTE_TAG] = exp.description;
  return withList({
    experiment_id: exp.experimentId,
    name: exp.name,
    artifact_location: experimentArtifactLocation(exp.experimentId),
    lifecycle_stage: exp.lifecycleStage,
    last_update_time: exp.lastUpdateTime,
    creation_time: exp.creationTime,
  }, 'tags', keyValues(tags));
}

export function mlflowStatus(info: RunInfo): MlflowRunStatus {
  return info.status === 'CRASHED' ? 'FAILED' : info.status;
}

export function runInfoJson(info: RunInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    run_id: info.runId,
    run_uuid: info.runId,
    run_name: info.runName,
    experiment_id: info.experimentId,
    user_id: info.user ?? '',
    status: mlflowStatus(info),
    start_time: info.startTime,
  };
  if (info.endTime !== null) out.end_time = info.endTime;
  out.artifact_uri = runArtifactUri(info);
  out.lifecycle_stage = info.lifecycleStage;
  return out;
}

export function metricJson(point: MetricPoint): Record<string, unknown> {
  return { key: point.key, value: jsonDouble(point.value), timestamp: point.timestamp, step: point.step };
}

/** Tags as MLflow shows them: the run's own, plus its name, user and parent as MLflow's system tags when absent. */
function runTags(run: Run): Readonly<Record<string, string>> {
  const tags: Record<string, string> = { ...run.data.tags };
  tags[RUN_NAME_TAG] ??= run.info.runName;
  if (run.info.user !== null) tags[USER_TAG] ??= run.info.user;
  if (run.info.parentRunId !== null) tags[PARENT_RUN_TAG] ??= run.info.parentRunId;
  return tags;
}

/** A run as MLflow shows it; `inputs` are its dataset inputs (listInputs), shown as `inputs.dataset_inputs`. */
export function runJson(run: Run, inputs: readonly RunInput[] = []): Record<string, unknown> {
  const metrics = Object.values(run.data.metrics).map((m) => metricJson({ key: m.key, value: m.last, timestamp: m.lastTimestamp, step: m.lastStep }));
  const data = withList(withList(withList({}, 'metrics', metrics), 'params', keyValues(run.data.params)), 'tags', keyValues(runTags(run)));
  return { info: runInfoJson(run.info), data, inputs: inputs.length > 0 ? { dataset_inputs: inputs.map(mlflowDatasetInputJson) } : {} };
}
