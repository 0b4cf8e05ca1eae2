/**
 * The cell that loads tracklab is already running when the cell hooks are
 * installed, so the executor wrapper never sees it end. tslab 1.0.22 gives
 * three other signs of its end, watched here until one comes:
 * - a failed cell makes the handler call `execQueue.reset(200)` (to cancel
 *   the cells queued behind it) before it replies: TaskQueue.prototype.reset;
 * - the next cell starting means it ended fine, since a failure would have
 *   cancelled that cell (cell-hooks.ts sees that start);
 * - otherwise the handler's queue: the first busy/idle status the kernel
 *   publishes (ZmqServer.prototype.publishStatus, whose `this.handler` is the
 *   JupyterHandlerImpl) hands over its last queued task, `execQueue.prev`,
 *   which settles no earlier than the running cell.
 * Missing pieces only make the end known later (at the next cell, or when
 * the kernel shuts down).
 */
import type { KernelBridge } from './kernel';

type Method = (this: unknown, ...args: unknown[]) => unknown;

function wrapMethod(proto: Record<string, unknown> | undefined, name: string, make: (original: Method) => Method): (() => void) | undefined {
  const original = proto?.[name];
  if (!proto || typeof original !== 'function') return undefined;
  const wrapper = make(original as Method);
  proto[name] = wrapper;
  return () => { if (proto[name] === wrapper) proto[name] = original; };
}

function lastQueuedTask(server: unknown): PromiseLike<unknown> | undefined {
  const prev = (server as { handler?: { execQueue?: { prev?: unknown } } } | null)?.handler?.execQueue?.prev;
  return typeof (prev as PromiseLike<unknown> | undefined)?.then === 'function' ? prev as PromiseLike<unknown> : undefined;
}

/**
 * Calls `end(failed)` once when the cell running now ends, unless `pending()`
 * turned false first (the next cell started). Returns the function that
 * removes the watch (it also removes itself when it fires).
 */
export function watchFirstCell(bridge: KernelBridge, pending: () => boolean, end: (failed: boolean) => void): () => void {
  const restores: (() => void)[] = [];
  const stop = (): void => { for (const restore of restores.splice(0)) restore(); };
  const finish = (failed: boolean): void => {
    if (!pending()) return;
    stop();
    end(failed);
  };
  const onReset = wrapMethod(bridge.taskQueue?.prototype, 'reset', (original) => function (this: unknown, ...args: unknown[]) {
    // reset(200) comes from a failure; the plain reset() is the timer that follows it.
    if (args[0] != null) finish(true);
    return original.apply(this, args);
  });
  let watching = false;
  const onStatus = wrapMethod(bridge.jupyter.ZmqServer?.prototype, 'publishStatus', (original) => function (this: unknown, ...args: unknown[]) {
    const last = watching || !pending() ? undefined : lastQueuedTask(this);
    if (last) {
      watching = true;
      last.then(() => finish(false), () => finish(true));
    }
    return original.apply(this, args);
  });
  for (const restore of [onReset, onStatus]) if (restore) restores.push(restore);
  return stop;
}
