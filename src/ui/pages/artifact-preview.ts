/**
 * Previews of artifact contents as escaped HTML: text, pretty JSON, the head
 * of a CSV or Arrow table, a notebook read-only, an MLmodel summary. Nothing
 * from the file is ever inserted as markup.
 */
import { parseMLmodel } from '../../models/mlmodel';
import { html, type Html } from '../html';
import type { PreviewKind } from '../artifact-types';

const MAX_TEXT_CHARS = 200_000;
const HEAD_ROWS = 20;

export function artifactPreview(kind: PreviewKind, bytes: Buffer, chartUrl?: string): Html {
  try {
    switch (kind) {
      case 'text': return textView(bytes.toString('utf8'));
      case 'json': return jsonView(bytes.toString('utf8'), chartUrl);
      case 'csv': return csvView(bytes.toString('utf8'));
      case 'arrow': return arrowView(bytes);
      case 'ipynb': return notebookView(bytes.toString('utf8'));
      case 'mlmodel': return mlmodelView(bytes.toString('utf8'));
      default: return html`<p class="muted">No preview for this file type.</p>`;
    }
  } catch (err) {
    return html`<p class="muted">Could not preview this file: ${err instanceof Error ? err.message : String(err)}</p>`;
  }
}

function textView(text: string): Html {
  const cut = text.length > MAX_TEXT_CHARS;
  return html`<pre class="source" data-preview-kind="text">${cut ? text.slice(0, MAX_TEXT_CHARS) : text}</pre>${cut ? html`<p class="muted">First ${MAX_TEXT_CHARS.toLocaleString('en')} characters shown.</p>` : ''}`;
}

function jsonView(text: string, chartUrl?: string): Html {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return textView(text);
  }
  const mode = figureMode(parsed);
  const chart = mode && chartUrl ? html`<div class="card"><div class="chart" data-static data-mode="${mode}" data-spec-url="${chartUrl}" aria-label="figure"></div></div><details><summary class="muted">JSON</summary>${textView(JSON.stringify(parsed, null, 2))}</details>` : undefined;
  return chart ?? textView(JSON.stringify(parsed, null, 2));
}

/** 'vega-lite' or 'vega' when a JSON artifact is a chart spec (a logged figure), by its $schema. */
export function figureMode(value: unknown): 'vega-lite' | 'vega' | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const schema = (value as { $schema?: unknown }).$schema;
  if (typeof schema !== 'string' || !schema.startsWith('https://vega.github.io/schema/')) return undefined;
  return schema.includes('/vega-lite/') ? 'vega-lite' : schema.includes('/vega/') ? 'vega' : undefined;
}

/**
 * A logged figure's spec with everything that could reach out removed:
 * `url` (data to load, images) and `href` (links on marks). The page's CSP
 * and Vega's expression interpreter already keep the spec from running code.
 */
export function inertFigure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inertFigure);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'url' || k === 'href' || k === '__proto__') continue;
    out[k] = inertFigure(v);
  }
  return out;
}

export function table(columns: readonly string[], rows: readonly (readonly string[])[], kind: string, note?: string): Html {
  return html`<div class="scroll"><table class="grid" data-preview-kind="${kind}"><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((v) => html`<td class="val" title="${v}">${v}</td>`)}</tr>`)}</tbody></table></div>${note ? html`<p class="muted">${note}</p>` : ''}`;
}

/** Splits the first lines of CSV (quoted fields, doubled quotes) or TSV. */
export function parseDelimited(text: string, maxRows: number): string[][] {
  const delimiter = text.slice(0, text.indexOf('\n') >>> 0).includes('\t') && !text.slice(0, 200).includes(',') ? '\t' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) { row.push(cell); cell = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if ((cell !== '' || row.length > 0) && rows.length < maxRows) { row.push(cell); rows.push(row); }
  return rows;
}

function csvView(text: string): Html {
  const rows = parseDelimited(text, HEAD_ROWS + 1);
  if (rows.length === 0) return html`<p class="muted">Empty file.</p>`;
  const lines = text.split('\n').filter((l) => l.trim() !== '').length;
  return table(rows[0], rows.slice(1), 'csv', lines - 1 > HEAD_ROWS ? `First ${HEAD_ROWS} of about ${(lines - 1).toLocaleString('en')} rows.` : undefined);
}

function arrowView(bytes: Buffer): Html {
  const arrow = require('apache-arrow') as typeof import('apache-arrow');
  const t = arrow.tableFromIPC(bytes);
  const names = t.schema.fields.map((f) => f.name);
  const rows: string[][] = [];
  for (let i = 0; i < Math.min(HEAD_ROWS, t.numRows); i++) {
    const r = t.get(i);
    rows.push(names.map((n) => show(r?.[n])));
  }
  return html`<p class="muted">${t.numRows.toLocaleString('en')} rows · ${t.schema.fields.map((f) => `${f.name}: ${String(f.type)}`).join(', ')}</p>${table(names, rows, 'arrow', t.numRows > HEAD_ROWS ? `First ${HEAD_ROWS} rows.` : undefined)}`;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    } catch {
      return String(v);
    }
  }
  return String(v);
}

function joined(source: unknown): string {
  return Array.isArray(source) ? source.map(String).join('') : typeof source === 'string' ? source : '';
}

const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

function notebookView(text: string): Html {
  const nb = JSON.parse(text) as { cells?: unknown };
  const cells = Array.isArray(nb.cells) ? nb.cells as Record<string, unknown>[] : [];
  if (cells.length === 0) return html`<p class="muted">The notebook has no cells.</p>`;
  return html`<div data-preview-kind="ipynb">${cells.slice(0, 500).map((cell) => {
    const type = String(cell.cell_type ?? 'code');
    const source = joined(cell.source);
    if (type !== 'code') return html`<div class="nb-cell markdown"><pre class="source">${source}</pre></div>`;
    const outputs = Array.isArray(cell.outputs) ? cell.outputs as Record<string, unknown>[] : [];
    return html`<div class="nb-cell"><div class="cell-head">In [${cell.execution_count === null || cell.execution_count === undefined ? ' ' : String(cell.execution_count)}]</div><pre class="source">${source}</pre>${outputs.map(outputView)}</div>`;
  })}</div>`;
}

function outputView(out: Record<string, unknown>): Html {
  if (out.output_type === 'stream') return html`<div class="nb-out">${joined(out.text)}</div>`;
  if (out.output_type === 'error') return html`<div class="nb-out status-message">${String(out.ename ?? 'Error')}: ${String(out.evalue ?? '')}</div>`;
  const data = (typeof out.data === 'object' && out.data !== null ? out.data : {}) as Record<string, unknown>;
  const png = joined(data['image/png']);
  if (png && BASE64.test(png)) return html`<div class="nb-out"><img alt="cell output" src="data:image/png;base64,${png.replace(/\s/g, '')}"></div>`;
  const plain = joined(data['text/plain']);
  const note = data['text/html'] || data['image/svg+xml'] || data['application/vnd.vegalite.v5+json'] ? ' (rich output shown as text)' : '';
  return plain || note ? html`<div class="nb-out">${plain}${note ? html`<span class="muted">${note}</span>` : ''}</div>` : html``;
}

interface SchemaEntry {
  readonly name?: string;
  readonly type?: string;
  readonly 'tensor-spec'?: { readonly dtype?: string; readonly shape?: readonly number[] };
  readonly required?: boolean;
  readonly default?: unknown;
}

function schemaTable(title: string, json: string | null | undefined): Html {
  if (!json) return html``;
  const entries = JSON.parse(json) as SchemaEntry[];
  if (!Array.isArray(entries)) return html``;
  return html`<h4>${title}</h4>${table(['name', 'type', 'shape'], entries.map((e) => [
    e.name ?? '', e.type === 'tensor' ? `tensor ${e['tensor-spec']?.dtype ?? ''}` : String(e.type ?? ''), e['tensor-spec']?.shape ? `[${e['tensor-spec'].shape.join(', ')}]` : '',
  ]), 'signature')}`;
}

function mlmodelView(text: string): Html {
  const m = parseMLmodel(text);
  return html`<div data-preview-kind="mlmodel"><table class="kv">
<tr><th>Flavors</th><td>${Object.keys(m.flavors).map((f) => html`<span class="chip">${f}</span>`)}</td></tr>
${m.run_id ? html`<tr><th>Run</th><td><a href="/runs/${encodeURIComponent(m.run_id)}">${m.run_id}</a></td></tr>` : ''}
${m.artifact_path ? html`<tr><th>Artifact path</th><td>${m.artifact_path}</td></tr>` : ''}
<tr><th>Created</th><td>${m.utc_time_created} UTC</td></tr>
${m.model_size_bytes !== undefined ? html`<tr><th>Size</th><td>${m.model_size_bytes.toLocaleString('en')} bytes</td></tr>` : ''}
${m.model_uuid ? html`<tr><th>UUID</th><td><code>${m.model_uuid}</code></td></tr>` : ''}
</table>
${m.signature ? html`<h3>Signature</h3>${schemaTable('Inputs', m.signature.inputs)}${schemaTable('Outputs', m.signature.outputs)}${schemaTable('Params', m.signature.params)}` : html`<p class="muted">No signature.</p>`}
<details><summary class="muted">MLmodel file</summary><pre class="source">${text}</pre></details></div>`;
}
