import type { TrustedHtml } from '../html/escape';

/**
 * A table as data, rendered twice: as escaped HTML and as aligned text.
 * Numbers stay numbers until rendering so both outputs format them alike.
 */
export type Cell = string | number | null | TrustedHtml;

export interface Column {
  readonly title: string;
  /** Numbers default to right, everything else to left. */
  readonly align?: 'left' | 'right';
}

export interface Row {
  readonly cells: readonly Cell[];
  /** A highlighted row (the best run of a comparison). */
  readonly highlight?: boolean;
}

export interface Table {
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  readonly caption?: string;
  /** A line under the table, e.g. "showing 200 of 350 runs". */
  readonly note?: string;
  /**
   * What a highlighted row is, e.g. "best loss (min)": shown under the table
   * after the mark the output gives that row (`*` in text, ★ in HTML), so the
   * legend always matches the row.
   */
  readonly highlightLabel?: string;
}
