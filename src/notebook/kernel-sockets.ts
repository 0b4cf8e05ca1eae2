/**
 * Three faults of the tslab kernel's ZeroMQ use, mended on zeromq's socket
 * prototype (tslab 1.0.22, zeromq 6):
 * - tslab sends without waiting for its previous send on the same socket.
 *   zeromq refuses a send while one is in progress ("Socket is busy
 *   writing"), so a cell that prints quickly lost output, and the `idle`
 *   status after it: the frontend showed the cell running forever. Here a
 *   refused send waits its turn, and the sends after it queue behind it.
 * - A publisher drops what its subscriber cannot take yet (the high-water
 *   mark, 1000 messages): output again, or the `idle` status. Publishers
 *   created after mending have no such mark (tslab's iopub, when this runs
 *   before tslab binds: kernel-preload.ts).
 * - tslab starts reading its sockets before their binds finish. A request
 *   that lands in that window makes zeromq refuse the read with EBUSY, which
 *   ends tslab's receive loop: the kernel never answers. Here such a read is
 *   tried again once the bind is done.
 */
import * as path from 'node:path';

interface ZeromqSocket {
  readonly closed: boolean;
  send(message: unknown): Promise<void>;
  receive(): Promise<unknown>;
}

interface ZeromqModule {
  readonly Socket: { readonly prototype: ZeromqSocket };
  Publisher: new (options?: Record<string, unknown>) => ZeromqSocket;
}

const MENDED = Symbol.for('tracklab.kernelSockets.mended');
const BIND_RETRY_MS = 5;
const BUSY_RETRY_MS = 1;
const ZEROMQ_SUFFIX = `${path.sep}zeromq${path.sep}lib${path.sep}index.js`;

/** Runs `op` until zeromq stops refusing it as busy (EBUSY, thrown or rejected), waiting `ms` between tries. */
async function whileBusy<T>(op: () => Promise<T>, ms: number): Promise<T> {
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EBUSY') throw err;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }
}

/** Mends one loaded copy of zeromq (idempotent). */
export function mendZeromq(zmq: ZeromqModule): void {
  const proto = zmq.Socket.prototype as ZeromqSocket & { [MENDED]?: true };
  if (proto[MENDED]) return;
  const send = proto.send;
  /** Sockets whose sends are queued (one was refused as busy), with the last one queued. */
  const queues = new WeakMap<object, { tail: Promise<unknown> }>();
  const enqueue = (socket: ZeromqSocket, message: unknown): Promise<void> => {
    const queue = queues.get(socket) ?? { tail: Promise.resolve() };
    queues.set(socket, queue);
    const sent = queue.tail.then(() => whileBusy(() => send.call(socket, message), BUSY_RETRY_MS));
    const tail = sent.catch(() => undefined);
    queue.tail = tail;
    void tail.then(() => { if (queue.tail === tail) queues.delete(socket); });
    return sent;
  };
  // zeromq defines send and receive read-only: assignment would silently do nothing.
  Object.defineProperty(proto, 'send', {
    configurable: true,
    value: function sendInOrder(this: ZeromqSocket, message: unknown): Promise<void> {
      if (queues.has(this)) return enqueue(this, message);
      try {
        return send.call(this, message); // at once, as tslab expects: a cell's synchronous loop never yields to a queue
      } catch (err) {
        // zeromq refuses (synchronously) while a send is in progress: this one and the ones after it wait their turn.
        if ((err as { code?: unknown }).code !== 'EBUSY') throw err;
        return enqueue(this, message);
      }
    },
  });
  Object.defineProperty(proto, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function messages(this: ZeromqSocket): AsyncIterator<unknown> {
      return {
        next: async () => {
          if (this.closed) return { done: true, value: undefined };
          try {
            return { done: false, value: await whileBusy(() => this.receive(), BIND_RETRY_MS) };
          } catch (err) {
            if (this.closed && (err as { code?: unknown }).code === 'EAGAIN') return { done: true, value: undefined };
            throw err;
          }
        },
      };
    },
  });
  const Publisher = zmq.Publisher;
  zmq.Publisher = class UnboundedPublisher extends Publisher {
    constructor(options: Record<string, unknown> = {}) {
      super({ sendHighWaterMark: 0, ...options });
    }
  };
  Object.defineProperty(proto, MENDED, { value: true });
}

/** Mends every copy of zeromq this process has loaded: the running kernel's, whichever tslab it came with. */
export function mendLoadedZeromq(): void {
  for (const key of Object.keys(require.cache)) {
    if (!key.endsWith(ZEROMQ_SUFFIX)) continue;
    const zmq = require.cache[key]?.exports as Partial<ZeromqModule> | undefined;
    if (typeof zmq?.Socket?.prototype?.send === 'function') mendZeromq(zmq as ZeromqModule);
  }
}
