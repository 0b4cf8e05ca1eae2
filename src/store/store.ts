/**
 * The one tracking store contract, implemented by every backend folder
 * (store/sqlite/, store/postgres/) and opened through `openStore()` (see
 * backend.ts). Nothing here names a database driver.
 *
 * Reads and writes return Promises so a networked backend fits. Backends with
 * `capabilities.synchronousWrites` finish every write before the call returns
 * (the Promise only carries the result). Only the client core reads the
 * capabilities: it takes a synchronous fast path on such stores, and ends
 * runs at process exit through them directly instead of through its exit worker.
 */
import type {
  EncodedMetricBlock,
  ArtifactEntry, CellRecord, DatasetInput, Experiment, LifecycleStage, MetricColumns, MetricPoint,
  Run, RunInfo, RunInput, RunStatus,
} from '../entities';
import type { TracklabError } from '../errors';
import type { FilterNode, OrderClause } from '../search/filter-ast';

export interface StoreCapabilities {
  /** Writes complete before the method returns (embedded stores). Read by the client core only. */
  readonly synchronousWrites: boolean;
  /** Several processes may write to one store at once. */
  readonly multiProcess: boolean;
  /** createRun records `NewRun.artifacts` in the run's own write. */
  readonly artifactsWithRun?: boolean;
  /**
   * Writes are durable on this machine and ordered when the method returns,
   * but their Promise settles only with a server's answer (the remote
   * store's outbox). Ending a run then waits for the first, not the second.
   */
  readonly queuesWrites?: boolean;
}

export interface NewExperiment {
  readonly name: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface NewRun {
  readonly runId: string;
  readonly runName: string;
  readonly experimentId: string;
  readonly parentRunId?: string;
  readonly startTime: number;
  readonly user?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly params?: Readonly<Record<string, string>>;
  /** Liveness of the process that owns the run, used to tell CRASHED from RUNNING. */
  readonly owner?: RunOwner;
  /** A run that already ended (started and ended before it was written): its outcome and last points, in the same write. */
  readonly end?: RunEnd;
  /**
   * A few manifest entries of blobs already in the content store (the git diff a loop's runs share), recorded in
   * the same write. Only for stores whose capabilities say `artifactsWithRun`; others ignore it.
   */
  readonly artifacts?: readonly ArtifactEntry[];
}

export interface RunEnd {
  readonly status: Exclude<RunStatus, 'RUNNING'>;
  readonly statusMessage: string | null;
  readonly endTime: number;
  readonly metrics: readonly MetricColumns[];
}

export interface RunOwner {
  readonly pid: number;
  readonly host: string;
  /** Identifies this incarnation of the pid (process start time), so a reused pid is not mistaken for the owner. */
  readonly processStart: string;
}

export interface RunUpdate {
  readonly status?: RunStatus;
  readonly statusMessage?: string | null;
  readonly endTime?: number | null;
  readonly runName?: string;
  /** Points still buffered for this run, appended (as by `appendMetrics`) in the same transaction, before the update. */
  readonly metrics?: readonly MetricColumns[];
}

/**
 * Params, tags and single points to write at once. Params are write-once: same value is a no-op, a different one throws
 * INVALID_PARAMETER_VALUE naming both. At most MLflow's batch limits (100 params, 100 tags, 1000 metrics, 1000 in all;
 * `validateBatchSize`); a bigger batch is refused with INVALID_PARAMETER_VALUE, so no one write holds the lock for long.
 */
export interface LogBatch {
  readonly params?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly deleteTags?: readonly string[];
  readonly metrics?: readonly MetricPoint[];
  /** See `WriteOnce.batchId`: a batch already applied under this id is skipped whole. */
  readonly batchId?: string;
}

/**
 * What makes a write safe to send again. A remote client that lost the
 * answer to a write cannot know whether it landed, so it sends it again
 * under the same id.
 */
export interface WriteOnce {
  /**
   * An id the writer chose for this write. The store records it, for each
   * run the write touches, in the same transaction as the write, and a write
   * whose id one of its runs has recorded before is skipped whole: re-sending
   * never duplicates points. Ids are scoped per run: the same id for another
   * run is another write. A sequenced id
   * (`s:<sender>:<n>`, batch-sequence.ts) promises that the sender applies
   * its writes in order, and the store keeps only each run's highest n.
   */
  readonly batchId?: string;
}

/** One write of already-encoded blocks under its batch id (`appendMetricBatches`). */
export interface BlockBatch {
  readonly batchId: string;
  readonly blocks: readonly EncodedMetricBlock[];
}

export interface RunSearchQuery {
  readonly experimentIds: readonly string[];
  readonly filter?: FilterNode;
  /** Empty means start_time DESC. Ties break on run_id. */
  readonly orderBy: readonly OrderClause[];
  readonly maxResults: number;
  readonly offset: number;
  readonly lifecycle: LifecycleStage | 'all';
}

export type RunCountQuery = Pick<RunSearchQuery, 'experimentIds' | 'filter' | 'lifecycle'>;

export interface RunSearchPage {
  readonly runs: readonly Run[];
  /** Offset of the next page, or null when this was the last. */
  readonly nextOffset: number | null;
}

export interface ExperimentSearchQuery {
  readonly filter?: FilterNode;
  readonly orderBy: readonly OrderClause[];
  readonly maxResults: number;
  readonly offset: number;
  readonly lifecycle: LifecycleStage | 'all';
}

export interface TrackingStore {
  readonly capabilities: StoreCapabilities;

  createExperiment(input: NewExperiment): Promise<Experiment>;
  /** By id or by name. Throws RESOURCE_DOES_NOT_EXIST. */
  getExperiment(idOrName: string): Promise<Experiment>;
  /** Returns the experiment with this name, creating it if needed (safe under concurrent callers). */
  ensureExperiment(name: string): Promise<Experiment>;
  /**
   * Optional fast path of stores with `synchronousWrites`: the experiment with
   * this id or name, created by name when missing (like `getExperiment` then
   * `ensureExperiment`), returned directly. The client core uses it so a run's
   * row can be written in the same stretch of code that started it, and at exit.
   */
  resolveExperimentSync?(idOrName: string): Experiment;
  searchExperiments(query: ExperimentSearchQuery): Promise<{ experiments: readonly Experiment[]; nextOffset: number | null }>;
  updateExperiment(experimentId: string, update: { name?: string; description?: string | null }): Promise<Experiment>;
  setExperimentTags(experimentId: string, tags: Readonly<Record<string, string>>): Promise<void>;
  setExperimentLifecycle(experimentId: string, stage: LifecycleStage): Promise<void>;

  createRun(input: NewRun): Promise<RunInfo>;
  /**
   * Optional: creates the run in the experiment `experimentRef` names (an id,
   * or a name created when missing; a deleted one is refused with
   * INVALID_STATE), resolved where the store applies its writes. A store
   * whose reads need a network (the remote store) has it, so a run can start
   * and log while its server does not answer.
   */
  createRunIn?(experimentRef: string, run: Omit<NewRun, 'experimentId'>): Promise<RunInfo>;
  /**
   * Optional, for stores where each write costs a round trip and a commit
   * (PostgreSQL): several runs, each created as createRun would, in one
   * write. A refused run gets its error in its place and writes nothing; the
   * others are created. Ids must differ from each other.
   */
  createRuns?(inputs: readonly NewRun[]): Promise<readonly (RunInfo | TracklabError)[]>;
  getRun(runId: string): Promise<Run>;
  /**
   * Optional, for stores whose writes go to a server (capabilities.queuesWrites):
   * resolves at once while the server does not answer, else as soon as it stops
   * answering (a server answering a backlog after an outage answers). Ending a
   * run waits for the server's answer or this, whichever comes first, then
   * aborts `signal` so the store forgets the wait.
   */
  whenUnreachable?(signal?: AbortSignal): Promise<void>;
  updateRun(runId: string, update: RunUpdate): Promise<RunInfo>;
  setRunLifecycle(runId: string, stage: LifecycleStage): Promise<void>;
  /** Permanently removes runs in the deleted stage (and their metrics, manifests, cells). Returns their ids. */
  purgeDeletedRuns(olderThan?: number): Promise<readonly string[]>;
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  searchRuns(query: RunSearchQuery): Promise<RunSearchPage>;
  /** Optional: how many runs a search matches, without reading them. Callers fall back to paging through `searchRuns`. */
  countRuns?(query: RunCountQuery): Promise<number>;

  /**
   * Appends columnar metric blocks (any runs and keys) and updates the summaries, all or nothing.
   * With a `batchId`, in one transaction that records the id; a batch applied before is skipped.
   */
  appendMetrics(blocks: readonly MetricColumns[], options?: WriteOnce): Promise<void>;
  /**
   * Optional (the SQLite, PostgreSQL and remote stores have it): `appendMetrics` for blocks already in the
   * stored form (src/metrics/block-codec.ts), as the tracking server receives them. Each block is checked and
   * summarised from its bytes (src/metrics/received-block.ts) and stored as it came, never encoded again.
   * A malformed block is refused with INVALID_PARAMETER_VALUE naming its run and key, and nothing is written.
   */
  appendMetricBlocks?(blocks: readonly EncodedMetricBlock[], options?: WriteOnce): Promise<void>;
  /**
   * Optional (the SQLite and PostgreSQL stores have it): several `appendMetricBlocks` writes, each under its own
   * batch id, in one transaction, as the tracking server applies a joined upload: a batch applied before is skipped,
   * and a refusal of any of them (a malformed block, a missing or deleted run, a bad batch id) writes none of them.
   */
  appendMetricBatches?(batches: readonly BlockBatch[]): Promise<void>;
  /** Every point of the given runs (and keys), ordered by run, key, then insertion. */
  readMetrics(runIds: readonly string[], keys?: readonly string[]): Promise<readonly MetricColumns[]>;
  /**
   * Optional: the same blocks in the same order, still encoded, so a reader
   * decodes them straight into its own buffers (metricHistory into Arrow's).
   * Callers fall back to `readMetrics`.
   */
  readMetricBlocks?(runIds: readonly string[], keys?: readonly string[]): Promise<readonly EncodedMetricBlock[]>;

  /** Marks owner liveness; `runIds` are RUNNING runs of this process. */
  heartbeat(runIds: readonly string[], now: number): Promise<void>;
  /**
   * Turns RUNNING runs whose owning process is gone into CRASHED. `isAlive`
   * answers for owners on this host; runs of other hosts crash when their
   * heartbeat is older than `staleAfterMs`. Returns the ids it changed.
   */
  reapCrashedRuns(isAlive: (owner: RunOwner) => boolean, staleAfterMs: number, options?: ReapOptions): Promise<readonly string[]>;

  putArtifacts(runId: string, entries: readonly ArtifactEntry[]): Promise<void>;
  listArtifacts(runId: string, prefix?: string): Promise<readonly ArtifactEntry[]>;
  /** Every sha256 that a run of any lifecycle stage, or another table (registry), still references. */
  referencedBlobs(): Promise<ReadonlySet<string>>;

  recordCell(cell: CellRecord): Promise<void>;
  listCells(runId: string): Promise<readonly CellRecord[]>;

  /**
   * Links datasets to a run. A dataset is stored once per (name, digest): the
   * first record of it wins, later ones only add links. Linking again is a no-op.
   */
  logInputs(runId: string, inputs: readonly DatasetInput[]): Promise<void>;
  /** The dataset inputs of these runs, ordered by run (as given), then dataset name and context. */
  listInputs(runIds: readonly string[]): Promise<readonly RunInput[]>;

  /**
   * Optional (the embedded store has it): writes a consistent copy of the
   * database into the empty folder `destRoot` while other processes keep
   * writing, as a store that `openStore(destRoot)` opens. Artifact content
   * is not copied here (see TrackingClient.backup).
   */
  backupDatabase?(destRoot: string, onProgress?: (progress: CopyProgress) => void): Promise<void>;
  /** Optional: the database engine's own consistency check. Empty when healthy; each entry says what is wrong. */
  checkIntegrity?(): Promise<readonly string[]>;
}

export interface ReapOptions {
  /** Only find the runs that would be marked CRASHED, changing nothing. */
  readonly dryRun?: boolean;
}

/** How far a copy has come, in units of the backend's choosing (SQLite: pages). */
export interface CopyProgress {
  readonly done: number;
  readonly total: number;
}
