/**
 * Turns an HTTP request into RequestFields, with the checks MLflow's
 * `_get_request_message` makes and the limits a public server needs:
 * - GET fields come from the query string;
 * - a POST must say `Content-Type: application/json` (as MLflow requires:
 *   a cross-site form cannot send that type without a CORS preflight, which
 *   this server never grants);
 * - a body past `maxBytes` is refused with 413 before it is all read;
 * - JSON nesting is bounded and prototype keys are refused (safe-json.ts);
 * - a body that is a JSON string holding JSON is decoded twice, for old clients.
 */
import type * as http from 'node:http';
import { TracklabError } from '../errors';
import { readBody } from '../http/read-body';
import { maxNestingDepth, parseSafeJson } from '../models/safe-json';
import { isPlainObject } from '../models/safe-keys';
import { HttpError } from './http-error';
import { serverMsg } from './messages';
import { RequestFields } from './request-fields';

export interface ReadRequestOptions {
  readonly maxBytes: number;
  /** A smaller limit of this endpoint, answered with 400 and its own message (MLflow's log-batch 1 MB). */
  readonly endpointLimit?: { readonly bytes: number; readonly message: (bytes: number, limit: number) => string };
}

export async function readRequest(req: http.IncomingMessage, url: URL, options: ReadRequestOptions): Promise<RequestFields> {
  if (req.method === 'GET' || req.method === 'HEAD') return RequestFields.fromQuery(url.searchParams);
  // As in MLflow, only POST must declare JSON; PATCH and DELETE bodies are read as JSON whatever they say (a browser sends neither cross-site without a CORS preflight).
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (req.method === 'POST' && type !== 'application/json') throw new HttpError(400, 'INVALID_PARAMETER_VALUE', serverMsg.contentType(req.headers['content-type']));
  const body = await readWholeBody(req, options.maxBytes);
  const limit = options.endpointLimit;
  if (limit !== undefined && body.length > limit.bytes) throw new TracklabError('INVALID_PARAMETER_VALUE', limit.message(body.length, limit.bytes));
  const text = body.toString('utf8');
  if (text.trim() === '') return RequestFields.fromJson({});
  let data = parseBody(text);
  if (typeof data === 'string') data = parseBody(data);
  if (!isPlainObject(data)) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.bodyNotObject());
  return RequestFields.fromJson(data);
}

/** Text that cannot spell a prototype key, even through `\u` escapes: most bodies, parsed without a reviver (three times faster). */
const PROTOTYPE_KEY_OR_ESCAPE = /__proto__|constructor|prototype|\\u/;

function parseBody(text: string): unknown {
  if (PROTOTYPE_KEY_OR_ESCAPE.test(text) || maxNestingDepth(text, MAX_DEPTH) > MAX_DEPTH) {
    return parseSafeJson(text, { what: 'The request body', code: 'INVALID_PARAMETER_VALUE', maxDepth: MAX_DEPTH });
  }
  try {
    return JSON.parse(text);
  } catch {
    return parseSafeJson(text, { what: 'The request body', code: 'INVALID_PARAMETER_VALUE', maxDepth: MAX_DEPTH }); // words the error
  }
}

const MAX_DEPTH = 100;

/** The whole body, or a 413 HttpError as soon as it is known to be larger than `limit`. */
export async function readWholeBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const read = await readBody(req, limit);
  if (read.kind === 'too-large') throw new HttpError(413, 'BAD_REQUEST', serverMsg.bodyTooLarge(limit), { connection: 'close' });
  if (read.kind === 'aborted') throw read.error ?? new HttpError(400, 'BAD_REQUEST', serverMsg.bodyAborted());
  return read.bytes;
}
