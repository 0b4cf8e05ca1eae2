import { escapeHtml, type TrustedHtml } from '../html/escape';

/** Saturated mid-tone colours with white text: legible on light and dark themes. */
const STATUS_COLOURS: Readonly<Record<string, string>> = {
  RUNNING: '#1f77b4',
  FINISHED: '#2a9d3f',
  FAILED: '#d62728',
  KILLED: '#e07b00',
  CRASHED: '#8e44ad',
};

export function statusBadge(status: string): TrustedHtml {
  const colour = STATUS_COLOURS[status] ?? '#777';
  return { trustedHtml: `<span class="tl-badge" style="background:${colour}">${escapeHtml(status)}</span>`, text: status };
}
