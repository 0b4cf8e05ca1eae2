/**
 * How the server answers errors: MLflow's body `{"error_code", "message"}`
 * with the HTTP status MLflow gives that code (mlflow/exceptions.py,
 * ERROR_CODE_TO_HTTP_STATUS). TracklabErrors from validation and the store
 * keep their code; transport problems (no such endpoint, wrong method, a
 * foreign Host, a body too large) are HttpErrors that carry their status.
 */
import { isTracklabError, type ErrorCode } from '../errors';
import { maskUri } from '../store/store-uri';
import { serverMsg } from './messages';

/** MLflow error codes the server may answer with: tracklab's own, plus the transport ones. */
export type ApiErrorCode = ErrorCode | 'ENDPOINT_NOT_FOUND' | 'PERMISSION_DENIED' | 'UNAUTHENTICATED' | 'REQUEST_LIMIT_EXCEEDED';

/** A problem with the request itself, before any operation ran. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(readonly status: number, readonly errorCode: ApiErrorCode, message: string, readonly headers: Readonly<Record<string, string>> = {}) {
    super(message);
  }
}

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  // MLflow answers 500 for INVALID_STATE; tracklab raises it for a client's
  // request on a deleted or ended run or experiment, where MLflow itself
  // answers INVALID_PARAMETER_VALUE (400). See `errorResponse`.
  INVALID_STATE: 400,
};

export interface ErrorResponse {
  readonly status: number;
  readonly body: { readonly error_code: string; readonly message: string };
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The answer to any failure. Unknown errors, and TracklabErrors that are the
 * server's own failure (INTERNAL_ERROR: a full disk, a lost database), are
 * INTERNAL_ERROR with a generic message: their detail goes to the server log,
 * never to the client. Any URI in a message loses its password, and
 * `redact` (see path-redactor.ts) takes the server's folders out.
 */
export function errorResponse(err: unknown, redact: (text: string) => string = (t) => t): ErrorResponse {
  if (err instanceof HttpError) {
    return { status: err.status, body: { error_code: err.errorCode, message: redact(err.message) }, headers: err.headers };
  }
  if (isTracklabError(err) && err.code !== 'INTERNAL_ERROR') {
    const code = err.code === 'INVALID_STATE' ? 'INVALID_PARAMETER_VALUE' : err.code;
    return { status: STATUS[err.code], body: { error_code: code, message: redact(maskUri(err.message)) }, headers: {} };
  }
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: serverMsg.internalError() }, headers: {} };
}
