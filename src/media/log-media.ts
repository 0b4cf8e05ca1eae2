/**
 * Media and structured logging (MLflow's log_image, log_table, log_figure,
 * log_text, log_dict) as plain operations over an artifact sink, so the
 * active run and the client share them. Where things go on a run:
 * - images/<key>/step_<step>.png (or .jpg): one file per step, the history;
 * - tables/<name>.arrow: Arrow IPC file, schema included;
 * - figures/<name>.vl.json and figures/<name>.svg: the spec and its SVG;
 * - text and dicts at the file name given (.json, or .yaml/.yml for YAML).
 */
import type * as Arrow from 'apache-arrow';
import { normalizeArtifactPath } from '../artifacts/artifact-path';
import { renderSvg } from '../charts/render-svg';
import type { VegaLiteSpec } from '../charts/series';
import { TracklabError } from '../errors';
import { tableSchema, tableToIpcFile, toArrowTable, type ColumnSchema, type TableSource } from './arrow-table';
import { checkFigureSpec } from './figure-spec';
import { toStoredImage } from './image-input';
import { mediaMsg } from './messages';
import { imagePath } from './media-paths';
import { thumbnail, type Thumbnail } from './thumbnail';

/** Where media goes: a run's artifact writer (ActiveRun's ordered one, or the client's for a run id). */
export interface ArtifactSink {
  logArtifact(source: Uint8Array, artifactPath: string): Promise<unknown>;
}

export interface LoggedImage {
  readonly key: string;
  readonly step: number;
  readonly path: string;
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
  /** For live views; undefined for a large JPEG. */
  readonly thumbnail?: Thumbnail;
}

export interface LoggedTable {
  readonly path: string;
  readonly schema: readonly ColumnSchema[];
  readonly numRows: number;
  readonly table: Arrow.Table;
}

export interface LoggedFigure {
  readonly specPath: string;
  readonly svgPath: string;
  readonly spec: VegaLiteSpec;
  readonly svg: string;
}

export { IMAGE_PATH } from './media-paths';

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

/** A key or name used as a folder: MLflow's key characters, no empty, "." or ".." segments. */
function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || !/^[\w.\- /]+$/u.test(name) || name.split('/').some((s) => s === '' || s === '.' || s === '..')) throw invalid(mediaMsg.keyBad(what, name));
  return name;
}

/**
 * Stores an image at a step of `key`. PNG and JPEG bytes are kept as they are.
 * @example await logImageTo(sink, { data: pixels, shape: [28, 28] }, 'digits', { step: 3 });
 */
export async function logImageTo(sink: ArtifactSink, image: unknown, key: string, options: { step?: number } = {}): Promise<LoggedImage> {
  checkName('Image key', key);
  const step = options.step ?? 0;
  if (!Number.isSafeInteger(step) || step < 0) throw invalid(mediaMsg.stepBad(step));
  const stored = toStoredImage(image);
  const path = normalizeArtifactPath(imagePath(key, step, stored.format));
  await sink.logArtifact(stored.bytes, path);
  return {
    key, step, path, format: stored.format, width: stored.width, height: stored.height,
    thumbnail: thumbnail(stored.bytes, stored.format, stored, stored.pixels),
  };
}

/**
 * Stores a table as an Arrow IPC file (with its schema) under tables/.
 * @example await logTableTo(sink, [{ id: 1, label: 'cat' }], 'samples'); // tables/samples.arrow
 */
export async function logTableTo(sink: ArtifactSink, data: TableSource, name: string): Promise<LoggedTable> {
  if (typeof name !== 'string' || name.trim() === '') throw invalid(mediaMsg.tableEmptyName());
  checkName('Table name', name);
  const table = toArrowTable(data);
  const path = normalizeArtifactPath(name.endsWith('.arrow') ? name : `tables/${name}.arrow`);
  await sink.logArtifact(tableToIpcFile(table), path);
  return { path, schema: tableSchema(table), numRows: table.numRows, table };
}

/**
 * Stores a Vega-Lite v5 spec and its server-rendered SVG under figures/.
 * @example await logFigureTo(sink, { mark: 'bar', data: { values }, encoding }, 'class-balance');
 */
export async function logFigureTo(sink: ArtifactSink, spec: unknown, name: string): Promise<LoggedFigure> {
  const base = checkName('Figure name', typeof name === 'string' ? name.replace(/(\.vl)?\.json$|\.svg$/, '') : name);
  const checked = checkFigureSpec(spec);
  let svg: string;
  try {
    svg = await renderSvg(checked, { userSpec: true });
  } catch (cause) {
    if (cause instanceof TracklabError) throw cause;
    throw invalid(mediaMsg.specInvalid(cause instanceof Error ? cause.message : String(cause)));
  }
  const specPath = normalizeArtifactPath(`figures/${base}.vl.json`);
  const svgPath = normalizeArtifactPath(`figures/${base}.svg`);
  await sink.logArtifact(Buffer.from(JSON.stringify(checked, null, 1)), specPath);
  await sink.logArtifact(Buffer.from(svg), svgPath);
  return { specPath, svgPath, spec: checked, svg };
}

/** MLflow's log_text. @example await logTextTo(sink, report, 'notes/report.md'); */
export async function logTextTo(sink: ArtifactSink, text: string, artifactFile: string): Promise<string> {
  if (typeof text !== 'string') throw invalid(mediaMsg.textNotString(text));
  if (typeof artifactFile !== 'string' || artifactFile === '') throw invalid(mediaMsg.fileNameMissing('logText'));
  const path = normalizeArtifactPath(artifactFile);
  await sink.logArtifact(Buffer.from(text, 'utf8'), path);
  return path;
}

/** MLflow's log_dict: YAML for .yaml/.yml, JSON otherwise. @example await logDictTo(sink, config, 'config.yaml'); */
export async function logDictTo(sink: ArtifactSink, dict: unknown, artifactFile: string): Promise<string> {
  if (dict === null || typeof dict !== 'object') throw invalid(mediaMsg.dictNotObject(dict));
  if (typeof artifactFile !== 'string' || artifactFile === '') throw invalid(mediaMsg.fileNameMissing('logDict'));
  const path = normalizeArtifactPath(artifactFile);
  let text: string;
  try {
    text = /\.ya?ml$/i.test(path) ? (require('yaml') as typeof import('yaml')).stringify(dict) : `${JSON.stringify(dict, null, 2)}\n`;
  } catch (cause) {
    throw invalid(`${mediaMsg.dictNotObject(dict)} (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  await sink.logArtifact(Buffer.from(text, 'utf8'), path);
  return path;
}
