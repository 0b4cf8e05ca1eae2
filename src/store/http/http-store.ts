/**
 * The tracking store of a tracklab server, for clients: `trackingUri:
 * 'http://host:5000'`. Every write goes into the local outbox (outbox.ts)
 * before the method returns, and the sender (sender.ts) delivers the
 * outbox in order; a write's Promise settles with the server's answer.
 * So training never waits on the network: the metric buffer's flush is a
 * local SQLite insert, and an outage only delays delivery. Reads first wait
 * for the writes made before them, so a client reads what it wrote.
 *
 * Which endpoints (all under /api/tracklab/v1/, see src/server/tracklab-api.ts):
 * points as column blocks (`metrics/blocks`, each upload under a batch id),
 * history as Arrow IPC (`metrics/history`), everything else as one call of
 * this contract (`store/<method>`). MLflow's REST API has no exact form for
 * client-chosen run ids, run owners, write-once batches or -0 and NaN
 * summaries, so the remote store does not go through it.
 *
 * `synchronousWrites` holds in this sense: a write is durable on this
 * machine when the call returns, and applied in order.
 */
import * as os from 'node:os';
import { tableFromIPC } from 'apache-arrow';
import type {
  ArtifactEntry, CellRecord, DatasetInput, EncodedMetricBlock, Experiment, LifecycleStage, MetricColumns, Run, RunInfo, RunInput,
} from '../../entities';
import { TracklabError } from '../../errors';
import { columnsFromHistory } from '../../metrics/arrow-history-columns';
import { checkReceivedBlocks } from '../../metrics/received-block';
import { validateBatchId } from '../../validation';
import { sequencedBatchId } from '../batch-sequence';
import type {
  ExperimentSearchQuery, LogBatch, NewExperiment, NewRun, ReapOptions, RunCountQuery, RunOwner, RunSearchPage, RunSearchQuery, RunUpdate,
  StoreCapabilities, TrackingStore, WriteOnce,
} from '../store';
import { encodeColumnFrame, frameEncodedBlocks } from './column-frames';
import { httpMsg } from './http-messages';
import { ServerUnreachable, type HttpTransport } from './http-transport';
import type { Sender } from './sender';
import { toWireJson } from './wire-json';

/** How long a read waits for earlier writes while the server does not answer. */
const READ_WAIT_MS = 60_000;

export class HttpStore implements TrackingStore {
  readonly capabilities: StoreCapabilities = { synchronousWrites: true, multiProcess: true, queuesWrites: true };

  /**
   * This store's name among the senders of batches (batch-sequence.ts), and how many batch ids it has given out. The
   * name is its outbox's random one (a store has an outbox of its own), so no other client can guess it.
   */
  private readonly senderId: string;
  private batches = 0;

  constructor(private readonly transport: HttpTransport, readonly sender: Sender) {
    this.senderId = sender.outbox.senderId();
  }

  // ---- writes: into the outbox, delivered in order ---------------------------

  createExperiment(input: NewExperiment): Promise<Experiment> { return this.write('createExperiment', [input]) as Promise<Experiment>; }
  ensureExperiment(name: string): Promise<Experiment> { return this.write('ensureExperiment', [name]) as Promise<Experiment>; }
  updateExperiment(id: string, update: { name?: string; description?: string | null }): Promise<Experiment> {
    return this.write('updateExperiment', [id, update]) as Promise<Experiment>;
  }
  async setExperimentTags(id: string, tags: Readonly<Record<string, string>>): Promise<void> { await this.write('setExperimentTags', [id, tags]); }
  async setExperimentLifecycle(id: string, stage: LifecycleStage): Promise<void> { await this.write('setExperimentLifecycle', [id, stage]); }

  createRun(input: NewRun): Promise<RunInfo> {
    return this.create('createRun', [], input);
  }

  /** Resolved by the server when the write is delivered: a run starts while the server does not answer. */
  createRunIn(experimentRef: string, run: Omit<NewRun, 'experimentId'>): Promise<RunInfo> {
    return this.create('createRunIn', [experimentRef], run);
  }

  private create(method: 'createRun' | 'createRunIn', before: unknown[], input: Omit<NewRun, 'experimentId'>): Promise<RunInfo> {
    const metrics = input.end?.metrics ?? [];
    if (input.end === undefined || metrics.length === 0) return this.write(method, [...before, input]) as Promise<RunInfo>;
    // The points follow the row as a block upload of their own (a batch id makes it safe to send again).
    const created = this.write(method, [...before, { ...input, end: { ...input.end, metrics: [] } }]) as Promise<RunInfo>;
    const points = this.appendMetrics(metrics);
    return Promise.all([created, points]).then(([info]) => info);
  }

  updateRun(runId: string, update: RunUpdate): Promise<RunInfo> {
    const metrics = update.metrics ?? [];
    const points = metrics.length > 0 ? this.appendMetrics(metrics) : Promise.resolve();
    const { metrics: _, ...rest } = update;
    const updated = this.write('updateRun', [runId, rest]) as Promise<RunInfo>;
    return Promise.all([points, updated]).then(([, info]) => info);
  }

  async setRunLifecycle(runId: string, stage: LifecycleStage): Promise<void> { await this.write('setRunLifecycle', [runId, stage]); }
  async logBatch(runId: string, batch: LogBatch): Promise<void> { await this.write('logBatch', [runId, { ...batch, batchId: batch.batchId ?? this.nextBatchId() }]); }
  /** Sends the content the server lacks from the artifact cache, then records the entries (artifact-transfer.ts). */
  async putArtifacts(runId: string, entries: readonly ArtifactEntry[]): Promise<void> {
    await this.sender.add('artifacts', Buffer.from(toWireJson({ runId, entries })));
  }
  async recordCell(cell: CellRecord): Promise<void> { await this.write('recordCell', [cell]); }
  async logInputs(runId: string, inputs: readonly DatasetInput[]): Promise<void> { await this.write('logInputs', [runId, inputs]); }

  /** Encoded and in the outbox before this returns (the caller may reuse the arrays); one upload under one batch id. */
  async appendMetrics(blocks: readonly MetricColumns[], options: WriteOnce = {}): Promise<void> {
    validateBatchId(options.batchId);
    if (blocks.length === 0) return;
    const frame = encodeColumnFrame(options.batchId ?? this.nextBatchId(), blocks);
    await this.sender.add('blocks', frame, blocks.reduce((n, b) => n + b.values.length, 0));
  }

  /** Blocks already encoded, checked here (a malformed one is refused before it reaches the outbox) and framed as they are. */
  async appendMetricBlocks(blocks: readonly EncodedMetricBlock[], options: WriteOnce = {}): Promise<void> {
    validateBatchId(options.batchId);
    const points = checkReceivedBlocks(blocks).reduce((n, b) => n + b.n, 0);
    if (blocks.length === 0) return;
    await this.sender.add('blocks', frameEncodedBlocks(options.batchId ?? this.nextBatchId(), blocks), points);
  }

  // ---- reads and maintenance: after the writes before them ---------------------

  async getExperiment(idOrName: string): Promise<Experiment> { return this.read('getExperiment', [idOrName]) as Promise<Experiment>; }
  async searchExperiments(query: ExperimentSearchQuery): Promise<{ experiments: readonly Experiment[]; nextOffset: number | null }> {
    return this.read('searchExperiments', [query]) as Promise<{ experiments: readonly Experiment[]; nextOffset: number | null }>;
  }
  async getRun(runId: string): Promise<Run> { return this.read('getRun', [runId]) as Promise<Run>; }
  async searchRuns(query: RunSearchQuery): Promise<RunSearchPage> { return this.read('searchRuns', [query]) as Promise<RunSearchPage>; }
  async countRuns(query: RunCountQuery): Promise<number> { return this.read('countRuns', [query]) as Promise<number>; }
  async purgeDeletedRuns(olderThan?: number): Promise<readonly string[]> { return this.read('purgeDeletedRuns', [olderThan]) as Promise<string[]>; }
  async listArtifacts(runId: string, prefix?: string): Promise<readonly ArtifactEntry[]> { return this.read('listArtifacts', [runId, prefix]) as Promise<ArtifactEntry[]>; }
  async referencedBlobs(): Promise<ReadonlySet<string>> { return this.read('referencedBlobs', []) as Promise<Set<string>>; }
  async listCells(runId: string): Promise<readonly CellRecord[]> { return this.read('listCells', [runId]) as Promise<CellRecord[]>; }
  async listInputs(runIds: readonly string[]): Promise<readonly RunInput[]> { return this.read('listInputs', [runIds]) as Promise<RunInput[]>; }

  async readMetrics(runIds: readonly string[], keys?: readonly string[]): Promise<readonly MetricColumns[]> {
    await this.caughtUp();
    const query = new URLSearchParams();
    for (const id of runIds) query.append('run_id', id);
    for (const key of keys ?? []) query.append('key', key);
    const body = await this.reach(() => this.transport.request('GET', `/api/tracklab/v1/metrics/history?${query}`));
    return columnsFromHistory(tableFromIPC(body));
  }

  /** See TrackingStore.whenUnreachable: the sender's outage, once it has found one. */
  whenUnreachable(signal?: AbortSignal): Promise<void> {
    return this.sender.whenDown(signal);
  }

  /** Best effort and not queued: a missed heartbeat is made up by the next one. */
  async heartbeat(runIds: readonly string[], now: number): Promise<void> {
    if (runIds.length === 0 || this.sender.isDown()) return;
    await this.reach(() => this.transport.call('store', 'heartbeat', [runIds, now]));
  }

  /**
   * Runs of this machine are judged here (`isAlive` asks about local
   * processes); the server judges the rest by their heartbeats.
   */
  async reapCrashedRuns(isAlive: (owner: RunOwner) => boolean, staleAfterMs: number, options: ReapOptions = {}): Promise<readonly string[]> {
    await this.caughtUp();
    const here = os.hostname();
    const owners = (await this.reach(() => this.transport.call('store', 'reapOwners', []))) as RunOwner[];
    const judged = owners.filter((o) => o.host === here);
    const alive = judged.filter((o) => isAlive(o));
    return this.reach(() => this.transport.call('store', 'reapCrashedRuns', [staleAfterMs, options, judged, alive])) as Promise<string[]>;
  }

  /**
   * The id of the next batch, numbered in the order writes enter the outbox, which is the order the sender
   * applies them in: so the server keeps one mark per run for this store, not every id (batch-sequence.ts).
   */
  private nextBatchId(): string {
    return sequencedBatchId(this.senderId, ++this.batches);
  }

  private write(method: string, args: readonly unknown[]): Promise<unknown> {
    return this.sender.add('call', Buffer.from(toWireJson({ method, args })));
  }

  private async read(method: string, args: readonly unknown[]): Promise<unknown> {
    await this.caughtUp();
    return this.reach(() => this.transport.call('store', method, args));
  }

  /** Waits until the writes made so far are delivered; refuses after READ_WAIT_MS of an outage. */
  private async caughtUp(): Promise<void> {
    const settled = this.sender.settled();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TracklabError('INVALID_STATE', httpMsg.stillQueued(this.transport.display, this.sender.pending()))), READ_WAIT_MS);
      timer.unref();
    });
    try {
      await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async reach<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof ServerUnreachable) throw new TracklabError('INTERNAL_ERROR', httpMsg.notReached(this.transport.display, err.message));
      throw err;
    }
  }
}
