import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import { TracklabError } from '../errors';

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
  const target = path.resolve(file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.part`);
  let bytes: Uint8Array;
  try {
    bytes = tableToIPC(withoutEmptyBatches(table), 'file');
  } catch (cause) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `The table cannot be encoded as Arrow IPC: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx', 0o644);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, target);
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw new TracklabError('INTERNAL_ERROR',
      `Could not write the Arrow file ${target}: ${cause instanceof Error ? cause.message : String(cause)}. Check that its folder exists and is writable.`, { cause });
  }
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
