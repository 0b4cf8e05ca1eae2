/**
 * HTML built by the UI: a tagged template that escapes every interpolated
 * value unless it is already `Html`. Page code never concatenates strings
 * into markup, so a run name like `<img src=x onerror=...>` stays text.
 */
import { escapeHtml } from '../html/escape';

/** Markup the UI built itself from escaped values. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(String(part));
}

/**
 * @example html`<td>${run.info.runName}</td>` // the name is escaped
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup from a trusted constant (never from user data). */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** Builds a URL path plus query from parts; every part is percent-encoded. */
export function href(path: string, query: Readonly<Record<string, string | number | undefined | null>> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** One path segment, encoded (run ids, model names, experiment ids). */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
