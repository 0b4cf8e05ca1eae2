/**
 * Every user-facing error text of the tracking layer, in one module so tests
 * can assert them and wording stays consistent. Each message says what was
 * wrong and what to do about it.
 */

/** Shortens long user strings so a message stays readable (never splitting a character). */
export function quote(value: string, max = 80): string {
  const shown = value.length > max ? `${Array.from(value.slice(0, 2 * max)).slice(0, max).join('')}…` : value;
  return JSON.stringify(shown);
}

/** Characters (code points) in `value`, as limits count them. */
function charCount(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

const NAME_CHARS = 'letters, digits, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)';

export const msg = {
  sweepOutputIsNotebook: (output: string) =>
    `--output ${quote(output)} names a notebook, but a sweep writes one executed notebook per point (<name>-1.ipynb, <name>-2.ipynb, ...) into a folder. `
    + `Pass a folder instead, e.g. --output ${quote(output.replace(/\.ipynb$/i, ''))}.`,
  /** backup and doctor work on the store itself: its database and artifact folder, which a server does not hand out. */
  maintenanceThroughServer: (command: 'back up' | 'check', uri: string) =>
    `Cannot ${command} ${uri}: it is a tracking server, and ${command === 'back up' ? 'backup copies' : 'doctor examines'} the store itself, not through a server. `
    + `Run tracklab ${command === 'back up' ? 'backup' : 'doctor'} where the store is, with --tracking-uri naming the store the server uses (its folder, sqlite:///abs/path/tracklab.db or postgresql://...).`,
  projectExperimentSplit: (notebook: readonly string[], project: string, runName: string) =>
    `note: the notebook's runs went to experiment ${notebook.map((n) => quote(n)).join(', ')}, its project run ${runName} to ${quote(project)}. `
    + `To keep them together, pass --experiment ${quote(notebook[0]!)}, or name the experiment in the notebook as configure({ experiment: '...' }) with a string, which tracklab run reads.`,
  portInUse: (host: string, port: number) => `Port ${port} on ${host} is already in use; choose another with --port.`,
  listenFailed: (host: string, port: number, detail: string) => `Cannot listen on ${host}:${port}: ${detail}`,
  artifactsRefusedLater: (runId: string, paths: readonly string[], why: string) =>
    `tracklab: the tracking server refused the artifacts ${paths.slice(0, 3).map((p) => quote(p)).join(', ')}${paths.length > 3 ? ` and ${paths.length - 3} more` : ''} of run ${runId}, logged while it was unreachable: ${why}`,
  syncRunRefused: (runName: string, runId: string, why: string) =>
    `not synced: run ${runName} (${runId}), refused by the server: ${why} It stays for a later sync; the other runs went on.`,
  syncKeyDamaged: (file: string) =>
    `The sync key ${file} is damaged (it should hold 64 hex digits). Remove it and run tracklab sync again: a new key is made, and each run goes on from the points the server already holds.`,
  keyMissing: (kind: string) =>
    `${kind} name is missing. Pass a non-empty string key.`,
  keyNotString: (kind: string, got: unknown) =>
    `${kind} name must be a string, got ${describe(got)}. Pass a string key.`,
  keyBadChars: (kind: string, key: string) =>
    `Invalid ${kind.toLowerCase()} name ${quote(key)}: names may only contain ${NAME_CHARS}.`,
  keyNotNormal: (kind: string, key: string, normal: string) =>
    `Invalid ${kind.toLowerCase()} name ${quote(key)}: names may be used as file paths and must not start with "/", contain "..", "." or empty segments, or end with "/"${normal !== key ? ` (it would resolve to ${quote(normal)})` : ''}. Rename it, e.g. ${quote(suggestKey(key))}.`,
  tooLong: (what: string, value: string, limit: number) =>
    `${what} ${quote(value, 60)} is ${charCount(value)} characters long; the limit is ${limit}. Shorten it.`,
  batchTooLarge: (what: string, count: number, limit: number) =>
    `A single write can hold at most ${limit} ${what}; got ${count}. Split them across several calls (the client does this for you).`,
  batchIdBad: (got: unknown) =>
    `A batch id must be 1 to 128 letters, digits, "_", ":", "." or "-", got ${describe(got)}. Use a nanoid.`,
  sequencedBatchIdBad: (got: string) =>
    `The batch id ${quote(got)} starts with "s:", the form of tracklab's numbered senders, but is not s:<sender>:<n> with a sender of 1 to 100 letters, digits, "_", "." or "-" and n a whole number from 0 to ${Number.MAX_SAFE_INTEGER}. Send s:<sender>:<n> exactly, or pick an id of another form (e.g. a UUID).`,
  runDeletedNoLogging: (runName: string, runId: string) =>
    `Run ${runName} (${runId}) is deleted, so nothing more can be logged to it. Restore it first, or log to a new run.`,
  descriptionNotString: (got: unknown) =>
    `A description must be a string, got ${describe(got)}.`,

  metricValue: (key: string, value: unknown) =>
    `Metric ${quote(key)} got ${describe(value)}; metric values must be numbers (NaN and ±Infinity are allowed). Convert it with Number(...) first.`,
  metricStep: (key: string | readonly string[], step: unknown) =>
    `${metricNames(key)} got step ${describe(step)}; steps must be integers. Pass an integer step or leave it out.`,
  metricStepRange: (key: string | readonly string[], step: number) =>
    `${metricNames(key)} got step ${step}, beyond ±${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER): past 2^53 a JavaScript number cannot tell neighbouring steps apart. Use a smaller step.`,
  metricTimestamp: (key: string, ts: unknown) =>
    `Metric ${quote(key)} got timestamp ${describe(ts)}; timestamps must be non-negative integer milliseconds (like Date.now()).`,
  metricTimestampRange: (key: string, ts: number) =>
    `Metric ${quote(key)} got timestamp ${ts}, beyond ${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER), which a JavaScript number cannot hold exactly. Pass milliseconds like Date.now().`,
  metricsNotObject: (got: unknown) =>
    `log() expects an object of metric values like { loss: 0.1 }, got ${describe(got)}.`,

  paramUndefined: (key: string) =>
    `Param ${quote(key)} is undefined. Pass a value (string, number, boolean or JSON-serialisable object) or leave the param out.`,
  paramUnserialisable: (key: string, got: unknown) =>
    `Param ${quote(key)} got ${describe(got)}, which cannot be stored. Pass a string, number, boolean or JSON-serialisable object.`,
  paramChanged: (key: string, oldValue: string, newValue: string, runName: string) =>
    `Param ${quote(key)} is already ${quote(oldValue)} on run ${runName}; params are write-once. Start a new run to try ${quote(newValue)}.`,
  tagUndefined: (key: string) =>
    `Tag ${quote(key)} is undefined. Pass a string value or delete the tag with deleteTag().`,
  tagUnserialisable: (key: string, got: unknown) =>
    `Tag ${quote(key)} got ${describe(got)}. Pass a string, number or boolean.`,
  recordNotObject: (what: string, got: unknown) =>
    `${what} must be a plain object of key/value pairs, got ${describe(got)}.`,

  experimentNameEmpty: () =>
    'Experiment name is empty. Pass a non-empty name like "mnist-baseline".',
  experimentNameBad: (name: string) =>
    `Experiment name ${quote(name)} contains control characters (tabs, newlines, ...). Use printable text.`,
  experimentDeleted: (name: string) =>
    `Experiment ${quote(name)} is deleted. Restore it with client.restoreExperiment(...) or log to another experiment.`,
  runNameBad: (name: string) =>
    `Run name ${quote(name)} is empty or contains control characters. Use printable text, or leave the name out to get a generated one.`,
  runIdBad: (id: unknown) =>
    `Invalid run id ${typeof id === 'string' ? quote(id) : describe(id)}. Run ids are letters, digits, "_" and "-" (up to 256), as returned by startRun() or createRun().`,
  experimentIdBad: (id: unknown) =>
    `Invalid experiment ${typeof id === 'string' ? quote(id) : describe(id)}. Pass an experiment name or id string.`,
  statusBad: (status: unknown) =>
    `Invalid run status ${describe(status)}. Use one of FINISHED, FAILED, KILLED.`,
  maxResultsBad: (n: unknown, limit: number) =>
    `maxResults must be an integer between 1 and ${limit}, got ${describe(n)}.`,
  viewTypeBad: (v: unknown) =>
    `viewType must be "active", "deleted" or "all", got ${describe(v)}.`,
  pathBad: (what: string, value: string) =>
    `${what} ${quote(value)} is not allowed: use a relative path without "..", backslashes, NUL or a drive letter.`,

  optionsNotObject: (operation: string, got: unknown) =>
    `${operation} takes an object of options, got ${describe(got)}.`,
  unknownOption: (operation: string, key: string, known: readonly string[], nearest: string | undefined) =>
    `${operation} has no option ${quote(key)}${nearest === undefined ? '.' : `: did you mean ${quote(nearest)}?`} Its options are ${known.join(', ')}.`,
  noRunHasMetric: (metric: string, metrics: readonly string[], nearest: string | undefined) =>
    `No run to compare has the metric ${quote(metric)}${nearest === undefined ? '.' : `: did you mean ${quote(nearest)}?`} `
    + (metrics.length ? `Their metrics: ${metrics.map((m) => quote(m)).join(', ')}.` : 'They have no metrics: log some with run.log({ loss }).'),
  noActiveRun: () =>
    'No active run. Call tracklab.startRun() first, or tracklab.autolog() in a notebook.',
  runEnded: (runName: string) =>
    `Run ${runName} has already ended. Start a new run with tracklab.startRun().`,
  notTopRun: (runName: string, topName: string) =>
    `Run ${runName} is not the innermost active run (${topName} is). End the nested run first.`,
  parentUnknown: () =>
    'startRun({ parent: true }) needs an active run to nest under. Start the parent run first.',
  storeFailed: (what: string, detail: string) =>
    `Could not ${what}: ${detail}. Check that the store is reachable and writable (\`tracklab info\` says which store this is).`,
  artifactRootMissing: (store: string) =>
    `The store ${store} keeps no files, so artifacts need an artifact root: a folder every machine that logs to this store can reach. `
    + "Set it with configure({ artifactRoot: '/shared/tracklab-artifacts' }) or TRACKLAB_ARTIFACT_ROOT=/shared/tracklab-artifacts (a path or file:///…), "
    + 'or --artifact-root on the command line.',
  noStore: (folder: string, file: string) =>
    `No tracklab store at ${folder} (no ${file}). Log a run first, or pass --home/--tracking-uri to an existing store.`,
  storeNotOpenYet: (store: string) =>
    `The store ${store} opens asynchronously and is not open yet. Use the client's methods (they wait for it) instead of its store.`,
  featureMissing: (what: string, module: string) =>
    `${what} is not available in this build (${module} is missing). Update tracklab.`,
  listenerFailed: (detail: string) =>
    `A run listener threw and was ignored: ${detail}. Further listener errors are not reported.`,
  writeFailed: (runName: string, detail: string) =>
    `tracklab: writing run ${runName} failed: ${detail.replace(/\.$/, '')}. Later writes of this run may be lost; end() and flush() will rethrow this error.`,
} as const;

/** `Metric "acc"`, or `Metrics "acc", "loss"` for the keys of one log() call (the first few). */
function metricNames(keys: string | readonly string[]): string {
  if (keys.length === 0) return 'A log() call with no metrics';
  if (typeof keys === 'string' || keys.length === 1) return `Metric ${quote(typeof keys === 'string' ? keys : keys[0])}`;
  const shown = keys.slice(0, 3).map((k) => quote(k)).join(', ');
  return `Metrics ${shown}${keys.length > 3 ? ` and ${keys.length - 3} more` : ''}`;
}

/** A short, safe description of any value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `the string ${quote(value, 40)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
}

function suggestKey(key: string): string {
  const cleaned = key.split('/').filter((s) => s !== '' && s !== '.' && s !== '..').join('/');
  return cleaned === '' ? 'my_key' : cleaned;
}
