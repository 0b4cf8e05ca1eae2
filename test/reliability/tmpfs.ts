/**
 * A small tmpfs mounted for one test, to run out of disk space for real.
 * Mounting needs root (CI runs as root); tests skip with that reason otherwise.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const NEEDS_ROOT = process.getuid?.() === 0 ? false : 'mounting a tmpfs needs root (CI runs as root)';

export interface Tmpfs {
  readonly dir: string;
  /** Bytes still free on it. */
  free(): number;
  /** Fills it with a filler file until at most `leave` bytes are free; returns the filler's path. */
  fill(leave?: number): string;
  unmount(): void;
}

/** Mounts a tmpfs of `bytes` on `dir` (created if missing; default a new temp folder). */
export function mountTmpfs(bytes: number, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-tmpfs-'))): Tmpfs {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir]);
  let mounted = true;
  const free = (): number => {
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize;
  };
  return {
    dir,
    free,
    fill(leave = 0) {
      const filler = path.join(dir, `filler-${fs.readdirSync(dir).length}`);
      const fd = fs.openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 7);
      try {
        for (;;) {
          const room = free() - leave;
          if (room <= 0) break;
          fs.writeSync(fd, chunk, 0, Math.min(chunk.length, room));
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
      return filler;
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', dir]);
    },
  };
}
