/**
 * The UI's defences, in one place (MLflow's UI has had DNS-rebinding, CSRF
 * and stored-XSS CVEs):
 * - only allowed Host values are answered, so a rebound DNS name cannot read pages;
 * - every change carries a per-server CSRF token in a header (a cross-site
 *   form cannot set headers, and cannot read the token from a page) and, when
 *   the browser says where it comes from, a same-origin Origin;
 * - a Content-Security-Policy without inline scripts or eval (Vega runs with
 *   its expression interpreter), so even an escaping mistake cannot run script;
 * - artifacts are served with a sandbox CSP and as downloads unless they are
 *   plain data types, so an HTML or SVG artifact never runs as this origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CSRF_HEADER = 'x-tracklab-csrf';

const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** Headers of every page, JSON answer and asset. */
export function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'SAMEORIGIN',
  };
}

/**
 * Headers of an artifact's bytes. `sandbox` without allow-scripts gives the
 * document an opaque origin with scripts off, even when opened directly.
 */
export function artifactHeaders(): Record<string, string> {
  return {
    'content-security-policy': "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/**
 * Host values the CLI allows for a server on `port`: the loopback names.
 * @example defaultAllowedHosts(5000) // ['127.0.0.1:5000', 'localhost:5000', '[::1]:5000']
 */
export function defaultAllowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/** An entry without a port allows that name on any port. */
export function isAllowedHost(host: string | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  for (const entry of allowed) {
    const e = entry.toLowerCase();
    if (h === e) return true;
    if (!/:\d+$/.test(e) && h.replace(/:\d+$/, '') === e) return true;
  }
  return false;
}

/** The per-server token pages carry in a meta tag and changes send back in a header. */
export class CsrfGuard {
  readonly token = randomBytes(32).toString('base64url');

  /** Why a change request is refused, or null when it may go ahead. */
  refusal(req: IncomingMessage): string | null {
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !this.matches(sent)) return 'A change needs the page\'s CSRF token: reload the page and try again.';
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin !== 'null') {
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        return 'The request comes from an unknown origin.';
      }
      if (originHost.toLowerCase() !== String(req.headers.host ?? '').toLowerCase()) return 'The request comes from another origin.';
    }
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return 'The request comes from another site.';
    return null;
  }

  private matches(sent: string): boolean {
    const a = Buffer.from(sent);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
