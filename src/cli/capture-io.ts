/** An Io that keeps what a command printed, for tests of commands run in-process. */
import type { Io } from './output';

export function captureIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '', stderr: '',
    out(text: string) { io.stdout += text + '\n'; },
    err(text: string) { io.stderr += text + '\n'; },
    write(bytes: Uint8Array) { io.stdout += Buffer.from(bytes).toString('latin1'); },
  };
  return io;
}
