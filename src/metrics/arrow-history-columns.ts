/**
 * The way back from a metric history table (arrow-history.ts, as the server
 * sends it in an Arrow IPC stream) to metric blocks: one block per stretch
 * of rows with the same run and key, read from the columns' typed arrays.
 */
import type { Data, Table } from 'apache-arrow';
import type { MetricColumns } from '../entities';
import { TracklabError } from '../errors';
import { HISTORY_COLUMNS } from './arrow-history';

function strings(data: Data): { codes: Int32Array; names: string[] } {
  const dictionary = data.dictionary;
  if (dictionary === undefined) throw notHistory('run_id and key must be dictionary-encoded');
  return { codes: data.values as Int32Array, names: dictionary.toArray() as string[] };
}

function doubles(data: Data): Float64Array {
  const values = data.values as BigInt64Array | Float64Array;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(values[data.offset + i]);
  return out;
}

/** Blocks of a history table, in its row order. */
export function columnsFromHistory(table: Table): MetricColumns[] {
  for (const name of HISTORY_COLUMNS) if (table.getChild(name) === null) throw notHistory(`it has no ${name} column`);
  const out: MetricColumns[] = [];
  const [runIds, keys, steps, timestamps, values] = HISTORY_COLUMNS.map((name) => table.getChild(name)!.data);
  for (let c = 0; c < values!.length; c++) {
    const run = strings(runIds![c]!);
    const key = strings(keys![c]!);
    const stepColumn = doubles(steps![c]!);
    const timeColumn = doubles(timestamps![c]!);
    const valueData = values![c]!;
    const valueColumn = (valueData.values as Float64Array).subarray(valueData.offset, valueData.offset + valueData.length);
    const ro = runIds![c]!.offset;
    const ko = keys![c]!.offset;
    let start = 0;
    for (let i = 1; i <= valueData.length; i++) {
      const same = i < valueData.length && run.codes[ro + i] === run.codes[ro + start] && key.codes[ko + i] === key.codes[ko + start];
      if (same) continue;
      out.push({
        runId: run.names[run.codes[ro + start]!]!,
        key: key.names[key.codes[ko + start]!]!,
        steps: stepColumn.slice(start, i),
        timestamps: timeColumn.slice(start, i),
        values: valueColumn.slice(start, i),
      });
      start = i;
    }
  }
  return out;
}

function notHistory(why: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', `This table is not a metric history (${why}); columns are ${HISTORY_COLUMNS.join(', ')}.`);
}
