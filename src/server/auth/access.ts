/**
 * What one request may do: the signed-in user's permissions, read from the
 * auth database when first needed. Admins may do everything; anyone else
 * has their own grant on a resource, or the server's default permission.
 * Without `--auth` every request gets `FULL_ACCESS`.
 */
import { HttpError } from '../http-error';
import type { AuthDb, ResourceKind, User } from './auth-db';
import { authMsg } from './auth-messages';
import { allows, type Ability, type Permission } from './permissions';

export interface Access {
  /** The signed-in user; undefined when the server has no authentication. */
  readonly user: User | undefined;
  readonly isAdmin: boolean;
  permissionOn(kind: ResourceKind, resource: string): Permission;
  /** A predicate over resource ids, for filtering search results (one database read for the whole page). */
  visible(kind: ResourceKind): (resource: string) => boolean;
  /** Whether the ability holds on every resource of every kind (what the UI, which reads the whole store, needs). */
  holdsEverywhere(ability: Ability): boolean;
}

export const FULL_ACCESS: Access = {
  user: undefined,
  isAdmin: true,
  permissionOn: () => 'MANAGE',
  visible: () => () => true,
  holdsEverywhere: () => true,
};

export class UserAccess implements Access {
  constructor(readonly user: User, private readonly db: AuthDb, private readonly defaultPermission: Permission) {}

  get isAdmin(): boolean {
    return this.user.isAdmin;
  }

  permissionOn(kind: ResourceKind, resource: string): Permission {
    if (this.isAdmin) return 'MANAGE';
    return this.db.permission(kind, resource, this.user.id) ?? this.defaultPermission;
  }

  visible(kind: ResourceKind): (resource: string) => boolean {
    if (this.isAdmin) return () => true;
    const own = this.db.permissions(kind, this.user.id);
    const byDefault = allows(this.defaultPermission, 'canRead');
    return (resource) => { const p = own.get(resource); return p === undefined ? byDefault : allows(p, 'canRead'); };
  }

  holdsEverywhere(ability: Ability): boolean {
    if (this.isAdmin) return true;
    if (!allows(this.defaultPermission, ability)) return false;
    return (['experiment', 'registered_model'] as const).every((kind) => [...this.db.permissions(kind, this.user.id).values()].every((p) => allows(p, ability)));
  }
}

const NEEDS: Readonly<Record<Ability, string>> = { canRead: 'READ', canUpdate: 'EDIT', canDelete: 'MANAGE', canManage: 'MANAGE' };

/** Throws MLflow's 403 unless `access` holds `ability` on the resource. */
export function demand(access: Access, kind: ResourceKind, resource: string, ability: Ability): void {
  if (!allows(access.permissionOn(kind, resource), ability)) {
    throw new HttpError(403, 'PERMISSION_DENIED', authMsg.permissionDeniedOn(kind, resource, NEEDS[ability]));
  }
}
