/** Small DOM helpers shared by the UI's browser modules. */

export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="tracklab-csrf"]')?.content ?? '';
}

/** POSTs a JSON change with the page's CSRF token; rejects with the server's message. */
export async function postChange(url: string, body: Record<string, string>): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tracklab-csrf': csrfToken() },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch { /* not JSON */ }
    throw new Error(message);
  }
}

export function toast(text: string, error = false): void {
  const el = document.createElement('div');
  el.className = error ? 'toast error' : 'toast';
  el.setAttribute('role', error ? 'alert' : 'status');
  el.textContent = text;
  document.body.append(el);
  setTimeout(() => el.remove(), error ? 8000 : 3000);
}

/** Same digits as the server's formatNumber (src/views/format.ts). */
export function formatNumber(value: number | string): string {
  if (typeof value === 'string') return value === 'Infinity' ? 'Inf' : value === '-Infinity' ? '-Inf' : value;
  if (Number.isNaN(value)) return 'NaN';
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e7)) return value.toExponential(3).replace(/\.?0+e/, 'e');
  const fixed = value.toPrecision(4);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** `1h 02m`, `3m 05s`, `4.2s`, as the server writes them. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const total = Math.floor(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(sec).padStart(2, '0')}s`;
}

export function formatTime(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function setBadge(container: Element | null, status: string): void {
  if (!container) return;
  const badge = document.createElement('span');
  badge.className = `badge ${status.replace(/[^A-Z_]/g, '')}`;
  badge.textContent = status;
  container.replaceChildren(badge);
}

/** Run updates as the server's live streams send them. */
export interface RunUpdate {
  readonly runId: string;
  readonly status: string;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly metrics: Readonly<Record<string, { last: number | string; min: number | string; max: number | string; count: number; lastStep: number }>>;
}
