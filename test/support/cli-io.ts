/** The CLI's entry point with its output captured: what a test of a `tracklab` command needs. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/cli/output';

export interface CapturedIo extends Io {
  stdout: string;
  stderr: string;
}

/** An Io that keeps what a command prints (binary output as latin1 text). */
export function captureIo(): CapturedIo {
  const io: CapturedIo = {
    stdout: '', stderr: '',
    out(text: string) { io.stdout += text + '\n'; },
    err(text: string) { io.stderr += text + '\n'; },
    write(bytes: Uint8Array) { io.stdout += Buffer.from(bytes).toString('latin1'); },
  };
  return io;
}

/** Runs `tracklab --home HOME ...args` in this process; returns the exit code and what it printed. */
export async function runCli(home: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await main(['--home', home, ...args], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

export interface ProcessExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `tracklab ...args` as its own process (see runNodeProcess). */
export function runCliProcess(args: readonly string[], env: Readonly<Record<string, string>>, cwd?: string): Promise<ProcessExit> {
  return runNodeProcess([path.join(__dirname, '..', '..', 'src', 'cli', 'main.js'), ...args], env, cwd);
}

/** Runs `node ...args` as its own process, not waited for synchronously: a server in this process keeps answering it. */
export async function runNodeProcess(args: readonly string[], env: Readonly<Record<string, string>>, cwd?: string): Promise<ProcessExit> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}
