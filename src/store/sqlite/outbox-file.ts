/**
 * The local outbox of a remote store (store/http/): every write, in order, in a SQLite
 * file of its own under TRACKLAB_HOME/outbox/, until the server has it.
 * A write is in the file before the store method returns, so a network
 * outage, a crash or `process.exit()` loses nothing: the session's sender
 * delivers it when the server answers again, or `tracklab sync` does later.
 * Memory holds only what is being sent (one write, or a run of consecutive
 * block writes the sender joins into one request, see sender.ts).
 *
 * One file per session (process), so two processes never send the same
 * write; `meta` names the server and the owning process, so sync takes
 * only files whose process is gone, and holds the file's sender name: 128
 * random bits, made once (a file from before it existed gets one when
 * opened), that the remote store numbers its batch ids under
 * (batch-sequence.ts). Nobody else can guess it, so nobody else can raise
 * the server's mark for it and make it skip this file's writes.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Env } from '../../env-names';

export type OpKind = 'blocks' | 'call' | 'artifacts';

export interface OutboxOp {
  readonly seq: number;
  readonly kind: OpKind;
  /** `blocks`: a column frame; `call`: wire JSON of `{ method, args }`; `artifacts`: wire JSON of `{ runId, entries }` (artifact-transfer.ts). */
  readonly body: Buffer;
  /** Points in a `blocks` op, for messages. */
  readonly points: number;
  /** Times it was handed to the network before (more than 0: it may have landed). */
  readonly tries: number;
}

export interface OutboxOwner {
  readonly pid: number;
  readonly host: string;
  readonly processStart: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ops (
  seq    INTEGER PRIMARY KEY,
  kind   TEXT NOT NULL,
  body   BLOB NOT NULL,
  points INTEGER NOT NULL DEFAULT 0,
  tries  INTEGER NOT NULL DEFAULT 0
);`;

/** The folder of outbox files: TRACKLAB_HOME/outbox, else ~/.tracklab/outbox. */
export function outboxFolder(env: NodeJS.ProcessEnv = process.env): string {
  const home = env[Env.home];
  return path.join(home ? path.resolve(home) : path.join(os.homedir(), '.tracklab'), 'outbox');
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly head: Database.Statement;
  private readonly after: Database.Statement;
  private readonly between: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly tried: Database.Statement;
  private readonly count: Database.Statement;

  private constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // An outbox write must survive the process, not the machine's power loss: NORMAL keeps commits cheap (no fsync per write).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('sender', ?)").run(randomBytes(16).toString('base64url'));
    this.insert = this.db.prepare('INSERT INTO ops (kind, body, points) VALUES (?, ?, ?)');
    this.head = this.db.prepare('SELECT seq, kind, body, points, tries FROM ops ORDER BY seq LIMIT 1');
    this.after = this.db.prepare('SELECT seq, kind, length(body) AS size FROM ops WHERE seq > ? ORDER BY seq LIMIT ?');
    this.between = this.db.prepare('SELECT seq, kind, body, points, tries FROM ops WHERE seq > ? AND seq <= ? ORDER BY seq');
    this.remove = this.db.prepare('DELETE FROM ops WHERE seq = ?');
    this.tried = this.db.prepare('UPDATE ops SET tries = tries + 1 WHERE seq = ?');
    this.count = this.db.prepare('SELECT COUNT(*) AS n FROM ops');
  }

  /** A new outbox file for this session, owned by this process, for the server `server` (shown form). */
  static create(folder: string, server: string, owner: OutboxOwner): Outbox {
    fs.mkdirSync(folder, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.db`;
    const box = new Outbox(path.join(folder, name));
    const set = box.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    box.db.transaction(() => {
      set.run('server', server);
      set.run('owner', JSON.stringify(owner));
    })();
    return box;
  }

  /** An existing outbox file (for `tracklab sync`). */
  static open(file: string): Outbox {
    return new Outbox(file);
  }

  /** Outbox files in `folder`, oldest first. */
  static list(folder: string): string[] {
    if (!fs.existsSync(folder)) return [];
    return fs.readdirSync(folder).filter((f) => f.endsWith('.db')).sort().map((f) => path.join(folder, f));
  }

  /** The sender name of this file's batch ids: random, the same for as long as the file lives. */
  senderId(): string {
    return this.meta('sender')!;
  }

  meta(key: 'server' | 'owner' | 'sender'): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  /** Appends a write; returns its sequence number. Durable when this returns. */
  add(kind: OpKind, body: Buffer, points = 0): number {
    return Number(this.insert.run(kind, body, points).lastInsertRowid);
  }

  /** The oldest write not yet delivered. */
  first(): OutboxOp | undefined {
    return this.head.get() as OutboxOp | undefined;
  }

  /**
   * `first` (a block write) and the block writes right after it, oldest
   * first, while they number at most `maxOps` and their bodies `maxBytes`
   * together (always `first` itself). Sizes are read first and only the
   * bodies that fit are loaded: a request is at most `maxBytes`, and so is
   * what this reads.
   */
  blocksFrom(first: OutboxOp, maxOps: number, maxBytes: number): OutboxOp[] {
    let bytes = first.body.length;
    let last = first.seq;
    for (const op of this.after.all(first.seq, maxOps - 1) as { seq: number; kind: OpKind; size: number }[]) {
      if (op.kind !== 'blocks' || bytes + op.size > maxBytes) break;
      bytes += op.size;
      last = op.seq;
    }
    return last === first.seq ? [first] : [first, ...this.between.all(first.seq, last) as OutboxOp[]];
  }

  /** The sequence number of the newest write not yet delivered. */
  newest(): number | undefined {
    return (this.db.prepare('SELECT MAX(seq) AS m FROM ops').get() as { m: number | null }).m ?? undefined;
  }

  markTried(seq: number): void {
    this.tried.run(seq);
  }

  delivered(seq: number): void {
    this.remove.run(seq);
  }

  /** Several writes delivered together: one commit. */
  deliveredAll(seqs: readonly number[]): void {
    this.db.transaction(() => { for (const seq of seqs) this.remove.run(seq); })();
  }

  size(): number {
    return (this.count.get() as { n: number }).n;
  }

  /** Closes the file, and deletes it when nothing is left in it. */
  close(): void {
    if (!this.db.open) return;
    const empty = this.size() === 0;
    this.db.close();
    if (empty) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(this.file + suffix, { force: true });
  }
}
