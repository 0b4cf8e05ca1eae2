/**
 * The first admin: from TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD
 * when set, else from a prompt when the server runs in a terminal. A server
 * whose auth database has no admin and no way to make one refuses to start.
 *
 * The variables only bootstrap: once the auth database has an admin they are
 * ignored (with one line saying so) and never fail a start. Left in a service
 * file or a shell profile, they would otherwise add an admin on every start
 * under a new name, and a later typo in them (a short password) would keep a
 * working server from starting. Users are managed through the API after that;
 * a password is never reset from the environment, since it may have been
 * changed through the API since.
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
  const admins = db.listUsers().filter((u) => u.isAdmin);
  if (admins.length > 0) {
    return username !== undefined || password !== undefined ? authMsg.adminEnvIgnored(admins.map((u) => u.username), db.file) : undefined;
  }
  if ((username === undefined) !== (password === undefined)) throw new TracklabError('INVALID_PARAMETER_VALUE', authMsg.partialAdminEnv());
  const wanted = username !== undefined && password !== undefined ? { username, password } : await prompt?.();
  if (wanted === undefined) throw new TracklabError('INVALID_STATE', authMsg.noAdmin());
  // No admin yet, so an existing user of that name is not one: making it one from the environment would hand admin to whoever set its password.
  if (db.findUser(validateUsername(wanted.username)) !== undefined) throw new TracklabError('INVALID_STATE', authMsg.adminNameTaken(wanted.username, db.file));
  db.createUser(wanted.username, await hashPassword(validatePassword(wanted.password)), true);
  return authMsg.adminCreated(wanted.username, db.file);
}
