/** Plain, readonly data shapes shared by every layer. No store types here. */

export const RunStatus = {
  RUNNING: 'RUNNING',
  FINISHED: 'FINISHED',
  FAILED: 'FAILED',
  KILLED: 'KILLED',
  CRASHED: 'CRASHED',
} as const;
export type RunStatus = keyof typeof RunStatus;

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RunStatus, value);
}

export function isTerminalStatus(status: RunStatus): boolean {
  return status !== 'RUNNING';
}

export type LifecycleStage = 'active' | 'deleted';

export interface Experiment {
  readonly experimentId: string;
  readonly name: string;
  readonly description: string | null;
  readonly lifecycleStage: LifecycleStage;
  readonly creationTime: number;
  readonly lastUpdateTime: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Identity and lifecycle of a run (MLflow's RunInfo). */
export interface RunInfo {
  readonly runId: string;
  readonly runName: string;
  readonly experimentId: string;
  readonly parentRunId: string | null;
  readonly status: RunStatus;
  /** Why the run ended as it did: an error message for FAILED, a reason for CRASHED/KILLED. */
  readonly statusMessage: string | null;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly user: string | null;
  readonly lifecycleStage: LifecycleStage;
}

/** Latest value and range of one metric of one run. NaN and ±Infinity are kept exactly. */
export interface MetricSummary {
  readonly key: string;
  readonly last: number;
  readonly lastStep: number;
  readonly lastTimestamp: number;
  /** Minimum and maximum over non-NaN values; NaN when every value was NaN. */
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/**
 * Keyed by the user's names, so each record has no prototype (see records.ts):
 * a param named "constructor" is a plain key, and an absent one reads as
 * undefined. Stores return every record of an entity (tags of experiments and
 * registry entities too) this way.
 */
export interface RunData {
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, MetricSummary>>;
}

export interface Run {
  readonly info: RunInfo;
  readonly data: RunData;
}

/** One metric point as the user logged it. */
export interface MetricPoint {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  readonly timestamp: number;
}

/**
 * A columnar block of points for one (run, key), as the hot path flushes it.
 * Arrays have equal length; `steps` hold integers.
 */
export interface MetricColumns {
  readonly runId: string;
  readonly key: string;
  readonly steps: Float64Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** One file in a run's artifact manifest. */
/** One stored block of a (run, key) series, still in its binary form (src/metrics/block-codec.ts). */
export interface EncodedMetricBlock {
  readonly runId: string;
  readonly key: string;
  readonly data: Uint8Array;
}

export interface ArtifactEntry {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** One notebook cell executed while a run was active. */
export interface CellRecord {
  readonly runId: string;
  readonly seq: number;
  readonly executionCount: number | null;
  readonly source: string;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly status: 'ok' | 'error' | 'aborted' | 'running';
  readonly error: string | null;
}

/** One column of a dataset's schema. Types are Arrow type names for tables, JSON kinds for rows. */
export interface DatasetColumn {
  readonly name: string;
  readonly type: string;
}

/** Cheap statistics of one column: null count, min/max for numbers (and dates), distinct count for text and booleans. */
export interface ColumnProfile {
  readonly name: string;
  readonly type: string;
  readonly nulls: number;
  readonly min?: number | string;
  readonly max?: number | string;
  /** Exact, and omitted past a cap (see src/datasets/profile.ts). */
  readonly distinct?: number;
}

/** Where a dataset came from: an Arrow table, an array of row objects, or a file. */
/** `mlflow`: logged through MLflow's runs/log-inputs; `source` then holds MLflow's own fields as JSON (server/mlflow-dataset-json.ts). */
export type DatasetSourceType = 'arrow' | 'rows' | 'file' | 'mlflow';

/** A dataset a run used, identified (as in MLflow) by its name and a content digest. */
export interface Dataset {
  readonly name: string;
  /** sha256 (hex) of the data's canonical bytes: equal data gives an equal digest in every run. */
  readonly digest: string;
  readonly sourceType: DatasetSourceType;
  /** The file path for files; a short description otherwise. */
  readonly source: string;
  readonly schema: readonly DatasetColumn[] | null;
  readonly profile: readonly ColumnProfile[] | null;
  readonly numRows: number | null;
}

/** A dataset and what a run used it for ('training', 'validation', ...). */
export interface DatasetInput {
  readonly dataset: Dataset;
  readonly context: string | null;
}

export interface RunInput extends DatasetInput {
  readonly runId: string;
}
