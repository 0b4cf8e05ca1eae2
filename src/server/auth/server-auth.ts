/**
 * Access control of `tracklab server --auth`, as the tracking server sees
 * it: who sent a request (authenticator.ts), what each route needs
 * (route-access.ts), the admin endpoints (admin-routes.ts), and the
 * filtering of search results to what the user may read.
 */
import type { IncomingMessage } from 'node:http';
import type { ApiContext, ApiHandler } from '../api-context';
import { normalizeArtifactPath } from '../../artifacts/artifact-path';
import { HttpError } from '../http-error';
import type { RequestFields } from '../request-fields';
import { FULL_ACCESS, UserAccess, demand, type Access } from './access';
import { AuthDb, type ResourceKind } from './auth-db';
import { authMsg } from './auth-messages';
import { Authenticator } from './authenticator';
import { adminRoutes, type AdminRoute } from './admin-routes';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './login-limiter';
import { allows, type Permission } from './permissions';
import { routeAccessTable, type FilteredSearch, type RouteAccess } from './route-access';
import type { TracklabCallContext } from './tracklab-api-access';
import type { RegistryStore } from '../../store/registry-store';
import type { TrackingStore } from '../../store/store';

export interface ServerAuthOptions {
  /** The auth database file (see auth-db.ts for why it is apart from the tracking store). */
  readonly dbFile: string;
  /** What users have on resources nobody granted them anything on. Default READ, as MLflow. */
  readonly defaultPermission?: Permission;
  readonly loginLimits?: LoginLimits;
  /** Runs once the auth database is open and before the server listens (the CLI makes the first admin here). */
  readonly prepare?: (auth: ServerAuth) => Promise<void>;
}

export class ServerAuth {
  readonly db: AuthDb;
  readonly defaultPermission: Permission;
  private readonly authenticator: Authenticator;
  private readonly routes: ReadonlyMap<string, RouteAccess>;
  private readonly admin: ReadonlyMap<string, AdminRoute>;

  constructor(options: ServerAuthOptions) {
    this.db = new AuthDb(options.dbFile);
    this.defaultPermission = options.defaultPermission ?? 'READ';
    this.authenticator = new Authenticator(this.db, new LoginLimiter(options.loginLimits ?? DEFAULT_LOGIN_LIMITS));
    const db = this.db;
    this.routes = routeAccessTable({
      grant: (kind, resource, access) => { if (access.user !== undefined) db.grant(kind, resource, access.user.id, 'MANAGE'); },
      renameModel: (from, to) => db.renameModel(from, to),
      forgetModel: (name) => db.forgetModel(name),
    });
    this.admin = adminRoutes(this.db);
  }

  close(): void {
    this.db.close();
  }

  async authenticate(req: IncomingMessage): Promise<Access> {
    return new UserAccess(await this.authenticator.authenticate(req), this.db, this.defaultPermission);
  }

  /** An access-control endpoint at `key` (`<METHOD> <path below /api/2.0/mlflow/>`), if there is one. */
  adminRoute(key: string): AdminRoute | undefined {
    return this.admin.get(key);
  }

  /** The methods the access-control endpoint `name` answers (none when there is no such endpoint), for a 405's Allow. */
  adminMethods(name: string): string[] {
    return [...this.admin.keys()].filter((key) => key.slice(key.indexOf(' ') + 1) === name).map((key) => key.slice(0, key.indexOf(' ')));
  }

  /** Runs an MLflow endpoint for `access`: its check first, then the handler (paged and filtered for searches), then its grants. */
  async run(key: string, handler: ApiHandler, ctx: ApiContext, fields: RequestFields, access: Access): Promise<object> {
    const route = this.routes.get(key);
    if (route === undefined) {
      if (!access.isAdmin) throw new HttpError(403, 'PERMISSION_DENIED', authMsg.adminOnly());
      return handler(ctx, fields, access.user?.username);
    }
    await route.check(ctx, fields, access);
    const body = route.filter !== undefined && !access.isAdmin
      ? await filteredSearch(route.filter, handler, ctx, fields, access)
      : await handler(ctx, fields, access.user?.username) as Record<string, unknown>;
    route.after?.(fields, body as Record<string, unknown>, access);
    return body;
  }

  /**
   * The artifact proxy: reading needs READ on the experiment in the path,
   * uploading EDIT. A path that does not parse is left to the proxy, which
   * refuses it without reading anything.
   */
  authorizeArtifacts(access: Access, method: string, experimentPath: string | undefined): void {
    if (access.isAdmin || experimentPath === undefined || experimentPath === '') return;
    let experimentId: string;
    try {
      experimentId = normalizeArtifactPath(experimentPath).split('/')[0]!;
    } catch {
      return;
    }
    demand(access, 'experiment', experimentId, method === 'GET' || method === 'HEAD' ? 'canRead' : 'canUpdate');
  }

  /** Throws 403 unless `access` holds `ability` on one experiment or registered model. */
  authorizeResource(access: Access, kind: ResourceKind, resource: string, ability: 'canRead' | 'canUpdate'): void {
    demand(access, kind, resource, ability);
  }

  /** The web UI reads the whole store through the client, so it is open to users who may read (or, for changes, edit) all of it. */
  authorizeUi(access: Access, method: string): void {
    if (method === 'GET' || method === 'HEAD') {
      if (!access.holdsEverywhere('canRead')) throw new HttpError(403, 'PERMISSION_DENIED', this.uiReadRefusal(access));
    } else if (!access.holdsEverywhere('canUpdate')) {
      throw new HttpError(403, 'PERMISSION_DENIED', authMsg.uiNeedsFullEdit());
    }
  }

  /** Names what the user may not read, so the page can say what to ask an admin for. */
  private uiReadRefusal(access: Access): string {
    const user = access.user!; // FULL_ACCESS reads everything
    if (!allows(this.defaultPermission, 'canRead')) return authMsg.uiNeedsFullRead(user.username, [], this.defaultPermission);
    const refused = (['experiment', 'registered_model'] as const).flatMap((kind) =>
      [...this.db.permissions(kind, user.id)].filter(([, p]) => !allows(p, 'canRead')).map(([resource]) => ({ kind, resource })));
    return authMsg.uiNeedsFullRead(user.username, refused, undefined);
  }

  /** What tracklab's own API (/api/tracklab/v1, the remote store's) checks each call against: see tracklab-api-access.ts. */
  tracklabCallContext(access: Access, ctx: ApiContext, tracking: TrackingStore, registry: () => RegistryStore): TracklabCallContext {
    const db = this.db;
    return {
      tracking, registry, access,
      experimentOfRun: (runId) => ctx.experimentOfRun(runId),
      grant: (kind, resource) => { if (access.user !== undefined) db.grant(kind, resource, access.user.id, 'MANAGE'); },
      renameModel: (from, to) => db.renameModel(from, to),
      forgetModel: (name) => db.forgetModel(name),
    };
  }
}

/**
 * A search answer holding only readable items, as full as the user asked:
 * each further page is asked for exactly the number still missing, so the
 * page token after it points just past the last item looked at and no item
 * is skipped or repeated across pages.
 */
async function filteredSearch(search: FilteredSearch, handler: ApiHandler, ctx: ApiContext, fields: RequestFields, access: Access): Promise<Record<string, unknown>> {
  const visible = access.visible(search.kind as ResourceKind);
  const max = fields.int64('max_results') ?? search.defaultMaxResults;
  const items: Record<string, unknown>[] = [];
  let token = fields.string('page_token') || undefined;
  for (;;) {
    const page = await handler(ctx, fields.with('max_results', max - items.length).with('page_token', token)) as Record<string, unknown>;
    for (const item of (page[search.list] ?? []) as Record<string, unknown>[]) if (visible(search.idOf(item))) items.push(item);
    token = typeof page.next_page_token === 'string' && page.next_page_token !== '' ? page.next_page_token : undefined;
    if (token === undefined || items.length >= max) break;
  }
  const out: Record<string, unknown> = {};
  if (items.length > 0) out[search.list] = items;
  if (token !== undefined) out.next_page_token = token;
  return out;
}

export { FULL_ACCESS, type Access };
