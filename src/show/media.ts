/**
 * The fluent media functions: log to the current run (see ActiveRun) and,
 * inside a notebook, show what was logged under the cell: a table's head, a
 * figure as a chart bundle. Images show in the live run card instead.
 */
import { TracklabError } from '../errors';
import type { TableSource } from '../media/arrow-table';
import type { LoggedFigure, LoggedImage, LoggedTable } from '../media/log-media';
import { tableRows } from '../media/arrow-table';
import { display } from '../notebook/display';
import { inKernel } from '../notebook/kernel';
import { msg } from '../messages';
import type { ActiveRun } from '../tracking/active-run';
import { currentRun } from '../tracking/fluent';
import { Mime } from '../views/bundle';
import { PREVIEW_ROWS, tablePreviewBundle } from '../views/table-preview';

function current(): ActiveRun {
  const run = currentRun();
  if (run === undefined) throw new TracklabError('INVALID_STATE', msg.noActiveRun());
  return run;
}

/** See ActiveRun.logImage. @example await tracklab.logImage(tensor, 'samples', { step: epoch }); */
export function logImage(image: unknown, key: string, options?: { step?: number }): Promise<LoggedImage> {
  return current().logImage(image, key, options);
}

/** See ActiveRun.logTable; shows the table's head in a notebook. @example await tracklab.logTable(rows, 'samples'); */
export async function logTable(data: TableSource, name: string, options: { display?: boolean } = {}): Promise<LoggedTable> {
  const logged = await current().logTable(data, name);
  if (options.display ?? inKernel()) display(tablePreviewBundle(logged.path, logged.schema, tableRows(logged.table, PREVIEW_ROWS), logged.numRows));
  return logged;
}

/** See ActiveRun.logFigure; shows the figure in a notebook. @example await tracklab.logFigure(spec, 'class-balance'); */
export async function logFigure(spec: unknown, name: string, options: { display?: boolean } = {}): Promise<LoggedFigure> {
  const logged = await current().logFigure(spec, name);
  if (options.display ?? inKernel()) display({ data: { [Mime.vegaLite]: logged.spec, [Mime.svg]: logged.svg, [Mime.plain]: `figure ${logged.specPath}` } });
  return logged;
}

/** See ActiveRun.logText. @example await tracklab.logText('all good', 'notes.txt'); */
export function logText(text: string, artifactFile: string): Promise<string> {
  return current().logText(text, artifactFile);
}

/** See ActiveRun.logDict. @example await tracklab.logDict({ layers: 3 }, 'config.yaml'); */
export function logDict(dict: unknown, artifactFile: string): Promise<string> {
  return current().logDict(dict, artifactFile);
}
