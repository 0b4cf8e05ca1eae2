/**
 * Shutdown and restart requests to the tslab kernel (the Notebook's Restart
 * and Shut Down, closing a notebook, nbconvert at the end of a notebook).
 * tslab answers them in `JupyterHandlerImpl.prototype.handleShutdown(req)`
 * (`req.restart` tells a restart), then closes its sockets; the process
 * ends once its event loop drains, or by Jupyter's SIGTERM 2.5 s later.
 */
import { kernelBridge } from './kernel';
import { notebookMsg, warnOnce } from './messages';

export type ShutdownListener = (restart: boolean) => void;

interface ShutdownState {
  readonly listeners: Set<ShutdownListener>;
  wrapped: boolean;
}

const STATE_KEY = Symbol.for('tracklab.notebook.kernelShutdown');

function state(): ShutdownState {
  const holder = globalThis as unknown as Record<symbol, ShutdownState | undefined>;
  return (holder[STATE_KEY] ??= { listeners: new Set(), wrapped: false });
}

function wrap(s: ShutdownState): boolean {
  if (s.wrapped) return true;
  const proto = kernelBridge()?.jupyter.JupyterHandlerImpl.prototype;
  const original = proto?.handleShutdown;
  if (!proto || typeof original !== 'function') return false;
  proto.handleShutdown = function trackedShutdown(this: unknown, req: unknown, ...rest: unknown[]) {
    const restart = (req as { restart?: unknown } | null)?.restart === true;
    // The reply goes out right after this returns: listeners start their work now and must not throw.
    for (const listener of [...s.listeners]) {
      try {
        listener(restart);
      } catch (error) {
        warnOnce('shutdown-listener', notebookMsg.hookListenerFailed(error));
      }
    }
    return (original as (...args: unknown[]) => unknown).call(this, req, ...rest);
  };
  s.wrapped = true;
  return true;
}

/**
 * Calls `fn(restart)` when the kernel is asked to shut down or restart;
 * returns a remover, or undefined outside tslab (or when tslab has no such
 * method).
 */
export function onKernelShutdown(fn: ShutdownListener): (() => void) | undefined {
  const s = state();
  if (!wrap(s)) return undefined;
  s.listeners.add(fn);
  return () => { s.listeners.delete(fn); };
}
