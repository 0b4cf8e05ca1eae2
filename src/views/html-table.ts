import { escapeHtml, isTrustedHtml } from '../html/escape';
import { formatNumber } from './format';
import type { Cell, Table } from './table';

/**
 * Styles scoped under `.tl-*` class names so they never leak into the
 * notebook page. Colours are translucent greys over the inherited text
 * colour, which reads on light and dark JupyterLab themes alike.
 *
 * A table wider or longer than the output sits in its own scrolling box,
 * at most 32em high, so its horizontal scrollbar is on screen with its first
 * rows (a long table's page-length box put it out of sight, and columns
 * looked clipped). The header row and the first column (the run) stay in
 * place while it scrolls. Sticky cells need an opaque background, and CSS
 * cannot read the page's colour, so they take the frontend's own pair of
 * page and text colours (JupyterLab's, else VS Code's), else the browser's
 * Canvas/CanvasText: always legible, though on an unknown dark page those
 * cells stay light. Other cells keep the inherited colours.
 */
export const TABLE_CSS = `
.tl-wrap{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:12.5px;color:inherit;max-width:100%;max-height:32em;overflow:auto;--tl-page:var(--jp-layout-color1,var(--vscode-editor-background,Canvas));--tl-ink:var(--jp-content-font-color1,var(--vscode-editor-foreground,CanvasText))}
.tl-table{border-collapse:separate;border-spacing:0;margin:4px 0}
.tl-table caption{caption-side:top;text-align:left;font-weight:600;padding:2px 0 6px}
.tl-table th,.tl-table td{padding:3px 10px;border-bottom:1px solid rgba(128,128,128,.3);text-align:left;vertical-align:middle;white-space:nowrap;max-width:28em;overflow:hidden;text-overflow:ellipsis}
.tl-table th{font-weight:600;position:sticky;top:0;z-index:1;background:linear-gradient(rgba(128,128,128,.12),rgba(128,128,128,.12)),var(--tl-page);color:var(--tl-ink)}
.tl-table td:first-child{position:sticky;left:0;background-color:var(--tl-page);color:var(--tl-ink)}
.tl-table th:first-child{left:0;z-index:2}
.tl-table td.tl-num,.tl-table th.tl-num{text-align:right;font-variant-numeric:tabular-nums}
.tl-table tr.tl-best td{background:rgba(255,190,0,.18);font-weight:600}
.tl-table tr.tl-best td:first-child{background:linear-gradient(rgba(255,190,0,.18),rgba(255,190,0,.18)),var(--tl-page)}
.tl-table tr.tl-best td:first-child::before{content:"★ "}
.tl-note{opacity:.7;font-size:11.5px;margin:2px 0 6px}
.tl-badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:11px;font-weight:600;color:#fff;letter-spacing:.02em}
`.trim();

/**
 * Renders a table as HTML with every user string escaped. Cells that are
 * TrustedHtml (built by tracklab from escaped parts) go in as they are.
 *
 * @example
 * const html = htmlTable({ columns: [{ title: 'run' }], rows: [{ cells: [run.info.runName] }] });
 */
export function htmlTable(table: Table, options: { withStyle?: boolean } = {}): string {
  const right = table.columns.map((c, i) => (c.align ? c.align === 'right' : table.rows.some((r) => typeof r.cells[i] === 'number')));
  const head = table.columns.map((c, i) => `<th${right[i] ? ' class="tl-num"' : ''}>${escapeHtml(c.title)}</th>`).join('');
  const body = table.rows
    .map((row) => {
      const tds = table.columns.map((_, i) => `<td${right[i] ? ' class="tl-num"' : ''}>${cellHtml(row.cells[i] ?? null)}</td>`).join('');
      return `<tr${row.highlight ? ' class="tl-best"' : ''}>${tds}</tr>`;
    })
    .join('');
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : '';
  const legend = table.highlightLabel && table.rows.some((r) => r.highlight) ? `<div class="tl-note">★ ${escapeHtml(table.highlightLabel)}</div>` : '';
  const note = legend + (table.note ? `<div class="tl-note">${escapeHtml(table.note)}</div>` : '');
  const style = options.withStyle === false ? '' : `<style>${TABLE_CSS}</style>`;
  return `${style}<div class="tl-wrap"><table class="tl-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${note}</div>`;
}

export function cellHtml(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return escapeHtml(formatNumber(cell));
  if (isTrustedHtml(cell)) return cell.trustedHtml;
  return `<span title="${escapeHtml(cell)}">${escapeHtml(cell)}</span>`;
}
