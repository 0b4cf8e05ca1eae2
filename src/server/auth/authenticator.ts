/**
 * Who sent a request: checks Basic credentials or a Bearer token against
 * the auth database, with login rate limiting, and answers 401 (with
 * `WWW-Authenticate: Basic`) or 429 (with `Retry-After`) in MLflow's error
 * shape. Credentials are never logged or put in a message.
 *
 * A password check costs a scrypt (~100 ms); a client sends its password
 * on every request, so a verified login is remembered for a few minutes,
 * keyed by an HMAC of the credentials under a per-process secret, and only
 * while the user's stored hash is unchanged (a new password, or a deleted
 * user, ends it at once).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http-error';
import type { AuthDb, StoredUser } from './auth-db';
import { authMsg } from './auth-messages';
import { parseAuthorization } from './credentials';
import { LoginLimiter } from './login-limiter';
import { decoyHash, verifyPassword } from './password-hash';

const REMEMBER_MS = 5 * 60_000;
const REMEMBER_MAX = 10_000;

export const AUTH_REALM = 'Basic realm="tracklab", charset="UTF-8"';

/** The sha256 under which a token is stored (a token is 256 random bits, so no salt or slow hash is needed). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class Authenticator {
  private readonly secret = randomBytes(32);
  private readonly remembered = new Map<string, { passwordHash: string; userId: number; until: number }>();

  constructor(private readonly db: AuthDb, private readonly limiter: LoginLimiter) {}

  /** The user who sent `req`, or a 401 / 429 HttpError. */
  async authenticate(req: IncomingMessage): Promise<StoredUser> {
    const credentials = parseAuthorization(req.headers.authorization);
    if (credentials === undefined) throw unauthenticated(authMsg.unauthenticated());
    if (credentials === 'malformed') throw unauthenticated(authMsg.malformedAuthorization());
    const address = req.socket.remoteAddress ?? 'unknown';
    const username = credentials.kind === 'basic' ? credentials.username : undefined;
    const wait = this.limiter.wait(username, address);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HttpError(429, 'REQUEST_LIMIT_EXCEEDED', authMsg.tooManyFailures(seconds), { 'retry-after': String(seconds) });
    }
    const user = credentials.kind === 'basic'
      ? await this.checkPassword(credentials.username, credentials.password)
      : this.db.tokenUser(tokenHash(credentials.token));
    if (user === undefined) {
      this.limiter.failed(username, address);
      throw unauthenticated(authMsg.badCredentials());
    }
    if (username !== undefined) this.limiter.succeeded(username);
    return user;
  }

  private async checkPassword(username: string, password: string): Promise<StoredUser | undefined> {
    const key = createHmac('sha256', this.secret).update(username).update('\0').update(password).digest('base64url');
    const user = this.db.findUser(username);
    const memo = this.remembered.get(key);
    if (memo !== undefined && user !== undefined && memo.until > Date.now() && memo.userId === user.id && memo.passwordHash === user.passwordHash) return user;
    const ok = await verifyPassword(password, user?.passwordHash ?? await decoyHash());
    if (!ok || user === undefined) return undefined;
    this.remembered.delete(key);
    this.remembered.set(key, { passwordHash: user.passwordHash, userId: user.id, until: Date.now() + REMEMBER_MS });
    while (this.remembered.size > REMEMBER_MAX) this.remembered.delete(this.remembered.keys().next().value!);
    return user;
  }
}

function unauthenticated(message: string): HttpError {
  return new HttpError(401, 'UNAUTHENTICATED', message, { 'www-authenticate': AUTH_REALM });
}
