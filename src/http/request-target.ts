/**
 * The request target as RFC 9112 §3.2 has it. Node hands `req.url` on as
 * the client sent it: browsers send a path (origin-form, `/runs/1?x=2`), but
 * a client that talks as to a proxy sends the whole URL (absolute-form,
 * `http://host:5000/runs/1?x=2`), whose authority, not the Host header, names
 * the host (§3.2.2), and `OPTIONS *` (asterisk-form) asks about the server as
 * a whole. CONNECT's `host:port` (authority-form) never reaches a request
 * handler: Node hands it to the server's 'connect' listeners.
 */
export type RequestTarget =
  | { readonly form: 'origin'; readonly path: string }
  | { readonly form: 'absolute'; readonly authority: string; readonly path: string }
  | { readonly form: 'asterisk' }
  /** Another scheme, user info (RFC 9110 §4.2.4 calls it an error), no host, a fragment. */
  | { readonly form: 'other' };

/**
 * @example requestTarget('http://127.0.0.1:5000/health?x=1') // { form: 'absolute', authority: '127.0.0.1:5000', path: '/health?x=1' }
 * @example requestTarget('http://127.0.0.1:5000?x=1') // path '/?x=1': an empty path is '/'
 */
export function requestTarget(url: string | undefined): RequestTarget {
  const target = url ?? '/';
  if (target.startsWith('/')) return { form: 'origin', path: target };
  if (target === '*') return { form: 'asterisk' };
  const m = /^https?:\/\/([^/?#@]+)([/?][^#]*)?$/i.exec(target);
  if (m === null) return { form: 'other' };
  const rest = m[2] ?? '';
  return { form: 'absolute', authority: m[1]!, path: rest.startsWith('/') ? rest : `/${rest}` };
}

/** The path and query a request is routed by (the origin-form of its target), or undefined when no route can answer it. */
export function routedPath(url: string | undefined): string | undefined {
  const target = requestTarget(url);
  return target.form === 'origin' || target.form === 'absolute' ? target.path : undefined;
}

/**
 * A routed path and query as a URL on a placeholder host. `//x/y` stays a
 * path: `new URL('//x/y', base)` would read `x` as a host and route `/y`.
 */
export function pathUrl(path: string): URL {
  return new URL(`http://path.invalid${path}`);
}
