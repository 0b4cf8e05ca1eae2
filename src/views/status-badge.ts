import { escapeHtml, type TrustedHtml } from '../html/escape';

/**
 * Saturated mid-tone colours with white text, so a badge reads the same on
 * light and dark themes. Each has WCAG AA contrast (at least 4.5:1) with
 * white; the browser test measures it in Chromium.
 */
export const STATUS_COLOURS: Readonly<Record<string, string>> = {
  RUNNING: '#1f77b4',
  FINISHED: '#1a7f37',
  FAILED: '#d62728',
  KILLED: '#a85a00',
  CRASHED: '#8e44ad',
};
const OTHER_STATUS = '#6e6e6e';

export function statusBadge(status: string): TrustedHtml {
  const colour = (Object.prototype.hasOwnProperty.call(STATUS_COLOURS, status) ? STATUS_COLOURS[status] : OTHER_STATUS);
  return { trustedHtml: `<span class="tl-badge" style="background:${colour}">${escapeHtml(status)}</span>`, text: status };
}
