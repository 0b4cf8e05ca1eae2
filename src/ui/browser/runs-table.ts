/** The runs table in the browser: selection to compare, folding child runs, and live rows for RUNNING runs plus a new-runs banner. */
import { formatDuration, formatNumber, setBadge, type RunUpdate } from './dom.js';

export function initRunsTable(): void {
  const table = document.querySelector<HTMLTableElement>('table[data-runs-table]');
  const button = document.querySelector<HTMLButtonElement>('[data-compare-button]');
  const boxes = () => [...document.querySelectorAll<HTMLInputElement>('input[name="run"][form="compare"]')];
  const refresh = () => {
    const n = boxes().filter((b) => b.checked).length;
    if (button) {
      button.disabled = n < 2;
      button.textContent = n ? `Compare selected (${n})` : 'Compare selected';
    }
  };
  document.querySelector<HTMLInputElement>('[data-select-all]')?.addEventListener('change', (e) => {
    // Rows folded under their parent are out of sight, so "all" means the rows shown.
    for (const b of boxes()) if (!b.closest('tr')?.hidden) b.checked = (e.target as HTMLInputElement).checked;
    refresh();
  });
  for (const b of boxes()) b.addEventListener('change', refresh);
  refresh();
  // Back from the compare page: the browser restores the ticks after this module ran (or from its page cache).
  window.addEventListener('pageshow', refresh);
  // New runs are active, so the Deleted view has none to announce.
  if (table) initFolds(table);
  if (table && table.dataset.lifecycle !== 'deleted') live(table);
}

/** A parent row's button shows or hides its child rows (a button, so Enter and Space work). */
function initFolds(table: HTMLTableElement): void {
  table.addEventListener('click', (e) => {
    const button = (e.target as Element).closest<HTMLButtonElement>('button[data-fold]');
    if (!button) return;
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    showChildren(table, button.dataset.fold ?? '', open);
  });
}

function showChildren(table: HTMLTableElement, parentId: string, shown: boolean): void {
  for (const row of table.querySelectorAll<HTMLTableRowElement>('tr[data-parent]')) {
    if (row.dataset.parent !== parentId) continue;
    row.hidden = !shown;
    // A child folded on its own keeps its children hidden when its parent opens.
    const own = row.querySelector('button[data-fold]');
    if (own) showChildren(table, row.dataset.runId ?? '', shown && own.getAttribute('aria-expanded') === 'true');
  }
}

function live(table: HTMLTableElement): void {
  const running = [...table.querySelectorAll<HTMLTableRowElement>('tr[data-status="RUNNING"]')].map((r) => r.dataset.runId ?? '');
  const q = new URLSearchParams({ experiment: table.dataset.experiment ?? '', ids: running.join(','), since: table.dataset.since ?? String(Date.now()) });
  const source = new EventSource(`/ui-api/events/runs?${q.toString()}`);
  source.addEventListener('run', (e) => patchRow(table, JSON.parse((e as MessageEvent<string>).data) as RunUpdate));
  source.addEventListener('new', (e) => {
    const { count } = JSON.parse((e as MessageEvent<string>).data) as { count: number };
    const banner = document.querySelector<HTMLElement>('[data-new-runs]');
    if (!banner || count === 0) return;
    banner.replaceChildren(`${count} new run${count === 1 ? '' : 's'} started since this page loaded. `);
    const link = document.createElement('a');
    link.href = location.href;
    link.textContent = 'Show them';
    banner.append(link);
    banner.classList.remove('hidden');
  });
  source.addEventListener('error', () => { /* EventSource reconnects by itself */ });
  window.addEventListener('pagehide', () => source.close());
}

function patchRow(table: HTMLTableElement, u: RunUpdate): void {
  const row = [...table.querySelectorAll<HTMLTableRowElement>('tr[data-run-id]')].find((r) => r.dataset.runId === u.runId);
  if (!row) return;
  row.dataset.status = u.status;
  setBadge(row.querySelector('[data-cell="status"]'), u.status);
  const d = row.querySelector('[data-cell="duration"]');
  if (d) d.textContent = formatDuration((u.endTime ?? Date.now()) - u.startTime);
  for (const cell of row.querySelectorAll<HTMLElement>('td[data-col]')) {
    const col = cell.dataset.col ?? '';
    const at = col.indexOf(':');
    const kind = col.slice(0, at);
    const m = u.metrics[col.slice(at + 1)];
    if (!m || !kind.startsWith('metric')) continue;
    const value = kind === 'metric-min' ? m.min : kind === 'metric-max' ? m.max : m.last;
    cell.textContent = formatNumber(value);
    cell.title = cell.textContent;
  }
  row.classList.add('updated');
}
