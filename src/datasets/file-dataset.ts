/**
 * A file as a dataset: the digest is the sha256 of its bytes; schema, row
 * count and profile come from the format when that is cheap to read (CSV/TSV
 * header and a sample, JSON arrays and JSON lines, Arrow IPC files).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Arrow from 'apache-arrow';
import type { DatasetColumn } from '../entities';
import { TracklabError } from '../errors';
import { emptyRecord } from '../records';
import { parseCsvLine } from './csv-line';
import { rowsFacts, tableFacts, type DatasetFacts } from './table-dataset';

/** Files up to this size are parsed for schema and profile; larger ones get digest and row count only. */
export const MAX_PARSED_BYTES = 64 * 1024 * 1024;
/** CSV profiles come from the first rows. */
export const CSV_SAMPLE_ROWS = 10_000;

function invalid(message: string, cause?: unknown): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message, cause === undefined ? undefined : { cause });
}

/** The absolute path of a readable regular file, or a clear error. */
export function checkDatasetFile(file: string): string {
  if (file.includes('\0')) throw invalid('A dataset path cannot contain a NUL character.');
  const absolute = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch (err) {
    throw invalid(`Dataset file ${absolute} does not exist or cannot be read. Check the path (relative paths start at ${process.cwd()}).`, err);
  }
  if (!stat.isFile()) throw invalid(`Dataset path ${absolute} is not a file; log a file (CSV, JSON, JSON lines, Arrow) or pass the data itself.`);
  return absolute;
}

/** Hashes in chunks so a large file never sits in memory whole; counts newlines on the way. */
function hashFile(file: string): { digest: string; newlines: number; endsWithNewline: boolean; size: number } {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let newlines = 0;
  let last = -1;
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      hash.update(chunk);
      for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) newlines++;
      last = chunk[n - 1]!;
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { digest: hash.digest('hex'), newlines, endsWithNewline: last === 10, size };
}

export function fileFacts(file: string): DatasetFacts {
  const { digest, newlines, endsWithNewline, size } = hashFile(file);
  const lines = size === 0 ? 0 : newlines + (endsWithNewline ? 0 : 1);
  const ext = path.extname(file).toLowerCase();
  const parse = size <= MAX_PARSED_BYTES;
  const none = { digest, schema: null, profile: null, numRows: null };
  try {
    if (ext === '.csv' || ext === '.tsv') return { ...csvFacts(file, ext === '.tsv' ? '\t' : ',', parse), digest, numRows: Math.max(0, lines - 1) };
    if ((ext === '.jsonl' || ext === '.ndjson')) {
      if (!parse) return { ...none, numRows: lines };
      const rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
      return { ...rowsFacts(rows), digest };
    }
    if (ext === '.json' && parse) {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      return Array.isArray(data) ? { ...rowsFacts(data), digest } : none;
    }
    if ((ext === '.arrow' || ext === '.feather' || ext === '.ipc' || ext === '.arrows') && parse) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const A = require('apache-arrow') as typeof Arrow;
      return { ...tableFacts(A.tableFromIPC(fs.readFileSync(file))), digest };
    }
  } catch (err) {
    if (err instanceof TracklabError) throw err;
    throw invalid(`Dataset file ${file} could not be read as ${ext.slice(1).toUpperCase()}: ${err instanceof Error ? err.message : String(err)}. Fix the file, or rename it so tracklab records only its digest.`, err);
  }
  return none;
}

/** Header names and a profile of the first rows; values that read as numbers count as numbers. */
function csvFacts(file: string, separator: string, parse: boolean): Omit<DatasetFacts, 'digest' | 'numRows'> {
  const fd = fs.openSync(file, 'r');
  let head: string;
  try {
    const buf = Buffer.alloc(parse ? Math.min(fs.fstatSync(fd).size, 16 * 1024 * 1024) : 64 * 1024);
    head = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
  const lines = head.split(/\r?\n/);
  const header = parseCsvLine(lines[0] ?? '', separator);
  if (!parse) return { schema: header.map((name) => ({ name, type: 'string' })), profile: null };
  // The last line of a cut buffer may be partial.
  const sample = lines.slice(1, Math.min(lines.length - (head.length < 16 * 1024 * 1024 ? 0 : 1), CSV_SAMPLE_ROWS + 1)).filter((l) => l !== '');
  const rows = sample.map((line) => {
    const cells = parseCsvLine(line, separator);
    const row = emptyRecord<unknown>(); // a "__proto__" header is a column like any other
    header.forEach((name, i) => { row[name] = typed(cells[i]); });
    return row;
  });
  const facts = rowsFacts(rows);
  const schema: DatasetColumn[] = header.map((name) => facts.schema?.find((c) => c.name === name) ?? { name, type: 'null' });
  return { schema, profile: facts.profile };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function typed(cell: string | undefined): unknown {
  if (cell === undefined || cell === '') return null;
  return NUMBER.test(cell.trim()) ? Number(cell) : cell;
}
