/**
 * Request limits of MLflow's REST API, read from MLflow's code
 * (mlflow/utils/validation.py and mlflow/server/handlers.py). Key and value
 * lengths and batch counts are tracklab's (src/validation.ts `Limits` and
 * `validateBatchCounts`), which follow the same file; these are the ones that
 * only a request has.
 */
export const ApiLimits = {
  /** MAX_BATCH_LOG_REQUEST_SIZE: a log-batch body, in bytes. */
  batchRequestBytes: 1_000_000,
  /** MAX_RUNS_GET_METRIC_HISTORY_BULK. */
  historyBulkRuns: 100,
  /** MAX_RESULTS_PER_RUN of get-history-bulk-interval. */
  historyBulkPointsPerRun: 2500,
  /** SEARCH_MAX_RESULTS_DEFAULT of runs and experiments. */
  searchDefaultResults: 1000,
} as const;
