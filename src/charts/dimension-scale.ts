import { roundSig } from './series';

/**
 * How one parameter maps onto a [0, 1] axis: numbers linearly between their
 * min and max, anything else as evenly spaced categories in sorted order.
 * Params arrive as strings (MLflow stores them so); a column is numeric when
 * every present value parses as a finite number.
 */
export interface DimensionScale {
  readonly kind: 'numeric' | 'categorical';
  /** Position in [0, 1], or null when the value is missing. */
  position(value: string | number | undefined | null): number | null;
  /** Labels to draw along the axis, at their positions. */
  readonly ticks: readonly { readonly y: number; readonly label: string }[];
}

export function isNumericColumn(values: readonly (string | number | undefined | null)[]): boolean {
  let any = false;
  for (const v of values) {
    if (v === undefined || v === null || v === '') continue;
    if (!Number.isFinite(toNumber(v))) return false;
    any = true;
  }
  return any;
}

export function toNumber(value: string | number): number {
  if (typeof value === 'number') return value;
  return value.trim() === '' ? NaN : Number(value);
}

export function dimensionScale(values: readonly (string | number | undefined | null)[], maxCategories = 12): DimensionScale {
  if (isNumericColumn(values)) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v === undefined || v === null || v === '') continue;
      const n = toNumber(v);
      if (n < min) min = n;
      if (n > max) max = n;
    }
    const label = (n: number) => String(roundSig(n, 4));
    // Learning rates and the like spread over decades: place them by log10,
    // with a tick per decade, or every small value sits on the floor.
    if (min > 0 && max / min >= 100) {
      const lo = Math.log10(min);
      const logSpan = Math.log10(max) - lo;
      const decades = logDecades(min, max);
      return {
        kind: 'numeric',
        position: (v) => {
          if (v === undefined || v === null || v === '') return null;
          const n = toNumber(v);
          return Number.isFinite(n) && n > 0 ? (Math.log10(n) - lo) / logSpan : null;
        },
        ticks: decades.map((d) => ({ y: (Math.log10(d) - lo) / logSpan, label: label(d) })),
      };
    }
    const span = max - min;
    return {
      kind: 'numeric',
      position: (v) => {
        if (v === undefined || v === null || v === '') return null;
        const n = toNumber(v);
        if (!Number.isFinite(n)) return null;
        return span === 0 ? 0.5 : (n - min) / span;
      },
      ticks: span === 0 ? [{ y: 0.5, label: label(min) }] : [{ y: 0, label: label(min) }, { y: 0.5, label: label(min + span / 2) }, { y: 1, label: label(max) }],
    };
  }
  const cats = [...new Set(values.filter((v): v is string | number => v !== undefined && v !== null && v !== '').map(String))].sort();
  const at = new Map(cats.map((c, i) => [c, cats.length === 1 ? 0.5 : i / (cats.length - 1)]));
  const every = Math.max(1, Math.ceil(cats.length / maxCategories));
  return {
    kind: 'categorical',
    position: (v) => (v === undefined || v === null ? null : at.get(String(v)) ?? null),
    ticks: cats.filter((_, i) => i % every === 0).map((c) => ({ y: at.get(c) ?? 0, label: c.length > 24 ? `${c.slice(0, 23)}…` : c })),
  };
}

/** Powers of ten within [min, max], plus the ends when they are not powers. */
export function logDecades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(min) - 1e-9); e <= Math.floor(Math.log10(max) + 1e-9); e++) out.push(roundSig(10 ** e, 6));
  if (out.length === 0 || out[0] / min > 1.5) out.unshift(min);
  if (max / out[out.length - 1] > 1.5) out.push(max);
  return out;
}
