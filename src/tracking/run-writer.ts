/**
 * The store side of an ActiveRun, part of the client core: when the run's
 * row is written, in what order its writes go, how it ends, and what it
 * writes at process exit. ActiveRun keeps only what the user sees.
 *
 * - The row waits for the end of the code running now, up to the next
 *   macrotask (setImmediate), and for the experiment id: a run that ends
 *   within it, as in a loop of short runs with `await startRun()` and
 *   `await endRun()`, is one write, already ended. Ending (or flushing) the
 *   run writes it at once; so does any store call of this process
 *   (pending-rows.ts: reads find the run), memory pressure (a long loop
 *   that never yields) on a synchronous store, and exit.
 * - Params and tags logged before a write join it (the row, or one batch).
 *   A write holds at most MLflow's batch limits (log-batches.ts); the rest
 *   follows in further writes, and the end waits for them.
 * - Later writes go through one ordered chain; the first failure is kept,
 *   warned about once, and rethrown by flush() or end().
 * - On a store that queues writes (the remote store's outbox), a write is
 *   done for the chain once it is queued: the queue keeps the order, and
 *   the server's answer may be an outage away. `end()` waits for the end's
 *   own answer while the server answers, and during an outage resolves once
 *   the end is durable on this machine, as logging never waits on the
 *   network; a refusal that comes later is warned about like a failed write.
 */
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { ArtifactEntry, RunStatus } from '../entities';
import type { TracklabError } from '../errors';
import { msg } from '../messages';
import { recordProvenance, storedDiffEntries } from '../provenance/provenance';
import { mergeRecords } from '../records';
import { answeredOrQueued } from '../store/answered-or-queued';
import type { LogBatch, NewRun } from '../store/store';
import type { ClientCore } from './client-core';
import { asTracklabError } from './client-errors';
import type { EndStatus } from './lifecycle';
import { splitBatch, writeBatches } from './log-batches';
import { pendingRows, type PendingRow } from './pending-rows';
import type { PreparedRun } from './run-input';

type Records = Readonly<Record<string, string>>;

export class RunWriter implements PendingRow {
  readonly runId: string;
  private readonly name: string;
  private readonly experimentRef: string;
  private experimentId: string | undefined;
  /** The row while it is not written yet. */
  private row: Omit<NewRun, 'experimentId'> | undefined;
  private rowWrite: Promise<void> = Promise.resolve();
  /** The server's answer to the row, where writes are queued (see the header). */
  private rowAnswer: Promise<void> = Promise.resolve();
  /** Lets the row go before the next macrotask (the run ended or flushed). */
  private readonly rowDue: () => void;
  /** Params and tags of the row that did not fit in its write; written right after it. */
  private rest: readonly LogBatch[] = [];
  private outcome: { readonly status: EndStatus; readonly message: string | null; readonly endTime: number } | undefined;
  /** The row was written already ended, so the end has nothing left to write. */
  private endWritten = false;
  private pendingParams: Records | undefined;
  private pendingTags: Records | undefined;
  private batchQueued = false;
  private chain: Promise<void>;
  /** The folder provenance is read from, and the diff entries the row recorded (see storedDiffEntries). */
  private readonly sourceDir: string;
  private linked: readonly ArtifactEntry[] | undefined;
  private error: TracklabError | undefined;
  private warned = false;

  constructor(private readonly core: ClientCore, prepared: PreparedRun) {
    this.runId = prepared.run.runId;
    this.name = prepared.run.runName;
    this.experimentRef = prepared.experiment;
    this.sourceDir = prepared.sourceDir;
    this.row = prepared.run;
    for (const part of prepared.more) this.record(part.params, part.tags);
    this.experimentId = core.experimentIdNow(prepared.experiment);
    const buffer = core.runs.buffer;
    // Points logged before the row exists wait in memory instead of failing to flush. Where the
    // store applies writes in order, memory pressure writes the row at once and lets them go.
    const known = this.experimentId !== undefined || core.createsRunsByExperimentRef();
    buffer.hold(this.runId, core.writesInOrder() ? () => { void this.writeRow().catch(() => undefined); } : undefined);
    let due!: () => void;
    const rowDue = new Promise<void>((resolve) => { due = resolve; });
    this.rowDue = due;
    setImmediate(due);
    pendingRows.add(this);
    const creating = known
      ? rowDue.then(() => this.writeRow())
      : Promise.all([core.resolveExperimentId(prepared.experiment), rowDue]).then(([id]) => {
        this.experimentId = id;
        return this.writeRow();
      });
    this.chain = creating.then(async () => {
      const rest = this.rest;
      this.rest = [];
      await this.writeParts(rest, `log to run ${this.name}`);
      const provenance = recordProvenance(core, this.runId, prepared.sourceDir, this.linked);
      // Where writes are queued, the diff's upload is answered by the server alone: during an outage the run's end
      // does not wait for that answer (reading the diff keeps a git child running, so it is queued before a natural exit).
      await (core.queuesWrites() ? this.answerUnlessUnreachable(provenance) : provenance);
    }, (err: unknown) => {
      this.row = undefined;
      pendingRows.delete(this);
      buffer.release(this.runId);
      this.fail(err);
    });
  }

  /** The experiment id, once resolved. */
  get experiment(): string | undefined {
    return this.experimentId;
  }

  /** Params and tags to record: they join the row if it is not written yet, else one batch in the chain. */
  record(params: Records | undefined, tags: Records | undefined): void {
    const row = this.row;
    if (row !== undefined) {
      this.row = { ...row, params: merge(row.params, params), tags: merge(row.tags, tags) };
      return;
    }
    this.pendingParams = merge(this.pendingParams, params);
    this.pendingTags = merge(this.pendingTags, tags);
    if (this.batchQueued) return;
    this.batchQueued = true;
    this.enqueue(() => this.writeRecords());
  }

  /** Runs `op` after the writes queued so far; its failure goes to the caller, not to the run. */
  async after<T>(op: () => Promise<T>): Promise<T> {
    const result = this.chain.then(op);
    this.chain = result.then(() => undefined, () => undefined);
    return result;
  }

  logArtifact(source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
    return this.after(() => this.core.logArtifact(this.runId, source, artifactPath));
  }

  /** Writes buffered points and queued records, then rethrows a write failure once. */
  async flush(): Promise<void> {
    this.rowDue();
    this.enqueue(() => this.core.runs.flushRun(this.runId));
    await this.chain;
    this.rethrow();
  }

  /** Ends the run after the writes queued before; resolves when it is written (and rethrows a write failure once). */
  end(status: EndStatus, message: string | null, endTime: number): Promise<void> {
    this.outcome = { status, message, endTime };
    this.rowDue(); // the row can go now, already ended
    this.enqueue(async () => {
      if (this.endWritten) {
        if (this.core.queuesWrites()) await this.answerUnlessUnreachable(this.rowAnswer);
        return;
      }
      await this.writeRecords();
      if (this.core.queuesWrites()) await this.core.runs.queueEnd(this.runId, status, message, endTime, (err) => this.fail(err));
      else await this.core.runs.completeRun(this.runId, status, message, endTime);
    });
    return this.chain.then(() => {
      this.core.runs.buffer.discard(this.runId);
      this.core.runs.release(this.runId);
      this.rethrow();
    });
  }

  /** Inside `process.on('exit')`: issues the final writes, without waiting (see ClientCore.endAtExit). */
  endAtExit(status: EndStatus, message: string | null): void {
    this.outcome ??= { status, message, endTime: Date.now() };
    const { status: s, message: m } = this.outcome;
    const row = this.row;
    if (row !== undefined) {
      this.core.runs.release(this.runId);
      void this.writeRow(true).catch(() => undefined);
      return;
    }
    if (this.endWritten) return;
    if (this.pendingParams !== undefined || this.pendingTags !== undefined) {
      // The last chance to write them: one write, whatever its size.
      this.core.store().logBatch(this.runId, { params: this.pendingParams, tags: this.pendingTags }).catch(() => undefined);
      this.pendingParams = this.pendingTags = undefined;
    }
    this.core.runs.endWrittenAtExit(this.runId, s, m);
  }

  /** See PendingRow: a store call is about to read or write; the row goes first. */
  writeRowNow(): void {
    if (this.row !== undefined) void this.writeRow().catch(() => undefined);
  }

  /** Resolves once the writes queued so far are done, without consuming a write error. */
  settled(): Promise<void> {
    return this.chain;
  }

  /**
   * Writes the row, already ended with its last points if the run ended
   * first. The hold on its points is lifted as soon as the store will apply
   * later writes after it (at once on synchronous and worker stores). An
   * experiment not resolved yet is resolved by the store's side. Params and
   * tags beyond one write's limits go to `rest`, and the row is then not
   * ended: the end follows them. At exit (`whole`) the row takes them all.
   */
  private writeRow(whole = false): Promise<void> {
    let row = this.row;
    if (row === undefined) return this.rowWrite;
    this.row = undefined;
    pendingRows.delete(this);
    if (!whole) {
      const [first, ...rest] = splitBatch({ params: row.params, tags: row.tags });
      if (rest.length > 0) {
        row = { ...row, params: first.params, tags: first.tags };
        this.rest = rest;
      }
    }
    const outcome = this.outcome;
    const end = outcome === undefined || this.rest.length > 0 ? undefined : this.core.runs.takeEnd(this.runId, outcome.status, outcome.message, outcome.endTime);
    this.endWritten = end !== undefined;
    const experimentId = this.experimentId;
    const store = this.core.store();
    // In a dirty tree, the diff stored by an earlier run of this folder reading rides in the row's write.
    const artifacts = this.core.createsRunsWithArtifacts() ? storedDiffEntries(this.core, this.sourceDir) : undefined;
    this.linked = experimentId !== undefined ? artifacts : undefined;
    const written = experimentId !== undefined
      ? store.createRun({ ...row, experimentId, end, artifacts })
      : this.core.createRunIn(this.experimentRef, { ...row, end }).then((info) => { this.experimentId ??= info.experimentId; return info; });
    const release = () => this.core.runs.buffer.release(this.runId);
    if (this.core.writesInOrder()) release();
    const answered = written.then(release, (err: unknown) => { throw asTracklabError(err, `create run ${this.name}`); });
    if (this.core.queuesWrites()) {
      // Queued is written, for this run's chain (see the header); a later refusal is this run's failed write.
      answered.catch((err: unknown) => this.fail(err));
      this.rowAnswer = answered;
      this.rowWrite = Promise.resolve();
      return this.rowWrite;
    }
    this.rowWrite = answered;
    this.rowWrite.catch(() => undefined); // awaited through the chain; this keeps an early failure from counting as unhandled
    return this.rowWrite;
  }

  private async writeRecords(): Promise<void> {
    this.batchQueued = false;
    const params = this.pendingParams;
    const tags = this.pendingTags;
    if (params === undefined && tags === undefined) return;
    this.pendingParams = this.pendingTags = undefined;
    await this.writeParts(splitBatch({ params, tags }), 'log params and tags');
  }

  /** A queued write's answer while the server answers (a refusal rethrown); nothing more while it does not. */
  private async answerUnlessUnreachable(answer: Promise<void>): Promise<void> {
    // A refusal after an outage: the row's goes to fail() already (writeRow), a diff's is no failure of the run.
    await answeredOrQueued(this.core.store(), answer, () => undefined);
  }

  /** Params and tags in batches: awaited, or on a store that queues writes, issued in order and answered later (see the header). */
  private async writeParts(parts: readonly LogBatch[], what: string): Promise<void> {
    if (!this.core.queuesWrites()) return writeBatches(this.core, this.runId, parts, what);
    for (const part of parts) this.core.call(what, (s) => s.logBatch(this.runId, part)).catch((err: unknown) => this.fail(err));
  }

  private enqueue(op: () => Promise<unknown>): void {
    this.chain = this.chain.then(op).then(() => undefined, (err: unknown) => this.fail(err));
  }

  private fail(err: unknown): void {
    if (this.error !== undefined) return;
    this.error = asTracklabError(err, `write run ${this.name}`);
    if (this.warned) return;
    this.warned = true;
    console.warn(msg.writeFailed(this.name, String(this.error)));
  }

  private rethrow(): void {
    const error = this.error;
    if (error === undefined) return;
    this.error = undefined;
    throw error;
  }
}

function merge(into: Records | undefined, more: Records | undefined): Records | undefined {
  if (more === undefined) return into;
  return into === undefined ? more : mergeRecords(into, more);
}
