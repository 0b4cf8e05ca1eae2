/**
 * The access-control endpoints, on MLflow's basic-auth paths
 * (mlflow/server/auth/routes.py) with its fields and answers, plus
 * tracklab's API tokens:
 * - users: create, get, list, update-password, update-admin, delete;
 * - experiments/permissions and registered-models/permissions: create, get, update, delete;
 * - users/tokens: create (the secret is shown once), list, revoke.
 * Users and admin rights are an admin's business; a user may read
 * themselves, change their own password and manage their own tokens;
 * granting on a resource needs MANAGE on it.
 */
import { randomBytes } from 'node:crypto';
import { TracklabError } from '../../errors';
import type { ApiContext } from '../api-context';
import { HttpError } from '../http-error';
import type { RequestFields } from '../request-fields';
import { demand, type Access } from './access';
import type { AuthDb, ResourceKind, StoredUser, User } from './auth-db';
import { authMsg } from './auth-messages';
import { tokenHash } from './authenticator';
import { hashPassword } from './password-hash';
import { parsePermission, type Permission } from './permissions';
import { experimentKey } from './route-access';

export interface AdminRoute {
  readonly handler: (ctx: ApiContext, fields: RequestFields, access: Access) => Promise<object>;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$/;
export const PASSWORD_MIN = 8;
const PASSWORD_MAX = 1024;

export function validateUsername(name: unknown): string {
  if (typeof name !== 'string' || !USERNAME.test(name)) throw new TracklabError('INVALID_PARAMETER_VALUE', authMsg.invalidUsername(name));
  return name;
}

export function validatePassword(password: string): string {
  if ([...password].length < PASSWORD_MIN) throw new TracklabError('INVALID_PARAMETER_VALUE', authMsg.shortPassword(PASSWORD_MIN));
  if (password.length > PASSWORD_MAX) throw new TracklabError('INVALID_PARAMETER_VALUE', authMsg.longPassword(PASSWORD_MAX));
  return password;
}

function requireAdmin(access: Access): void {
  if (!access.isAdmin) throw new HttpError(403, 'PERMISSION_DENIED', authMsg.adminOnly());
}

/** The user a request names, who must be the sender unless the sender is an admin; the sender when it names nobody and `optional`. */
function namedUser(db: AuthDb, fields: RequestFields, access: Access, optional = false): StoredUser {
  const name = optional ? fields.string('username') || access.user!.username : fields.string('username', true);
  if (name !== access.user!.username && !access.isAdmin) throw new HttpError(403, 'PERMISSION_DENIED', authMsg.selfOrAdmin());
  return db.getUser(name);
}

function userJson(db: AuthDb, user: User): object {
  return {
    id: user.id,
    username: user.username,
    is_admin: user.isAdmin,
    experiment_permissions: [...db.permissions('experiment', user.id)].map(([experiment_id, permission]) => ({ experiment_id, user_id: user.id, permission })),
    registered_model_permissions: [...db.permissions('registered_model', user.id)].map(([name, permission]) => ({ name, user_id: user.id, permission })),
  };
}

function keepAnAdmin(db: AuthDb, user: StoredUser): void {
  if (user.isAdmin && db.listUsers().filter((u) => u.isAdmin).length === 1) throw new TracklabError('INVALID_STATE', authMsg.lastAdmin());
}

/** Permission endpoints of one resource kind: `field` names the resource in requests and answers. */
function permissionRoutes(db: AuthDb, kind: ResourceKind, field: 'experiment_id' | 'name', answer: string): [string, AdminRoute][] {
  const base = kind === 'experiment' ? 'experiments/permissions' : 'registered-models/permissions';
  const target = async (ctx: ApiContext, f: RequestFields, access: Access): Promise<{ resource: string; user: StoredUser }> => {
    const raw = f.string(field, true);
    const resource = kind === 'experiment' ? await experimentKey(ctx, raw) : raw;
    demand(access, kind, resource, 'canManage');
    return { resource, user: db.getUser(f.string('username', true)) };
  };
  const json = (resource: string, user: StoredUser, permission: Permission) => ({ [answer]: { [field]: resource, user_id: user.id, permission } });
  return [
    [`POST ${base}/create`, { handler: async (ctx, f, access) => {
      const permission = parsePermission(f.string('permission', true));
      const { resource, user } = await target(ctx, f, access);
      db.createPermission(kind, resource, user.id, permission);
      return json(resource, user, permission);
    } }],
    [`GET ${base}/get`, { handler: async (ctx, f, access) => {
      const { resource, user } = await target(ctx, f, access);
      const permission = db.permission(kind, resource, user.id);
      if (permission === undefined) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', authMsg.noPermission(kind, resource));
      return json(resource, user, permission);
    } }],
    [`PATCH ${base}/update`, { handler: async (ctx, f, access) => {
      const permission = parsePermission(f.string('permission', true));
      const { resource, user } = await target(ctx, f, access);
      db.updatePermission(kind, resource, user.id, permission);
      return {};
    } }],
    [`DELETE ${base}/delete`, { handler: async (ctx, f, access) => {
      const { resource, user } = await target(ctx, f, access);
      db.deletePermission(kind, resource, user.id);
      return {};
    } }],
  ];
}

/** Route key: `<METHOD> <path below /api/2.0/mlflow/>`. */
export function adminRoutes(db: AuthDb): ReadonlyMap<string, AdminRoute> {
  return new Map<string, AdminRoute>([
    ['POST users/create', { handler: async (_ctx, f, access) => {
      requireAdmin(access);
      const username = validateUsername(f.string('username', true));
      const hash = await hashPassword(validatePassword(f.string('password', true)));
      return { user: userJson(db, db.createUser(username, hash, false)) };
    } }],
    ['GET users/get', { handler: async (_ctx, f, access) => ({ user: userJson(db, namedUser(db, f, access)) }) }],
    ['GET users/list', { handler: async (_ctx, _f, access) => {
      requireAdmin(access);
      return { users: db.listUsers().map((u) => ({ id: u.id, username: u.username, is_admin: u.isAdmin })) };
    } }],
    ['PATCH users/update-password', { handler: async (_ctx, f, access) => {
      const user = namedUser(db, f, access);
      db.updatePassword(user.username, await hashPassword(validatePassword(f.string('password', true))));
      return {};
    } }],
    ['PATCH users/update-admin', { handler: async (_ctx, f, access) => {
      requireAdmin(access);
      const user = db.getUser(f.string('username', true));
      const isAdmin = f.bool('is_admin', true);
      if (!isAdmin) keepAnAdmin(db, user);
      db.updateAdmin(user.username, isAdmin);
      return {};
    } }],
    ['DELETE users/delete', { handler: async (_ctx, f, access) => {
      requireAdmin(access);
      const user = db.getUser(f.string('username', true));
      keepAnAdmin(db, user);
      db.deleteUser(user.username);
      return {};
    } }],
    ...permissionRoutes(db, 'experiment', 'experiment_id', 'experiment_permission'),
    ...permissionRoutes(db, 'registered_model', 'name', 'registered_model_permission'),
    ['POST users/tokens/create', { handler: async (_ctx, f, access) => {
      const user = namedUser(db, f, access, true);
      const name = f.string('name') ?? '';
      const secret = `tlk_${randomBytes(32).toString('base64url')}`;
      const info = db.createToken(user.id, randomBytes(9).toString('base64url'), name, tokenHash(secret));
      return { token: { id: info.id, name: info.name, created_time: info.createdTime }, secret };
    } }],
    ['GET users/tokens/list', { handler: async (_ctx, f, access) => {
      const user = namedUser(db, f, access, true);
      return { tokens: db.listTokens(user.id).map((t) => ({ id: t.id, name: t.name, created_time: t.createdTime })) };
    } }],
    ['DELETE users/tokens/revoke', { handler: async (_ctx, f, access) => {
      const user = namedUser(db, f, access, true);
      db.revokeToken(f.string('id', true), user.id);
      return {};
    } }],
  ]);
}
