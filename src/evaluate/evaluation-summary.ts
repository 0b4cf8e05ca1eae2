/**
 * evaluation.json: what one evaluate() call found, enough to show it again
 * and to compare runs without rerunning the model (metrics, per-class rows,
 * the confusion matrix, thinned curves), plus where its artifacts are.
 */
import type { CalibrationBin } from './calibration';
import type { CurveSeries, Label, PerClassRow } from './classifier-evaluation';

export const EVALUATION_FORMAT = 'tracklab.evaluation/1';
export const EVALUATION_FILE = 'evaluation.json';

export type ModelType = 'classifier' | 'regressor';

export interface PlotFiles {
  readonly spec: string;
  readonly svg: string;
}

export interface EvaluationSummary {
  readonly format: typeof EVALUATION_FORMAT;
  readonly modelType: ModelType;
  readonly runId: string;
  readonly createdAt: number;
  readonly exampleCount: number;
  /** As logged on the run (with the metric prefix). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Metrics left out, with why. */
  readonly skipped: Readonly<Record<string, string>>;
  readonly metricPrefix: string;
  readonly labels?: readonly Label[];
  readonly positiveClass?: Label;
  readonly average?: 'weighted' | 'macro';
  readonly perClass?: readonly PerClassRow[];
  readonly confusion?: readonly (readonly number[])[];
  readonly roc?: readonly CurveSeries[];
  readonly pr?: readonly CurveSeries[];
  readonly calibration?: readonly { readonly label: Label; readonly bins: readonly CalibrationBin[] }[];
  /** Artifact paths on the run. */
  readonly artifacts: {
    readonly predictionsArrow: string;
    readonly predictionsCsv: string;
    readonly perClassCsv?: string;
    readonly plots: Readonly<Record<string, PlotFiles>>;
  };
}

export function isEvaluationSummary(value: unknown): value is EvaluationSummary {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<EvaluationSummary>;
  return v.format === EVALUATION_FORMAT && (v.modelType === 'classifier' || v.modelType === 'regressor') &&
    typeof v.metrics === 'object' && v.metrics !== null && typeof v.artifacts === 'object' && v.artifacts !== null;
}
