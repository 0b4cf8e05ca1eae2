/**
 * The Host a request names, read from `req.rawHeaders`: Node keeps only the
 * first of repeated Host headers in `req.headers.host`, so a request with
 * `Host: 127.0.0.1` then `Host: evil.example` would pass a Host check that a
 * proxy in front (which may honour the last one) never made. A request that
 * repeats Host (RFC 9112 §3.2: answer 400) names no host at all here.
 *
 * A target in absolute-form (`GET http://evil.example/... HTTP/1.1`) names
 * its host itself, and RFC 9112 §3.2.2 has the server go by it, not by Host:
 * that is the host here. A Host header that names another one is reported
 * as a conflict, to be refused rather than ignored, so that no code which
 * reads Host (the UI's Origin check) goes by a name that was never judged.
 */
import type { IncomingMessage } from 'node:http';
import { requestTarget } from './request-target';

export type RequestHost =
  | { readonly kind: 'one'; readonly host: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'repeated'; readonly count: number }
  /** `host` is the target's authority, `header` the Host header that names another. */
  | { readonly kind: 'conflicting'; readonly host: string; readonly header: string };

/** @example const h = requestHost(req); if (h.kind !== 'one') return refuse(400); */
export function requestHost(req: IncomingMessage): RequestHost {
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'host') values.push(raw[i + 1]!);
  }
  if (values.length > 1) return { kind: 'repeated', count: values.length };
  const target = requestTarget(req.url);
  if (target.form === 'absolute') {
    const header = values[0];
    if (header !== undefined && header.toLowerCase() !== target.authority.toLowerCase()) return { kind: 'conflicting', host: target.authority, header };
    return { kind: 'one', host: target.authority };
  }
  if (values.length === 0) return { kind: 'none' };
  return { kind: 'one', host: values[0]! };
}

/** The single host, or undefined when there is none, or it is repeated or contradicted (so a Host allowlist refuses it). */
export function singleHost(req: IncomingMessage): string | undefined {
  const h = requestHost(req);
  return h.kind === 'one' ? h.host : undefined;
}
