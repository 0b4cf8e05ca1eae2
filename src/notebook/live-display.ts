/**
 * An output that updates in place: each part of the content keeps one
 * display_id, updates are throttled, and the final state always lands.
 */
import type { DisplayBundle } from '../views/bundle';
import { currentWriter, newDisplayId, sendBundle } from './display';
import type { WriteDisplayData } from './kernel';
import { notebookMsg, warnOnce } from './messages';

/** What a live display shows: one bundle, several (one output each), or a function computing them. */
export type LiveContent =
  | DisplayBundle
  | readonly DisplayBundle[]
  | (() => DisplayBundle | readonly DisplayBundle[] | Promise<DisplayBundle | readonly DisplayBundle[]>);

export interface LiveDisplayOptions {
  /** Minimum time between two sends; default 250 ms (at most 4 updates a second). */
  readonly minIntervalMs?: number;
}

export interface LiveDisplay {
  /** One id per output part, in order; grows when the content gains parts. */
  readonly displayIds: readonly string[];
  /** Sets the content to show. Sent now or at the end of the throttle window. */
  update(content: LiveContent): void;
  /** Sends the final state (the last content given, or `content`) and stops updating. */
  close(content?: LiveContent): Promise<void>;
  readonly closed: boolean;
}

const EMPTY: DisplayBundle = { data: { 'text/plain': '' } };

function asList(value: DisplayBundle | readonly DisplayBundle[]): readonly DisplayBundle[] {
  return Array.isArray(value) ? (value as readonly DisplayBundle[]) : [value as DisplayBundle];
}

/**
 * Creates an output under the running cell that later updates replace.
 * Outside a kernel nothing is printed until `close()`, which prints the
 * final text once.
 *
 * @example
 * const live = liveDisplay();
 * for (let step = 0; step < 1000; step++) live.update({ data: { 'text/plain': `step ${step}` } });
 * await live.close();
 */
export function liveDisplay(opts: LiveDisplayOptions = {}): LiveDisplay {
  const minInterval = Math.max(0, opts.minIntervalMs ?? 250);
  // The writer of the cell that created the display: its messages carry that
  // cell's parent header, so updates land on this output even if they are
  // sent while a later cell runs.
  const writer: WriteDisplayData | undefined = currentWriter();
  const ids: string[] = [];
  let content: LiveContent | undefined;
  let dirty = false;
  let lastSent = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  /** An async render being sent; a later update waits for it. */
  let inflight: Promise<void> | undefined;
  let closed = false;

  function deliver(parts: readonly DisplayBundle[]): void {
    if (!writer) {
      for (const part of parts) sendBundle(undefined, part);
      return;
    }
    parts.forEach((part, index) => {
      const existing = ids[index];
      if (existing === undefined) {
        const id = newDisplayId();
        ids.push(id);
        sendBundle(writer, part, { displayId: id });
      } else {
        sendBundle(writer, part, { displayId: existing, update: true });
      }
    });
    // Parts that disappeared are blanked rather than left stale.
    for (let index = parts.length; index < ids.length; index++) {
      sendBundle(writer, EMPTY, { displayId: ids[index], update: true });
    }
  }

  function failed(error: unknown): void {
    warnOnce('live-render-failed', notebookMsg.displayFailed(error));
  }

  /**
   * Renders and sends now. Synchronous content is sent synchronously, so a
   * cell busy in a synchronous loop (no timers, no microtasks) still updates.
   */
  function flush(final: boolean): Promise<void> | undefined {
    if (!dirty || content === undefined) return undefined;
    // Outside a kernel only the final state is printed, once.
    if (!writer && !final) return undefined;
    dirty = false;
    let result: DisplayBundle | readonly DisplayBundle[] | Promise<DisplayBundle | readonly DisplayBundle[]>;
    try {
      result = typeof content === 'function' ? content() : content;
    } catch (error) {
      failed(error);
      return undefined;
    } finally {
      // Taken after rendering, so two renders are never closer than minIntervalMs by any clock reading inside them.
      lastSent = Date.now();
    }
    if (result instanceof Promise) {
      const sending: Promise<void> = result.then((value) => deliver(asList(value)), failed).finally(() => {
        if (inflight === sending) inflight = undefined;
        if (dirty && !closed) schedule();
      });
      inflight = sending;
      return sending;
    }
    deliver(asList(result));
    return undefined;
  }

  function schedule(): void {
    if (inflight) return;
    const wait = lastSent + minInterval - Date.now();
    if (wait <= 0) {
      // Checked on every update, not left to the timer: timers never fire
      // while a synchronous loop holds the thread.
      if (timer) clearTimeout(timer);
      timer = undefined;
      void flush(false);
      return;
    }
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush(false);
    }, wait);
    timer.unref?.();
  }

  return {
    get displayIds() {
      return ids;
    },
    get closed() {
      return closed;
    },
    update(next: LiveContent): void {
      if (closed) return;
      content = next;
      dirty = true;
      schedule();
    },
    async close(final?: LiveContent): Promise<void> {
      if (closed) return inflight;
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (inflight) await inflight;
      if (final !== undefined) content = final;
      if (content === undefined) return;
      dirty = true;
      await flush(true);
    },
  };
}
