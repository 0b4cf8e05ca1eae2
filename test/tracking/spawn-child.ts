/** Spawns test/tracking/fixtures/child under tsx (source) or plain node (compiled dist). */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Child {
  readonly proc: ChildProcess;
  /** Resolves with the run id once the child prints READY. */
  readonly ready: Promise<string>;
  readonly done: Promise<ChildResult>;
}

/** Runs the child against a store: a folder, or `{ uri, artifactRoot }` of any backend (set through the environment alone). */
export function spawnChild(store: string | { readonly uri: string; readonly artifactRoot: string }, args: readonly string[]): Child {
  const script = path.join(__dirname, 'fixtures', `child${path.extname(__filename)}`);
  const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
  const where = typeof store === 'string'
    ? { TRACKLAB_HOME: store, TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '' }
    : { TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: store.uri, TRACKLAB_ARTIFACT_ROOT: store.artifactRoot };
  const proc = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { ...process.env, ...where, TRACKLAB_EXPERIMENT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: (id: string) => void = () => undefined;
  let onFail: (err: Error) => void = () => undefined;
  const ready = new Promise<string>((resolve, reject) => { onReady = resolve; onFail = reject; });
  ready.catch(() => undefined); // only a test that awaits it should see the failure
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const m = /READY (\S+)/.exec(stdout);
    if (m) onReady(m[1]);
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const done = new Promise<ChildResult>((resolve) => {
    proc.on('exit', (code, signal) => {
      onFail(new Error(`child exited (code ${code}, signal ${signal}) before READY:\n${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { proc, ready, done };
}
