/**
 * What a server takes in `POST /api/tracklab/v1/metrics/blocks`: which frame
 * versions and whether several frames may go in one request. The server
 * answers it at `GET /api/tracklab/v1/capabilities`; the remote store's
 * sender asks once before its first block write. A server from before that
 * endpoint answers 404 and takes only single "TLC1" frames: sending it
 * hashed or joined frames got a 400 that the sender took for a refusal, and
 * every metric point was dropped.
 */
import { isTracklabError } from '../../errors';
import type { HttpTransport } from './http-transport';

export interface BlockUploads {
  /** Frame magics taken, e.g. ["TLC2", "TLC1"]. */
  readonly frames: readonly string[];
  /** Several frames in one request. */
  readonly joined: boolean;
}

/** What a server that does not answer the capabilities endpoint takes. */
export const OLDEST_BLOCK_UPLOADS: BlockUploads = { frames: ['TLC1'], joined: false };

/**
 * Frames a joined upload may hold: the server refuses more. Each frame is its
 * own store write, so one request of tiny frames (178,000 fit in the body
 * limit) held the server for 25 s; the sender joins at most this many.
 */
export const MAX_JOINED_FRAMES = 32;

export const CAPABILITIES_PATH = '/api/tracklab/v1/capabilities';

/** The server's answer as JSON. */
export function blockUploadsJson(uploads: BlockUploads): string {
  return JSON.stringify({ column_frames: uploads.frames, joined_blocks: uploads.joined });
}

/** Asks the server; an unreachable server throws (ServerUnreachable), a server without the endpoint is the oldest kind. */
export async function askBlockUploads(transport: HttpTransport): Promise<BlockUploads> {
  let body: Buffer;
  try {
    body = await transport.request('GET', CAPABILITIES_PATH);
  } catch (err) {
    if (isTracklabError(err)) return OLDEST_BLOCK_UPLOADS;
    throw err;
  }
  let answer: { column_frames?: unknown; joined_blocks?: unknown };
  try {
    answer = JSON.parse(body.toString('utf8')) as typeof answer;
  } catch {
    // Not our server's answer (a proxy's page, say): send what every tracklab server takes rather than throw into the sender.
    return OLDEST_BLOCK_UPLOADS;
  }
  if (answer === null || typeof answer !== 'object') return OLDEST_BLOCK_UPLOADS;
  const frames = Array.isArray(answer.column_frames) ? answer.column_frames.filter((f): f is string => typeof f === 'string') : OLDEST_BLOCK_UPLOADS.frames;
  return { frames, joined: answer.joined_blocks === true };
}
