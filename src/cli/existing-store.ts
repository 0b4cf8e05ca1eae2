/**
 * Commands that only look at (or change) what is stored must not create a
 * store: `tracklab runs` in the wrong folder, or a mistyped `--home`, would
 * otherwise answer from an empty store made on the spot. Their client opens
 * with `createStore: false`, so a missing SQLite store is a
 * RESOURCE_DOES_NOT_EXIST error once the arguments are parsed. `run`,
 * `server`, `experiments create` and the library's startRun() still create
 * one; `info` reports "not created yet" itself; `migrate-store` refuses a
 * missing --from on its own.
 */
export const NEEDS_EXISTING_STORE: ReadonlySet<string> = new Set([
  'experiments', 'experiments rename', 'experiments delete', 'experiments restore',
  'runs', 'runs delete', 'runs restore', 'run show', 'metrics', 'export', 'compare',
  'gc', 'ui', 'backup', 'doctor', 'models',
]);
