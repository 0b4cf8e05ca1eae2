/**
 * Records keyed by what users type: param, tag and metric names, dataset
 * columns, request fields, `-P` names. They have no prototype, so every key
 * is a plain key: `rec.constructor` is undefined unless "constructor" was
 * given, and `rec['__proto__'] = v` stores a key instead of swapping the
 * prototype (the two ways a `{}` record loses or invents user keys).
 *
 * Records from these helpers have no `toString` or `hasOwnProperty`; read
 * them with `rec[key]`, `key in rec`, `Object.keys/entries` or JSON.stringify.
 * Never `Object.assign` one into a plain `{}`: that assigns `__proto__`.
 */

/** A new empty record without a prototype. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A prototype-free record of these entries (later entries win). */
export function recordFrom<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = emptyRecord<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** A prototype-free copy of the records' own keys, merged left to right (later records win). */
export function mergeRecords<T>(...records: readonly (Readonly<Record<string, T>> | undefined)[]): Record<string, T> {
  const out = emptyRecord<T>();
  for (const record of records) {
    if (record === undefined) continue;
    for (const key of Object.keys(record)) out[key] = record[key];
  }
  return out;
}

/** Whether `record` itself holds `key` (never what a prototype provides). */
export function hasOwnKey(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/**
 * A JSON object text (such as SQLite's json_group_object) as a prototype-free
 * record. JSON.parse defines every key as an own property, "__proto__"
 * included; dropping the prototype afterwards costs one call per record.
 */
export function parseRecord<T>(json: string): Record<string, T> {
  return Object.setPrototypeOf(JSON.parse(json), null) as Record<string, T>;
}
