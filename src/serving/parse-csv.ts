/**
 * `text/csv` request bodies, as MLflow's scoring server reads them with
 * pandas' `read_csv`: the first line names the columns, each further line is
 * a row (RFC 4180 quoting, quoted newlines included, blank lines skipped).
 * Values are typed by the model's column signature when there is one (as
 * MLflow passes the schema's dtypes to read_csv), else as pandas infers them:
 * a column of numbers is numbers (empty cells NaN), a column of True/False is
 * booleans, anything else is text (empty cells null).
 */
import { TracklabError } from '../errors';
import { assertSafeKey } from '../models/safe-keys';
import type { DataType } from '../models/schema';
import { servingMsg } from './messages';

const NUMBER = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)$/i;
const TRUE = new Set(['True', 'TRUE', 'true']);
const FALSE = new Set(['False', 'FALSE', 'false']);

/** Row objects from a CSV body; `types` are the signature's column types by name, if any. */
export function parseCsvRows(text: string, types?: ReadonlyMap<string, DataType>): Record<string, unknown>[] {
  const records = csvRecords(text);
  if (records.length === 0) throw bad('the body is empty.');
  const header = records[0]!;
  const seen = new Set<string>();
  for (const name of header) {
    assertSafeKey(name, 'The CSV header');
    if (seen.has(name)) throw bad(`the header names the column ${JSON.stringify(name)} twice.`);
    seen.add(name);
  }
  const rows = records.slice(1);
  rows.forEach((cells, r) => {
    if (cells.length !== header.length) throw bad(`line ${r + 2} has ${cells.length} values for ${header.length} columns.`);
  });
  const convert = header.map((name, c) => converter(types?.get(name), rows.map((cells) => cells[c]!)));
  return rows.map((cells) => Object.fromEntries(header.map((name, c) => [name, convert[c]!(cells[c]!)])));
}

type Convert = (cell: string) => unknown;

function converter(type: DataType | undefined, cells: readonly string[]): Convert {
  switch (type) {
    case 'string': case 'binary': case 'datetime': return (cell) => cell;
    case 'long': case 'integer': case 'double': case 'float': return toNumber;
    case 'boolean': return toBoolean;
    case undefined: {
      const filled = cells.filter((c) => c !== '');
      if (filled.length > 0 && filled.every((c) => NUMBER.test(c.trim()))) return toNumber;
      if (filled.length > 0 && filled.every((c) => TRUE.has(c) || FALSE.has(c))) return toBoolean;
      return (cell) => (cell === '' ? null : cell);
    }
  }
}

function toNumber(cell: string): number {
  const t = cell.trim();
  if (t === '') return NaN;
  if (!NUMBER.test(t)) throw bad(`${JSON.stringify(cell)} is not a number.`);
  const lower = t.toLowerCase().replace(/^\+/, '');
  if (lower === 'nan' || lower === '-nan') return NaN;
  if (/^inf/.test(lower)) return Infinity;
  if (/^-inf/.test(lower)) return -Infinity;
  return Number(t);
}

function toBoolean(cell: string): boolean | null {
  if (cell === '') return null;
  if (TRUE.has(cell)) return true;
  if (FALSE.has(cell)) return false;
  throw bad(`${JSON.stringify(cell)} is not True or False.`);
}

/** Records of an RFC 4180 text: fields split on commas, quoted fields may hold commas, quotes ("") and newlines. */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let started = false; // the current record has content (so a blank line is skipped)
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false;
      else field += ch;
      continue;
    }
    if (ch === '"' && field === '') { quoted = true; started = true; continue; }
    if (ch === ',') { record.push(field); field = ''; started = true; continue; }
    if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (started || field !== '') { record.push(field); records.push(record); }
      record = [];
      field = '';
      started = false;
      continue;
    }
    field += ch;
    started = true;
  }
  if (quoted) throw bad('a quoted value is not closed.');
  if (started || field !== '') { record.push(field); records.push(record); }
  return records;
}

function bad(detail: string): TracklabError {
  return new TracklabError('BAD_REQUEST', servingMsg.csvBad(detail));
}
