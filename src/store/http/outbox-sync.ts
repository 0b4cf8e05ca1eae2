/**
 * Sends what earlier sessions left in their outboxes (outbox.ts) to the
 * server, for `tracklab sync`: each file whose process is gone and whose
 * server is this one, oldest first, in the order its writes were made.
 * Writes carry batch ids, so sending a file again (a sync that was cut off)
 * duplicates nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { TracklabError } from '../../errors';
import { isProcessAlive } from '../../process-identity';
import { connectionUri, type StoreUri } from '../store-uri';
import { httpMsg } from './http-messages';
import { HttpTransport, serverBase } from './http-transport';
import { Outbox, outboxFolder, type OutboxOwner } from '../sqlite/outbox-file';
import { Sender } from './sender';

export interface OutboxReport {
  /** Writes delivered (or refused and reported). */
  readonly sent: number;
  /** Outbox files emptied. */
  readonly files: number;
  /** Files left: of a live process, or of another server. */
  readonly skipped: readonly string[];
}

export async function deliverOutboxes(uri: StoreUri, log: (line: string) => void, folder = outboxFolder()): Promise<OutboxReport> {
  const transport = new HttpTransport(serverBase(connectionUri(uri)), uri.display);
  let sent = 0;
  let files = 0;
  const skipped: string[] = [];
  for (const file of Outbox.list(folder)) {
    let outbox: Outbox;
    try {
      outbox = Outbox.open(file);
    } catch (err) {
      // Its session removed it, empty, at exit (Outbox.release) since the folder was listed.
      if (!fs.existsSync(file)) continue;
      throw err;
    }
    let live = false;
    try {
      const owner = JSON.parse(outbox.meta('owner') ?? 'null') as OutboxOwner | null;
      live = owner !== null && owner.host === os.hostname() && owner.pid !== process.pid
        && isProcessAlive(owner.pid, owner.processStart.startsWith('proc:') ? owner.processStart.slice(5) || undefined : undefined);
      if (live || outbox.meta('server') !== uri.display) {
        skipped.push(`${file} (${live ? `process ${owner!.pid} still runs` : `for ${outbox.meta('server')}`})`);
        continue;
      }
      const writes = outbox.size();
      if (writes === 0) {
        files++;
        continue;
      }
      const sender = new Sender(outbox, transport, log, { announceOutage: false });
      sender.kick();
      // The sender retries with backoff while the server is down; sync gives up at the first outage and says so.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (sender.pending() === 0 || sender.isDown()) {
            clearInterval(poll);
            resolve();
          }
        }, 20);
      });
      sender.stop();
      await sender.idle();
      sent += writes - outbox.size();
      if (outbox.size() === 0) files++;
      else throw new TracklabError('INVALID_STATE', httpMsg.syncServerDown(uri.display, sender.whyDown() ?? 'no answer', outbox.size(), file));
    } finally {
      // The file of a process that still runs is that process's, even while empty: it may write to it next.
      outbox.close({ keep: live });
    }
  }
  return { sent, files, skipped };
}
