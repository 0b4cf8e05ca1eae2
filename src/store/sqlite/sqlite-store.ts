/**
 * The embedded store: one SQLite file in WAL mode under `root`, shared safely
 * by every process that opens it. Each write is one BEGIN IMMEDIATE
 * transaction that has finished when the method returns; the Promise only
 * carries the result (see `capabilities`).
 */
import path from 'node:path';
import type {
  ArtifactEntry, CellRecord, EncodedMetricBlock, DatasetInput, Experiment, LifecycleStage, MetricColumns, Run, RunInfo, RunInput,
} from '../../entities';
import { isTerminalStatus } from '../../entities';
import { TracklabError, isTracklabError } from '../../errors';
import { validateBatchId, validateBatchSize } from '../../validation';
import type {
  CopyProgress, ExperimentSearchQuery, LogBatch, NewExperiment, NewRun, ReapOptions, RunCountQuery, RunOwner, RunSearchPage, RunSearchQuery, RunUpdate,
  BlockBatch, StoreCapabilities, TrackingStore, WriteOnce,
} from '../store';
import { claimBatch } from './applied-batches';
import { checkDatabase, copyDatabase } from './backup';
import { type Connection, openConnection } from './connection';
import { errorCode } from './sqlite-errors';
import {
  ensureExperimentRow, findExperimentByName, hydrateExperiments, insertExperiment, readExperiment, renameOrDescribe, requireExperimentRow,
  setStage, tagExperiment,
} from './experiments';
import { appendBlocks, appendCheckedBlocks, checkBlocks, pointsToBlocks, readBlocks, readEncodedBlocks } from './metric-blocks';
import { checkReceivedBlocks } from '../../metrics/received-block';
import { runInfoFromRow } from './rows';
import { assertLoggable, hydrateRuns, idList, requireLoggableRun, requireRun } from './run-lookup';
import { reap } from './run-reaper';
import { compileExperimentSearch, compileRunCount, compileRunSearch } from './search-sql';
import { insertInputs, listInputRows } from './dataset-rows';
import { hasKeys, writeParamsAndTags } from './params-tags';
import { appendJournal, applyJournal, journalFits, journalIsEmpty, journalLongerThan } from './run-journal';
import { checkedBlockParts, metricParts, partsOf, pauseAfter, WriteParts } from './write-parts';
import { deleteRunsIn, listArtifactRows, listCellRows, referencedBlobSet, upsertArtifacts, upsertCell } from './run-files';

/** The pause after a journal fold part, as a share of the part's time, while no other process has been seen writing. */
const FOLD_PAUSE_ALONE = 0.25;

export class SqliteStore implements TrackingStore {
  readonly capabilities: StoreCapabilities = { synchronousWrites: true, multiProcess: true, artifactsWithRun: true };

  /** `root` is the store folder; the connection may be shared with the registry (see sqlite-backend.ts). */
  constructor(readonly root: string, private readonly conn: Connection) {}

  /**
   * Opens the store in `root` (created if missing), migrating it if needed.
   * Tests use this; the client opens stores through `openStore()`.
   *
   * @example
   * const store = SqliteStore.open('.tracklab');
   * const exp = await store.ensureExperiment('Default');
   */
  static open(root: string): SqliteStore {
    const absolute = path.resolve(root);
    return new SqliteStore(absolute, openConnection(absolute));
  }

  async createExperiment(input: NewExperiment): Promise<Experiment> {
    return this.conn.write(`create experiment "${input.name}"`, () => insertExperiment(this.conn, input));
  }

  async getExperiment(idOrName: string): Promise<Experiment> {
    return this.conn.read(`read experiment "${idOrName}"`, () => readExperiment(this.conn, idOrName));
  }

  async ensureExperiment(name: string): Promise<Experiment> {
    // Usually it exists: look first, so the common case takes no write lock.
    return this.conn.read(`read experiment "${name}"`, () => findExperimentByName(this.conn, name))
      ?? this.conn.write(`create experiment "${name}"`, () => ensureExperimentRow(this.conn, name));
  }

  resolveExperimentSync(idOrName: string): Experiment {
    try {
      return this.conn.read(`read experiment "${idOrName}"`, () => readExperiment(this.conn, idOrName));
    } catch (err) {
      if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
      return this.conn.write(`create experiment "${idOrName}"`, () => ensureExperimentRow(this.conn, idOrName));
    }
  }

  async searchExperiments(query: ExperimentSearchQuery): Promise<{ experiments: readonly Experiment[]; nextOffset: number | null }> {
    const { sql, params } = compileExperimentSearch(query);
    return this.conn.read('search experiments', () => {
      const ids = (this.conn.stmt(sql).all(...params) as { experiment_id: string }[]).map((r) => r.experiment_id);
      const more = ids.length > query.maxResults;
      return {
        experiments: hydrateExperiments(this.conn, more ? ids.slice(0, query.maxResults) : ids),
        nextOffset: more ? query.offset + query.maxResults : null,
      };
    });
  }

  async updateExperiment(experimentId: string, update: { name?: string; description?: string | null }): Promise<Experiment> {
    return this.conn.write(`update experiment ${experimentId}`, () => renameOrDescribe(this.conn, experimentId, update));
  }

  async setExperimentTags(experimentId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    this.conn.write(`tag experiment ${experimentId}`, () => tagExperiment(this.conn, experimentId, tags));
  }

  async setExperimentLifecycle(experimentId: string, stage: LifecycleStage): Promise<void> {
    this.conn.write(`set experiment ${experimentId} ${stage}`, () => setStage(this.conn, experimentId, stage));
  }

  async createRun(input: NewRun): Promise<RunInfo> {
    const points = input.end?.metrics ?? [];
    const parts = metricParts(points);
    if (parts.length > 1) checkBlocks(points); // the row and its points are separate writes: refuse bad points before either
    const info = this.conn.write(`create run ${input.runId}`, () => {
      const exp = requireExperimentRow(this.conn, input.experimentId);
      const experimentId = exp.experiment_id;
      if (exp.lifecycle_stage !== 'active') {
        throw new TracklabError('INVALID_STATE',
          `Experiment "${exp.name}" (${exp.experiment_id}) is deleted, so it cannot take new runs. Restore it, or use another experiment.`);
      }
      const { owner, end } = input;
      const info: RunInfo = {
        runId: input.runId, runName: input.runName, experimentId, parentRunId: input.parentRunId ?? null,
        status: end?.status ?? 'RUNNING', statusMessage: end?.statusMessage ?? null, startTime: input.startTime,
        endTime: end?.endTime ?? null, user: input.user ?? null, lifecycleStage: 'active',
      };
      try {
        this.conn.stmt(`INSERT INTO runs (run_id, run_name, experiment_id, parent_run_id, status, status_message, start_time,
          end_time, user_id, owner_pid, owner_host, owner_start, heartbeat_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
          info.runId, info.runName, info.experimentId, info.parentRunId, info.status, info.statusMessage, info.startTime,
          info.endTime, info.user, owner?.pid ?? null, owner?.host ?? null, owner?.processStart ?? null, owner ? input.startTime : null,
        );
      } catch (err) {
        if (errorCode(err) !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw err;
        throw new TracklabError('RESOURCE_ALREADY_EXISTS',
          `A run with id "${input.runId}" already exists. Run ids must be unique; let tracklab generate one.`, { cause: err });
      }
      const params = input.params && hasKeys(input.params) ? JSON.stringify(input.params) : undefined;
      const tags = input.tags && hasKeys(input.tags) ? JSON.stringify(input.tags) : undefined;
      const journaled = journalFits(input.runId, points);
      const blocks = journaled && points.length > 0 ? points : undefined;
      if (params !== undefined || tags !== undefined || blocks !== undefined) appendJournal(this.conn, input.runId, { params, tags, blocks });
      // A new run has nothing in the journal to go before its points.
      if (!journaled && parts.length <= 1) appendBlocks(this.conn, points);
      if (input.artifacts !== undefined && input.artifacts.length > 0) upsertArtifacts(this.conn, input.runId, input.artifacts);
      return info;
    });
    if (parts.length > 1) this.writeMetricParts(parts);
    return info;
  }

  async getRun(runId: string): Promise<Run> {
    return this.readRunData(`read run ${runId}`, () => {
      const [run] = hydrateRuns(this.conn, [runId]);
      if (run) return run;
      return requireRun(this.conn, runId) as never; // throws RESOURCE_DOES_NOT_EXIST
    });
  }

  async updateRun(runId: string, update: RunUpdate): Promise<RunInfo> {
    if (update.metrics !== undefined && metricParts(update.metrics).length > 1) {
      // Too many points for one short write: they go first, in parts; the update follows on its own.
      checkBlocks(update.metrics);
      this.conn.read(`update run ${runId}`, () => assertLoggable(requireRun(this.conn, runId)));
      this.foldLongJournal();
      this.writeMetricParts(metricParts(update.metrics));
      return this.updateRun(runId, { ...update, metrics: undefined });
    }
    return this.conn.write(`update run ${runId}`, () => {
      const metrics = update.metrics ?? [];
      // The last points of a run usually fit the journal; they are applied after anything it already holds.
      const journaled = metrics.length > 0 && journalFits(runId, metrics);
      if (metrics.length > 0 && !journaled) {
        applyJournal(this.conn);
        appendBlocks(this.conn, metrics);
      }
      const row = requireRun(this.conn, runId);
      if (journaled) appendJournal(this.conn, assertLoggable(row).run_id, { blocks: metrics });
      let { status, end_time: endTime, status_message: message, run_name: name } = row;
      if (update.status !== undefined && isTerminalStatus(row.status)) {
        throw new TracklabError('INVALID_STATE',
          `Run ${row.run_name} (${runId}) already ended as ${row.status}, so it cannot become ${update.status}: a run ends once. `
          + 'Start a new run to record another outcome.');
      }
      if (update.status !== undefined) {
        status = update.status;
        if (isTerminalStatus(status) && update.endTime === undefined) endTime = Date.now();
      }
      if (update.endTime !== undefined) endTime = update.endTime;
      if (update.statusMessage !== undefined) message = update.statusMessage;
      if (update.runName !== undefined) name = update.runName;
      this.conn.stmt('UPDATE runs SET status = ?, end_time = ?, status_message = ?, run_name = ? WHERE run_id = ?')
        .run(status, endTime, message, name, runId);
      return runInfoFromRow({ ...row, status, end_time: endTime, status_message: message, run_name: name });
    });
  }

  async setRunLifecycle(runId: string, stage: LifecycleStage): Promise<void> {
    this.conn.write(`set run ${runId} ${stage}`, () => {
      requireRun(this.conn, runId);
      this.conn.stmt('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_id = ?')
        .run(stage, stage === 'deleted' ? Date.now() : null, runId);
    });
  }

  async purgeDeletedRuns(olderThan?: number): Promise<readonly string[]> {
    const ids = this.conn.read('list deleted runs', () => (this.conn.stmt(`SELECT run_id FROM runs WHERE lifecycle_stage = 'deleted'
      AND (? IS NULL OR deleted_time <= ?)`).all(olderThan ?? null, olderThan ?? null) as { run_id: string }[]).map((r) => r.run_id));
    this.foldLongJournal();
    const purged: string[] = [];
    const parts = partsOf(ids, WriteParts.purgedRuns);
    for (const [i, part] of parts.entries()) {
      const started = performance.now();
      // A run restored since the listing is kept.
      purged.push(...this.conn.write('purge deleted runs', () => {
        applyJournal(this.conn);
        const still = (this.conn.stmt(`SELECT run_id FROM runs WHERE lifecycle_stage = 'deleted'
          AND run_id IN (SELECT value FROM json_each(?))`).all(idList(part)) as { run_id: string }[]).map((r) => r.run_id);
        deleteRunsIn(this.conn, still);
        return still;
      }));
      if (i + 1 < parts.length) pauseAfter(started);
    }
    return purged;
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    validateBatchSize(batch);
    validateBatchId(batch.batchId);
    this.foldLongJournal();
    this.conn.write(`log to run ${runId}`, () => {
      if (!claimBatch(this.conn, batch.batchId, [runId])) return;
      const row = requireLoggableRun(this.conn, runId);
      applyJournal(this.conn); // params are checked against, and tags and points land after, what the journal holds
      if (batch.deleteTags?.length) {
        const del = this.conn.stmt('DELETE FROM tags WHERE run_id = ? AND key = ?');
        for (const key of batch.deleteTags) del.run(runId, key);
      }
      writeParamsAndTags(this.conn, runId, row.run_name, batch.params, batch.tags, false);
      if (batch.metrics?.length) appendBlocks(this.conn, pointsToBlocks(runId, batch.metrics));
    });
  }

  async searchRuns(query: RunSearchQuery): Promise<RunSearchPage> {
    const { sql, params } = compileRunSearch(query);
    return this.readRunData('search runs', () => {
      const ids = this.conn.stmt(sql).pluck(true).all(...params) as string[];
      const more = ids.length > query.maxResults;
      return {
        runs: hydrateRuns(this.conn, more ? ids.slice(0, query.maxResults) : ids),
        nextOffset: more ? query.offset + query.maxResults : null,
      };
    });
  }

  async countRuns(query: RunCountQuery): Promise<number> {
    const { sql, params } = compileRunCount(query);
    return this.readRunData('count runs', () => (this.conn.stmt(sql).get(...params) as { n: number }).n);
  }

  async appendMetrics(blocks: readonly MetricColumns[], options: WriteOnce = {}): Promise<void> {
    validateBatchId(options.batchId);
    if (blocks.length === 0) return;
    const parts = metricParts(blocks);
    this.foldLongJournal();
    // A batch with an id is one transaction whatever its size: applied parts could not be told from the rest when sent again.
    if (parts.length === 1 || options.batchId !== undefined) {
      this.conn.write('append metrics', () => {
        if (!claimBatch(this.conn, options.batchId, blocks.map((b) => b.runId))) return;
        applyJournal(this.conn);
        appendBlocks(this.conn, blocks);
      });
      return;
    }
    // Several writes: check every block and run first, so a bad one still writes nothing.
    checkBlocks(blocks);
    this.conn.read('append metrics', () => { for (const runId of new Set(blocks.map((b) => b.runId))) requireLoggableRun(this.conn, runId); });
    this.writeMetricParts(parts);
  }

  async appendMetricBlocks(blocks: readonly EncodedMetricBlock[], options: WriteOnce = {}): Promise<void> {
    validateBatchId(options.batchId);
    const checked = checkReceivedBlocks(blocks); // before any write: a malformed block anywhere writes nothing
    if (checked.length === 0) return;
    this.foldLongJournal();
    // As in appendMetrics: a batch with an id is one transaction; without one, a big upload is several short ones.
    const parts = options.batchId === undefined ? checkedBlockParts(checked) : [checked];
    if (parts.length > 1) {
      this.conn.read('append metrics', () => { for (const runId of new Set(checked.map((b) => b.runId))) requireLoggableRun(this.conn, runId); });
    }
    for (const [i, part] of parts.entries()) {
      const started = performance.now();
      this.conn.write('append metrics', () => {
        if (!claimBatch(this.conn, options.batchId, part.map((b) => b.runId))) return;
        applyJournal(this.conn);
        appendCheckedBlocks(this.conn, part);
      });
      if (i + 1 < parts.length) pauseAfter(started);
    }
  }

  async appendMetricBatches(batches: readonly BlockBatch[]): Promise<void> {
    for (const { batchId } of batches) validateBatchId(batchId);
    const checked = batches.map((b) => checkReceivedBlocks(b.blocks)); // before any write: a malformed block anywhere writes nothing
    this.foldLongJournal();
    // One transaction: a refusal of any batch (a missing or deleted run) rolls back the ones before it.
    this.conn.write('append metrics', () => {
      applyJournal(this.conn);
      for (const [i, { batchId }] of batches.entries()) {
        const part = checked[i]!;
        if (part.length === 0 || !claimBatch(this.conn, batchId, part.map((b) => b.runId))) continue;
        appendCheckedBlocks(this.conn, part);
      }
    });
  }

  async readMetrics(runIds: readonly string[], keys?: readonly string[]): Promise<readonly MetricColumns[]> {
    return this.readRunData('read metric history', () => readBlocks(this.conn, runIds, keys));
  }

  async readMetricBlocks(runIds: readonly string[], keys?: readonly string[]): Promise<readonly EncodedMetricBlock[]> {
    return this.readRunData('read metric history', () => readEncodedBlocks(this.conn, runIds, keys));
  }

  async heartbeat(runIds: readonly string[], now: number): Promise<void> {
    if (runIds.length === 0) return;
    this.conn.write('record heartbeat', () => {
      this.conn.stmt(`UPDATE runs SET heartbeat_time = ? WHERE status = 'RUNNING'
        AND run_id IN (SELECT value FROM json_each(?))`).run(now, idList(runIds));
    });
  }

  async reapCrashedRuns(isAlive: (owner: RunOwner) => boolean, staleAfterMs: number, options: ReapOptions = {}): Promise<readonly string[]> {
    return reap(this.conn, isAlive, staleAfterMs, options.dryRun === true);
  }

  async putArtifacts(runId: string, entries: readonly ArtifactEntry[]): Promise<void> {
    const parts = partsOf(entries, WriteParts.artifacts);
    if (parts.length === 0) parts.push([]);
    for (const [i, part] of parts.entries()) {
      const started = performance.now();
      this.conn.write(`record artifacts of run ${runId}`, () => {
        requireLoggableRun(this.conn, runId);
        upsertArtifacts(this.conn, runId, part);
      });
      if (i + 1 < parts.length) pauseAfter(started);
    }
  }

  async listArtifacts(runId: string, prefix?: string): Promise<readonly ArtifactEntry[]> {
    return this.conn.read(`list artifacts of run ${runId}`, () => {
      requireRun(this.conn, runId);
      return listArtifactRows(this.conn, runId, prefix);
    });
  }

  async referencedBlobs(): Promise<ReadonlySet<string>> {
    return this.conn.read('list referenced artifact blobs', () => referencedBlobSet(this.conn));
  }

  async recordCell(cell: CellRecord): Promise<void> {
    this.conn.write(`record cell ${cell.seq} of run ${cell.runId}`, () => {
      requireRun(this.conn, cell.runId);
      upsertCell(this.conn, cell);
    });
  }

  async listCells(runId: string): Promise<readonly CellRecord[]> {
    return this.conn.read(`list cells of run ${runId}`, () => {
      requireRun(this.conn, runId);
      return listCellRows(this.conn, runId);
    });
  }

  async logInputs(runId: string, inputs: readonly DatasetInput[]): Promise<void> {
    this.conn.write(`record dataset inputs of run ${runId}`, () => {
      requireLoggableRun(this.conn, runId);
      insertInputs(this.conn, runId, inputs);
    });
  }

  async listInputs(runIds: readonly string[]): Promise<readonly RunInput[]> {
    return this.conn.read('list dataset inputs', () => listInputRows(this.conn, runIds));
  }

  async backupDatabase(destRoot: string, onProgress?: (progress: CopyProgress) => void): Promise<void> {
    await copyDatabase(this.conn, path.resolve(destRoot), onProgress);
  }

  async checkIntegrity(): Promise<readonly string[]> {
    return checkDatabase(this.conn);
  }

  /** Closes the connection (shared with the registry when opened by the backend). */
  close(): void {
    this.conn.close();
  }

  /** A read of params, tags or metrics: what the run journal holds is folded in first (see run-journal.ts). */
  private readRunData<T>(doing: string, fn: () => T): T {
    // Usually the journal is empty: one read transaction checks it and reads, with no fold.
    const empty = Symbol('journal not empty');
    const read = this.conn.read(doing, () => (journalIsEmpty(this.conn) ? fn() : empty));
    if (read !== empty) return read;
    this.foldLongJournal();
    if (!this.conn.read(doing, () => journalIsEmpty(this.conn))) this.conn.write('apply the run journal', () => applyJournal(this.conn));
    return this.conn.read(doing, fn);
  }

  /**
   * Folds a long run journal in bounded transactions, oldest entries first,
   * until what is left fits one (the caller's write folds that). A loop of
   * thousands of short runs with no read in between leaves such a journal.
   *
   * The pause after each part is as long as the part while another process
   * is seen writing (it committed since the fold began), so the lock is free
   * half of the time. Until then a quarter of that: the first pause is full,
   * so a writer already waiting gets in and is seen; one arriving later
   * still finds the lock free a fifth of the time, and once it has written,
   * pauses are full again. A fold nobody waits for takes 1.25x its work
   * instead of 2x (the first search after 1,000 new runs waited as long in
   * pauses as in folding).
   */
  private foldLongJournal(): void {
    const before = this.conn.dataVersion();
    let shared = false;
    for (let part = 0; this.conn.read('read the run journal', () => journalLongerThan(this.conn, WriteParts.journalEntries)); part++) {
      const started = performance.now();
      this.conn.write('apply the run journal', () => applyJournal(this.conn, WriteParts.journalEntries));
      shared ||= this.conn.dataVersion() !== before;
      pauseAfter(started, part === 0 || shared ? 1 : FOLD_PAUSE_ALONE);
    }
  }

  /** Appends checked metric parts, one transaction each, pausing between them (see write-parts.ts). */
  private writeMetricParts(parts: readonly (readonly MetricColumns[])[]): void {
    for (const [i, part] of parts.entries()) {
      const started = performance.now();
      this.conn.write('append metrics', () => {
        applyJournal(this.conn);
        appendBlocks(this.conn, part);
      });
      if (i + 1 < parts.length) pauseAfter(started);
    }
  }
}
