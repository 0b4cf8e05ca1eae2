/** A RUNNING run's page follows the run: status, summary table and the charts whose points changed. */
import { drawChart } from './charts.js';
import { formatDuration, formatNumber, formatTime, setBadge, type RunUpdate } from './dom.js';

export function initRunLive(): void {
  const marker = document.querySelector<HTMLElement>('[data-live-run]');
  if (!marker || marker.dataset.status !== 'RUNNING') return;
  const runId = marker.dataset.liveRun ?? '';
  const counts = new Map<string, number>();
  for (const row of document.querySelectorAll<HTMLElement>('[data-metric-row]')) {
    counts.set(row.dataset.metricRow ?? '', Number((row.querySelector('[data-m="count"]')?.textContent ?? '0').replace(/,/g, '')));
  }
  const source = new EventSource(`/ui-api/events/run/${encodeURIComponent(runId)}`);
  source.addEventListener('run', (e) => {
    const u = JSON.parse((e as MessageEvent<string>).data) as RunUpdate;
    marker.dataset.status = u.status;
    setBadge(document.querySelector('[data-field="status"]'), u.status);
    const end = document.querySelector('[data-field="end"]');
    if (end) end.textContent = formatTime(u.endTime);
    const d = document.querySelector('[data-field="duration"]');
    if (d) d.textContent = formatDuration((u.endTime ?? Date.now()) - u.startTime);
    for (const [key, m] of Object.entries(u.metrics)) {
      if (counts.get(key) === m.count) continue;
      const added = !counts.has(key);
      counts.set(key, m.count);
      if (added) {
        // A metric the page has not seen: reload once to lay out its row and chart.
        source.close();
        location.reload();
        return;
      }
      const row = [...document.querySelectorAll<HTMLElement>('[data-metric-row]')].find((r) => r.dataset.metricRow === key);
      if (row) {
        for (const f of ['last', 'min', 'max'] as const) {
          const cell = row.querySelector(`[data-m="${f}"]`);
          if (cell) cell.textContent = formatNumber(m[f]);
        }
        const c = row.querySelector('[data-m="count"]');
        if (c) c.textContent = m.count.toLocaleString('en');
        const s = row.querySelector('[data-m="lastStep"]');
        if (s) s.textContent = String(m.lastStep);
      }
      const chart = [...document.querySelectorAll<HTMLElement>('[data-metric]')].find((card) => card.dataset.metric === key)?.querySelector<HTMLElement>('.chart');
      if (chart) void drawChart(chart);
    }
    marker.dataset.updates = String(Number(marker.dataset.updates ?? '0') + 1);
  });
  source.addEventListener('end', () => source.close());
  window.addEventListener('pagehide', () => source.close());
}
