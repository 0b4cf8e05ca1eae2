/**
 * Checks on the outputs an executed notebook saved: chart bundles (Vega-Lite
 * object + server-rendered SVG + text), escaped HTML, drawn SVG marks. Shared
 * by the example-notebook tests; reads the saved JSON only, no kernel.
 */
import assert from 'node:assert/strict';
import { compileVegaLite } from '../../src/charts/render-svg';
import type { VegaLiteSpec } from '../../src/charts/series';
import { codeCells, mimeText, type Notebook, type NotebookOutput } from '../support/jupyter';

export const VEGA_LITE = 'application/vnd.vegalite.v5+json';
const MAX_BUNDLE_BYTES = 300 * 1024;

export interface SavedChart {
  /** Index among the notebook's code cells. */
  readonly cell: number;
  readonly output: NotebookOutput;
  readonly spec: unknown;
  readonly svg: string;
  readonly summary: string;
}

/** Every display output of the notebook that carries a Vega-Lite spec. */
export function savedCharts(notebook: Notebook): SavedChart[] {
  const out: SavedChart[] = [];
  codeCells(notebook).forEach((cell, i) => {
    for (const output of cell.outputs ?? []) {
      if (output.data?.[VEGA_LITE] === undefined) continue;
      out.push({ cell: i, output, spec: output.data[VEGA_LITE], svg: mimeText(output, 'image/svg+xml') ?? '', summary: mimeText(output, 'text/plain') ?? '' });
    }
  });
  return out;
}

/** The text of one mimetype in every output of every code cell. */
export function savedTexts(notebook: Notebook, mime: string): string[] {
  return codeCells(notebook).flatMap((cell) => (cell.outputs ?? []).map((o) => mimeText(o, mime)).filter((t): t is string => t !== undefined));
}

/**
 * The chart contract: spec as an object with the v5 schema that vega-lite
 * compiles with no error and no warning, an SVG, a summary, no text/html,
 * and the whole bundle within 300 KB.
 */
export async function assertChartBundle(chart: SavedChart): Promise<void> {
  const where = `chart "${chart.summary}"`;
  assert.equal(typeof chart.spec, 'object', `${where}: the spec is saved as a JSON object, not a string`);
  assert.ok(chart.spec !== null && !Array.isArray(chart.spec), where);
  assert.match(String((chart.spec as { $schema?: unknown }).$schema), /^https:\/\/vega\.github\.io\/schema\/vega-lite\/v5(\.\d+)*\.json$/, where);
  // compileVegaLite throws on any compile error or vega-lite warning.
  const compiled = await compileVegaLite(chart.spec as VegaLiteSpec);
  assert.ok(Array.isArray(compiled.marks), `${where}: compiled to a Vega spec with marks`);
  assert.match(chart.svg, /^<svg[\s>]/, `${where}: carries an SVG rendering`);
  assert.notEqual(chart.summary.trim(), '', `${where}: carries a text/plain summary`);
  assert.equal(chart.output.data?.['text/html'], undefined, `${where}: no text/html (JupyterLab would show it instead of the chart)`);
  const bytes = Buffer.byteLength(JSON.stringify(chart.output.data), 'utf8');
  assert.ok(bytes <= MAX_BUNDLE_BYTES, `${where}: ${bytes} bytes > ${MAX_BUNDLE_BYTES}`);
}

export interface MarkGroup {
  /** Vega mark type: line, symbol, rule, text, rect, ... */
  readonly type: string;
  /** The mark's name in the compiled spec, e.g. layer_1_marks. */
  readonly name: string;
  /** Items drawn: paths with a non-empty `d`, lines, texts with content. */
  readonly drawn: number;
  /** The `d` attributes of its paths. */
  readonly paths: readonly string[];
}

/**
 * The data marks of a vega SVG (`<g class="mark-TYPE role-mark NAME">`).
 * Their items are leaf elements, so each group ends at the next `</g>`.
 */
export function markGroups(svg: string): MarkGroup[] {
  const groups: MarkGroup[] = [];
  for (const m of svg.matchAll(/<g class="mark-(\w+) role-mark ([^"]*)"[^>]*>([\s\S]*?)<\/g>/g)) {
    const body = m[3];
    const paths = [...body.matchAll(/<path\b[^>]*\sd="([^"]*)"/g)].map((p) => p[1]);
    const lines = (body.match(/<line\b/g) ?? []).length;
    const texts = [...body.matchAll(/<text\b[^>]*>([^<]+)<\/text>/g)].length;
    groups.push({ type: m[1], name: m[2], drawn: paths.filter((d) => /\d/.test(d)).length + lines + texts, paths });
  }
  return groups;
}

/** Legend labels of a vega SVG, entities decoded (as a reader sees them). */
export function legendLabels(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-text role-legend-label"[^>]*>([\s\S]*?)<\/g>/g)]
    .flatMap((m) => [...m[1].matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((t) => decodeEntities(t[1])));
}

/** Texts of the SVG's chart titles and axis titles. */
export function titles(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-text role-(?:title-text|axis-title)"[^>]*>([\s\S]*?)<\/g>/g)]
    .flatMap((m) => [...m[1].matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((t) => decodeEntities(t[1])));
}

/** A legend shows a run's name, or its start cut at vega's label limit with an ellipsis. */
export function showsName(label: string, name: string): boolean {
  return label === name || (label.endsWith('…') && label.length > 8 && name.startsWith(label.slice(0, -1)));
}

/** Decodes the entities escapeHtml and vega write, in one pass. */
export function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|#39|amp);/g, (_m, e: string) =>
    ({ lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", amp: '&' })[e] ?? _m);
}

/** Raw markup a hostile run name would become if it were not escaped (tracklab outputs have none of these tags). */
export const RAW_MARKUP = /<(img|script|iframe)\b/i;
