/**
 * The closed set of error codes. Names follow MLflow's `ErrorCode` so users
 * coming from MLflow recognise them.
 */
export const ErrorCode = {
  INVALID_PARAMETER_VALUE: 'INVALID_PARAMETER_VALUE',
  RESOURCE_ALREADY_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  RESOURCE_DOES_NOT_EXIST: 'RESOURCE_DOES_NOT_EXIST',
  INVALID_STATE: 'INVALID_STATE',
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = keyof typeof ErrorCode;

/**
 * The one error type tracklab throws on purpose. `code` is stable and
 * machine-readable; `message` says what to do. Engine failures (SQLite, file
 * system) are wrapped with the original in `cause`.
 */
export class TracklabError extends Error {
  override readonly name = 'TracklabError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** `[CODE] message`, the form the CLI and notebook show instead of a stack. */
  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

export function isTracklabError(value: unknown, code?: ErrorCode): value is TracklabError {
  return value instanceof TracklabError && (code === undefined || value.code === code);
}
