/**
 * The first admin: from TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD
 * when set (created if that user does not exist yet; an existing user's
 * password is never reset from the environment, since it may have been
 * changed through the API since), else from a prompt when the server runs in
 * a terminal. A server whose auth database has no admin and no way to make
 * one refuses to start.
 */
import { TracklabError } from '../../errors';
import type { AuthDb } from './auth-db';
import { authMsg } from './auth-messages';
import { validatePassword, validateUsername } from './admin-routes';
import { hashPassword } from './password-hash';

export const ADMIN_USERNAME_ENV = 'TRACKLAB_ADMIN_USERNAME';
export const ADMIN_PASSWORD_ENV = 'TRACKLAB_ADMIN_PASSWORD';

/** Asks for the admin's name and password (the password without echo); undefined when there is no terminal. */
export type AdminPrompt = () => Promise<{ username: string; password: string } | undefined>;

/** Returns what it did, for the server to print; never the password. */
export async function ensureAdmin(db: AuthDb, env: NodeJS.ProcessEnv, prompt?: AdminPrompt): Promise<string | undefined> {
  const username = env[ADMIN_USERNAME_ENV];
  const password = env[ADMIN_PASSWORD_ENV];
  if ((username === undefined) !== (password === undefined)) throw new TracklabError('INVALID_PARAMETER_VALUE', authMsg.partialAdminEnv());
  const hasAdmin = db.listUsers().some((u) => u.isAdmin);
  let wanted = username !== undefined && password !== undefined ? { username, password } : undefined;
  if (wanted === undefined && !hasAdmin) wanted = await prompt?.();
  if (wanted === undefined) {
    if (!hasAdmin) throw new TracklabError('INVALID_STATE', authMsg.noAdmin());
    return undefined;
  }
  if (db.findUser(validateUsername(wanted.username)) !== undefined) return undefined;
  db.createUser(wanted.username, await hashPassword(validatePassword(wanted.password)), true);
  return authMsg.adminCreated(wanted.username, db.file);
}
