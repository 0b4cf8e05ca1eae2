/**
 * The data evaluate() runs a model on, in one shape whatever the user
 * passed: row objects, an object of columns, an apache-arrow Table, a number
 * matrix or a tfjs tensor, with the targets as a column name or one value
 * per row (a tensor too; one-hot rows become class indices).
 */
import { isArrowTable } from '../datasets/table-dataset';
import { TracklabError } from '../errors';
import { isTfTensorLike, isTypedArray, type TfTensorLike } from '../models/tensor-data';
import { evalMsg } from './messages';

export type EvaluationData =
  | readonly Readonly<Record<string, unknown>>[]
  | Readonly<Record<string, ArrayLike<unknown>>>
  | readonly (readonly number[])[]
  | object;

export type Targets = string | ArrayLike<unknown> | TfTensorLike;

/** What the model is given, by kind: tracklab picks one per model (see model-runner.ts). */
export type ModelInput =
  | { readonly kind: 'rows'; readonly rows: readonly Record<string, unknown>[]; readonly columns: readonly string[] }
  | { readonly kind: 'matrix'; readonly matrix: readonly (readonly number[])[] }
  | { readonly kind: 'tensor'; readonly tensor: TfTensorLike };

export interface EvaluationFrame {
  readonly n: number;
  /** Input columns for the predictions table, by name (flattened tensors: x0, x1, …). */
  readonly features: ReadonlyMap<string, readonly unknown[]>;
  readonly targets: readonly unknown[];
  /** True when the targets came as one-hot rows and are class indices. */
  readonly targetsAreIndices: boolean;
  readonly input: ModelInput;
}

const FEATURE_LIMIT = 64;

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

/** Turns the data and targets into an EvaluationFrame; throws a clear error for anything else. */
export function evaluationFrame(data: unknown, targets: Targets | undefined): EvaluationFrame {
  if (targets === undefined || targets === null) throw invalid(evalMsg.targetsMissing());
  if (isTfTensorLike(data)) return fromMatrix(tensorRows(data), targets, { kind: 'tensor', tensor: data });
  if (isArrowTable(data)) {
    const columns = new Map<string, unknown[]>();
    for (const field of data.schema.fields) {
      const vector = data.getChild(field.name);
      columns.set(field.name, vector ? [...vector].map(plain) : []);
    }
    return fromColumns(columns, data.numRows, targets);
  }
  if (Array.isArray(data)) {
    if (data.length === 0) throw invalid(evalMsg.empty());
    if (Array.isArray(data[0]) || isTypedArray(data[0])) return fromMatrix(data as readonly ArrayLike<number>[], targets, undefined);
    if (typeof data[0] === 'object' && data[0] !== null) return fromRows(data as readonly Record<string, unknown>[], targets);
    throw invalid(evalMsg.dataUnsupported(data));
  }
  if (typeof data === 'object' && data !== null && Object.values(data).every((v) => Array.isArray(v) || isTypedArray(v))) {
    const columns = new Map(Object.entries(data as Record<string, ArrayLike<unknown>>).map(([k, v]) => [k, Array.from(v)]));
    const lengths = new Set([...columns.values()].map((c) => c.length));
    if (columns.size === 0) throw invalid(evalMsg.empty());
    if (lengths.size > 1) throw invalid(evalMsg.lengthMismatch('a column', Math.min(...lengths), Math.max(...lengths)));
    return fromColumns(columns, [...lengths][0], targets);
  }
  throw invalid(evalMsg.dataUnsupported(data));
}

function plain(value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

function fromRows(rows: readonly Record<string, unknown>[], targets: Targets): EvaluationFrame {
  const names = Object.keys(rows[0]);
  const columns = new Map<string, unknown[]>(names.map((k) => [k, rows.map((r) => r[k])]));
  return fromColumns(columns, rows.length, targets);
}

function fromColumns(columns: Map<string, unknown[]>, n: number, targets: Targets): EvaluationFrame {
  if (n === 0) throw invalid(evalMsg.empty());
  let values: readonly unknown[];
  let indices = false;
  if (typeof targets === 'string') {
    const column = columns.get(targets);
    if (column === undefined) throw invalid(evalMsg.targetColumnMissing(targets, [...columns.keys()]));
    values = column;
    columns.delete(targets);
  } else {
    ({ values, indices } = targetValues(targets, n));
  }
  const names = [...columns.keys()];
  const rows = Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((k) => [k, columns.get(k)?.[i]])));
  return { n, features: limitFeatures(columns), targets: values, targetsAreIndices: indices, input: { kind: 'rows', rows, columns: names } };
}

function fromMatrix(matrix: readonly ArrayLike<number>[], targets: Targets, tensor: ModelInput | undefined): EvaluationFrame {
  const n = matrix.length;
  if (n === 0) throw invalid(evalMsg.empty());
  if (typeof targets === 'string') throw invalid(evalMsg.targetsMissing());
  const { values, indices } = targetValues(targets, n);
  const width = matrix[0].length;
  const features = new Map<string, unknown[]>();
  if (width <= FEATURE_LIMIT) for (let j = 0; j < width; j++) features.set(`x${j}`, matrix.map((r) => r[j]));
  const rows = matrix.map((r) => Array.from(r));
  return { n, features, targets: values, targetsAreIndices: indices, input: tensor ?? { kind: 'matrix', matrix: rows } };
}

/** A wide input (an image per row) is left out of the predictions table rather than cut. */
function limitFeatures(columns: Map<string, unknown[]>): Map<string, unknown[]> {
  return columns.size <= FEATURE_LIMIT ? columns : new Map();
}

/** Rows of a tensor, each flattened (an [n, 8, 8, 1] image batch gives rows of 64). */
function tensorRows(tensor: TfTensorLike): number[][] {
  const nested = tensor.arraySync();
  if (!Array.isArray(nested)) throw invalid(evalMsg.dataUnsupported(tensor));
  return nested.map((row) => (Array.isArray(row) ? (row as unknown[]).flat(Infinity) as number[] : [row as number]));
}

function targetValues(targets: Exclude<Targets, string>, n: number): { values: unknown[]; indices: boolean } {
  let values: unknown[];
  let indices = false;
  if (isTfTensorLike(targets)) {
    const nested = targets.arraySync();
    values = Array.isArray(nested) ? nested : [nested];
  } else if (Array.isArray(targets) || isTypedArray(targets)) {
    values = Array.from(targets as ArrayLike<unknown>);
  } else {
    throw invalid(evalMsg.targetsMissing());
  }
  if (values.length > 0 && Array.isArray(values[0])) {
    const width = (values[0] as unknown[]).length;
    if (width === 1) {
      values = values.map((v) => (v as unknown[])[0]);
    } else {
      values = values.map((v) => argmax(v as number[]));
      indices = true;
    }
  }
  if (values.length !== n) throw invalid(evalMsg.lengthMismatch('targets', values.length, n));
  return { values, indices };
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
