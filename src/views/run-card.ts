// Decision (DESIGN.md "Display bundles"): the live run card is ONE text/html
// output with hand-built inline SVG sparklines, not a table output plus Vega
// chart outputs.
// - Issue 3 asks for one output under the cell updated in place: one bundle
//   means one display_id and one update_display_data per tick.
// - It must be built synchronously and cheaply (a few times a second while
//   the user's loop runs): sparklineSvg is pure string work, no vega import
//   and no await, well under a millisecond per metric.
// - HTML with inline SVG renders the same in JupyterLab, VS Code, classic,
//   nbconvert and nbviewer, and the final state saved in the notebook stays
//   readable without a Vega renderer. Interactive charts of a finished run
//   are `runBundle()` in comparison.ts (show(run)).
import { sparklineSvg } from '../charts/sparkline-svg';
import { escapeHtml, type TrustedHtml } from '../html/escape';
import type { DatasetInput, RunStatus } from '../entities';
import { Mime, type DisplayBundle } from './bundle';
import { formatDuration, formatNumber } from './format';
import { htmlTable, TABLE_CSS } from './html-table';
import { statusBadge } from './status-badge';
import { IMAGE_CSS, latestImagesHtml, type ImageCell } from './image-views';
import type { Table } from './table';
import { textTable } from './text-table';

export interface RunCardCell {
  readonly executionCount: number | null;
  readonly source: string;
  readonly durationMs: number | null;
  readonly status: string;
}

export interface RunCardState {
  readonly runName: string;
  readonly runId: string;
  readonly status: RunStatus;
  readonly statusMessage?: string | null;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly latest: Readonly<Record<string, { readonly value: number; readonly step: number }>>;
  readonly series: readonly { readonly key: string; readonly steps: ArrayLike<number>; readonly values: ArrayLike<number> }[];
  readonly cells?: readonly RunCardCell[];
  /** The run's note (tag `tracklab.note`), shown under the header. */
  readonly note?: string | null;
  /** Datasets the run used (`client.listInputs(runId)`); a table of them when there are any. */
  readonly inputs?: readonly DatasetInput[];
  /** The latest logged image of each key (logImage), shown small under the tables. */
  readonly images?: readonly (ImageCell & { readonly key: string })[];
  /** Provenance tags as [key, value] (see `groupTags()`), in a collapsed section. */
  readonly provenance?: readonly (readonly [string, string])[];
  readonly startTime: number;
  readonly endTime?: number | null;
  /** Clock for the elapsed time of a running run; defaults to Date.now(). */
  readonly now?: number;
}

const MAX_PARAMS = 40;
const MAX_METRICS = 24;
const MAX_CELLS = 30;
const MAX_SOURCE = 4000;
const MAX_NOTE = 2000;
const MAX_INPUTS = 20;

const CARD_CSS = `
/* Two classes: outputs share one page, and a later output's .tl-wrap (a 32em scroll box for long tables) must not cut the card or its tables (capped at 40 params, 24 metrics). */
.tl-card .tl-wrap{max-height:none}
.tl-wrap.tl-card{border:1px solid rgba(128,128,128,.35);border-radius:6px;padding:8px 12px;display:inline-block;min-width:420px;max-height:none}
.tl-card-head{font-size:14px;margin-bottom:4px}
.tl-card-head .tl-id{opacity:.6;font-family:var(--jp-code-font-family,monospace);font-size:11px}
.tl-card-cols{display:flex;flex-wrap:wrap;gap:4px 24px;align-items:flex-start}
.tl-card details{margin-top:6px}
.tl-card summary{cursor:pointer;opacity:.85}
.tl-card pre{margin:2px 0 8px;padding:6px 8px;background:rgba(128,128,128,.1);border-radius:4px;max-height:16em;overflow:auto;font-size:11.5px;white-space:pre}
.tl-card .tl-msg{color:#d62728;margin:2px 0 6px;white-space:pre-wrap}
.tl-card .tl-run-note{margin:2px 0 6px;padding:4px 8px;border-left:3px solid rgba(128,128,128,.5);white-space:pre-wrap;max-width:60em}
`.trim();

/**
 * The live run card: run name, coloured status, elapsed time, the note,
 * params, latest metrics with a sparkline each, the datasets used, and the
 * provenance and executed cells (both collapsed). Returns
 * one bundle (see the decision at the top of this file). Pure and
 * synchronous, so the notebook bridge can call it on every throttled tick.
 *
 * @example
 * const [card] = runCardBundles({ runName: 'brave-otter-042', runId, status: 'RUNNING', params: { lr: 0.1 },
 *   latest: { loss: { value: 0.3, step: 99 } }, series: [{ key: 'loss', steps, values }], startTime: Date.now() });
 */
export function runCardBundles(state: RunCardState): DisplayBundle[] {
  const elapsed = (state.endTime ?? state.now ?? Date.now()) - state.startTime;
  const paramsTable = tableOfParams(state);
  const metricsTable = tableOfMetrics(state);
  const cells = (state.cells ?? []).slice(-MAX_CELLS);
  const hiddenCells = (state.cells?.length ?? 0) - cells.length;

  const head =
    `<div class="tl-card-head"><b>${escapeHtml(state.runName)}</b> ${statusBadge(state.status).trustedHtml} ` +
    `<span>${escapeHtml(formatDuration(elapsed))}</span> <span class="tl-id">${escapeHtml(state.runId)}</span></div>`;
  const message = state.statusMessage ? `<div class="tl-msg">${escapeHtml(state.statusMessage.slice(0, 2000))}</div>` : '';
  const note = state.note && state.note.trim() ? state.note : undefined;
  const noteHtml = note ? `<div class="tl-run-note">${escapeHtml(clip(note, MAX_NOTE))}</div>` : '';
  const inputsTable = state.inputs?.length ? tableOfInputs(state.inputs) : undefined;
  const provenance = state.provenance?.length
    ? `<details><summary>provenance (${state.provenance.length})</summary>${htmlTable(tableOfProvenance(state.provenance), { withStyle: false })}</details>`
    : '';
  const history = cells.length
    ? `<details><summary>cells (${state.cells?.length ?? 0})</summary>` +
      (hiddenCells > 0 ? `<div class="tl-note">${hiddenCells} earlier cell(s) not shown</div>` : '') +
      cells.map((c) => `<div>${escapeHtml(cellLine(c))}</div><pre>${escapeHtml(clipSource(c.source))}</pre>`).join('') +
      `</details>`
    : '';
  const html =
    `<style>${TABLE_CSS}\n${CARD_CSS}${state.images?.length ? `\n${IMAGE_CSS}` : ''}</style><div class="tl-wrap tl-card">${head}${message}${noteHtml}<div class="tl-card-cols">` +
    `${htmlTable(paramsTable, { withStyle: false })}${htmlTable(metricsTable, { withStyle: false })}` +
    `${inputsTable ? htmlTable(inputsTable, { withStyle: false }) : ''}</div>${latestImagesHtml(state.images ?? [])}${provenance}${history}</div>`;

  const text = [
    `run ${oneLine(state.runName)} [${state.status}] ${formatDuration(elapsed)} (${state.runId})`,
    ...(state.statusMessage ? [oneLine(state.statusMessage).slice(0, 300)] : []),
    ...(note ? [`note: ${oneLine(note).slice(0, 300)}`] : []),
    textTable(paramsTable),
    textTable(metricsTable),
    ...(inputsTable ? [textTable(inputsTable)] : []),
    ...(state.images?.length ? [`images: ${state.images.map((i) => `${oneLine(i.key)} (step ${i.step})`).join(', ')}`] : []),
    ...(cells.length ? [`cells: ${cells.map((c) => cellLine(c)).join('; ')}`] : []),
  ].join('\n');
  return [{ data: { [Mime.html]: html, [Mime.plain]: text } }];
}

function tableOfParams(state: RunCardState): Table {
  const entries = Object.entries(state.params);
  const shown = entries.slice(0, MAX_PARAMS);
  return {
    caption: 'params',
    columns: [{ title: 'param' }, { title: 'value', align: 'left' }],
    rows: shown.length ? shown.map(([k, v]) => ({ cells: [k, typeof v === 'number' ? formatNumber(v) : String(v)] })) : [{ cells: ['(none)', null] }],
    note: entries.length > shown.length ? `showing ${shown.length} of ${entries.length} params` : undefined,
  };
}

function tableOfMetrics(state: RunCardState): Table {
  const byKey = new Map(state.series.map((s) => [s.key, s]));
  const keys = [...new Set([...Object.keys(state.latest), ...byKey.keys()])];
  const shown = keys.slice(0, MAX_METRICS);
  const rows = shown.map((key) => {
    const s = byKey.get(key);
    const latest = state.latest[key] ?? (s ? lastPoint(s.steps, s.values) : undefined);
    const spark: TrustedHtml | null = s && s.values.length > 1 ? { trustedHtml: sparklineSvg(s.steps, s.values), text: '' } : null;
    return { cells: [key, latest ? latest.value : null, latest ? latest.step : null, spark] };
  });
  return {
    caption: 'metrics',
    columns: [{ title: 'metric' }, { title: 'last', align: 'right' }, { title: 'step', align: 'right' }, { title: '' }],
    rows: rows.length ? rows : [{ cells: ['(none yet)', null, null, null] }],
    note: keys.length > shown.length ? `showing ${shown.length} of ${keys.length} metrics` : undefined,
  };
}

function tableOfProvenance(entries: readonly (readonly [string, string])[]): Table {
  return { columns: [{ title: 'tag' }, { title: 'value', align: 'left' }], rows: entries.map(([k, v]) => ({ cells: [k, v] })) };
}

function tableOfInputs(inputs: readonly DatasetInput[]): Table {
  const shown = inputs.slice(0, MAX_INPUTS);
  return {
    caption: 'datasets',
    columns: [{ title: 'dataset' }, { title: 'digest' }, { title: 'context' }, { title: 'rows', align: 'right' }],
    rows: shown.map((i) => ({ cells: [i.dataset.name, i.dataset.digest.slice(0, 12), i.context, i.dataset.numRows] })),
    note: inputs.length > shown.length ? `showing ${shown.length} of ${inputs.length} datasets` : undefined,
  };
}

function lastPoint(steps: ArrayLike<number>, values: ArrayLike<number>): { value: number; step: number } | undefined {
  const i = values.length - 1;
  return i >= 0 ? { value: values[i], step: steps[i] } : undefined;
}

function cellLine(c: RunCardCell): string {
  const count = c.executionCount === null ? '[ ]' : `[${c.executionCount}]`;
  return `${count} ${c.status}${c.durationMs !== null ? ` · ${formatDuration(c.durationMs)}` : ''}`;
}

function clipSource(source: string): string {
  return clip(source, MAX_SOURCE);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}
