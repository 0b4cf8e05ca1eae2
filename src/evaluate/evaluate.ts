/**
 * `evaluate()`: MLflow's mlflow.evaluate for TypeScript notebooks. Runs a
 * model (or takes its precomputed output) on held-out data, logs the
 * metrics and artifacts to a run, and shows them under the cell.
 */
import { getClient } from '../config';
import { TracklabError } from '../errors';
import { display } from '../notebook/display';
import { inKernel } from '../notebook/kernel';
import { ActiveRun } from '../tracking/active-run';
import type { TrackingClient } from '../tracking/client';
import { currentRun, startRun } from '../tracking/fluent';
import type { EvaluationSummary } from './evaluation-summary';
import { evalMsg } from './messages';
import type { EvaluationSource } from './model-runner';
import type { EvaluationOutcome, EvaluationSettings } from './run-evaluation';

// Loaded on first use: metrics, charts and Arrow stay out of `require('tracklab')`.
function evaluation(): typeof import('./run-evaluation') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./run-evaluation') as typeof import('./run-evaluation');
}

function views(): typeof import('../views/evaluation-view') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../views/evaluation-view') as typeof import('../views/evaluation-view');
}

export type { EvaluationSource } from './model-runner';
export type { EvaluationData, Targets } from './evaluation-data';

export interface EvaluateOptions extends EvaluationSettings {
  /** The run to log into: an active run or a run id. Default: the active run (or the cell's, with autolog), else a new run. */
  readonly run?: ActiveRun | string;
  /** Client for a run id. Default: the configured one. */
  readonly client?: TrackingClient;
  /** Show the metrics and plots under the cell. Default: inside a notebook kernel. */
  readonly display?: boolean;
}

export interface EvaluationResult {
  readonly runId: string;
  /** As logged, with MLflow's names (and the metric prefix). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Artifact paths logged on the run. */
  readonly artifacts: readonly string[];
  readonly summary: EvaluationSummary;
}

/** Where the results go: an active run's ordered writes, or the client for a run id. */
interface Target {
  readonly runId: string;
  readonly label: string;
  logMetrics(metrics: Readonly<Record<string, number>>): Promise<void>;
  logFile(path: string, bytes: Uint8Array): Promise<void>;
}

function activeTarget(run: ActiveRun): Target {
  return {
    runId: run.id,
    label: `run ${run.name}`,
    async logMetrics(metrics) { run.log(metrics, 0); },
    async logFile(path, bytes) { await run.logArtifact(bytes, path); },
  };
}

async function clientTarget(client: TrackingClient, runId: string): Promise<Target> {
  const run = await client.getRun(runId);
  return {
    runId,
    label: `run ${run.info.runName}`,
    async logMetrics(metrics) {
      await client.logBatch(runId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0 })) });
    },
    async logFile(path, bytes) { await client.logArtifact(runId, bytes, path); },
  };
}

/**
 * Evaluates a classifier or regressor on held-out data and logs the result:
 * metrics named as MLflow's default evaluator names them (accuracy_score,
 * f1_score, roc_auc, precision_recall_auc, log_loss, ...; mean_absolute_error,
 * r2_score, ...), the per-row predictions (Arrow and CSV), each plot as a
 * Vega-Lite spec and an SVG, and evaluation.json. In a notebook the metrics
 * and plots show under the cell.
 *
 * @example
 * const result = await tracklab.evaluate(model, { x: testX }, { modelType: 'classifier', targets: testY, labels: ['cat', 'dog'] });
 * await tracklab.evaluate('models:/churn@champion', rows, { modelType: 'classifier', targets: 'churned' });
 * await tracklab.evaluate({ predictions, probabilities }, rows, { modelType: 'classifier', targets: 'label' });
 */
export async function evaluate(source: EvaluationSource | unknown, data: unknown, options: EvaluateOptions): Promise<EvaluationResult> {
  if (options === null || typeof options !== 'object') throw new TracklabError('INVALID_PARAMETER_VALUE', evalMsg.optionsBad(options));
  if (options.run !== undefined && !(options.run instanceof ActiveRun) && typeof options.run !== 'string') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', evalMsg.runBad(options.run));
  }
  const explicit = options.run;
  const active = explicit instanceof ActiveRun ? explicit : explicit === undefined ? currentRun() : undefined;
  if (typeof explicit === 'string') return evaluateInto(await clientTarget(options.client ?? getClient(), explicit), source, data, options);
  if (active !== undefined) return evaluateInto(activeTarget(active), source, data, options);
  // No run: like mlflow.evaluate, one is started for the evaluation and ended with it.
  const run = startRun({});
  try {
    const result = await evaluateInto(activeTarget(run), source, data, options);
    await run.end('FINISHED');
    return result;
  } catch (error) {
    await run.end('FAILED', error instanceof Error ? error.message : String(error)).catch(() => undefined);
    throw error;
  }
}

async function evaluateInto(target: Target, source: unknown, data: unknown, options: EvaluateOptions): Promise<EvaluationResult> {
  const outcome: EvaluationOutcome = await evaluation().runEvaluation(source, data, options, target.runId);
  await target.logMetrics(outcome.summary.metrics);
  for (const file of outcome.files) await target.logFile(file.path, file.bytes);
  if (options.display ?? inKernel()) {
    for (const bundle of views().evaluationBundles(outcome.summary, outcome.plots, target.label)) display(bundle);
  }
  return { runId: target.runId, metrics: outcome.summary.metrics, artifacts: outcome.files.map((f) => f.path), summary: outcome.summary };
}
