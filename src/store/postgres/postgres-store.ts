/**
 * The team store: the tracking contract on a PostgreSQL database that many
 * processes on many machines share. Each write is one transaction (most are
 * one statement, so one round trip and one commit); reads of several
 * statements share a snapshot. Writes are asynchronous: the client core ends
 * runs at process exit through its exit worker, not through this object.
 * The backend (postgres-backend.ts) owns the pool and closes it.
 */
import type {
  ArtifactEntry, CellRecord, DatasetInput, EncodedMetricBlock, Experiment, LifecycleStage, MetricColumns, Run, RunInfo, RunInput,
} from '../../entities';
import type {
  ExperimentSearchQuery, LogBatch, NewExperiment, NewRun, ReapOptions, RunCountQuery, RunOwner, RunSearchPage, RunSearchQuery, RunUpdate,
  BlockBatch, StoreCapabilities, TrackingStore, WriteOnce,
} from '../store';
import { validateBatchId } from '../../validation';
import type { TracklabError } from '../../errors';
import type { Connection } from './connection';
import {
  ensureExperimentRow, findExperimentByName, hydrateExperiments, insertExperiment, readExperiment, renameOrDescribe, setStage, tagExperiment,
} from './experiments';
import { appendPacked, encodeBlocks, type EncodedBlocks, packBlocks, readBlocks, readEncodedBlocks } from './metric-blocks';
import { checkReceivedBlocks } from '../../metrics/received-block';
import { claimBatch } from './applied-batches';
import { hydrateRuns, noRun, requireLoggableRun, requireRun } from './rows';
import { createRun, createRuns, logBatch, setRunLifecycle, updateRun } from './run-writes';
import { heartbeat, reap } from './run-reaper';
import {
  deleteRunsIn, insertInputs, listArtifactRows, listCellRows, listInputRows, referencedBlobSet, upsertArtifacts, upsertCell,
} from './run-files';
import { compileExperimentSearch, compileRunCount, compileRunSearch } from './search-sql';

export class PostgresStore implements TrackingStore {
  readonly capabilities: StoreCapabilities = { synchronousWrites: false, multiProcess: true, artifactsWithRun: true };

  constructor(private readonly conn: Connection) {}

  async createExperiment(input: NewExperiment): Promise<Experiment> {
    return this.conn.write(`create experiment "${input.name}"`, (q) => insertExperiment(q, input));
  }

  async getExperiment(idOrName: string): Promise<Experiment> {
    return this.conn.read(`read experiment "${idOrName}"`, (q) => readExperiment(q, idOrName));
  }

  async ensureExperiment(name: string): Promise<Experiment> {
    // Usually it exists: look first, so the common case writes nothing.
    return (await this.conn.read(`read experiment "${name}"`, (q) => findExperimentByName(q, name)))
      ?? this.conn.write(`create experiment "${name}"`, (q) => ensureExperimentRow(q, name));
  }

  async searchExperiments(query: ExperimentSearchQuery): Promise<{ experiments: readonly Experiment[]; nextOffset: number | null }> {
    const { sql, params } = compileExperimentSearch(query);
    return this.conn.read('search experiments', async (q) => {
      const ids = (await q<{ experiment_id: string }>(sql, params)).map((r) => r.experiment_id);
      const more = ids.length > query.maxResults;
      return {
        experiments: await hydrateExperiments(q, more ? ids.slice(0, query.maxResults) : ids),
        nextOffset: more ? query.offset + query.maxResults : null,
      };
    });
  }

  async updateExperiment(experimentId: string, update: { name?: string; description?: string | null }): Promise<Experiment> {
    return this.conn.write(`update experiment ${experimentId}`, (q) => renameOrDescribe(q, experimentId, update));
  }

  async setExperimentTags(experimentId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await this.conn.write(`tag experiment ${experimentId}`, (q) => tagExperiment(q, experimentId, tags));
  }

  async setExperimentLifecycle(experimentId: string, stage: LifecycleStage): Promise<void> {
    await this.conn.write(`set experiment ${experimentId} ${stage}`, (q) => setStage(q, experimentId, stage));
  }

  async createRun(input: NewRun): Promise<RunInfo> {
    return this.conn.writeOne(`create run ${input.runId}`, (q) => createRun(q, input));
  }

  async createRuns(inputs: readonly NewRun[]): Promise<readonly (RunInfo | TracklabError)[]> {
    return this.conn.writeOne(`create ${inputs.length} runs`, (q) => createRuns(q, inputs));
  }

  async getRun(runId: string): Promise<Run> {
    const [run] = await this.conn.readOne(`read run ${runId}`, (q) => hydrateRuns(q, [runId]));
    if (!run) throw noRun(runId);
    return run;
  }

  async updateRun(runId: string, update: RunUpdate): Promise<RunInfo> {
    return this.conn.write(`update run ${runId}`, (q) => updateRun(q, runId, update));
  }

  async setRunLifecycle(runId: string, stage: LifecycleStage): Promise<void> {
    await this.conn.write(`set run ${runId} ${stage}`, (q) => setRunLifecycle(q, runId, stage));
  }

  async purgeDeletedRuns(olderThan?: number): Promise<readonly string[]> {
    return this.conn.write('purge deleted runs', async (q) => {
      const ids = (await q<{ run_id: string }>(`SELECT run_id FROM runs WHERE lifecycle_stage = 'deleted'
        AND ($1::bigint IS NULL OR deleted_time <= $1::bigint) ORDER BY run_id FOR UPDATE`, [olderThan ?? null])).map((r) => r.run_id);
      await deleteRunsIn(q, ids);
      return ids;
    });
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    validateBatchId(batch.batchId);
    await this.conn.write(`log to run ${runId}`, async (q) => {
      if (await claimBatch(q, batch.batchId, [runId])) await logBatch(q, runId, batch);
    });
  }

  async searchRuns(query: RunSearchQuery): Promise<RunSearchPage> {
    const { sql, params } = compileRunSearch(query);
    // Two autocommit statements (ids, then their runs): two round trips instead of four for a snapshot transaction.
    // A run deleted in between is left out of the page, as if the search had run a moment later.
    const ids = (await this.conn.query<{ run_id: string }>('search runs', sql, params)).map((r) => r.run_id);
    const more = ids.length > query.maxResults;
    return {
      runs: await this.conn.readOne('read the runs found', (q) => hydrateRuns(q, more ? ids.slice(0, query.maxResults) : ids)),
      nextOffset: more ? query.offset + query.maxResults : null,
    };
  }

  async countRuns(query: RunCountQuery): Promise<number> {
    const { sql, params } = compileRunCount(query);
    const [row] = await this.conn.query<{ n: string }>('count runs', sql, params);
    return Number(row.n);
  }

  async appendMetrics(blocks: readonly MetricColumns[], options: WriteOnce = {}): Promise<void> {
    validateBatchId(options.batchId);
    if (blocks.length === 0) return;
    await this.appendPacked(encodeBlocks(blocks), options.batchId, blocks.map((b) => b.runId)); // encoded first: a bad block is refused before anything is sent
  }

  async appendMetricBlocks(blocks: readonly EncodedMetricBlock[], options: WriteOnce = {}): Promise<void> {
    validateBatchId(options.batchId);
    const checked = checkReceivedBlocks(blocks); // before anything is sent: a malformed block anywhere writes nothing
    if (checked.length === 0) return;
    await this.appendPacked(packBlocks(checked), options.batchId, checked.map((b) => b.runId));
  }

  async appendMetricBatches(batches: readonly BlockBatch[]): Promise<void> {
    for (const { batchId } of batches) validateBatchId(batchId);
    const checked = batches.map((b) => checkReceivedBlocks(b.blocks)); // before anything is sent: a malformed block anywhere writes nothing
    // One transaction: a refusal of any batch (a missing or deleted run, also one deleted meanwhile) rolls back the ones before it.
    await this.conn.write('append metrics', async (q) => {
      for (const [i, { batchId }] of batches.entries()) {
        const part = checked[i]!;
        if (part.length > 0 && await claimBatch(q, batchId, part.map((b) => b.runId))) await appendPacked(q, packBlocks(part));
      }
    });
  }

  /** One statement; with a batch id, in the transaction that records it (a batch applied before is skipped). */
  private async appendPacked(packed: EncodedBlocks, batchId: string | undefined, runIds: readonly string[]): Promise<void> {
    if (batchId === undefined) {
      await this.conn.writeOne('append metrics', (q) => appendPacked(q, packed));
      return;
    }
    await this.conn.write('append metrics', async (q) => {
      if (await claimBatch(q, batchId, runIds)) await appendPacked(q, packed);
    });
  }

  async readMetrics(runIds: readonly string[], keys?: readonly string[]): Promise<readonly MetricColumns[]> {
    return readBlocks(this.conn, runIds, keys);
  }

  async readMetricBlocks(runIds: readonly string[], keys?: readonly string[]): Promise<readonly EncodedMetricBlock[]> {
    return readEncodedBlocks(this.conn, runIds, keys);
  }

  async heartbeat(runIds: readonly string[], now: number): Promise<void> {
    await heartbeat(this.conn, runIds, now);
  }

  async reapCrashedRuns(isAlive: (owner: RunOwner) => boolean, staleAfterMs: number, options: ReapOptions = {}): Promise<readonly string[]> {
    return reap(this.conn, isAlive, staleAfterMs, options.dryRun === true);
  }

  async putArtifacts(runId: string, entries: readonly ArtifactEntry[]): Promise<void> {
    await this.conn.write(`record artifacts of run ${runId}`, async (q) => {
      await requireLoggableRun(q, runId);
      await upsertArtifacts(q, runId, entries);
    });
  }

  async listArtifacts(runId: string, prefix?: string): Promise<readonly ArtifactEntry[]> {
    return this.conn.read(`list artifacts of run ${runId}`, async (q) => {
      await requireRun(q, runId);
      return listArtifactRows(q, runId, prefix);
    });
  }

  async referencedBlobs(): Promise<ReadonlySet<string>> {
    return this.conn.read('list referenced artifact blobs', referencedBlobSet);
  }

  async recordCell(cell: CellRecord): Promise<void> {
    await this.conn.write(`record cell ${cell.seq} of run ${cell.runId}`, async (q) => {
      await requireRun(q, cell.runId);
      await upsertCell(q, cell);
    });
  }

  async listCells(runId: string): Promise<readonly CellRecord[]> {
    return this.conn.read(`list cells of run ${runId}`, async (q) => {
      await requireRun(q, runId);
      return listCellRows(q, runId);
    });
  }

  async logInputs(runId: string, inputs: readonly DatasetInput[]): Promise<void> {
    await this.conn.write(`record dataset inputs of run ${runId}`, async (q) => {
      await requireLoggableRun(q, runId);
      await insertInputs(q, runId, inputs);
    });
  }

  async listInputs(runIds: readonly string[]): Promise<readonly RunInput[]> {
    return this.conn.read('list dataset inputs', (q) => listInputRows(q, runIds));
  }
}
