/** The page shell every UI page shares, and small pieces of markup used across pages. */
import { formatDuration, formatNumber, formatTime } from '../views/format';
import { html, type Html } from './html';

export interface PageContext {
  readonly csrf: string;
  readonly readOnly: boolean;
}

export interface PageOptions {
  readonly title: string;
  readonly section: 'experiments' | 'models';
  readonly body: Html;
  /** Loads the Vega builds: only pages that draw charts pay for them. */
  readonly charts?: boolean;
}

/** A full HTML document. Scripts are external files only (the CSP allows no inline script). */
export function page(ctx: PageContext, options: PageOptions): Html {
  const vendor = options.charts
    ? html`<script type="module" src="/static/ui/early.js"></script><script src="/static/vendor/vega.min.js" defer></script><script src="/static/vendor/vega-lite.min.js" defer></script><script src="/static/vendor/vega-embed.min.js" defer></script>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="tracklab-csrf" content="${ctx.csrf}"><meta name="tracklab-read-only" content="${ctx.readOnly ? '1' : '0'}">
<title>${options.title} · tracklab</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/ui.css">${vendor}
<script type="module" src="/static/ui/main.js"></script>
</head><body>
<header class="top"><a class="brand" href="/">tracklab</a>
<nav><a href="/" class="${options.section === 'experiments' ? 'on' : ''}">Experiments</a><a href="/models" class="${options.section === 'models' ? 'on' : ''}">Models</a></nav>
${ctx.readOnly ? html`<span class="mode">read-only</span>` : ''}</header>
<main>${options.body}</main>
</body></html>`;
}

export function badge(status: string): Html {
  return html`<span class="badge ${status.replace(/[^A-Z_]/g, '')}">${status}</span>`;
}

export function time(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : formatTime(ms);
}

export function duration(start: number, end: number | null, now = Date.now()): string {
  return formatDuration((end ?? now) - start);
}

export function num(value: number | undefined): string {
  return value === undefined ? '' : formatNumber(value);
}

/** A deleted run or experiment: said at the top of its page, with the command that restores it. */
export function deletedNotice(what: string, restore: string, purgedByGc: boolean): Html {
  return html`<div class="banner deleted" role="status" data-testid="deleted-notice">${what} ${purgedByGc ? html`Until <code>tracklab gc</code> purges it, <code>${restore}</code>` : html`<code>${restore}</code>`} brings it back.</div>`;
}

export function emptyState(text: string | Html): Html {
  return html`<div class="empty">${text}</div>`;
}

/** The run's link text: its name, or its id when unnamed. */
export function runLabel(run: { readonly runName: string; readonly runId: string }): string {
  return run.runName || run.runId;
}
