/**
 * An Arrow reader that shares no code with apache-arrow: polars (Rust arrow2
 * underneath) through nodejs-polars. Tests hand it the exact bytes a user's
 * tool would get, so a file only apache-arrow can read fails here.
 * nodejs-polars treats only paths ending in .ipc as files, so it always gets
 * a Buffer.
 */
import * as fs from 'node:fs';
import pl from 'nodejs-polars';

export interface PolarsFrame {
  readonly columns: readonly string[];
  /** Polars' names: Categorical, Int64, Datetime(ms,), Float64, Utf8/String, ... */
  readonly dtypes: readonly string[];
  readonly height: number;
  /** The values of one column as polars returns them (numbers, strings, Dates, null). */
  column(name: string): unknown[];
}

/** Reads Arrow IPC **file** bytes (what writeArrowFile and tableToIPC(t, 'file') give) with polars. */
export function readIpcWithPolars(bytes: Uint8Array): PolarsFrame {
  const frame = pl.readIPC(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    columns: frame.columns,
    dtypes: frame.dtypes.map((t) => String(t).replace(/^DataType\((.*)\)$/, '$1')),
    height: frame.height,
    column: (name) => [...frame.getColumn(name).toArray()] as unknown[],
  };
}

/** {@link readIpcWithPolars} of a file on disk (read into a Buffer: polars opens only .ipc paths itself). */
export function readIpcFileWithPolars(file: string): PolarsFrame {
  return readIpcWithPolars(fs.readFileSync(file));
}

/** The polars dtypes of a metric history table (run_id, key, step, timestamp, value). */
export const HISTORY_DTYPES = ['Categorical', 'Categorical', 'Int64', 'Datetime(ms,)', 'Float64'] as const;
