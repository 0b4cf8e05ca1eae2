import { TracklabError } from '../errors';

/** Keys that would reach Object.prototype when assigned onto a plain object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function assertSafeKey(key: string, what: string): void {
  if (FORBIDDEN_KEYS.has(key)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${what} contains the key "${key}", which is refused to prevent prototype pollution.`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
