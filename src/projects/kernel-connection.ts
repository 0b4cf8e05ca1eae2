import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as Zmq from 'zeromq';
import { TracklabError } from '../errors';
import { decodeMessage, encodeMessage, newHeader, type JupyterMessage } from './jupyter-message';
import { launchKernel, tslabPackageDir, type LaunchOptions } from './kernel-launch';

export interface KernelExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface KernelInfoReply {
  readonly protocol_version: string;
  readonly implementation: string;
  readonly implementation_version: string;
  readonly language_info: Readonly<Record<string, unknown>> & { readonly name: string };
  readonly banner?: string;
}

export interface ExecuteReply {
  /** tslab answers `abort` for requests queued within 200 ms after a failed cell. */
  readonly status: 'ok' | 'error' | 'abort';
  readonly execution_count: number | null;
  readonly ename?: string;
  readonly evalue?: string;
  readonly traceback?: readonly string[];
}

export interface ExecuteOutcome {
  readonly reply: ExecuteReply;
  /** iopub messages other than `status`, in arrival order. */
  readonly outputs: readonly JupyterMessage[];
  /** `interrupt()` was called while this request was running. */
  readonly interrupted: boolean;
}

export interface ExecuteOptions {
  /** Called for every iopub message of this request except `status`. */
  readonly onOutput?: (message: JupyterMessage) => void;
}

export interface KernelConnection {
  readonly pid: number;
  /** The connection file (0600, removed when the kernel exits); `jupyter console --existing <file>` can attach. */
  readonly connectionFile: string;
  kernelInfo(): Promise<KernelInfoReply>;
  execute(code: string, options?: ExecuteOptions): Promise<ExecuteOutcome>;
  /** Sends SIGINT, tslab's interrupt mode: it breaks a running synchronous cell or a pending top-level await. */
  interrupt(): void;
  /**
   * `shutdown_request` on control. A kernel still alive 1 s after its reply gets
   * SIGTERM (then SIGKILL); one that does not answer within `timeoutMs` (default 5000) gets SIGKILL.
   */
  shutdown(options?: { readonly timeoutMs?: number }): Promise<KernelExit>;
  /** Settles when the kernel process has exited, for whatever reason. */
  readonly exited: Promise<KernelExit>;
  /** The last few KB the kernel process wrote to its own stderr (outside cells). */
  stderrTail(): string;
}

export interface StartKernelOptions extends Partial<LaunchOptions> {
  /** How long to wait for the first kernel_info_reply (default 30000 ms). */
  readonly startTimeoutMs?: number;
}

interface Pending {
  readonly kind: string;
  reply?: JupyterMessage;
  idle: boolean;
  readonly waitIdle: boolean;
  readonly outputs: JupyterMessage[];
  interrupted: boolean;
  callbackError?: unknown;
  readonly onOutput?: (message: JupyterMessage) => void;
  resolve(p: Pending): void;
  reject(error: Error): void;
}

const TAIL_BYTES = 8192;
const SHUTDOWN_GRACE_MS = 1000;
const live = new Set<{ kill(): void }>();
let exitHookInstalled = false;

function loadZmq(): typeof Zmq {
  // The zeromq tslab itself depends on, so it is always there when tslab is.
  return createRequire(path.join(tslabPackageDir(), 'package.json'))('zeromq') as typeof Zmq;
}

function describeExit(exit: KernelExit): string {
  return exit.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * Starts a tslab kernel bound to 127.0.0.1 and connects to it over ZeroMQ.
 *
 * @example
 * const kernel = await startKernel({ cwd: path.dirname(notebookPath) });
 * const { reply, outputs } = await kernel.execute('console.log(1 + 1)');
 * await kernel.shutdown();
 */
export async function startKernel(options: StartKernelOptions = {}): Promise<KernelConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startKernelOnce(options);
    } catch (err) {
      // Another process bound one of the kernel's ports between our check and its bind: pick new ones.
      if (attempt === PORT_ATTEMPTS || !(err instanceof TracklabError && PORT_TAKEN.test(err.message))) throw err;
    }
  }
}

const PORT_TAKEN = /Address already in use|EADDRINUSE/;
const PORT_ATTEMPTS = 3;

async function startKernelOnce(options: StartKernelOptions): Promise<KernelConnection> {
  const zmq = loadZmq();
  const launched = await launchKernel({ cwd: options.cwd ?? process.cwd(), env: options.env });
  const { child, info } = launched;
  const key = Buffer.from(info.key, 'utf8');
  const session = newHeader('session', '').msg_id;
  const pending = new Map<string, Pending>();
  let stderr = '';
  let exit: KernelExit | undefined;

  const stderrNote = (): string => (stderr.trim() ? ` Kernel stderr: ${stderr.trim().slice(-1000)}` : '');
  const collect = (chunk: Buffer): void => {
    stderr = (stderr + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stderr?.on('data', collect);
  child.stdout?.on('data', collect);

  const killer = { kill: () => child.kill('SIGKILL') };
  live.add(killer);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A kernel must not outlive its runner, whatever way the runner ends.
    process.on('exit', () => live.forEach((k) => k.kill()));
  }

  const opts = { linger: 0 };
  const shell = new zmq.Dealer(opts);
  const control = new zmq.Dealer(opts);
  const stdin = new zmq.Dealer(opts);
  // No high-water mark: ZeroMQ drops what a subscriber cannot hold, and a dropped `idle` leaves a cell waiting forever.
  const iopub = new zmq.Subscriber({ ...opts, receiveHighWaterMark: 0 });
  const hb = new zmq.Request(opts);
  const sockets: Zmq.Socket[] = [shell, control, stdin, iopub, hb];
  const url = (port: number): string => `tcp://127.0.0.1:${port}`;
  shell.connect(url(info.shell_port));
  control.connect(url(info.control_port));
  stdin.connect(url(info.stdin_port));
  iopub.connect(url(info.iopub_port));
  hb.connect(url(info.hb_port));
  iopub.subscribe();

  const closeSockets = (): void => {
    for (const s of sockets) if (!s.closed) s.close();
    launched.cleanup();
    live.delete(killer);
  };

  const settle = (id: string, p: Pending): void => {
    if (p.reply && (p.idle || !p.waitIdle)) {
      pending.delete(id);
      if (p.callbackError === undefined) p.resolve(p);
      else p.reject(new TracklabError('INVALID_PARAMETER_VALUE', `The onOutput callback threw: ${String(p.callbackError)}`, { cause: p.callbackError }));
    }
  };

  const exited = new Promise<KernelExit>((resolve) => {
    child.once('exit', (code, signal) => {
      // Let stderr drain first (its last words explain the exit); 'close' marks
      // that, unless a grandchild holds the pipe, hence the short cap.
      const drained = new Promise((r) => {
        child.once('close', r);
        setTimeout(r, 200).unref();
      });
      void drained.then(() => {
        const ended: KernelExit = { code, signal };
        exit = ended;
        const reason = `The tslab kernel (pid ${child.pid}) ${describeExit(ended)}`;
        for (const [id, p] of pending) {
          pending.delete(id);
          p.reject(new TracklabError('INVALID_STATE', `${reason} while waiting for ${p.kind}.${stderrNote()}`));
        }
        closeSockets();
        resolve(ended);
      });
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new TracklabError('INVALID_STATE', `Could not start the tslab kernel: ${error.message}`, { cause: error }));
    }
  });

  const readLoop = async (socket: Zmq.Dealer | Zmq.Subscriber, onMessage: (m: JupyterMessage) => void): Promise<void> => {
    try {
      for await (const frames of socket) {
        const decoded = decodeMessage(key, frames);
        if ('message' in decoded) onMessage(decoded.message);
      }
    } catch {
      // The socket was closed under the iterator: the connection is over.
    }
  };
  const onReply = (m: JupyterMessage): void => {
    const id = m.parent_header.msg_id;
    const p = id === undefined ? undefined : pending.get(id);
    if (!p || id === undefined) return;
    p.reply = m;
    settle(id, p);
  };
  void readLoop(shell, onReply);
  void readLoop(control, onReply);
  void readLoop(iopub, (m) => {
    const id = m.parent_header.msg_id;
    const p = id === undefined ? undefined : pending.get(id);
    if (!p || id === undefined) return;
    if (m.header.msg_type === 'status') {
      if (m.content['execution_state'] === 'idle') {
        p.idle = true;
        settle(id, p);
      }
      return;
    }
    p.outputs.push(m);
    try {
      p.onOutput?.(m);
    } catch (error) {
      // A throwing callback must not end the shared iopub reader; its request fails instead.
      p.callbackError ??= error;
    }
  });

  const request = (
    socket: Zmq.Dealer,
    msgType: string,
    content: Record<string, unknown>,
    extra: { waitIdle: boolean; onOutput?: (m: JupyterMessage) => void },
  ): { id: string; done: Promise<Pending> } => {
    const header = newHeader(msgType, session);
    const done = new Promise<Pending>((resolve, reject) => {
      if (exit) {
        reject(new TracklabError('INVALID_STATE', `The tslab kernel ${describeExit(exit)}; start a new kernel to run ${msgType}.`));
        return;
      }
      pending.set(header.msg_id, {
        kind: msgType,
        idle: false,
        waitIdle: extra.waitIdle,
        outputs: [],
        interrupted: false,
        onOutput: extra.onOutput,
        resolve,
        reject,
      });
    });
    if (!exit) {
      socket.send(encodeMessage(key, { header, parent_header: {}, metadata: {}, content })).catch((error: unknown) => {
        const p = pending.get(header.msg_id);
        pending.delete(header.msg_id);
        p?.reject(new TracklabError('INTERNAL_ERROR', `Could not send ${msgType} to the kernel.`, { cause: error }));
      });
    }
    return { id: header.msg_id, done };
  };

  // Wait until shell answers and iopub delivers the matching idle status. A
  // subscriber connecting late misses early messages (ZeroMQ's slow joiner),
  // so ask again until one round trip has been seen on both channels.
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + startTimeoutMs;
  let info0: KernelInfoReply | undefined;
  try {
    while (!info0) {
      if (spawnError) throw new TracklabError('INVALID_STATE', `Could not start the tslab kernel: ${spawnError.message}`, { cause: spawnError });
      if (exit) throw new TracklabError('INVALID_STATE', `The tslab kernel ${describeExit(exit)} while starting.${stderrNote()}`);
      if (PORT_TAKEN.test(stderr)) throw new TracklabError('INVALID_STATE', `The tslab kernel could not bind its ports.${stderrNote()}`);
      if (Date.now() > deadline) throw new TracklabError('INVALID_STATE', `The tslab kernel did not answer within ${startTimeoutMs} ms.${stderrNote()}`);
      const { done } = request(shell, 'kernel_info_request', {}, { waitIdle: true });
      done.catch(() => undefined);
      const retry = new Promise<undefined>((r) => setTimeout(() => r(undefined), 500).unref());
      const got = await Promise.race([done.catch(() => undefined), exited.then(() => undefined), retry]);
      if (got?.reply) info0 = got.reply.content as unknown as KernelInfoReply;
    }
  } catch (error) {
    if (exit || spawnError) closeSockets();
    else {
      child.kill('SIGKILL');
      await exited;
    }
    throw error;
  }
  const firstInfo = info0;

  return {
    pid: child.pid ?? -1,
    connectionFile: launched.file,
    exited,
    stderrTail: () => stderr,
    async kernelInfo() {
      if (exit) return firstInfo;
      const p = await request(shell, 'kernel_info_request', {}, { waitIdle: true }).done;
      return p.reply!.content as unknown as KernelInfoReply;
    },
    async execute(code, executeOptions = {}) {
      const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };
      const p = await request(shell, 'execute_request', content, { waitIdle: true, onOutput: executeOptions.onOutput }).done;
      const c = p.reply!.content;
      const status = c['status'] === 'ok' || c['status'] === 'abort' ? c['status'] : 'error';
      const reply: ExecuteReply = {
        status,
        execution_count: typeof c['execution_count'] === 'number' ? c['execution_count'] : null,
        ...(typeof c['ename'] === 'string' ? { ename: c['ename'] } : {}),
        ...(typeof c['evalue'] === 'string' ? { evalue: c['evalue'] } : {}),
        ...(Array.isArray(c['traceback']) ? { traceback: c['traceback'].map(String) } : {}),
      };
      return { reply, outputs: p.outputs, interrupted: p.interrupted };
    },
    interrupt() {
      if (exit) return;
      for (const p of pending.values()) if (p.kind === 'execute_request') p.interrupted = true;
      child.kill('SIGINT');
    },
    async shutdown(shutdownOptions = {}) {
      if (exit) return exit;
      const timeoutMs = shutdownOptions.timeoutMs ?? 5000;
      const { done } = request(control, 'shutdown_request', { restart: false }, { waitIdle: false });
      const timers = [setTimeout(() => child.kill('SIGKILL'), timeoutMs)];
      // tslab answers and closes its sockets, but the process only ends when
      // its event loop drains; a cell's pending timer or server keeps it alive.
      done.then(
        () => {
          timers.push(setTimeout(() => child.kill('SIGTERM'), SHUTDOWN_GRACE_MS));
          timers.push(setTimeout(() => child.kill('SIGKILL'), 2 * SHUTDOWN_GRACE_MS));
        },
        () => undefined,
      );
      try {
        return await exited;
      } finally {
        timers.forEach(clearTimeout);
      }
    },
  };
}
