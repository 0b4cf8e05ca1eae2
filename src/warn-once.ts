const warned = new Set<string>();

/**
 * Prints a one-line warning (no stack) to stderr the first time `key` is
 * seen in this process. Never throws: a warning must not break the caller's
 * cell or training loop.
 */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  try {
    process.stderr.write(`${message}\n`);
  } catch {
    // Nothing left to report to.
  }
}

/** Keys already warned about, so tests can check a failure was reported. */
export function warnedKeys(): ReadonlySet<string> {
  return warned;
}
