/**
 * Login rate limiting, per user name and per client address: after a few
 * failures in a row each further failure doubles a lockout (1 s, 2 s, 4 s,
 * ... up to 15 min) during which that name or address gets 429 without its
 * password even being checked. A success clears the user's count, never the
 * address's (an attacker holding one valid account must not reset the
 * counter it uses to guess others); counts fade after 15 quiet minutes.
 *
 * State is in memory (one server process) and bounded: past `maxEntries`
 * the oldest entries go first.
 */

export interface LoginLimits {
  /** Failures of one user name before lockouts start. Default 5. */
  readonly perUser: number;
  /** Failures from one client address before lockouts start (many users may share one NAT). Default 20. */
  readonly perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUser: 5, perAddress: 20 };

const MAX_LOCK_MS = 15 * 60_000;
const FORGET_AFTER_MS = 15 * 60_000;

interface Entry { failures: number; lastFailure: number; lockedUntil: number }

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS, private readonly now: () => number = Date.now, private readonly maxEntries = 100_000) {}

  /** Milliseconds until this login may be tried again; 0 when it may go ahead. */
  wait(username: string | undefined, address: string): number {
    const now = this.now();
    const keys = username === undefined ? [`a:${address}`] : [`u:${username}`, `a:${address}`];
    return Math.max(0, ...keys.map((k) => (this.entries.get(k)?.lockedUntil ?? 0) - now));
  }

  failed(username: string | undefined, address: string): void {
    if (username !== undefined) this.count(`u:${username}`, this.limits.perUser);
    this.count(`a:${address}`, this.limits.perAddress);
  }

  succeeded(username: string): void {
    this.entries.delete(`u:${username}`);
  }

  private count(key: string, threshold: number): void {
    const now = this.now();
    let entry = this.entries.get(key);
    if (entry === undefined || now - entry.lastFailure > FORGET_AFTER_MS) {
      entry = { failures: 0, lastFailure: now, lockedUntil: 0 };
    }
    entry.failures++;
    entry.lastFailure = now;
    if (entry.failures >= threshold) entry.lockedUntil = now + Math.min(MAX_LOCK_MS, 1000 * 2 ** Math.min(20, entry.failures - threshold));
    this.entries.delete(key); // re-inserted last: Map order is the eviction order
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
