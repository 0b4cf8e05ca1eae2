/**
 * The program runs are tracked from, as tracking sees it: a plain Node
 * script by default. Whoever knows better supplies another host: the
 * notebook bridge (src/notebook/kernel-host.ts) does for a tslab kernel, so
 * nothing under tracking/ knows tslab.
 */
import * as path from 'node:path';

export interface RunHost {
  /** The source type tag of runs: 'NOTEBOOK' in a kernel, 'SCRIPT' otherwise. */
  readonly sourceType: 'NOTEBOOK' | 'SCRIPT';
  /** The source name tag: the notebook, or the script's path. */
  sourceName(): string | undefined;
  /** The folder whose git state and package.json describe a run that names none. */
  sourceDirectory(): string;
  /** Versions of what runs the code, by system tag (the TypeScript that compiles cells, tslab). */
  versionTags(): Readonly<Record<string, string>>;
  /** The host uses SIGINT itself (a kernel interrupts cells with it): tracking installs no SIGINT handler. */
  readonly ownsSigint: boolean;
}

let scriptDir: { readonly script: string; readonly dir: string } | undefined;

/** A Node script (or the REPL, or the CLI). */
export const scriptHost: RunHost = {
  sourceType: 'SCRIPT',
  sourceName: () => process.argv[1],
  sourceDirectory: () => {
    const script = process.argv[1];
    if (!script) return process.cwd();
    // The folder of an absolute script path does not depend on the working folder: work it out once.
    if (scriptDir?.script !== script || !path.isAbsolute(script)) scriptDir = { script, dir: path.dirname(path.resolve(script)) };
    return scriptDir.dir;
  },
  versionTags: () => ({}),
  ownsSigint: false,
};

let host: RunHost = scriptHost;

/** Replaces the host (the notebook bridge calls this once, in a kernel). */
export function setRunHost(next: RunHost): void {
  host = next;
}

export function runHost(): RunHost {
  return host;
}
