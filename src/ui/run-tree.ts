/**
 * Nested runs in the runs table, as MLflow's UI groups them: a run whose
 * parent (tag `mlflow.parentRunId`) is on the same page is listed under it,
 * its descendants right after it. Pure: a page of runs in, rows out.
 *
 * Invariants: every run of the page is one row, exactly once (a parent loop,
 * which a hand-set tag can make, is broken where the page first meets it),
 * so paging is by runs as the store returned them. Siblings and roots keep
 * the page's order, which is the search's order: sorting stays within
 * siblings. A child whose parent is not on the page (filtered out, on
 * another page) is a root that names its parent.
 */
import type { Run } from '../entities';

export interface RunRow {
  readonly run: Run;
  /** 0 for a root; 1 for a child of a root, and so on. */
  readonly depth: number;
  /** The run this row is listed under, when it is on the page. */
  readonly under?: string;
  /** Its children listed right under it on this page. */
  readonly children: number;
  /** A parent the run has that is not on this page (its row links there). */
  readonly parentElsewhere?: string;
}

export function nestRuns(runs: readonly Run[]): RunRow[] {
  const onPage = new Set(runs.map((r) => r.info.runId));
  const kids = new Map<string, Run[]>();
  const roots: Run[] = [];
  for (const r of runs) {
    const parent = r.info.parentRunId;
    if (parent !== null && parent !== r.info.runId && onPage.has(parent)) {
      const list = kids.get(parent) ?? [];
      list.push(r);
      kids.set(parent, list);
    } else {
      roots.push(r);
    }
  }
  const out: RunRow[] = [];
  const placed = new Set<string>();
  const place = (r: Run, depth: number, under: string | undefined): void => {
    placed.add(r.info.runId);
    const children = (kids.get(r.info.runId) ?? []).filter((c) => !placed.has(c.info.runId));
    const parent = r.info.parentRunId;
    const elsewhere = under === undefined && parent !== null && parent !== r.info.runId && !onPage.has(parent) ? parent : undefined;
    out.push({ run: r, depth, children: children.length, ...(under !== undefined ? { under } : {}), ...(elsewhere !== undefined ? { parentElsewhere: elsewhere } : {}) });
    for (const c of children) if (!placed.has(c.info.runId)) place(c, depth + 1, r.info.runId);
  };
  for (const r of roots) place(r, 0, undefined);
  // Runs in a parent loop have no root above them: the first one met heads the loop.
  for (const r of runs) if (!placed.has(r.info.runId)) place(r, 0, undefined);
  return out;
}
