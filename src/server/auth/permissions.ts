/**
 * MLflow's permission levels (mlflow/server/auth/permissions.py) and what
 * each allows. A permission belongs to one user on one experiment or one
 * registered model; runs, metrics and artifacts take their experiment's.
 */
import { TracklabError } from '../../errors';
import { authMsg } from './auth-messages';

export const Permission = {
  READ: { canRead: true, canUpdate: false, canDelete: false, canManage: false },
  EDIT: { canRead: true, canUpdate: true, canDelete: false, canManage: false },
  MANAGE: { canRead: true, canUpdate: true, canDelete: true, canManage: true },
  NO_PERMISSIONS: { canRead: false, canUpdate: false, canDelete: false, canManage: false },
} as const;
export type Permission = keyof typeof Permission;

/** What a request needs on its experiment or registered model. */
export type Ability = 'canRead' | 'canUpdate' | 'canDelete' | 'canManage';

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(Permission, value);
}

/** The permission named `value`, or INVALID_PARAMETER_VALUE naming the four. */
export function parsePermission(value: unknown, what = 'permission'): Permission {
  if (!isPermission(value)) throw new TracklabError('INVALID_PARAMETER_VALUE', authMsg.invalidPermission(what, value, Object.keys(Permission)));
  return value;
}

export function allows(permission: Permission, ability: Ability): boolean {
  return Permission[permission][ability];
}
