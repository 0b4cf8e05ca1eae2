import * as path from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import { TracklabError } from '../errors';
import { writeFileAtomic } from '../files/durable-file';

/** The 6 bytes that open and (before the footer length) close every Arrow IPC file. */
export const ARROW_FILE_MAGIC = 'ARROW1';

/**
 * Writes `table` as an Arrow IPC **file** (random-access format with footer,
 * what pyarrow's `ipc.open_file`, polars, DuckDB and R arrow read; `.arrow`
 * by convention). Written to a temp file beside `file`, fsynced and renamed,
 * so readers never see half a file.
 *
 * @example
 * await writeArrowFile('history.arrow', historyTable(blocks));
 * // python: pyarrow.ipc.open_file('history.arrow').read_all()
 */
export async function writeArrowFile(file: string, table: Table): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = tableToIPC(withoutEmptyBatches(table), 'file');
  } catch (cause) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `The table cannot be encoded as Arrow IPC: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
  await writeFileAtomic(file, bytes, { doing: `write the Arrow file ${path.resolve(file)}` });
}

/**
 * The table without zero-row record batches. apache-arrow writes such a batch
 * without the dictionary batches its dictionary columns point at, and polars
 * or pyarrow then refuse the whole file ("Dictionary id 0 not found"). A
 * table with no rows at all becomes its schema alone, which every reader takes.
 */
export function withoutEmptyBatches(table: Table): Table {
  if (!table.batches.some((batch) => batch.numRows === 0)) return table;
  return new Table(table.schema, table.batches.filter((batch) => batch.numRows > 0));
}
