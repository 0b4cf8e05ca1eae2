/**
 * File modes. Staging files are private while they are written; a finished
 * file gets the bits asked for minus the process umask, so tracklab never
 * makes a file more readable than the user's umask allows (0444 blobs under
 * umask 077 would hand every user on the machine the user's artifacts).
 */

/** Temp and `.part` files: only the owner may read them while they are incomplete. */
export const STAGING_MODE = 0o600;

/** An ordinary new file: read-write, as `open(..., 0o666)` would create it. */
export const NEW_FILE_MODE = 0o666;

/** Content-addressed blobs are shared by runs and never written again: read-only. */
export const READ_ONLY_MODE = 0o444;

/**
 * `mode` with the umask's bits cleared.
 *
 * @example
 * withUmask(0o444); // 0o444 under umask 022, 0o400 under umask 077
 */
export function withUmask(mode: number): number {
  // Reading the umask without setting it (DEP0139 was revoked); allowed in worker threads too.
  return mode & ~process.umask();
}
