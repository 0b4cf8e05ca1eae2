import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Runs `body` with TRACKLAB_HOME set to a fresh temp folder (the remote store's outbox lives there), then restores it and removes the folder. */
export function withTempHome<T>(prefix: string, body: (home: string) => Promise<T>): Promise<T> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const saved = process.env.TRACKLAB_HOME;
  process.env.TRACKLAB_HOME = home;
  return body(home).finally(() => {
    if (saved === undefined) delete process.env.TRACKLAB_HOME;
    else process.env.TRACKLAB_HOME = saved;
    fs.rmSync(home, { recursive: true, force: true });
  });
}
