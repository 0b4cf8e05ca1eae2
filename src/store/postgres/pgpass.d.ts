/** pgpass (pg's own ~/.pgpass reader, which pg 8 deprecates using for you) ships no types. */
declare module 'pgpass' {
  /** Calls back with the password of the first matching ~/.pgpass (PGPASSFILE) line, or undefined. */
  function pgPass(target: { host: string; port: number; database: string; user: string }, callback: (password: string | undefined) => void): void;
  export = pgPass;
}
