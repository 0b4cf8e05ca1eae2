/**
 * Delivers the outbox to the server, one write at a time in the order they
 * were made, so a run's points land before its end. Nothing waits on it
 * but callers who ask (reads, and the Promise of each write):
 * - no answer (down, restarting, 5xx): the write stays first in the outbox
 *   and is tried again with backoff (250 ms doubling to 5 s); one warning
 *   per outage, and one line when the outbox is empty again;
 * - a refusal (4xx): the write is dropped and its Promise rejects (a write
 *   left by an earlier session is reported with a warning instead).
 * A write sent again after a lost answer is harmless: points and log
 * batches carry batch ids, and a repeated create or end is answered with
 * what the server has (see `resend`).
 *
 * Consecutive block writes go in one request (up to MAX_JOINED of them and
 * MAX_JOINED_BYTES), applied by the server in order, each under its own
 * batch id: a request costs about as much as writing a 10k-point block, so
 * one per block halved what a client could push through the server. Order
 * is what it was (one request at a time; the server keeps each sender's
 * order, see batch-sequence.ts). A joined request that is refused is sent
 * again one write at a time, so each write gets its own answer: the server
 * stores nothing of a refused request, and a write it had applied before
 * (an earlier request whose answer was lost) is skipped by its batch id.
 */
import { TracklabError, isTracklabError } from '../../errors';
import { cacheBesideOutbox, deliverArtifacts } from './artifact-transfer';
import { MAX_JOINED_FRAMES, askBlockUploads, type BlockUploads } from './block-uploads';
import { COLUMNS_MEDIA_TYPE, asUnhashedFrames, checkContentHashes, isHashMismatch, readColumnFrame, readColumnFrames } from './column-frames';
import { httpMsg } from './http-messages';
import { ServerUnreachable, type HttpTransport } from './http-transport';
import type { Outbox, OutboxOp } from '../sqlite/outbox-file';
import { fromWireJson } from './wire-json';

interface Waiter {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;
/** Block writes joined into one request at most: what the server takes, well under its 16 MiB body limit, and little memory. */
export const MAX_JOINED = MAX_JOINED_FRAMES;
export const MAX_JOINED_BYTES = 4 * 1024 * 1024;
/** Sends of a sound block the server found damaged, before it is dropped (something on the way damages it each time). */
const MAX_HASH_RESENDS = 3;

export interface SenderOptions {
  /** Print the outage notice for scripts (logging goes on, writes are retried). `tracklab sync` says its own instead. */
  readonly announceOutage?: boolean;
}

export class Sender {
  private readonly waiters = new Map<number, Waiter>();
  /** Every write up to this sequence number is delivered or dropped. */
  private doneUpTo = 0;
  private readonly drained: { seq: number; resolve(): void }[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private delay = FIRST_DELAY_MS;
  private downSince: number | undefined;
  /** Why the server did not answer, as the transport said (ECONNREFUSED, HTTP 503: ...). */
  private downWhy: string | undefined;
  private sentWhileDown = 0;
  private stopped = false;
  /** The outbox is being closed (detach): nothing touches it any more. */
  private detached = false;
  /**
   * False from a delivery that found no server until the next answer. Apart
   * from `downSince`, which lasts until the backlog is sent (the caught-up
   * line): while the server answers that backlog, an end waits for its answer.
   */
  private answering = true;
  /** Called once when the server stops answering; each caller removes its own (see `whenDown`). */
  private readonly downListeners = new Set<() => void>();
  /** How often the server found each write's block hash wrong while this outbox's copy was sound. */
  private readonly hashRefusals = new Map<number, number>();
  /** What the server takes for block writes, asked once before the first (block-uploads.ts). */
  private uploads: BlockUploads | undefined;
  /** Writes up to this sequence number go one at a time (a joined request of theirs was refused). */
  private singlyUpTo = 0;

  constructor(
    readonly outbox: Outbox,
    private readonly transport: HttpTransport,
    private readonly log: (line: string) => void = (l) => console.warn(l),
    private readonly options: SenderOptions = {},
  ) {}

  /** Adds a write; the Promise settles with the server's answer. The write is durable before this returns. */
  add(kind: OutboxOp['kind'], body: Buffer, points = 0): Promise<unknown> {
    const seq = this.outbox.add(kind, body, points);
    const answer = new Promise<unknown>((resolve, reject) => this.waiters.set(seq, { resolve, reject }));
    this.kick();
    return answer;
  }

  /** Resolves when every write added before this call is delivered (or dropped). */
  settled(): Promise<void> {
    const first = this.outbox.first();
    if (first === undefined) return Promise.resolve();
    const seq = this.outbox.newest() ?? first.seq;
    return new Promise((resolve) => this.drained.push({ seq, resolve }));
  }

  /** Writes not delivered yet. */
  pending(): number {
    return this.outbox.size();
  }

  /** True while the server is not answering. */
  isDown(): boolean {
    return this.downSince !== undefined;
  }

  /** While the server is not answering: why, as the transport said. */
  whyDown(): string | undefined {
    return this.isDown() ? this.downWhy : undefined;
  }

  /**
   * Resolves at once while the server is not answering, else when it stops
   * answering. Aborting `signal` drops the wait: a server that stays up would
   * otherwise keep one reaction per ended run alive for the whole process.
   */
  whenDown(signal?: AbortSignal): Promise<void> {
    if (!this.answering) return Promise.resolve();
    return new Promise((resolve) => {
      if (signal?.aborted) return;
      const drop = () => this.downListeners.delete(notify);
      const notify = () => {
        signal?.removeEventListener('abort', drop);
        resolve();
      };
      this.downListeners.add(notify);
      signal?.addEventListener('abort', drop, { once: true });
    });
  }

  /** How many `whenDown` waits are registered (tests check that aborted ones are gone). */
  downWaits(): number {
    return this.downListeners.size;
  }

  /** Starts delivering now (sync uses this to send an old outbox). */
  kick(): void {
    if (this.running || this.stopped) return;
    // While a backoff runs out, a new write waits for it like the others.
    if (this.timer !== undefined) return;
    void this.run();
  }

  /** Resolves when no delivery is under way. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** Stops retrying; what is left stays in the outbox for `tracklab sync`. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Stops, for an outbox about to be closed under a request still out: its
   * answer is then left alone, and the write stays in the outbox, where a
   * later send of it is harmless (batch ids; calls are marked tried).
   */
  detach(): void {
    this.detached = true;
    this.stop();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let op = this.outbox.first(); op !== undefined && !this.stopped; op = this.outbox.first()) {
        if (op.kind === 'blocks' && this.uploads === undefined) {
          try {
            this.uploads = await askBlockUploads(this.transport);
          } catch (err) {
            if (!(err instanceof ServerUnreachable)) throw err;
            if (!this.detached) this.wentDown(err.message);
            return;
          }
          if (this.detached) return;
        }
        if (op.kind === 'blocks' && op.seq > this.singlyUpTo && this.uploads!.joined && this.uploads!.frames.includes('TLC2')) {
          const joined = this.outbox.blocksFrom(op, MAX_JOINED, MAX_JOINED_BYTES);
          if (joined.length > 1) {
            const sent = await this.deliverJoined(joined);
            if (sent === 'down' || sent === 'detached') return;
            if (sent === 'refused') this.singlyUpTo = joined[joined.length - 1]!.seq;
            continue;
          }
        }
        let value: unknown;
        let refusal: unknown;
        try {
          // A call may land and lose its answer: the recorded try tells a resend so (see `resend`). Blocks need no
          // record (their batch id makes sending again harmless), which spares each block upload a commit.
          if (op.kind === 'call') this.outbox.markTried(op.seq);
          value = await this.deliver(op);
        } catch (err) {
          if (this.detached) return;
          if (err instanceof ServerUnreachable) {
            this.wentDown(err.message);
            return;
          }
          refusal = err;
        }
        if (this.detached) return; // see detach()
        this.answering = true;
        if (refusal !== undefined && op.kind === 'blocks' && isHashMismatch(refusal)) {
          const verdict = this.recheck(op);
          if (verdict === 'resend') continue;
          refusal = new TracklabError('INVALID_PARAMETER_VALUE', httpMsg.damagedOnTheWay(verdict, refusal instanceof Error ? refusal.message : String(refusal)));
        }
        this.hashRefusals.delete(op.seq);
        this.outbox.delivered(op.seq);
        if (this.downSince !== undefined) this.sentWhileDown++;
        this.settle(op, value, refusal);
      }
      this.caughtUp();
    } finally {
      this.running = false;
    }
  }

  /** Consecutive block writes in one request; on a refusal nothing is settled (they go again one by one). */
  private async deliverJoined(ops: readonly OutboxOp[]): Promise<'sent' | 'down' | 'refused' | 'detached'> {
    try {
      await this.transport.request('POST', '/api/tracklab/v1/metrics/blocks', Buffer.concat(ops.map((o) => o.body)), COLUMNS_MEDIA_TYPE);
    } catch (err) {
      if (this.detached) return 'detached';
      if (err instanceof ServerUnreachable) {
        this.wentDown(err.message);
        return 'down';
      }
      this.answering = true;
      return 'refused';
    }
    if (this.detached) return 'detached';
    this.answering = true;
    this.outbox.deliveredAll(ops.map((o) => o.seq));
    for (const op of ops) {
      if (this.downSince !== undefined) this.sentWhileDown++;
      this.settle(op, undefined, undefined);
    }
    return 'sent';
  }

  /**
   * After the server found a block's hash wrong: the outbox's own copy is
   * checked. Sound, it was damaged on the way and goes again (a few times);
   * damaged here, sending it again cannot help, and it is dropped.
   */
  private recheck(op: OutboxOp): 'resend' | 'damaged-here' | 'damaged-each-time' {
    try {
      for (const frame of readColumnFrames(op.body)) checkContentHashes(frame);
    } catch {
      return 'damaged-here';
    }
    const tries = (this.hashRefusals.get(op.seq) ?? 0) + 1;
    this.hashRefusals.set(op.seq, tries);
    return tries <= MAX_HASH_RESENDS ? 'resend' : 'damaged-each-time';
  }

  private settle(op: OutboxOp, value: unknown, refusal: unknown): void {
    this.doneUpTo = op.seq;
    const waiter = this.waiters.get(op.seq);
    this.waiters.delete(op.seq);
    if (waiter !== undefined) {
      if (refusal === undefined) waiter.resolve(value);
      else waiter.reject(refusal);
    } else if (refusal !== undefined) {
      this.log(httpMsg.refusedLater(this.transport.display, describeOp(op), refusal instanceof Error ? refusal.message : String(refusal)));
    }
    while (this.drained.length > 0 && this.drained[0]!.seq <= op.seq) this.drained.shift()!.resolve();
  }

  private wentDown(why: string): void {
    this.uploads = undefined; // the server that comes back may be another version
    if (this.answering) {
      this.answering = false;
      const listeners = [...this.downListeners];
      this.downListeners.clear();
      for (const notify of listeners) notify();
    }
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.downWhy = why;
      this.sentWhileDown = 0;
      if (this.options.announceOutage !== false) this.log(httpMsg.unreachable(this.transport.display, why, this.outbox.file));
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.delay * (0.75 + Math.random() / 2));
    this.timer.unref();
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
  }

  private caughtUp(): void {
    this.delay = FIRST_DELAY_MS;
    this.singlyUpTo = 0; // an empty outbox numbers its next write from 1 again (SQLite rowids)
    for (const d of this.drained.splice(0)) d.resolve();
    if (this.downSince === undefined) return;
    this.log(httpMsg.caughtUp(this.transport.display, this.sentWhileDown, (Date.now() - this.downSince) / 1000));
    this.downSince = undefined;
  }

  private async deliver(op: OutboxOp): Promise<unknown> {
    if (op.kind === 'blocks') {
      const body = this.uploads!.frames.includes('TLC2') ? op.body : asUnhashedFrames(op.body);
      await this.transport.request('POST', '/api/tracklab/v1/metrics/blocks', body, COLUMNS_MEDIA_TYPE);
      return undefined;
    }
    if (op.kind === 'artifacts') return deliverArtifacts(this.transport, op.body, cacheBesideOutbox(this.outbox.file));
    const { method, args } = fromWireJson(op.body.toString('utf8')) as { method: string; args: unknown[] };
    try {
      return await this.transport.call('store', method, args);
    } catch (err) {
      if (op.tries > 0 && isTracklabError(err)) return this.resend(method, args, err);
      throw err;
    }
  }

  /**
   * A write that may have landed before (its answer was lost) and is now
   * refused for having landed: answered with what the server holds.
   */
  private async resend(method: string, args: unknown[], err: TracklabError): Promise<unknown> {
    if ((method === 'createRun' || method === 'createRunIn') && err.code === 'RESOURCE_ALREADY_EXISTS') {
      const run = args[args.length - 1] as { runId: string };
      return ((await this.transport.call('store', 'getRun', [run.runId])) as { info: unknown }).info;
    }
    if (method === 'createExperiment' && err.code === 'RESOURCE_ALREADY_EXISTS') {
      return this.transport.call('store', 'getExperiment', [(args[0] as { name: string }).name]);
    }
    if (method === 'updateRun' && err.code === 'INVALID_STATE' && /already ended/.test(err.message)) {
      return ((await this.transport.call('store', 'getRun', [args[0]])) as { info: unknown }).info;
    }
    throw err;
  }
}

function describeOp(op: OutboxOp): string {
  if (op.kind === 'blocks') {
    const frame = readColumnFrame(op.body);
    return `${op.points} points of ${[...new Set(frame.blocks.map((b) => b.runId))].join(', ')}`;
  }
  if (op.kind === 'artifacts') return `artifacts of run ${(fromWireJson(op.body.toString('utf8')) as { runId: string }).runId}`;
  const { method } = fromWireJson(op.body.toString('utf8')) as { method: string };
  return method;
}
