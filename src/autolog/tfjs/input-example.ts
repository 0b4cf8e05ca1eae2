/**
 * The input example stored with an autologged model: the first rows of the
 * training input. For `fit(x, y)` they are read from `x` before training; for
 * `fitDataset` the dataset is wrapped so the first batch is read as it goes
 * by (the dataset is not iterated an extra time).
 */
import { isTensorLike, type TensorLike } from './tfjs-shapes';

/** Rows kept in the example: enough to show the shape, small enough to stay a few KB. */
export const EXAMPLE_ROWS = 5;

/** The first EXAMPLE_ROWS rows of a single-input batch as nested arrays; undefined for anything else. */
export function firstRows(x: unknown): unknown[] | undefined {
  const tensor: unknown = Array.isArray(x) && x.length === 1 ? x[0] : x;
  if (!isTensorLike(tensor) || tensor.shape.length < 1 || tensor.shape[0] < 1) return undefined;
  const rows = Math.min(EXAMPLE_ROWS, tensor.shape[0]);
  const head: TensorLike = tensor.slice(0, rows);
  try {
    const value = head.arraySync();
    return Array.isArray(value) ? value : undefined;
  } finally {
    head.dispose();
  }
}

interface DatasetLike {
  iterator(): Promise<IteratorLike>;
}

interface IteratorLike {
  next(): Promise<{ value: unknown; done: boolean }>;
}

function isDataset(value: unknown): value is DatasetLike {
  return value !== null && typeof value === 'object' && typeof (value as DatasetLike).iterator === 'function';
}

/**
 * A view of `dataset` that behaves the same (every other property comes from
 * the original through the prototype chain) and hands the `xs` of its first
 * element to `onFirst`. Returns the dataset itself when it is not one.
 */
export function watchFirstBatch<T>(dataset: T, onFirst: (xs: unknown) => void): T {
  if (!isDataset(dataset)) return dataset;
  let seen = false;
  const source = dataset;
  const view = Object.create(source) as DatasetLike;
  Object.defineProperty(view, 'iterator', {
    configurable: true,
    writable: true,
    value: async (): Promise<IteratorLike> => {
      const it = await source.iterator();
      if (seen) return it;
      const wrapped = Object.create(it) as IteratorLike;
      Object.defineProperty(wrapped, 'next', {
        configurable: true,
        writable: true,
        value: async () => {
          const result = await it.next();
          if (!seen && !result.done) {
            seen = true;
            const value = result.value as { xs?: unknown } | null;
            try {
              if (value !== null && typeof value === 'object') onFirst(value.xs);
            } catch {
              // The example is optional; the batch goes on to training untouched.
            }
          }
          return result;
        },
      });
      return wrapped;
    },
  });
  return view as unknown as T;
}
