/**
 * Logged images in notebook output: a strip of one key over steps (show),
 * a grid of runs × steps (compare) and the latest image per key (run card).
 * Images go in as data: URIs tracklab built from the stored bytes (see
 * src/media/thumbnail.ts), never as user markup; every user string (key,
 * run name) is escaped. Small images are scaled up with crisp pixels so an
 * 8×8 digit reads as one.
 */
import { escapeHtml } from '../html/escape';
import { Mime, type DisplayBundle } from './bundle';
import { TABLE_CSS } from './html-table';

export interface ImageCell {
  readonly step: number;
  /** A data:image/png or data:image/jpeg URI; undefined when there is no inline copy (a large JPEG). */
  readonly src?: string;
  readonly width: number;
  readonly height: number;
  /** The artifact path, named when there is no inline copy. */
  readonly path: string;
}

export const IMAGE_CSS = `
.tl-imgs{border-collapse:collapse;margin:4px 0}
.tl-imgs td,.tl-imgs th{padding:3px 6px;text-align:center;vertical-align:bottom;font-weight:normal}
.tl-imgs th{font-size:11.5px;opacity:.8}
.tl-imgs th.tl-run{text-align:right;vertical-align:middle;font-weight:600;max-width:16em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.tl-imgs img{display:block;margin:0 auto;image-rendering:pixelated;border:1px solid rgba(128,128,128,.35);background:#fff}
.tl-imgs .tl-cap{font-size:11px;opacity:.7}
.tl-imgs .tl-missing{font-size:11px;opacity:.6;max-width:10em;white-space:normal}
`.trim();

const DISPLAY_SIDE = 112;

/**
 * Display size: about `side` tall and at most four times that wide (a grid
 * of tiles is wide); small images are scaled up by a whole factor so their
 * pixels stay crisp squares, large ones scaled down.
 */
export function displaySize(width: number, height: number, side = DISPLAY_SIDE): { width: number; height: number } {
  const fit = Math.min(side / Math.max(height, 1), (4 * side) / Math.max(width, 1));
  const scale = fit >= 1 ? Math.floor(fit) : fit;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function imageHtml(cell: ImageCell | undefined, side = DISPLAY_SIDE): string {
  if (cell === undefined) return '';
  if (cell.src === undefined || !/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/.test(cell.src)) {
    return `<div class="tl-missing">${escapeHtml(cell.path)} (${cell.width}×${cell.height}, too large to inline)</div>`;
  }
  const size = displaySize(cell.width, cell.height, side);
  return `<img src="${cell.src}" width="${size.width}" height="${size.height}" alt="${escapeHtml(cell.path)}">`;
}

/** Evenly spaced steps, first and last included, at most `max`. */
export function pickSteps(steps: readonly number[], max: number): number[] {
  const sorted = [...new Set(steps)].sort((a, b) => a - b);
  if (sorted.length <= max) return sorted;
  return [...new Set(Array.from({ length: max }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (max - 1))]))];
}

/**
 * One key of one run over its steps.
 * @example display(imageStripBundle('samples', cells));
 */
export function imageStripBundle(key: string, cells: readonly ImageCell[], note?: string): DisplayBundle {
  const head = cells.map((c) => `<th>step ${c.step}</th>`).join('');
  const body = cells.map((c) => `<td>${imageHtml(c)}</td>`).join('');
  const html = `<style>${TABLE_CSS}\n${IMAGE_CSS}</style><div class="tl-wrap"><div><b>${escapeHtml(key)}</b> <span class="tl-note">${cells.length} step(s)${note ? `; ${escapeHtml(note)}` : ''}</span></div>` +
    `<table class="tl-imgs"><thead><tr>${head}</tr></thead><tbody><tr>${body}</tr></tbody></table></div>`;
  return { data: { [Mime.html]: html, [Mime.plain]: `image ${key}: steps ${cells.map((c) => c.step).join(', ')}` } };
}

/**
 * One key across runs (rows) and steps (columns); a run without that step leaves its cell empty.
 * @example display(imageGridBundle('samples', [{ name: 'brave-otter-042', cells }]));
 */
export function imageGridBundle(key: string, runs: readonly { readonly name: string; readonly cells: readonly ImageCell[] }[]): DisplayBundle {
  const steps = [...new Set(runs.flatMap((r) => r.cells.map((c) => c.step)))].sort((a, b) => a - b);
  const head = `<th></th>${steps.map((s) => `<th>step ${s}</th>`).join('')}`;
  const body = runs.map((r) => {
    const byStep = new Map(r.cells.map((c) => [c.step, c]));
    return `<tr><th class="tl-run" title="${escapeHtml(r.name)}">${escapeHtml(r.name)}</th>${steps.map((s) => `<td>${imageHtml(byStep.get(s))}</td>`).join('')}</tr>`;
  }).join('');
  const html = `<style>${TABLE_CSS}\n${IMAGE_CSS}</style><div class="tl-wrap"><div><b>${escapeHtml(key)}</b> <span class="tl-note">${runs.length} run(s) × ${steps.length} step(s)</span></div>` +
    `<table class="tl-imgs"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  const text = `image ${key}: ${runs.map((r) => `${r.name} (steps ${r.cells.map((c) => c.step).join(', ')})`).join('; ')}`;
  return { data: { [Mime.html]: html, [Mime.plain]: text } };
}

/** The run card's images: the latest of each key, small. */
export function latestImagesHtml(images: readonly (ImageCell & { readonly key: string })[]): string {
  if (images.length === 0) return '';
  const cells = images.map((i) => `<td>${imageHtml(i, 72)}<div class="tl-cap">${escapeHtml(i.key)} · step ${i.step}</div></td>`).join('');
  return `<table class="tl-imgs"><tbody><tr>${cells}</tr></tbody></table>`;
}
