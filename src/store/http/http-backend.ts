/**
 * The backend of `http(s)://` tracking URIs: a tracklab server. It opens
 * without touching the network (a new outbox file under TRACKLAB_HOME/outbox),
 * so a notebook starts logging even while the server is down; the first
 * write that reaches the server is the first sign it is there.
 */
import * as os from 'node:os';
import type { BackendOptions, StoreBackend } from '../backend';
import { connectionUri, type StoreUri } from '../store-uri';
import { artifactCacheFolder, HttpRemoteContent } from './artifact-transfer';
import { httpRegistry } from './http-registry';
import { HttpStore } from './http-store';
import { HttpTransport, serverBase } from './http-transport';
import { Outbox, outboxFolder } from '../sqlite/outbox-file';
import { Sender } from './sender';
import { procStartTime } from '../../process-identity';

export function openHttpBackendSync(uri: StoreUri, _options: BackendOptions = {}): StoreBackend {
  const base = serverBase(connectionUri(uri));
  const transport = new HttpTransport(base, uri.display);
  const outbox = Outbox.create(outboxFolder(), uri.display, { pid: process.pid, host: os.hostname(), processStart: `proc:${procStartTime('self') ?? ''}` });
  const sender = new Sender(outbox, transport);
  const tracking = new HttpStore(transport, sender);
  let registry: ReturnType<typeof httpRegistry> | undefined;
  // At exit the outbox is released, not closed: the client's own exit hook may still write its runs' ends into it
  // (before or after this one), which makes its file again. A file with writes is left for `tracklab sync`.
  releasedAtExit.add(outbox);
  installExitHook();
  return {
    uri,
    tracking,
    registry: () => (registry ??= httpRegistry(transport, sender)),
    // Content logged here waits in this cache until it is sent, and content read here is fetched into it.
    defaultArtifactRoot: artifactCacheFolder(),
    remoteContent: new HttpRemoteContent(transport),
    async close() {
      // Writes still queued stay in the outbox file for `tracklab sync`; an empty outbox file is removed.
      // During an outage nothing is awaited: an unref'd timer alone would let a plain script's event loop run dry
      // before close() settles, and the code after `await client.close()` would never run.
      if (!sender.isDown()) await Promise.race([sender.settled(), new Promise((r) => setTimeout(r, 30_000).unref())]);
      sender.detach();
      outbox.close();
      releasedAtExit.delete(outbox);
    },
  };
}

/** Outboxes of the backends not closed yet: at exit, each that is empty is removed (Outbox.release). One hook for all. */
const releasedAtExit = new Set<Outbox>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const outbox of releasedAtExit) {
      try {
        outbox.release();
      } catch {
        // Nothing can be reported any more; the file stays, and `tracklab sync` removes it once it is empty.
      }
    }
  });
}

export async function openHttpBackend(uri: StoreUri, options: BackendOptions = {}): Promise<StoreBackend> {
  return openHttpBackendSync(uri, options);
}
