/**
 * HTML escaping for every user string that lands in notebook output. Jupyter
 * trusts the outputs of a notebook it executed, so an unescaped run name is
 * script execution.
 */
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for element content and quoted attribute values.
 *
 * @example
 * `<td>${escapeHtml(run.info.runName)}</td>`
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * Markup that tracklab built itself from escaped text or numbers only (a
 * status badge, an inline sparkline). Tables insert it as is; `text` is what
 * the plain-text rendering shows instead.
 */
export interface TrustedHtml {
  readonly trustedHtml: string;
  readonly text: string;
}

export function isTrustedHtml(value: unknown): value is TrustedHtml {
  return typeof value === 'object' && value !== null && typeof (value as TrustedHtml).trustedHtml === 'string' && typeof (value as TrustedHtml).text === 'string';
}
