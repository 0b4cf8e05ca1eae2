/**
 * CORS for `--cors-origins`: none by default (a page elsewhere can neither
 * read answers nor send JSON, see read-request.ts). With a list of exact
 * origins, those origins, and only those, get preflights answered and
 * `Access-Control-Allow-Origin` on answers; anything else gets no CORS
 * header at all, so the browser blocks it. No wildcards: a `*` with
 * credentials is what CORS misconfiguration reports are made of.
 */
import type * as http from 'node:http';
import { TracklabError } from '../errors';
import { serverMsg } from './messages';

const METHODS = 'GET, POST, PATCH, DELETE, PUT';
const HEADERS = 'authorization, content-type';

export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;

  /** `origins` are `scheme://host[:port]` exactly as browsers send them; anything else is a typed error. */
  constructor(origins: readonly string[]) {
    this.origins = new Set(origins.map(canonicalOrigin));
  }

  /** Whether this is a CORS preflight (which carries no credentials, so it is answered before authentication). */
  isPreflight(req: http.IncomingMessage): boolean {
    return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
  }

  /** The headers an answer to `req` carries: the allow-origin for a listed origin, else none. */
  headers(req: http.IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (origin === undefined || !this.origins.has(origin)) return {};
    return { 'access-control-allow-origin': origin, vary: 'Origin' };
  }

  /** Answers a preflight: 204 with the allowed methods and headers for a listed origin, 403 without CORS headers otherwise. */
  preflight(req: http.IncomingMessage, res: http.ServerResponse): void {
    const allow = this.headers(req);
    if (allow['access-control-allow-origin'] === undefined) {
      res.writeHead(403, { 'content-type': 'application/json', vary: 'Origin' });
      res.end(JSON.stringify({ error_code: 'PERMISSION_DENIED', message: serverMsg.corsOriginRefused() }));
      return;
    }
    res.writeHead(204, { ...allow, 'access-control-allow-methods': METHODS, 'access-control-allow-headers': HEADERS, 'access-control-max-age': '600' });
    res.end();
  }
}

function canonicalOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.badCorsOrigin(text));
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== text.replace(/\/$/, '') || url.username !== '' || url.password !== '') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.badCorsOrigin(text));
  }
  return url.origin;
}
