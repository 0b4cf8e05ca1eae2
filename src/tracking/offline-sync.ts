/**
 * `tracklab sync`'s second half: runs logged offline (TRACKLAB_MODE=offline,
 * into the local store) copied to a server's store, through the store
 * contract only. A run goes once it has ended (a running run's points may
 * still grow); it keeps its id, name, times, params, tags, points, cells,
 * artifacts (their content staged by `stageContent` first) and end. Syncing again duplicates nothing: the run exists, params are
 * write-once, tags upsert, and each slice of points goes under a sequenced
 * batch id (batch-sequence.ts): a sync sender of the run and key, and the
 * slice's index in the key's history, so the server keeps one mark per run
 * and key for it and skips slices at or below the mark, however long after
 * the first sync the second one comes.
 * Runs already synced are listed in `<store>/synced-runs.json` per server,
 * so a second sync does not send them again at all.
 * The sync senders are keyed with `<store>/sync-key`, 256 random bits made
 * by the first sync of the store and kept: a sender derived from the run
 * and key alone could be guessed, and whoever may write to the run could
 * raise its mark ahead of the sync and have the server skip its slices.
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArtifactEntry, MetricColumns, Run } from '../entities';
import { TracklabError, isTracklabError } from '../errors';
import { msg } from '../messages';
import { sequencedBatchId } from '../store/batch-sequence';
import type { TrackingStore } from '../store/store';
import { splitBatch } from './log-batches';

/** Points per upload when a run's history is sent. */
const SLICE = 50_000;

export interface SyncReport {
  readonly runs: number;
  readonly points: number;
  /** Runs still running, left for a later sync. */
  readonly running: readonly string[];
  /** Runs the server refused (its answer), left for a later sync; the others went on. */
  readonly refused: readonly { readonly runId: string; readonly message: string }[];
}

export interface SyncOptions {
  readonly folder: string;
  readonly server: string;
  log(line: string): void;
  /** Puts the content of a run's artifacts where the remote store sends it from (its artifact cache), before the manifest goes. */
  stageContent(runId: string, entries: readonly ArtifactEntry[]): Promise<void>;
}

export async function syncOfflineRuns(local: TrackingStore, remote: TrackingStore, options: SyncOptions): Promise<SyncReport> {
  const stateFile = path.join(options.folder, 'synced-runs.json');
  const state = readState(stateFile);
  const done = new Set(state[options.server] ?? []);
  const key = syncKey(path.join(options.folder, SYNC_KEY_FILE));
  let runs = 0;
  let points = 0;
  const running: string[] = [];
  const refused: { runId: string; message: string }[] = [];
  const { experiments } = await local.searchExperiments({ orderBy: [], maxResults: 100_000, offset: 0, lifecycle: 'all' });
  for (const exp of experiments) {
    for (let offset: number | null = 0; offset !== null;) {
      const page = await local.searchRuns({ experimentIds: [exp.experimentId], orderBy: [], maxResults: 1000, offset, lifecycle: 'all' });
      offset = page.nextOffset;
      for (const run of page.runs) {
        if (done.has(run.info.runId)) continue;
        if (run.info.status === 'RUNNING') {
          running.push(run.info.runId);
          continue;
        }
        try {
          points += await copyRun(local, remote, run, exp.name, key, options);
        } catch (err) {
          // A refusal is about this run (data the server does not take, a missing permission): the other runs go on.
          // Anything else (the server gone, this machine's own failure) stops the sync.
          if (!isRefusal(err)) throw err;
          refused.push({ runId: run.info.runId, message: err.message });
          options.log(msg.syncRunRefused(run.info.runName, run.info.runId, err.message));
          continue;
        }
        runs++;
        done.add(run.info.runId);
        state[options.server] = [...done];
        writeState(stateFile, state);
        options.log(`synced run ${run.info.runName} (${run.info.runId}) of experiment ${exp.name}`);
      }
    }
  }
  return { runs, points, running, refused };
}

function isRefusal(err: unknown): err is TracklabError {
  return isTracklabError(err) && err.code !== 'INTERNAL_ERROR';
}

async function copyRun(local: TrackingStore, remote: TrackingStore, run: Run, experimentName: string, key: Buffer, options: SyncOptions): Promise<number> {
  const { info } = run;
  const [first, ...rest] = splitBatch({ params: run.data.params, tags: run.data.tags });
  let ended = false;
  let existed = false;
  try {
    ended = (await remote.getRun(info.runId)).info.status !== 'RUNNING';
    existed = true;
    for (const batch of [first, ...rest]) await remote.logBatch(info.runId, batch!);
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
    const experiment = await remote.ensureExperiment(experimentName);
    await remote.createRun({
      runId: info.runId, runName: info.runName, experimentId: experiment.experimentId, startTime: info.startTime,
      ...(info.parentRunId !== null ? { parentRunId: info.parentRunId } : {}), ...(info.user !== null ? { user: info.user } : {}),
      params: first?.params, tags: first?.tags,
    });
    for (const batch of rest) await remote.logBatch(info.runId, batch);
  }
  let points = 0;
  const series = new Map<string, MetricColumns[]>();
  for (const block of await local.readMetrics([info.runId])) series.set(block.key, [...(series.get(block.key) ?? []), block]);
  for (const metric of [...series.keys()].sort()) {
    const all = concat(series.get(metric)!);
    const sender = syncSender(key, info.runId, metric);
    // A sync cut off earlier delivered a prefix of the key's points, in order: go on after it. The marks alone would
    // not do: a sync of another version, or after the key file was lost, sends as another sender.
    for (let start = existed ? await deliveredBefore(remote, info.runId, metric, all) : 0; start < all.values.length; start += SLICE) {
      const end = Math.min(start + SLICE, all.values.length);
      const slice = { runId: info.runId, key: metric, steps: all.steps.slice(start, end), timestamps: all.timestamps.slice(start, end), values: all.values.slice(start, end) };
      // Numbered by the slice's first point, so a sync that resumes mid-slice still numbers above the mark.
      await remote.appendMetrics([slice], { batchId: sequencedBatchId(sender, start + 1) });
      points += end - start;
    }
  }
  for (const cell of await local.listCells(info.runId)) await remote.recordCell(cell);
  const artifacts = await local.listArtifacts(info.runId);
  if (artifacts.length > 0) {
    await options.stageContent(info.runId, artifacts);
    await remote.putArtifacts(info.runId, artifacts);
  }
  if (!ended) await remote.updateRun(info.runId, { status: info.status, statusMessage: info.statusMessage, endTime: info.endTime });
  if (info.lifecycleStage === 'deleted') await remote.setRunLifecycle(info.runId, 'deleted');
  return points;
}

/**
 * How many of the key's points, from the first, the server already holds in
 * order: what a sync cut off earlier delivered. Found in the server's series
 * as a subsequence, so points others logged to the run in between neither
 * hide the prefix nor count as part of it (a count of the server's points
 * would let anyone who logs to the run first make sync skip as many).
 */
async function deliveredBefore(remote: TrackingStore, runId: string, metric: string, local: Series): Promise<number> {
  const there = concat(await remote.readMetrics([runId], [metric]));
  let matched = 0;
  for (let j = 0; j < there.values.length && matched < local.values.length; j++) {
    if (there.steps[j] === local.steps[matched] && there.timestamps[j] === local.timestamps[matched] && Object.is(there.values[j], local.values[matched])) matched++;
  }
  return matched;
}

/** The file of the store's sync key, beside synced-runs.json. */
export const SYNC_KEY_FILE = 'sync-key';

/**
 * The same for every sync of the run's key from this store, from any
 * process: what makes a later sync's slices known to the server. One
 * sequence per key, not per run: numbered across keys, a key that gained
 * points between a cut-off sync and its retry shifted the numbers of the
 * keys after it, so slices never sent fell at or below the mark and were
 * skipped. Keyed with the store's secret, so no one else can name it.
 */
function syncSender(key: Buffer, runId: string, metric: string): string {
  return `sync-${createHmac('sha256', key).update(runId).update('\0').update(metric).digest('hex').slice(0, 40)}`;
}

/**
 * The store's sync key: read, or made once. Two syncs starting together
 * both make one, and the first link wins: the other reads the winner's.
 */
function syncKey(file: string): Buffer {
  const read = (): Buffer | undefined => {
    try {
      const hex = fs.readFileSync(file, 'utf8').trim();
      return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  const found = read();
  if (found !== undefined) return found;
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    // link() never replaces: a key already there (another sync's) stays the key.
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  const made = read();
  // Not replaced here: two syncs replacing it at once could each keep their own. Removing it by hand is safe (a sync resumes from what the server holds).
  if (made === undefined) throw new TracklabError('INVALID_STATE', msg.syncKeyDamaged(file));
  return made;
}

interface Series {
  readonly steps: Float64Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

function concat(blocks: readonly MetricColumns[]): Series {
  const n = blocks.reduce((sum, b) => sum + b.values.length, 0);
  const out = { steps: new Float64Array(n), timestamps: new Float64Array(n), values: new Float64Array(n) };
  let at = 0;
  for (const b of blocks) {
    out.steps.set(b.steps, at);
    out.timestamps.set(b.timestamps, at);
    out.values.set(b.values, at);
    at += b.values.length;
  }
  return out;
}

function readState(file: string): Record<string, string[]> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? Object.assign(Object.create(null) as Record<string, string[]>, parsed) : Object.create(null) as Record<string, string[]>;
  } catch {
    return Object.create(null) as Record<string, string[]>;
  }
}

function writeState(file: string, state: Record<string, string[]>): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(state));
  fs.renameSync(temp, file);
}
