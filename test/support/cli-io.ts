/** The CLI's entry point with its output captured: what a test of a `tracklab` command needs. */
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
