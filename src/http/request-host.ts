/**
 * The Host a request names, read from `req.rawHeaders`: Node keeps only the
 * first of repeated Host headers in `req.headers.host`, so a request with
 * `Host: 127.0.0.1` then `Host: evil.example` would pass a Host check that a
 * proxy in front (which may honour the last one) never made. A request that
 * repeats Host (RFC 9112 §3.2: answer 400) names no host at all here.
 */
import type { IncomingMessage } from 'node:http';

export type RequestHost =
  | { readonly kind: 'one'; readonly host: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'repeated'; readonly count: number };

/** @example const h = requestHost(req); if (h.kind !== 'one') return refuse(400); */
export function requestHost(req: IncomingMessage): RequestHost {
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'host') values.push(raw[i + 1]!);
  }
  if (values.length === 0) return { kind: 'none' };
  if (values.length > 1) return { kind: 'repeated', count: values.length };
  return { kind: 'one', host: values[0]! };
}

/** The single Host value, or undefined when there is none or it is repeated (so a Host allowlist refuses it). */
export function singleHost(req: IncomingMessage): string | undefined {
  const h = requestHost(req);
  return h.kind === 'one' ? h.host : undefined;
}
