import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import { writeFileAtomicSync } from '../files/durable-file';
import { isRecord } from './jupyter-message';

/**
 * nbformat 4.5 in memory. Multiline fields (source, stream text, text
 * mimetypes) are plain strings here; `serializeNotebook` splits them into line
 * lists the way Jupyter writes them. JSON mimetypes stay objects.
 */
export type MimeBundle = Readonly<Record<string, unknown>>;
export type JsonObject = Readonly<Record<string, unknown>>;

export interface StreamOutput {
  readonly output_type: 'stream';
  readonly name: 'stdout' | 'stderr';
  readonly text: string;
}
export interface DisplayDataOutput {
  readonly output_type: 'display_data';
  readonly data: MimeBundle;
  readonly metadata: JsonObject;
}
export interface ExecuteResultOutput {
  readonly output_type: 'execute_result';
  readonly execution_count: number | null;
  readonly data: MimeBundle;
  readonly metadata: JsonObject;
}
export interface ErrorOutput {
  readonly output_type: 'error';
  readonly ename: string;
  readonly evalue: string;
  readonly traceback: readonly string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  readonly id: string;
  readonly cell_type: 'code';
  readonly source: string;
  readonly metadata: JsonObject;
  readonly execution_count: number | null;
  readonly outputs: readonly Output[];
}
export interface TextCell {
  readonly id: string;
  readonly cell_type: 'markdown' | 'raw';
  readonly source: string;
  readonly metadata: JsonObject;
  readonly attachments?: JsonObject;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  readonly nbformat: 4;
  readonly nbformat_minor: 5;
  readonly metadata: JsonObject;
  readonly cells: readonly Cell[];
}

export function isCodeCell(cell: Cell): cell is CodeCell {
  return cell.cell_type === 'code';
}

/** Cell tags (`metadata.tags`), the papermill convention for marking cells. */
export function cellTags(cell: Cell): readonly string[] {
  const tags = cell.metadata['tags'];
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** JSON mimetypes are stored as objects; everything else is (multiline) text. */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || /\+json$/.test(mime);
}

const ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

function bad(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

function joinLines(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  throw bad(`${where} must be a string or a list of strings.`);
}

function normaliseBundle(data: unknown, where: string): MimeBundle {
  if (!isRecord(data)) throw bad(`${where} must be an object of mimetype to content.`);
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) out[mime] = isJsonMime(mime) ? value : joinLines(value, `${where}["${mime}"]`);
  return out;
}

function normaliseOutput(raw: unknown, where: string): Output {
  if (!isRecord(raw)) throw bad(`${where} must be an object.`);
  switch (raw['output_type']) {
    case 'stream':
      return { output_type: 'stream', name: raw['name'] === 'stderr' ? 'stderr' : 'stdout', text: joinLines(raw['text'], `${where}.text`) };
    case 'display_data':
      return { output_type: 'display_data', data: normaliseBundle(raw['data'], `${where}.data`), metadata: isRecord(raw['metadata']) ? raw['metadata'] : {} };
    case 'execute_result':
      return {
        output_type: 'execute_result',
        execution_count: typeof raw['execution_count'] === 'number' ? raw['execution_count'] : null,
        data: normaliseBundle(raw['data'], `${where}.data`),
        metadata: isRecord(raw['metadata']) ? raw['metadata'] : {},
      };
    case 'error':
      return {
        output_type: 'error',
        ename: String(raw['ename'] ?? ''),
        evalue: String(raw['evalue'] ?? ''),
        traceback: Array.isArray(raw['traceback']) ? raw['traceback'].map(String) : [],
      };
    default:
      throw bad(`${where} has unknown output_type ${JSON.stringify(raw['output_type'])}.`);
  }
}

/**
 * A stable id for a cell that has none (nbformat < 4.5): derived from its
 * position and source, so reading the same file twice gives the same ids.
 */
function stableCellId(index: number, cellType: string, source: string, taken: Set<string>): string {
  const base = createHash('sha256').update(`${index}\0${cellType}\0${source}`).digest('hex').slice(0, 12);
  let id = base;
  for (let n = 1; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** Parses notebook JSON (nbformat 4.x) into a normalised 4.5 notebook; older minors get ids. */
export function parseNotebook(json: string | unknown, where = 'notebook'): Notebook {
  let raw: unknown = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json, (k, v: unknown) => {
        if (k === '__proto__') throw bad(`${where} contains a "__proto__" key; refusing it.`);
        return v;
      });
    } catch (error) {
      if (error instanceof TracklabError) throw error;
      throw new TracklabError('INVALID_PARAMETER_VALUE', `${where} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!isRecord(raw)) throw bad(`${where} must be a JSON object.`);
  if (raw['nbformat'] !== 4) {
    throw bad(`${where} is nbformat ${String(raw['nbformat'])}; only nbformat 4 is supported. Open and save it in Jupyter to upgrade it.`);
  }
  if (!Array.isArray(raw['cells'])) throw bad(`${where} has no "cells" list.`);
  const taken = new Set<string>();
  const cells = raw['cells'].map((c: unknown, i): Cell => {
    const at = `${where} cell ${i}`;
    if (!isRecord(c)) throw bad(`${at} must be an object.`);
    const type = c['cell_type'];
    const source = joinLines(c['source'] ?? '', `${at} source`);
    const metadata = isRecord(c['metadata']) ? c['metadata'] : {};
    const given = c['id'];
    const id = typeof given === 'string' && ID_PATTERN.test(given) && !taken.has(given) ? given : stableCellId(i, String(type), source, taken);
    taken.add(id);
    if (type === 'code') {
      const outputs = Array.isArray(c['outputs']) ? c['outputs'].map((o: unknown, j) => normaliseOutput(o, `${at} output ${j}`)) : [];
      const count = typeof c['execution_count'] === 'number' ? c['execution_count'] : null;
      return { id, cell_type: 'code', source, metadata, execution_count: count, outputs };
    }
    if (type === 'markdown' || type === 'raw') {
      return { id, cell_type: type, source, metadata, ...(isRecord(c['attachments']) ? { attachments: c['attachments'] } : {}) };
    }
    throw bad(`${at} has unknown cell_type ${JSON.stringify(type)}.`);
  });
  return { nbformat: 4, nbformat_minor: 5, metadata: isRecord(raw['metadata']) ? raw['metadata'] : {}, cells };
}

/** Reads and normalises a notebook file. */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `Cannot read notebook ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseNotebook(text, path.basename(file));
}

/** Splits text into lines that keep their `\n`, as nbformat stores multiline strings. */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

function bundleToJson(data: MimeBundle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) out[mime] = isJsonMime(mime) || typeof value !== 'string' ? value : splitLines(value);
  return out;
}

function outputToJson(o: Output): Record<string, unknown> {
  switch (o.output_type) {
    case 'stream':
      return { ...o, text: splitLines(o.text) };
    case 'display_data':
    case 'execute_result':
      return { ...o, data: bundleToJson(o.data) };
    case 'error':
      return { ...o };
  }
}

/** The nbformat JSON text (1-space indent and sorted keys, as Jupyter writes it). */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((c) =>
    isCodeCell(c) ? { ...c, source: splitLines(c.source), outputs: c.outputs.map(outputToJson) } : { ...c, source: splitLines(c.source) },
  );
  return `${JSON.stringify(sortKeys({ ...nb, cells }), null, 1)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
  return out;
}

/** Writes a notebook atomically (see writeFileAtomicSync), so readers never see half a file. */
export function writeNotebook(file: string, nb: Notebook): void {
  writeFileAtomicSync(file, serializeNotebook(nb), { doing: `save the notebook ${file}` });
}

/** Joins consecutive stream outputs of one name, as a frontend shows them. */
export function mergeStreams(nb: Notebook): Notebook {
  const merge = (outputs: readonly Output[]): Output[] => {
    const out: Output[] = [];
    for (const o of outputs) {
      const last = out[out.length - 1];
      if (o.output_type === 'stream' && last?.output_type === 'stream' && last.name === o.name) out[out.length - 1] = { ...last, text: last.text + o.text };
      else out.push(o);
    }
    return out;
  };
  return { ...nb, cells: nb.cells.map((c) => (isCodeCell(c) ? { ...c, outputs: merge(c.outputs) } : c)) };
}

/** Indexes of the code cells that will run; blank ones are skipped, as nbclient does. */
export function runnableCells(nb: Notebook): number[] {
  return nb.cells.flatMap((c, i) => (isCodeCell(c) && c.source.trim() !== '' ? [i] : []));
}

/** Drops outputs and counts from an earlier run, so a saved notebook never mixes two runs. */
export function clearOutputs(nb: Notebook): Notebook {
  return { ...nb, cells: nb.cells.map((c) => (isCodeCell(c) ? { ...c, execution_count: null, outputs: [] } : c)) };
}

/** The kernelspec every tracklab-run notebook records. */
export const TSLAB_KERNELSPEC = { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } as const;
