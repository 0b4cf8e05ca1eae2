/**
 * Every message of the tracking server, in one module so tests can assert
 * them. Request-field messages follow MLflow's wording (mlflow/server/handlers.py)
 * so clients that match on them keep working.
 */
import { describe, quote } from '../messages';

const API_DOCS = ' See the API docs for more information about request parameters.';

/** MLflow 1.x endpoints that MLflow 2 removed, with what replaced them; old clients and scripts still call them. */
const REMOVED_IN_MLFLOW_2: Readonly<Record<string, string>> = {
  'experiments/list': 'experiments/search (GET or POST)',
  'registered-models/list': 'registered-models/search (GET)',
};

export const serverMsg = {
  missingField: (name: string) => `Missing value for required parameter '${name}'.${API_DOCS}`,
  invalidField: (name: string, value: unknown, expected: string) =>
    `Invalid value ${describe(value)} for parameter '${name}' supplied: expected ${expected}.${API_DOCS}`,
  invalidEnum: (name: string, value: unknown, allowed: readonly string[]) =>
    `Invalid value ${describe(value)} for parameter '${name}' supplied: expected one of ${allowed.join(', ')}.${API_DOCS}`,
  batchTooLarge: (bytes: number, limit: number) =>
    `Batched logging API requests must be at most ${limit} bytes in size; got ${bytes} bytes. Split the batch.`,
  bodyAborted: () => 'The request body ended early (the client went away or timed out).',
  bodyTooLarge: (limit: number) => `The request body is larger than ${limit} bytes; send smaller requests.`,
  bodyNotObject: () => 'The request body must be a JSON object.',
  contentType: (got: string | undefined) =>
    got === undefined || got === '' ? 'Bad Request. Content-Type header is missing; send Content-Type: application/json.'
      : `Bad Request. Content-Type must be application/json; got ${quote(got)}.`,
  reservedBatchId: (batchId: string) =>
    `The batch id ${quote(batchId)} starts with "s:", which is reserved for tracklab's own numbered senders (s:<sender>:<n>). Pick an id of another form, e.g. a UUID.`,
  repeatedBatchId: (batchId: string) =>
    `Two frames of this block upload carry the batch id ${quote(batchId)}; each write needs its own. Send each write once, under its own id.`,
  sequenceOutOfOrder: (batchId: string, last: number) =>
    `The batch id ${quote(batchId)} comes after number ${last} of the same sender in this block upload; a sender's writes go in order, so it would be skipped. Send them in order.`,
  foreignBlock: (method: string, runId: string, other: string) =>
    `${method} of run ${quote(runId)} carries points of run ${quote(other)}; a run's call carries only its own points. Log the other run's points with its own call.`,
  tooManyFrames: (count: number, max: number) =>
    `This block upload holds ${count} frames; a request takes at most ${max}. Send the rest in further requests (tracklab's remote store does).`,
  blockUploadUnsupported: (what: string) =>
    `This server does not take ${what} in a block upload. Ask GET /api/tracklab/v1/capabilities for what it takes (tracklab's remote store does), or send single "TLC1" frames.`,
  /** `name`: the path below /api/2.0/mlflow/, when it is under it; `auth`: whether the server runs with --auth. */
  noEndpoint: (path: string, name?: string, auth = true) => {
    const removed = name !== undefined ? REMOVED_IN_MLFLOW_2[name] : undefined;
    if (removed !== undefined) return `No API endpoint at ${quote(path)}: ${name} was removed in MLflow 2. Use ${removed} instead.`;
    if (!auth && name !== undefined && /^users\/|permissions\//.test(name)) {
      return `No API endpoint at ${quote(path)}: users, tokens and permissions exist only on a server started with --auth.`;
    }
    return `No API endpoint at ${quote(path)}. The tracking API lives under /api/2.0/mlflow/ (see MLflow's REST API docs).`;
  },
  wrongMethod: (path: string, method: string, allowed: readonly string[]) =>
    `${path} does not answer ${method}: send ${allowed.join(' or ')} (it answers ${allowed.join(' and ')} only).`,
  foreignHost: (host: string | undefined) =>
    `Invalid Host header ${host === undefined ? '(none)' : quote(host)}: this server answers only its own names (DNS rebinding protection). `
    + 'Start it with --allowed-hosts NAME to accept another name.',
  repeatedHost: (count: number) => `The request carries ${count} Host headers; send exactly one.`,
  conflictingHost: (header: string, target: string) =>
    `The Host header ${quote(header)} names another host than the request target (${quote(target)}); send the same one in both.`,
  callBodyShape: () => 'The body must be {"args": [...]}, the arguments of the call in order.',
  noArtifactsForManifest: () => 'This server keeps no artifacts (start it with --artifacts-destination PATH), so it records no artifact entries.',
  blobMissing: (at: string, sha256: string) => `'${at}.sha256' names content ${sha256} that this server does not hold: upload the file first.`,
  blobSizeMismatch: (at: string, declared: number, actual: number) => `'${at}.size' is ${declared}, but the content it names is ${actual} bytes.`,
  tooManyDatasets: (got: number, limit: number) => `A log-inputs request may carry at most ${limit} datasets; got ${got}. Split it.`,
  runNotActive: (runId: string) => `The run ${runId} must be in the 'active' state. Restore it first.`,
  internalError: () => 'The server failed to answer this request; its log says why.',
  badServerOption: (name: string, value: number, min: number, max: number) =>
    `The server option ${name} must be a whole number from ${min} to ${max}; got ${value}.`,
  experimentNotFound: (id: string) => `No experiment with id ${quote(id)}.`,
  experimentNameNotFound: (name: string) => `Could not find experiment with name ${quote(name)}.`,
  scheduledStatus: () => 'Run status SCHEDULED is not supported: tracklab runs are RUNNING, FINISHED, FAILED or KILLED.',
  runNameConflict: (runName: string, tag: string) =>
    `Both 'run_name' (${quote(runName)}) and the tag 'mlflow.runName' (${quote(tag)}) were given, and they differ. Give one, or the same value.`,
  stepRange: (start: number, end: number) => `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
  stepsTogether: () => 'If either start step or end step are specified, both must be specified.',
  notADigest: (text: string) => `${quote(text)} is not a sha256 digest (64 lowercase hex digits).`,
  digestList: (max: number) => `Send {"sha256": [...]}: at most ${max} sha256 digests (64 lowercase hex digits each).`,
  blobNeedsRef: () => 'Name what the content belongs to: ?run_id=<run id>, or ?model=<name>&version=<version>.',
  uploadNeedsRun: () => 'Content is uploaded for a run: use ?run_id=<run id>.',
  runDeletedNoUpload: (runId: string) => `Run ${runId} is deleted, so nothing can be uploaded for it. Restore it first.`,
  blobNotInRun: (sha256: string, runId: string) => `Run ${runId} has no artifact with content ${sha256}.`,
  blobNotInVersion: (sha256: string, name: string, version: number) => `Version ${version} of ${quote(name)} pins no content ${sha256}.`,
  noArtifacts: () => 'This server serves no artifacts: start it with --artifacts-destination PATH.',
  paramTwice: (key: string, a: string, b: string) =>
    `Param ${quote(key)} appears twice in the batch with different values (${quote(a)} and ${quote(b)}); params are write-once.`,
  noSuchTag: (key: string, runId: string) => `No tag with name: ${key} in run with id ${runId}`,
  bulkTooManyRuns: (limit: number, got: number) => `GetMetricHistoryBulkInterval request must specify at most ${limit} run_ids. Received ${got} run_ids.`,
  bulkMaxResults: (limit: number) => `max_results must be between 1 and ${limit}.`,
  notAProxy: () => 'This server is not a proxy: it answers no CONNECT.',
  badTarget: () => 'The request target is not a valid URL path, nor an http(s) URL without user info.',
  proxyPathShape: (p: string) =>
    `No artifact location ${quote(p)}: proxied artifact paths are <experiment id>/<run id>/artifacts/<path>, as in a run's artifact_uri.`,
  proxyPathIsFolder: () => 'The artifact path names the run\'s artifact folder, not a file: add the file\'s path.',
  runNotInExperiment: (runId: string, experimentId: string) => `Run ${runId} is not in experiment ${quote(experimentId)}; use the run's artifact_uri.`,
  artifactTooLarge: (limit: number) => `The artifact is larger than ${limit} bytes, this server's upload limit (--max-artifact-bytes).`,
  shuttingDown: () => 'The server is shutting down; retry against its replacement.',
  nonLoopbackWithoutAuth: (host: string) =>
    `Refusing to listen on ${host} without authentication: anyone who can reach it could read and change every run. `
    + 'Pass --auth to require users and tokens, listen on 127.0.0.1 (the default) behind an authenticating reverse proxy, or pass --insecure-no-auth if this network is trusted.',
  corsOriginRefused: () => 'This origin is not allowed to call the server from a browser (see --cors-origins).',
  badCorsOrigin: (text: string) => `Invalid CORS origin ${JSON.stringify(text)}: give exact origins such as https://app.example.com or http://localhost:3000 (scheme, host and port; no path, no wildcard).`,
  authWithoutTls: (host: string) => `Warning: passwords and tokens will cross the network to ${host} unencrypted. Pass --tls-cert and --tls-key, or put a TLS reverse proxy in front.`,
  tlsHalf: () => 'TLS needs both a certificate and a key: pass --tls-cert FILE and --tls-key FILE together.',
  tlsUnreadable: (what: string, file: string, detail: string) => `Cannot use the TLS ${what} ${file}: ${detail}`,
} as const;
