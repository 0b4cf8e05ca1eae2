/**
 * A tracking server with `--auth` for tests: the real app over a real store
 * (see server-fixture.ts), its auth database in a temp folder, the admin
 * made from TRACKLAB_ADMIN_* values as the CLI makes it, and helpers that
 * sign requests in as a user or with a token.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureAdmin } from '../../src/server/auth/admin-bootstrap';
import type { TrackingServerOptions } from '../../src/server/tracking-server';
import type { StoreKind } from '../support/test-stores';
import { api, startServerFixture, type ServerFixture } from './server-fixture';

export const ADMIN = { username: 'admin', password: 'admin-password-1' } as const;

export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export interface AuthFixture extends ServerFixture {
  readonly authDir: string;
  /** An API call signed in with these headers. */
  as(headers: Record<string, string>): (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', p: string, body?: unknown) => ReturnType<typeof api>;
  /** Creates a user (as the admin) and returns their Basic headers. */
  user(username: string, password?: string): Promise<Record<string, string>>;
}

export async function startAuthFixture(kind: StoreKind, options: Partial<TrackingServerOptions> = {}, auth: Partial<NonNullable<TrackingServerOptions['auth']>> = {}): Promise<AuthFixture> {
  const authDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-auth-'));
  const fx = await startServerFixture(kind, {
    ...options,
    auth: {
      dbFile: path.join(authDir, 'auth.db'),
      prepare: async (a) => { await ensureAdmin(a.db, { TRACKLAB_ADMIN_USERNAME: ADMIN.username, TRACKLAB_ADMIN_PASSWORD: ADMIN.password }); },
      ...auth,
    },
  });
  const as = (headers: Record<string, string>) => (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', p: string, body?: unknown) => api(fx.url, method, p, body, headers);
  return {
    ...fx,
    authDir,
    as,
    async user(username, password = `${username}-password`) {
      const r = await as(basic(ADMIN.username, ADMIN.password))('POST', 'users/create', { username, password });
      if (r.status !== 200) throw new Error(`creating ${username}: ${JSON.stringify(r.body)}`);
      return basic(username, password);
    },
    async close() {
      await fx.close();
      fs.rmSync(authDir, { recursive: true, force: true });
    },
  };
}
