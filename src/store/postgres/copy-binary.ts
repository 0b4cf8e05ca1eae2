/**
 * Reads the output of `COPY (...) TO STDOUT (FORMAT binary)`: a header, then
 * one tuple per row (an int16 field count, then each field as an int32
 * length, -1 for NULL, and its bytes), then an int16 -1. Fields come back as
 * views of the one buffer, so a bytea column is never copied or hex-decoded.
 */
import { TracklabError } from '../../errors';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags (int32), header extension length (int32). */
const HEADER = SIGNATURE.length + 8;

export type CopyField = Buffer | null;

/** The rows of a binary COPY, each an array of its fields' bytes. */
export function copyRows(data: Buffer): CopyField[][] {
  if (data.length < HEADER + 2 || !data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw broken('no binary COPY header');
  let at = HEADER + data.readUInt32BE(HEADER - 4);
  const rows: CopyField[][] = [];
  for (;;) {
    if (at + 2 > data.length) throw broken('the rows end early');
    const count = data.readInt16BE(at);
    at += 2;
    if (count === -1) break;
    const row: CopyField[] = new Array(count);
    for (let i = 0; i < count; i++) {
      if (at + 4 > data.length) throw broken('a field ends early');
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row[i] = null;
        continue;
      }
      if (at + length > data.length) throw broken('a field ends early');
      row[i] = data.subarray(at, at + length);
      at += length;
    }
    rows.push(row);
  }
  return rows;
}

/** A text field of a binary COPY (UTF-8), or null. */
export const copyText = (field: CopyField): string | null => (field === null ? null : field.toString('utf8'));

/** A boolean field of a binary COPY (one byte), or null. */
export const copyBool = (field: CopyField): boolean | null => (field === null ? null : field[0] !== 0);

function broken(what: string): TracklabError {
  return new TracklabError('INTERNAL_ERROR', `The server's binary COPY output could not be read (${what}); this is a tracklab bug.`);
}
