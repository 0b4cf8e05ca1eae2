/**
 * Number and time formatting shared by HTML and text tables, so both show
 * the same digits. NaN and infinities are shown as such, never as blanks.
 */

/**
 * Formats a metric or param number with `digits` significant digits.
 *
 * @example
 * formatNumber(0.000123456) // '0.0001235'
 * formatNumber(Infinity)    // 'Inf'
 */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e7)) {
    return value.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  }
  const fixed = value.toPrecision(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** `1h 02m`, `3m 05s`, `4.2s`, `850ms`. */
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

/** ISO-like local-independent UTC time: `2024-05-01 12:30:05Z`. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
