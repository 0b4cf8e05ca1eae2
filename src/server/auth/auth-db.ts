/**
 * The auth database: users (scrypt password hashes), API tokens (sha256 of
 * the secret) and per-experiment and per-registered-model permissions.
 *
 * It is its own SQLite file, not tables in the tracking store, because:
 * - credentials stay out of the data people copy, back up and share
 *   (`tracklab migrate-store`, a store folder zipped for a colleague), and a
 *   read-only database user for analytics never sees a hash;
 * - it works the same over every tracking backend (SQLite, PostgreSQL)
 *   without a migration in each;
 * - MLflow's basic-auth app does the same (its own `database_uri`).
 * The cost: one server process owns it (several servers over one PostgreSQL
 * store would each need the same file on a shared local disk).
 *
 * Every method is synchronous and one transaction (better-sqlite3, through
 * the store's one connection module).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../../errors';
import { openConnection, type Connection } from '../../store/sqlite/connection';
import type { Migration } from '../../store/sqlite/schema';
import { authMsg } from './auth-messages';
import type { Permission } from './permissions';

export interface User {
  readonly id: number;
  readonly username: string;
  readonly isAdmin: boolean;
}

export interface StoredUser extends User {
  readonly passwordHash: string;
}

export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly createdTime: number;
}

/** Which resource a permission row is about. */
export type ResourceKind = 'experiment' | 'registered_model';

const TABLE: Readonly<Record<ResourceKind, { table: string; key: string }>> = {
  experiment: { table: 'experiment_permissions', key: 'experiment_id' },
  registered_model: { table: 'registered_model_permissions', key: 'name' },
};

const MIGRATIONS: readonly Migration[] = [{
  version: 1,
  name: 'users, tokens and permissions',
  sql: `
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_admin      INTEGER NOT NULL DEFAULT 0,
  created_time  INTEGER NOT NULL
);
CREATE TABLE tokens (
  id           TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  created_time INTEGER NOT NULL
);
CREATE TABLE experiment_permissions (
  experiment_id TEXT NOT NULL,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  permission    TEXT NOT NULL,
  PRIMARY KEY (experiment_id, user_id)
);
CREATE TABLE registered_model_permissions (
  name       TEXT NOT NULL,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  PRIMARY KEY (name, user_id)
);
CREATE INDEX tokens_user ON tokens(user_id);
`,
}];

/**
 * Makes the auth database (password and token hashes) 0600 before SQLite
 * opens it. A new file is created 0600 here, since SQLite would make it 0644
 * under the usual umask; SQLite gives its -wal and -shm files the mode of the
 * database file, so they follow. An existing file with looser mode (made by
 * an older tracklab) is tightened rather than only warned about: the hashes
 * are exposed until someone acts, a warning in a service log is easily
 * missed, and the only reader that needs the file is this server, which runs
 * as its owner. When tightening fails (another user owns the file) we warn.
 * On Windows modes mean little, so nothing is done there.
 */
function ownerOnly(file: string): string[] {
  if (process.platform === 'win32') return [];
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600));
    return [];
  } catch (err) {
    // EEXIST: tighten below. Anything else (a missing folder we cannot make): SQLite's open reports it in its own words.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return [];
  }
  const notices: string[] = [];
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    let mode: number;
    try {
      mode = fs.statSync(f).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o077) === 0) continue;
    try {
      fs.chmodSync(f, mode & 0o700);
      notices.push(authMsg.authDbTightened(f, mode));
    } catch (err) {
      notices.push(authMsg.authDbLoose(f, mode, (err as NodeJS.ErrnoException).code ?? String(err)));
    }
  }
  return notices;
}

interface UserRow { id: number; username: string; password_hash: string; is_admin: number }

function toUser(row: UserRow): StoredUser {
  return { id: row.id, username: row.username, isAdmin: row.is_admin === 1, passwordHash: row.password_hash };
}

export class AuthDb {
  private readonly conn: Connection;

  /** What opening did to the file's mode, for the server to print (see `ownerOnly`). */
  readonly notices: readonly string[];

  /** Opens (creating and migrating) the auth database at `file`, readable by its owner only. */
  constructor(readonly file: string) {
    this.notices = ownerOnly(file);
    this.conn = openConnection(path.dirname(file), MIGRATIONS, file);
  }

  close(): void {
    this.conn.close();
  }

  userCount(): number {
    return this.conn.read('count users', () => (this.conn.stmt('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n);
  }

  findUser(username: string): StoredUser | undefined {
    const row = this.conn.read('read a user', () => this.conn.stmt('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined);
    return row && toUser(row);
  }

  /** The user, or RESOURCE_DOES_NOT_EXIST. */
  getUser(username: string): StoredUser {
    const user = this.findUser(username);
    if (user === undefined) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', authMsg.noUser(username));
    return user;
  }

  userById(id: number): StoredUser | undefined {
    const row = this.conn.read('read a user', () => this.conn.stmt('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined);
    return row && toUser(row);
  }

  listUsers(): User[] {
    return this.conn.read('list users', () => (this.conn.stmt('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser))
      .map(({ id, username, isAdmin }) => ({ id, username, isAdmin }));
  }

  createUser(username: string, passwordHash: string, isAdmin: boolean): StoredUser {
    return this.conn.write('create a user', () => {
      if (this.conn.stmt('SELECT 1 FROM users WHERE username = ?').get(username)) {
        throw new TracklabError('RESOURCE_ALREADY_EXISTS', authMsg.userExists(username));
      }
      const info = this.conn.stmt('INSERT INTO users (username, password_hash, is_admin, created_time) VALUES (?, ?, ?, ?)')
        .run(username, passwordHash, isAdmin ? 1 : 0, Date.now());
      return { id: Number(info.lastInsertRowid), username, isAdmin, passwordHash };
    });
  }

  updatePassword(username: string, passwordHash: string): void {
    this.changeUser(username, 'UPDATE users SET password_hash = ? WHERE username = ?', passwordHash);
  }

  updateAdmin(username: string, isAdmin: boolean): void {
    this.changeUser(username, 'UPDATE users SET is_admin = ? WHERE username = ?', isAdmin ? 1 : 0);
  }

  /** Deletes the user with their tokens and permissions. */
  deleteUser(username: string): void {
    this.conn.write('delete a user', () => {
      if (this.conn.stmt('DELETE FROM users WHERE username = ?').run(username).changes === 0) {
        throw new TracklabError('RESOURCE_DOES_NOT_EXIST', authMsg.noUser(username));
      }
    });
  }

  private changeUser(username: string, sql: string, value: string | number): void {
    this.conn.write('update a user', () => {
      if (this.conn.stmt(sql).run(value, username).changes === 0) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', authMsg.noUser(username));
    });
  }

  // --- permissions -------------------------------------------------------

  /** The user's own permission on the resource, if one was granted. */
  permission(kind: ResourceKind, resource: string, userId: number): Permission | undefined {
    const { table, key } = TABLE[kind];
    const row = this.conn.read('read a permission', () => this.conn.stmt(`SELECT permission FROM ${table} WHERE ${key} = ? AND user_id = ?`).get(resource, userId) as { permission: Permission } | undefined);
    return row?.permission;
  }

  /** Every permission the user holds on resources of `kind`, by resource. */
  permissions(kind: ResourceKind, userId: number): Map<string, Permission> {
    const { table, key } = TABLE[kind];
    const rows = this.conn.read('list permissions', () => this.conn.stmt(`SELECT ${key} AS resource, permission FROM ${table} WHERE user_id = ? ORDER BY ${key}`).all(userId) as { resource: string; permission: Permission }[]);
    return new Map(rows.map((r) => [r.resource, r.permission]));
  }

  createPermission(kind: ResourceKind, resource: string, userId: number, permission: Permission): void {
    const { table, key } = TABLE[kind];
    this.conn.write('create a permission', () => {
      if (this.conn.stmt(`SELECT 1 FROM ${table} WHERE ${key} = ? AND user_id = ?`).get(resource, userId)) {
        throw new TracklabError('RESOURCE_ALREADY_EXISTS', authMsg.permissionExists(kind, resource));
      }
      this.conn.stmt(`INSERT INTO ${table} (${key}, user_id, permission) VALUES (?, ?, ?)`).run(resource, userId, permission);
    });
  }

  /** Grants `permission`, replacing an earlier one (a creator's MANAGE). */
  grant(kind: ResourceKind, resource: string, userId: number, permission: Permission): void {
    const { table, key } = TABLE[kind];
    this.conn.write('grant a permission', () => {
      this.conn.stmt(`INSERT INTO ${table} (${key}, user_id, permission) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET permission = excluded.permission`).run(resource, userId, permission);
    });
  }

  updatePermission(kind: ResourceKind, resource: string, userId: number, permission: Permission): void {
    const { table, key } = TABLE[kind];
    this.conn.write('update a permission', () => {
      if (this.conn.stmt(`UPDATE ${table} SET permission = ? WHERE ${key} = ? AND user_id = ?`).run(permission, resource, userId).changes === 0) {
        throw new TracklabError('RESOURCE_DOES_NOT_EXIST', authMsg.noPermission(kind, resource));
      }
    });
  }

  deletePermission(kind: ResourceKind, resource: string, userId: number): void {
    const { table, key } = TABLE[kind];
    this.conn.write('delete a permission', () => {
      if (this.conn.stmt(`DELETE FROM ${table} WHERE ${key} = ? AND user_id = ?`).run(resource, userId).changes === 0) {
        throw new TracklabError('RESOURCE_DOES_NOT_EXIST', authMsg.noPermission(kind, resource));
      }
    });
  }

  /** A renamed registered model keeps its grants. */
  renameModel(from: string, to: string): void {
    this.conn.write('rename model permissions', () => {
      this.conn.stmt('UPDATE registered_model_permissions SET name = ? WHERE name = ?').run(to, from);
    });
  }

  /** A deleted model's grants go with it, so a new model of that name starts clean (as in MLflow). */
  forgetModel(name: string): void {
    this.conn.write('delete model permissions', () => {
      this.conn.stmt('DELETE FROM registered_model_permissions WHERE name = ?').run(name);
    });
  }

  // --- tokens ------------------------------------------------------------

  createToken(userId: number, id: string, name: string, tokenHash: string): TokenInfo {
    const createdTime = Date.now();
    this.conn.write('create a token', () => {
      this.conn.stmt('INSERT INTO tokens (id, user_id, name, token_hash, created_time) VALUES (?, ?, ?, ?, ?)').run(id, userId, name, tokenHash, createdTime);
    });
    return { id, name, createdTime };
  }

  /** The user a token hash belongs to. */
  tokenUser(tokenHash: string): StoredUser | undefined {
    const row = this.conn.read('read a token', () => this.conn.stmt('SELECT users.* FROM tokens JOIN users ON users.id = tokens.user_id WHERE token_hash = ?').get(tokenHash) as UserRow | undefined);
    return row && toUser(row);
  }

  listTokens(userId: number): TokenInfo[] {
    const rows = this.conn.read('list tokens', () => this.conn.stmt('SELECT id, name, created_time FROM tokens WHERE user_id = ? ORDER BY created_time, id').all(userId) as { id: string; name: string; created_time: number }[]);
    return rows.map((r) => ({ id: r.id, name: r.name, createdTime: r.created_time }));
  }

  /** Deletes the token; RESOURCE_DOES_NOT_EXIST unless it is `userId`'s. */
  revokeToken(id: string, userId: number): void {
    this.conn.write('revoke a token', () => {
      if (this.conn.stmt('DELETE FROM tokens WHERE id = ? AND user_id = ?').run(id, userId).changes === 0) {
        throw new TracklabError('RESOURCE_DOES_NOT_EXIST', authMsg.noToken(id));
      }
    });
  }
}
