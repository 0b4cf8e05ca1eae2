import { isNumericColumn, toNumber } from '../charts/dimension-scale';

/**
 * How strongly a param goes with the metric across runs, in [0, 1]: the
 * absolute Spearman rank correlation for numeric params, the correlation
 * ratio (sqrt of eta squared) for categorical ones. Used to pick the param a
 * comparison scatters by default.
 */
export function paramRelevance(params: readonly (string | undefined)[], metric: readonly number[]): number {
  const pairs: { p: string; m: number }[] = [];
  params.forEach((p, i) => {
    if (p !== undefined && p !== '' && Number.isFinite(metric[i])) pairs.push({ p, m: metric[i] });
  });
  if (pairs.length < 3) return 0;
  if (isNumericColumn(pairs.map((x) => x.p))) {
    const r = pearson(ranks(pairs.map((x) => toNumber(x.p))), ranks(pairs.map((x) => x.m)));
    return Number.isFinite(r) ? Math.abs(r) : 0;
  }
  const mean = pairs.reduce((a, x) => a + x.m, 0) / pairs.length;
  const groups = new Map<string, number[]>();
  for (const x of pairs) {
    const g = groups.get(x.p);
    if (g) g.push(x.m);
    else groups.set(x.p, [x.m]);
  }
  if (groups.size < 2 || groups.size === pairs.length) return 0;
  let between = 0;
  for (const g of groups.values()) {
    const gm = g.reduce((a, b) => a + b, 0) / g.length;
    between += g.length * (gm - mean) ** 2;
  }
  const total = pairs.reduce((a, x) => a + (x.m - mean) ** 2, 0);
  return total === 0 ? 0 : Math.sqrt(between / total);
}

/** The param with the highest relevance; ties keep the caller's order. */
export function mostRelevantParam(
  candidates: readonly string[],
  runs: readonly { readonly params: Readonly<Record<string, string>> }[],
  metric: readonly number[],
): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const p of candidates) {
    const score = paramRelevance(runs.map((r) => r.params[p]), metric);
    if (score > bestScore) (best = p), (bestScore = score);
  }
  return best;
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length);
  for (let k = 0; k < order.length; ) {
    let j = k;
    while (j + 1 < order.length && order[j + 1].v === order[k].v) j++;
    for (let t = k; t <= j; t++) out[order[t].i] = (k + j) / 2;
    k = j + 1;
  }
  return out;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}
