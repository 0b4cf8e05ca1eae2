/**
 * The one request-body reader of tracklab's HTTP servers (tracking server,
 * scoring server, web UI): collects at most `limit` bytes and stops reading
 * as soon as the body is known to be larger (from Content-Length, or once
 * the bytes pass it), so an oversized body is never buffered. Each server
 * words the outcome its own way (413 JSON, MLflow's scoring errors, ...).
 */
import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { readonly kind: 'body'; readonly bytes: Buffer }
  /** Larger than the limit; reading stopped (answer, then close the connection). */
  | { readonly kind: 'too-large' }
  /** The client went away or the request timed out before the end. */
  | { readonly kind: 'aborted'; readonly error?: Error };

/** @example const read = await readBody(req, 1 << 20); if (read.kind === 'body') JSON.parse(read.bytes.toString('utf8')); */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        req.pause(); // the rest is never buffered; the server closes the connection after its answer
        resolve({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve({ kind: 'body', bytes: Buffer.concat(chunks, size) });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', (error) => { stop(); resolve({ kind: 'aborted', error }); });
    req.on('aborted', () => { stop(); resolve({ kind: 'aborted' }); });
  });
}
