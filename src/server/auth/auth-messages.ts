/** Every message of the server's access control, in one module so tests can assert them. */
import { describe, quote } from '../../messages';

/** The resource kinds of auth-db.ts (spelled here so this module imports nothing of access control). */
type ResourceKind = 'experiment' | 'registered_model';

const WHAT: Readonly<Record<ResourceKind, string>> = { experiment: 'experiment', registered_model: 'registered model' };

export const authMsg = {
  unauthenticated: () => 'You are not authenticated: send a user name and password (HTTP Basic) or an API token (Authorization: Bearer …). '
    + 'tracklab clients read TRACKLAB_TRACKING_TOKEN, or TRACKLAB_TRACKING_USERNAME and TRACKLAB_TRACKING_PASSWORD; MLflow clients read MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.',
  badCredentials: () => 'The user name or password is wrong, or the API token is unknown or revoked.',
  malformedAuthorization: () => 'The Authorization header is malformed: use "Basic <base64 of user:password>" or "Bearer <token>".',
  tooManyFailures: (seconds: number) => `Too many failed logins: try again in ${seconds} s.`,
  permissionDenied: () => 'Permission denied.',
  permissionDeniedOn: (kind: ResourceKind, resource: string, needs: string) =>
    `Permission denied: this needs ${needs} on ${WHAT[kind]} ${quote(resource, 80)}. Ask its owner or an admin to grant it.`,
  adminOnly: () => 'Permission denied: only an admin may do this.',
  selfOrAdmin: () => 'Permission denied: only the user themselves or an admin may do this.',
  uiNeedsFullRead: (username: string, refused: readonly { kind: ResourceKind; resource: string }[], defaultPermission: string | undefined) =>
    `Permission denied: the web UI shows the whole store, and user ${quote(username, 80)} may not read all of it: `
    + (defaultPermission !== undefined
      ? `this server gives ${defaultPermission} on every experiment and model nobody granted you. Ask an admin for READ on every experiment and registered model`
      : `you have no READ on ${refused.slice(0, 5).map((r) => `${WHAT[r.kind]} ${quote(r.resource, 80)}`).join(', ')}${refused.length > 5 ? ` and ${refused.length - 5} more` : ''}. `
        + `Ask an admin (or the owner) to grant you READ on ${refused.length === 1 ? 'it' : 'them'}`)
    + ', or use the REST API, which answers only what you may read.',
  uiSignIn: () => 'You are not signed in, or your user name or password was not accepted. Reload this page to sign in; '
    + 'if you have no account on this tracklab server, ask its admin to create one.',
  uiNeedsFullEdit: () => 'Permission denied: changes from the web UI need EDIT on every experiment and model.',
  tracklabCallNeedsEverywhere: () => 'Permission denied: this call reaches every experiment, so it needs that permission on all of them (or an admin).',
  invalidPermission: (what: string, value: unknown, allowed: readonly string[]) =>
    `Invalid ${what} ${describe(value)}: expected one of ${allowed.join(', ')}.`,
  invalidUsername: (value: unknown) =>
    `Invalid user name ${describe(value)}: use 1 to 64 letters, digits and _ . @ + - (starting with a letter or digit).`,
  shortPassword: (min: number) => `A password needs at least ${min} characters.`,
  longPassword: (max: number) => `A password may have at most ${max} characters.`,
  noUser: (username: string) => `User ${quote(username, 80)} not found.`,
  userExists: (username: string) => `User ${quote(username, 80)} already exists.`,
  noPermission: (kind: ResourceKind, resource: string) => `No permission of this user on ${WHAT[kind]} ${quote(resource, 80)} was found.`,
  permissionExists: (kind: ResourceKind, resource: string) =>
    `This user already has a permission on ${WHAT[kind]} ${quote(resource, 80)}: update it instead.`,
  noToken: (id: string) => `Token ${quote(id, 40)} not found among this user's tokens.`,
  lastAdmin: () => 'This is the last admin: make another user an admin first.',
  noAdmin: () => 'The auth database has no admin and none can be created: set TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD '
    + '(or start the server from a terminal to be asked), then start it again.',
  adminCreated: (username: string, file: string) => `Created admin user "${username}" in ${file}.`,
  adminEnvIgnored: (admins: readonly string[], file: string) =>
    `Ignoring TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD: ${file} already has an admin (${admins.slice(0, 5).map((a) => quote(a, 80)).join(', ')}${admins.length > 5 ? ', …' : ''}), `
    + 'and they only create the first one. Manage users through the users API (an admin token), and unset them.',
  adminNameTaken: (username: string, file: string) =>
    `${file} has no admin, and user ${quote(username, 80)} already exists as a non-admin: pick another name for the first admin.`,
  authDbTightened: (file: string, mode: number) =>
    `${file} was readable by others (mode ${mode.toString(8).padStart(4, '0')}); it holds password hashes, so it is now owner-only (0600).`,
  authDbLoose: (file: string, mode: number, why: string) =>
    `Warning: ${file} holds password hashes and is readable by others (mode ${mode.toString(8).padStart(4, '0')}), and it could not be made owner-only (${why}). `
    + `Run: chmod 600 ${file}`,
  partialAdminEnv: () => 'Set both TRACKLAB_ADMIN_USERNAME and TRACKLAB_ADMIN_PASSWORD, or neither.',
} as const;
