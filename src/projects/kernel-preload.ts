/**
 * Loaded with `node --require` into every tslab kernel tracklab starts (the
 * native engine, the nbclient engine's kernelspec). tslab starts reading its
 * sockets before their binds finish; a request that lands in that window
 * (a client connected early, as ours and jupyter_client's do) makes zeromq
 * reject the read with EBUSY, which ends tslab's receive loop, and the kernel
 * never answers. Here a read refused for that reason is tried again once the
 * bind is done, so the loop lives on.
 */
import * as path from 'node:path';

interface ReadableSocket {
  readonly closed: boolean;
  receive(): Promise<unknown>;
}

const BIND_RETRY_MS = 5;

function patchZeromq(): void {
  const tslabDir = path.dirname(require.resolve('tslab/package.json'));
  const zmq = require(require.resolve('zeromq', { paths: [tslabDir] })) as { Socket: { prototype: object } };
  Object.defineProperty(zmq.Socket.prototype, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function messages(this: ReadableSocket): AsyncIterator<unknown> {
      return {
        next: async () => {
          for (;;) {
            if (this.closed) return { done: true, value: undefined };
            try {
              return { done: false, value: await this.receive() };
            } catch (err) {
              const code = (err as { code?: unknown }).code;
              if (code === 'EBUSY') {
                await new Promise((resolve) => setTimeout(resolve, BIND_RETRY_MS));
                continue;
              }
              if (this.closed && code === 'EAGAIN') return { done: true, value: undefined };
              throw err;
            }
          }
        },
      };
    },
  });
}

patchZeromq();
