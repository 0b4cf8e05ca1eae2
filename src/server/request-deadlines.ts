/**
 * How long a request's body may take to arrive. Node's `requestTimeout` is one
 * deadline for every request of a server, and no single number fits both a
 * small JSON body and an artifact upload of up to 2 GiB: 120 s cuts any upload
 * slower than 18 MB/s (a model sent over a 100 Mbit/s link got 408), while a
 * deadline long enough for that upload lets a slow-loris hold each connection
 * for hours. So the tracking server turns Node's `requestTimeout` off (Node
 * still checks `headersTimeout` alone) and gives each request, once its head
 * is read, one of two guards:
 * - a deadline (`requestTimeoutMs`): every route but uploads, whose bodies are
 *   JSON or metric blocks of at most `maxBodyBytes`;
 * - a minimum rate for uploads: fewer than `bytes` received in a window of
 *   `windowMs` (window after window, from when the head was read) ends
 *   the request, so an upload at any steady rate above the floor finishes
 *   however long it takes, and a trickle is cut within one window.
 * Either ends the request as Node's own timeout does: 408, the connection
 * closed, one log entry (client-error-log.ts). The upload's handler then sees
 * its body abort, removes its temp file and records nothing.
 */
import type * as http from 'node:http';

/** The log code of an upload cut for being slower than the floor (Node's whole-request timeout is ERR_HTTP_REQUEST_TIMEOUT). */
export const UPLOAD_TOO_SLOW = 'ERR_UPLOAD_TOO_SLOW';
export const REQUEST_TIMEOUT = 'ERR_HTTP_REQUEST_TIMEOUT';

export type BodyGuard =
  /** The whole body must have arrived `ms` after the head; 0 for none. */
  | { readonly kind: 'deadline'; readonly ms: number }
  /** At least `bytes` must arrive in every window of `windowMs`; 0 bytes for none. */
  | { readonly kind: 'rate'; readonly bytes: number; readonly windowMs: number };

/**
 * The upload floor: 64 KiB per 30 s, about 2.2 kB/s (17 kbit/s). It sits
 * four times above Apache's mod_reqtimeout floor (500 B/s) and hundreds of
 * times below any link an artifact is sent over (a 2 GiB upload at the floor
 * would take 11 days), so it only cuts clients that trickle or have stalled.
 * 30 s rides out a TCP retransmission backoff (1+2+4+8 s) and Wi-Fi roaming
 * without a cut; a client that stops dead is cut within 30 s, before the
 * 120 s idle timeout. Holding a connection costs a slow-loris 2.2 kB/s of its
 * own upstream, all written to disk against maxArtifactBytes.
 */
export const DEFAULT_UPLOAD_FLOOR = { bytes: 64 * 1024, windowMs: 30_000 } as const;

/**
 * Watches `req`'s body until it is complete or `res` closes; calls `expire`
 * (once) with the log code when the guard is broken. Bytes are counted on the
 * socket (`bytesRead`, cleartext under TLS): the body stream itself cannot be
 * watched without changing how its handler reads it.
 *
 * @example guardBody(req, res, { kind: 'deadline', ms: 120_000 }, (code) => refuse(code, req.socket));
 */
export function guardBody(req: http.IncomingMessage, res: http.ServerResponse, guard: BodyGuard, expire: (code: string) => void): void {
  if (req.complete) return;
  const socket = req.socket;
  let timer: NodeJS.Timeout;
  if (guard.kind === 'deadline') {
    if (guard.ms <= 0) return;
    timer = setTimeout(() => { if (!req.complete) expire(REQUEST_TIMEOUT); }, guard.ms);
  } else {
    if (guard.bytes <= 0) return;
    let seen = socket.bytesRead;
    timer = setInterval(() => {
      if (req.complete) return clearInterval(timer);
      const now = socket.bytesRead;
      if (now - seen >= guard.bytes) { seen = now; return; }
      clearInterval(timer);
      expire(UPLOAD_TOO_SLOW);
    }, guard.windowMs);
  }
  // Node's own checks do not keep a process alive either; a closed response (answered, or its socket gone) ends the watch.
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}
