/** Small request and response helpers for the UI handler (node:http only). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTracklabError, TracklabError } from '../errors';
import { readBody } from '../http/read-body';
import type { Html } from './html';
import { securityHeaders } from './security';

/** Bodies of UI changes are small JSON objects (a note, a tag). */
export const MAX_BODY_BYTES = 256 * 1024;

export function sendHtml(res: ServerResponse, status: number, page: Html): void {
  const body = Buffer.from(page.value, 'utf8');
  res.writeHead(status, { ...securityHeaders(), 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { ...securityHeaders(), 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { ...securityHeaders(), 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(body);
}

/** HTTP status of a tracklab error code. */
export function statusOf(err: unknown): number {
  if (!isTracklabError(err)) return 500;
  switch (err.code) {
    case 'RESOURCE_DOES_NOT_EXIST': return 404;
    case 'INVALID_PARAMETER_VALUE': case 'BAD_REQUEST': return 400;
    case 'RESOURCE_ALREADY_EXISTS': case 'INVALID_STATE': return 409;
    default: return 500;
  }
}

/** Reads a JSON object body (at most MAX_BODY_BYTES) into a null-prototype object. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) {
    throw new TracklabError('BAD_REQUEST', 'Changes are sent as application/json.');
  }
  const read = await readBody(req, MAX_BODY_BYTES);
  if (read.kind === 'too-large') throw new TracklabError('BAD_REQUEST', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  if (read.kind === 'aborted') throw new TracklabError('BAD_REQUEST', 'The request body ended early.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.bytes.toString('utf8'));
  } catch {
    throw new TracklabError('BAD_REQUEST', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TracklabError('BAD_REQUEST', 'The request body must be a JSON object.');
  return Object.assign(Object.create(null) as Record<string, unknown>, parsed);
}

/** A string field of a change body, or a BAD_REQUEST naming it. */
export function field(body: Record<string, unknown>, name: string, options: { optional?: boolean } = {}): string {
  const v = body[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (options.optional && (v === undefined || v === null)) return '';
  throw new TracklabError('BAD_REQUEST', `The request needs a string "${name}".`);
}
