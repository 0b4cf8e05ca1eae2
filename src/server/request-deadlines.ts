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
 *   however long it takes, and a trickle is cut within one or two windows.
 *   Time in which the server held the socket paused is not counted:
 *   before its handler reads the body (it authenticates and looks the run
 *   up first, which a busy store can make slow) or while the disk is slower
 *   than the client, Node stops reading, and the client is not slow.
 * Either ends the request as Node's own timeout does: 408, the connection
 * closed, one log entry (client-error-log.ts). The upload's handler then sees
 * its body abort, removes its temp file and records nothing.
 */
import type * as http from 'node:http';
import { TracklabError } from '../errors';
import { pathUrl, routedPath } from '../http/request-target';
import { ARTIFACTS_PREFIX } from './artifact-proxy';
import { BLOBS_ROUTE } from './blob-api';
import { serverMsg } from './messages';
import { TRACKLAB_PREFIX } from './tracklab-api';

/** The server's timeouts (the options of startTrackingServer). */
export interface DeadlineOptions {
  /** A request whose body has not all arrived this long after its headers gets 408; 0 for never. Artifact uploads have a minimum rate instead. Default 120 s. */
  readonly requestTimeoutMs?: number;
  /** An artifact upload (PUT) that receives fewer bytes than this in a window of `uploadRateWindowMs` gets 408 and is not stored; 0 for no floor. Default 64 KiB. */
  readonly minUploadBytesPerWindow?: number;
  /** The window of `minUploadBytesPerWindow`. Default 30 s. */
  readonly uploadRateWindowMs?: number;
  /** Headers not complete after this long get 408. Default 20 s. */
  readonly headersTimeoutMs?: number;
  /** A connection on which the server waits on its client (for a request, its body, or to read the answer) and nothing moved for this long is closed; 0 for never. Default 120 s. */
  readonly idleTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;

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
 * without a cut; a client that stops dead is cut within two windows (the
 * window it stopped in may still have passed), so 30 to 60 s, before the
 * 120 s idle timeout. Holding a connection costs a slow-loris 2.2 kB/s of its
 * own upstream, all written to disk against maxArtifactBytes.
 */
export const DEFAULT_UPLOAD_FLOOR = { bytes: 64 * 1024, windowMs: 30_000 } as const;

/**
 * Watches `req`'s body until it is complete or `res` closes; calls `expire`
 * (once) with the log code when the guard is broken. The rate counts body
 * bytes as Node's parser hands them to `req` (its `push`), not bytes on the
 * socket: chunked framing (a chunk size may carry any number of leading
 * zeros) would otherwise count as progress, and a client could hold an
 * upload open forever sending framing and one byte of body per window.
 * Only time in which the server reads the socket is owed bytes: a window
 * owes `bytes` times the share of it the socket was not paused, so a
 * server that stopped reading (its handler not reading yet, a slow disk)
 * owes nothing for that time, and a client that makes the server pause for
 * a moment (one burst past the 16 KiB read buffer) still owes the rest.
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
    let received = 0;
    const push = req.push;
    req.push = function (chunk: unknown, encoding?: BufferEncoding): boolean {
      if (chunk !== null && chunk !== undefined) received += (chunk as Buffer).length;
      return push.call(this, chunk, encoding);
    };
    // The time the socket was read from (not paused) since the last check.
    let reading = 0;
    let since = Date.now();
    let paused = socket.isPaused();
    const account = () => {
      const now = Date.now();
      if (!paused) reading += now - since;
      since = now;
    };
    const onPause = () => { account(); paused = true; };
    const onResume = () => { account(); paused = false; };
    socket.on('pause', onPause);
    socket.on('resume', onResume);
    // Pipelined requests share the socket and are all read before their answers are sent: the watch of each ends
    // with its body, not with its answer, or listeners pile up on the socket.
    const detach = () => {
      socket.off('pause', onPause);
      socket.off('resume', onResume);
      req.push = push;
    };
    req.once('end', detach);
    res.once('close', detach);
    timer = setInterval(() => {
      if (req.complete) return clearInterval(timer);
      account();
      paused = socket.isPaused();
      const owed = guard.bytes * Math.min(1, reading / guard.windowMs);
      const got = received;
      received = 0;
      reading = 0;
      if (got >= owed) return;
      clearInterval(timer);
      expire(UPLOAD_TOO_SLOW);
    }, guard.windowMs);
  }
  // Node's own checks do not keep a process alive either; a closed response (answered, or its socket gone) ends the watch.
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}

/**
 * Node checks its timeouts every `connectionsCheckingInterval` (30 s by default): a fraction of the timeout keeps the check honest.
 * Node's requestTimeout is off: it would hold every request, uploads too, to one deadline; guardBody holds each body instead.
 * Node still checks headersTimeout alone (measured on Node 20 with requestTimeout 0: a trickled head and a silent connection closed after 510 ms, headersTimeout 400 ms).
 */
export function serverTimeouts(options: DeadlineOptions): http.ServerOptions {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout > 0 ? requestTimeout : Infinity);
  return { requestTimeout: 0, headersTimeout, connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(headersTimeout / 4))) };
}

/** Artifact uploads (the proxy's PUT, and PUT blobs/<sha256>, routed as the server routes them) are the bodies allowed past maxBodyBytes: they get a floor rate, every other request a deadline. */
export function bodyGuard(options: DeadlineOptions, req: http.IncomingMessage): BodyGuard {
  const deadline: BodyGuard = { kind: 'deadline', ms: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
  if (req.method !== 'PUT') return deadline;
  const target = routedPath(req.url) ?? '/';
  let upload = target.split('?')[0]!.startsWith(`${ARTIFACTS_PREFIX}/`);
  try {
    upload ||= pathUrl(target).pathname.startsWith(`${TRACKLAB_PREFIX}${BLOBS_ROUTE}`);
  } catch {
    // an unparsable target is answered 400 at once
  }
  if (!upload) return deadline;
  return { kind: 'rate', bytes: options.minUploadBytesPerWindow ?? DEFAULT_UPLOAD_FLOOR.bytes, windowMs: options.uploadRateWindowMs ?? DEFAULT_UPLOAD_FLOOR.windowMs };
}

/** Throws INVALID_PARAMETER_VALUE for a timeout that is not a whole number of ms within setTimeout's range (a longer delay fires at once). */
export function checkDurations(options: DeadlineOptions): void {
  const checks: [keyof DeadlineOptions, number][] = [
    ['requestTimeoutMs', 0],
    ['minUploadBytesPerWindow', 0],
    ['uploadRateWindowMs', 1],
    // 0 would turn off the only deadline a request head has.
    ['headersTimeoutMs', 1],
    ['idleTimeoutMs', 0],
  ];
  for (const [name, min] of checks) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min && value <= MAX_TIMER_MS)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.badServerOption(name, value, min, MAX_TIMER_MS));
    }
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;
