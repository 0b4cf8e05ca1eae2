/**
 * Moving a whole store between backends (`tracklab migrate-store`): every
 * table as portable rows, the same columns on every backend, so a copy keeps
 * ids, timestamps and values exactly. A backend exports its rows in key
 * order (text keys by bytes, as both engines sort them) and imports them in
 * one transaction.
 *
 * Portable values: text as strings; integers and floats as numbers (NaN,
 * ±Infinity and -0 kept, so metric summaries move exactly); blobs as bytes.
 */
export const TRANSFER_TABLES = [
  'experiments', 'experiment_tags', 'runs', 'params', 'tags', 'metric_blocks', 'metric_summaries', 'artifacts', 'cells',
  'datasets', 'run_inputs', 'registered_models', 'registered_model_tags', 'model_versions', 'model_version_tags',
  'model_version_files', 'registered_model_aliases',
] as const;
export type TransferTable = typeof TRANSFER_TABLES[number];

export type PortableValue = string | number | null | Uint8Array;
export type PortableRow = Readonly<Record<string, PortableValue>>;

/**
 * The portable columns of each table, key columns first. `metric_blocks.seq`
 * is the block's position within its (run, key), from 0; `metric_summaries`
 * holds plain floats (min/max NaN while every value was NaN).
 */
export const TRANSFER_COLUMNS: Readonly<Record<TransferTable, readonly string[]>> = {
  experiments: ['experiment_id', 'name', 'description', 'lifecycle_stage', 'creation_time', 'last_update_time', 'deleted_time'],
  experiment_tags: ['experiment_id', 'key', 'value'],
  runs: ['run_id', 'run_name', 'experiment_id', 'parent_run_id', 'status', 'status_message', 'start_time', 'end_time', 'user_id',
    'lifecycle_stage', 'deleted_time', 'owner_pid', 'owner_host', 'owner_start', 'heartbeat_time'],
  params: ['run_id', 'key', 'value'],
  tags: ['run_id', 'key', 'value'],
  metric_blocks: ['run_id', 'key', 'seq', 'n', 'first_step', 'last_step', 'data'],
  metric_summaries: ['run_id', 'key', 'last_value', 'last_step', 'last_timestamp', 'min_value', 'max_value', 'count'],
  artifacts: ['run_id', 'path', 'sha256', 'size', 'created_time'],
  cells: ['run_id', 'seq', 'execution_count', 'source', 'start_time', 'end_time', 'status', 'error'],
  datasets: ['dataset_id', 'name', 'digest', 'source_type', 'source', 'schema_json', 'profile_json', 'num_rows', 'created_time'],
  run_inputs: ['run_id', 'dataset_id', 'context'],
  registered_models: ['model_id', 'name', 'description', 'creation_time', 'last_updated_time', 'next_version'],
  registered_model_tags: ['model_id', 'key', 'value'],
  model_versions: ['model_id', 'version', 'source', 'run_id', 'status', 'status_message', 'description', 'user_id', 'content_hash',
    'creation_time', 'last_updated_time'],
  model_version_tags: ['model_id', 'version', 'key', 'value'],
  model_version_files: ['model_id', 'version', 'path', 'sha256', 'size'],
  registered_model_aliases: ['model_id', 'alias', 'version'],
};

/** The primary key of each table: the order rows are exported in. */
export const TRANSFER_KEYS: Readonly<Record<TransferTable, readonly string[]>> = {
  experiments: ['experiment_id'], experiment_tags: ['experiment_id', 'key'], runs: ['run_id'], params: ['run_id', 'key'],
  tags: ['run_id', 'key'], metric_blocks: ['run_id', 'key', 'seq'], metric_summaries: ['run_id', 'key'], artifacts: ['run_id', 'path'],
  cells: ['run_id', 'seq'], datasets: ['dataset_id'], run_inputs: ['run_id', 'dataset_id', 'context'], registered_models: ['model_id'],
  registered_model_tags: ['model_id', 'key'], model_versions: ['model_id', 'version'], model_version_tags: ['model_id', 'version', 'key'],
  model_version_files: ['model_id', 'version', 'path'], registered_model_aliases: ['model_id', 'alias'],
};

/** Only the rows whose `column` holds one of `values` (a merge reads back just what it wrote). */
export interface RowFilter {
  readonly column: string;
  readonly values: readonly (string | number)[];
}

/** Writes a batch of one table's rows into the destination's open import. */
export type WriteRows = (table: TransferTable, rows: readonly PortableRow[]) => Promise<void>;

/** Reads a table as StoreTransfer.readTable does. */
export type ReadRows = (table: TransferTable, batchSize: number, onBatch: (rows: readonly PortableRow[]) => Promise<void>, only?: RowFilter) => Promise<void>;

/** What a backend offers `migrate-store`. */
export interface StoreTransfer {
  /** Rows of the store's tables right now (for a progress total). */
  countRows(): Promise<Readonly<Record<TransferTable, number>>>;
  /** Metric points in the store right now: the sum of its blocks' `n` (for a progress total). */
  countPoints(): Promise<number>;
  /** True when the store holds no experiment and no registered model (a safe destination). */
  isEmpty(): Promise<boolean>;
  /**
   * Calls `onBatch` with the table's rows in key order, `batchSize` at a time, from one consistent snapshot of that
   * table; with `only`, just the rows it names.
   */
  readTable: ReadRows;
  /**
   * Runs `fill` inside one write transaction: every row it writes lands, or
   * (on any error) none does. Rows must come in TRANSFER_TABLES order. `read`
   * reads inside that transaction, so what was written can be checked before
   * it is committed.
   */
  importAll(fill: (write: WriteRows, read: ReadRows) => Promise<void>): Promise<void>;
}
