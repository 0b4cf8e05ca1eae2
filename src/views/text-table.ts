import { isTrustedHtml } from '../html/escape';
import { formatNumber } from './format';
import type { Cell, Table } from './table';

/**
 * Renders a table as aligned plain text: for `text/plain` outputs and the
 * CLI. Control characters and newlines in user strings become spaces or
 * escapes so a value can never break the layout; long cells are cut at
 * `maxCellWidth` with an ellipsis. Width counts code points (wide CJK glyphs
 * will misalign).
 *
 * @example
 * console.log(textTable({ columns: [{ title: 'run' }, { title: 'loss' }], rows: [{ cells: ['brave-otter-042', 0.12] }] }));
 */
export function textTable(table: Table, options: { maxCellWidth?: number } = {}): string {
  const max = options.maxCellWidth ?? 40;
  const cells = table.rows.map((row) => table.columns.map((_, i) => clip(cellText(row.cells[i] ?? null), max)));
  const header = table.columns.map((c) => clip(oneLine(c.title), max));
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i]))));
  const right = table.columns.map((c, i) => (c.align ? c.align === 'right' : table.rows.some((r) => typeof r.cells[i] === 'number')));
  // A highlighted row (the best run) gets a leading `*`; the gutter exists
  // only when some row is highlighted.
  const gutter = table.rows.some((r) => r.highlight);
  const line = (parts: readonly string[], mark: string) =>
    ((gutter ? `${mark} ` : '') + parts.map((p, i) => pad(p, widths[i], right[i])).join('  ')).trimEnd();
  const out: string[] = [];
  if (table.caption) out.push(oneLine(table.caption));
  out.push(line(header, ' '));
  out.push(line(widths.map((w) => '-'.repeat(w)), ' '));
  table.rows.forEach((row, r) => out.push(line(cells[r], row.highlight ? '*' : ' ')));
  if (table.highlightLabel && gutter) out.push(`* ${oneLine(table.highlightLabel)}`);
  if (table.note) out.push(oneLine(table.note));
  return out.join('\n');
}

export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return formatNumber(cell);
  if (isTrustedHtml(cell)) return oneLine(cell.text);
  return oneLine(cell);
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n|\r|\n/g, '⏎').replace(/[\u0000-\u001f\u007f]/g, ' ');
}

function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function clip(text: string, max: number): string {
  if (width(text) <= max) return text;
  return Array.from(text).slice(0, max - 1).join('') + '…';
}

function pad(text: string, w: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, w - width(text)));
  return right ? fill + text : text + fill;
}
