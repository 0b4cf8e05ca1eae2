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

type MetaKey = 'server' | 'owner' | 'sender';

export class Outbox {
  private db!: Database.Database;
  private insert!: Database.Statement;
  private head!: Database.Statement;
  private after!: Database.Statement;
  private between!: Database.Statement;
  private remove!: Database.Statement;
  private tried!: Database.Statement;
  private count!: Database.Statement;
  /** What `meta` holds, kept here too: a released file is made again with it. */
  private known: Partial<Record<MetaKey, string>> = {};
  private path: string;
  /** The file was removed for being empty (see `release`); the next `add` makes it again. */
  private released = false;

  private constructor(file: string, mustExist: boolean, meta: Partial<Record<MetaKey, string>> = {}) {
    this.path = file;
    this.connect(mustExist, meta);
  }

  /** The file that holds the writes now (a released outbox's next write goes to a new one). */
  get file(): string {
    return this.path;
  }

  private connect(mustExist: boolean, meta: Partial<Record<MetaKey, string>>): void {
    this.db = new Database(this.path, { fileMustExist: mustExist });
    this.db.pragma('journal_mode = WAL');
    // An outbox write must survive the process, not the machine's power loss: NORMAL keeps commits cheap (no fsync per write).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const set = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('sender', ?)").run(randomBytes(16).toString('base64url'));
      for (const [key, value] of Object.entries(meta)) set.run(key, value);
    })();
    this.known = Object.fromEntries((this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
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
    return new Outbox(newFileIn(folder), false, { server, owner: JSON.stringify(owner) });
  }

  /** An existing outbox file (for `tracklab sync`); never makes one (a file removed meanwhile stays removed). */
  static open(file: string): Outbox {
    return new Outbox(file, true);
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

  meta(key: MetaKey): string | undefined {
    return this.known[key];
  }

  /** Appends a write; returns its sequence number. Durable when this returns. A released outbox makes its file again first. */
  add(kind: OpKind, body: Buffer, points = 0): number {
    if (this.released) {
      // A new name, not the old one: a `tracklab sync` that opened the old file before it went knows nothing of this one.
      fs.mkdirSync(path.dirname(this.path), { recursive: true });
      this.path = newFileIn(path.dirname(this.path));
      this.connect(false, this.known);
      this.released = false;
    }
    return Number(this.insert.run(kind, body, points).lastInsertRowid);
  }

  /** The oldest write not yet delivered. */
  first(): OutboxOp | undefined {
    return this.released ? undefined : this.head.get() as OutboxOp | undefined;
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
    if (this.released) return undefined;
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
    return this.released ? 0 : (this.count.get() as { n: number }).n;
  }

  /**
   * Deletes the file when nothing is left in it (at the end of the process),
   * and keeps the outbox usable: a write after this, such as the end of a
   * run written by another exit hook, makes a new file, so it is never lost.
   * A file that holds writes stays, for this session's sender or `tracklab sync`.
   */
  release(): void {
    if (this.released || !this.db.open || this.size() > 0) return;
    this.db.close();
    this.released = true;
    removeFiles(this.path);
  }

  /**
   * Closes the file, and deletes it when nothing is left in it, unless `keep`
   * (`tracklab sync` keeps the file of a process that still runs: it is that process's to write to).
   */
  close(options: { keep?: boolean } = {}): void {
    if (this.released || !this.db.open) return;
    const empty = this.size() === 0;
    this.db.close();
    if (empty && options.keep !== true) removeFiles(this.path);
  }
}

/** A new outbox file name in `folder`: the time first, so `list` gives the oldest first. */
function newFileIn(folder: string): string {
  return path.join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.db`);
}

function removeFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}
