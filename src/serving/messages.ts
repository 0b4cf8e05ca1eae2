/**
 * What the scoring server answers and warns, in one module so tests can
 * match it. Error bodies have MLflow's shape: `{"error_code", "message"}`.
 */
import { quote } from '../messages';

export const servingMsg = {
  hostRefused: (host: string | undefined) =>
    `Invalid Host header ${host === undefined ? '(none)' : quote(host)} - possible DNS rebinding attack detected. `
    + 'The server answers only the names of the address it listens on (localhost, 127.0.0.1, [::1]); '
    + 'add others with --allowed-hosts (allowedHosts).',
  conflictingHost: (header: string, target: string) =>
    `The Host header ${quote(header)} names another host than the request target (${quote(target)}); send the same one in both.`,
  notAProxy: () => 'This server is not a proxy: it answers no CONNECT.',
  badTarget: () => 'The request target is neither a path (/invocations) nor an http(s) URL without user info.',
  notLoopback: (host: string) =>
    `tracklab: the scoring server listens on ${host}, which is not a loopback address: anyone who can reach this machine `
    + 'can call the model, without authentication. Bind 127.0.0.1 unless that is what you want, and name the host '
    + 'clients use with --allowed-hosts.',
  unsupportedType: (type: string) =>
    `This predictor only supports the following content types: application/json, text/csv. Got ${quote(type || 'none')}.`,
  charset: (charset: string) =>
    `The scoring server only supports UTF-8; got charset ${quote(charset)}.`,
  csvBad: (detail: string) =>
    `Failed to parse input as a table from CSV: ${detail} Send a header line with the column names, then one line per row.`,
  tooLarge: (limit: number) =>
    `The request body is larger than ${limit} bytes; send smaller batches.`,
  modelFailed: (detail: string) =>
    `Encountered an unexpected error while evaluating the model. Verify that the input is compatible with the model for inference. Error: ${detail}`,
} as const;
