/** One line of the tracking server's structured request log (one per request, per failure, and per request Node refused). */
export interface RequestLogEntry {
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  /** For 5xx answers: what failed, passwords masked; for requests Node refused, its error code (ERR_HTTP_REQUEST_TIMEOUT). */
  readonly error?: string;
}
