/**
 * The plain series shapes charts take. `MetricColumns` from src/entities.ts
 * fits `MetricSeries` structurally, so store reads pass straight through.
 */

/** One metric history of one run. Steps and values have equal length. */
export interface MetricSeries {
  readonly runId: string;
  readonly key: string;
  readonly steps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** A series with the human run name the legend shows. */
export interface NamedSeries extends MetricSeries {
  readonly runName: string;
}

/** The JSON object a chart builder returns: a Vega-Lite v5 top-level spec. */
export type VegaLiteSpec = Readonly<Record<string, unknown>>;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export function isMetricSeries(value: unknown): value is MetricSeries {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.runId === 'string' &&
    typeof v.key === 'string' &&
    isArrayLike(v.steps) &&
    isArrayLike(v.values) &&
    (v.steps as ArrayLike<number>).length === (v.values as ArrayLike<number>).length
  );
}

function isArrayLike(value: unknown): value is ArrayLike<number> {
  return ArrayBuffer.isView(value) || Array.isArray(value);
}

/**
 * Joins the chunks of each (run, key) in arrival order, so a store that
 * returns several flushed blocks per series still draws one line.
 */
export function mergeSeries<T extends MetricSeries>(series: readonly T[]): MetricSeries[] {
  const groups = new Map<string, T[]>();
  for (const s of series) {
    const id = `${s.runId}\u0000${s.key}`;
    const list = groups.get(id);
    if (list) list.push(s);
    else groups.set(id, [s]);
  }
  const out: MetricSeries[] = [];
  for (const list of groups.values()) {
    if (list.length === 1) {
      out.push(list[0]);
      continue;
    }
    let n = 0;
    for (const s of list) n += s.steps.length;
    const steps = new Float64Array(n);
    const values = new Float64Array(n);
    let at = 0;
    for (const s of list) {
      for (let i = 0; i < s.steps.length; i++, at++) {
        steps[at] = s.steps[i];
        values[at] = s.values[i];
      }
    }
    out.push({ runId: list[0].runId, key: list[0].key, steps, values });
  }
  return out;
}

/**
 * Legend labels by run name. Two runs with the same name get a short id
 * suffix so colours and legend entries stay one-to-one.
 */
export function runLabels(runs: readonly { readonly runId: string; readonly runName: string }[]): Map<string, string> {
  const nameOf = (r: { readonly runId: string; readonly runName: string }) => r.runName || r.runId;
  const count = new Map<string, number>();
  for (const r of runs) count.set(nameOf(r), (count.get(nameOf(r)) ?? 0) + 1);
  const labels = new Map<string, string>();
  for (const r of runs) {
    const name = nameOf(r);
    labels.set(r.runId, (count.get(name) ?? 0) > 1 ? `${name} (${r.runId.slice(0, 8)})` : name);
  }
  return labels;
}

/** Rounds to `digits` significant digits so inline data stays small. */
export function roundSig(value: number, digits = 6): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}

/**
 * An axis format for columns whose finite numbers (the ones drawn) are all one
 * value, else nothing: Vega labels such a zero-width domain with six decimals
 * (3.000000). Other axes keep Vega's own format (20,000 rather than 2e+4).
 */
export function flatDomainFormat(columns: readonly ArrayLike<number>[]): { readonly format?: string } {
  let min = Infinity;
  let max = -Infinity;
  for (const column of columns) {
    for (let i = 0; i < column.length; i++) {
      const v = column[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min === max ? { format: '.12~g' } : {};
}
