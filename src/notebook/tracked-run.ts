/**
 * What auto-capture keeps per run: the cells it ran in (recorded in the
 * store), a bounded copy of each metric series for sparklines, and the live
 * run card of the cell running now.
 */
import type { CellRecord, RunStatus } from '../entities';
import type { ActiveRun, RunEvent } from '../tracking/active-run';
import type { DisplayBundle } from '../views/bundle';
import { runCardBundles, type RunCardCell } from '../views/run-card';
import type { ImageCell } from '../views/image-views';
import type { CellEnd, CellStart } from './cell-hooks';
import { liveDisplay, type LiveDisplay } from './live-display';
import { notebookMsg, warnOnce } from './messages';

/** Points kept per metric for the card's sparkline; older ones are thinned 2:1. */
const SERIES_CAP = 1000;
const CARD_INTERVAL_MS = 250;

interface Series {
  steps: number[];
  values: number[];
}

export interface TrackedRun {
  readonly run: ActiveRun;
  /** Records `cell` as running on this run (once per cell). */
  attachCell(cell: CellStart): void;
  /** True when `cell` was attached. */
  hasCell(cell: CellStart): boolean;
  /** Records how `cell` ended. */
  endCell(end: CellEnd): Promise<void>;
  /** Opens the live card under the running cell if there is none yet. */
  openCard(): void;
  /** Sends the card's final state for this cell and forgets the card. */
  closeCard(): Promise<void>;
  /** Remembers why the run ended, for the card. */
  setOutcome(status: RunStatus, message: string | null): void;
  /** Stops listening to the run. */
  dispose(): void;
}

export interface TrackOptions {
  /** Show a live card in cells where the run is active. */
  readonly liveCard: boolean;
}

function thin(series: Series): void {
  const steps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < series.steps.length; i += 2) {
    steps.push(series.steps[i]);
    values.push(series.values[i]);
  }
  const last = series.steps.length - 1;
  if (last % 2 === 1) {
    steps.push(series.steps[last]);
    values.push(series.values[last]);
  }
  series.steps = steps;
  series.values = values;
}

/** Starts tracking `run`: listens to its events and records cells to its store. */
export function trackRun(run: ActiveRun, opts: TrackOptions): TrackedRun {
  const series = new Map<string, Series>();
  /** The latest image of each key, for the card. */
  const images = new Map<string, ImageCell & { key: string }>();
  /** By the hooks' cell seq: entries keep the cell, this run's own seq, and how it ended. */
  const cells = new Map<number, { cell: CellStart; seq: number; end?: CellEnd }>();
  let seq = 0;
  let card: LiveDisplay | undefined;
  let outcome: { status: RunStatus; message: string | null; endTime: number } | undefined;
  // The run row is written asynchronously; cell records wait for it.
  let writes: Promise<void> = run.settled();

  function record(cell: CellRecord): Promise<void> {
    writes = writes.then(async () => {
      try {
        await run.client.recordCell(cell);
      } catch (error) {
        warnOnce('record-cell', notebookMsg.autologFailed('record a cell on the run', error));
      }
    });
    return writes;
  }

  function cardCells(): RunCardCell[] {
    // The cell that loaded tracklab has no known source or count to show.
    return [...cells.values()].filter(({ cell }) => !cell.loadedHooks).map(({ cell, end }) => ({
      executionCount: end?.executionCount ?? cell.executionCount,
      source: cell.code,
      durationMs: end ? end.endTime - end.startTime : null,
      status: end?.status ?? 'running',
    }));
  }

  function render(): readonly DisplayBundle[] {
    const snap = run.snapshot();
    return runCardBundles({
      runName: snap.runName,
      runId: snap.runId,
      status: outcome?.status ?? snap.status,
      statusMessage: outcome?.message ?? null,
      params: snap.params,
      latest: snap.latest,
      series: [...series.entries()].map(([key, s]) => ({ key, steps: s.steps, values: s.values })),
      cells: cardCells(),
      images: [...images.values()],
      startTime: snap.startTime,
      // The run's own end time once it ends (the stored one), so the card and the store agree.
      endTime: snap.endTime ?? outcome?.endTime ?? null,
    });
  }

  function onEvent(event: RunEvent): void {
    if (event.type === 'metrics') {
      for (const point of event.points) {
        let s = series.get(point.key);
        if (!s) {
          s = { steps: [], values: [] };
          series.set(point.key, s);
        }
        s.steps.push(point.step);
        s.values.push(point.value);
        if (s.steps.length > SERIES_CAP) thin(s);
      }
    }
    if (event.type === 'image') {
      const { key, step, path, width, height, thumbnail } = event.image;
      const old = images.get(key);
      if (!old || step >= old.step) images.set(key, { key, step, path, width: thumbnail?.width ?? width, height: thumbnail?.height ?? height, src: thumbnail?.src });
    }
    // A new card renders itself once; an open one is marked dirty (rendering waits for the throttle).
    if (card) card.update(render);
    else openCard();
  }

  function openCard(): void {
    if (!opts.liveCard || card) return;
    card = liveDisplay({ minIntervalMs: CARD_INTERVAL_MS });
    card.update(render);
  }

  const unsubscribe = run.subscribe(onEvent);

  return {
    run,
    attachCell(cell: CellStart): void {
      if (cells.has(cell.seq)) return;
      const entry = { cell, seq: cell.loadedHooks ? 0 : ++seq };
      cells.set(cell.seq, entry);
      if (cell.loadedHooks) return;
      void record({
        runId: run.id, seq: entry.seq, executionCount: cell.executionCount, source: cell.code,
        startTime: cell.startTime, endTime: null, status: 'running', error: null,
      });
    },
    hasCell(cell: CellStart): boolean {
      return cells.has(cell.seq);
    },
    endCell(end: CellEnd): Promise<void> {
      const entry = cells.get(end.seq);
      if (!entry) return writes;
      entry.end = end;
      if (end.loadedHooks) return writes;
      return record({
        runId: run.id, seq: entry.seq, executionCount: end.executionCount, source: end.code,
        startTime: end.startTime, endTime: end.endTime, status: end.status, error: end.error,
      });
    },
    openCard,
    async closeCard(): Promise<void> {
      const closing = card;
      card = undefined;
      if (closing) await closing.close(render);
    },
    setOutcome(status: RunStatus, message: string | null): void {
      outcome = { status, message, endTime: Date.now() };
    },
    dispose(): void {
      unsubscribe();
    },
  };
}
