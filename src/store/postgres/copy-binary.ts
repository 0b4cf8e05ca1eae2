/**
 * Reads the output of `COPY (...) TO STDOUT (FORMAT binary)`: a header, then
 * one tuple per row (an int16 field count, then each field as an int32
 * length, -1 for NULL, and its bytes), then an int16 -1. Fields come back as
 * views of the bytes received, so a bytea column is never hex-decoded.
 */
import { TracklabError } from '../../errors';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags (int32), header extension length (int32). */
const HEADER = SIGNATURE.length + 8;

export type CopyField = Buffer | null;

/**
 * The rows of a binary COPY, each an array of its fields' bytes. `data` may
 * come as the chunks it arrived in (the server sends a row per message): a
 * field within one chunk is a view of it, and only a field split between
 * chunks is copied, so the bytes are never joined into one buffer first.
 */
export function copyRows(data: Buffer | readonly Buffer[]): CopyField[][] {
  const input = new ChunkReader(Buffer.isBuffer(data) ? [data] : data);
  const header = input.take(HEADER, 'no binary COPY header');
  if (!header.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw broken('no binary COPY header');
  input.take(header.readUInt32BE(HEADER - 4), 'no binary COPY header');
  const rows: CopyField[][] = [];
  for (;;) {
    const count = input.take(2, 'the rows end early').readInt16BE(0);
    if (count === -1) break;
    const row: CopyField[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const length = input.take(4, 'a field ends early').readInt32BE(0);
      row[i] = length === -1 ? null : input.take(length, 'a field ends early');
    }
    rows.push(row);
  }
  return rows;
}

/** Reads consecutive byte ranges over a list of chunks. */
class ChunkReader {
  private chunk = 0;
  private at = 0;

  constructor(private readonly chunks: readonly Buffer[]) {}

  /** The next `n` bytes: a view when they lie in one chunk, else a copy. Throws `broken(what)` past the end. */
  take(n: number, what: string): Buffer {
    this.skipEmpty();
    const first = this.chunks[this.chunk];
    if (first !== undefined && this.at + n <= first.length) {
      const view = first.subarray(this.at, this.at + n);
      this.at += n;
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    for (let filled = 0; filled < n;) {
      this.skipEmpty();
      const chunk = this.chunks[this.chunk];
      if (chunk === undefined) throw broken(what);
      const k = Math.min(n - filled, chunk.length - this.at);
      chunk.copy(out, filled, this.at, this.at + k);
      filled += k;
      this.at += k;
    }
    return out;
  }

  private skipEmpty(): void {
    while (this.chunk < this.chunks.length && this.at >= this.chunks[this.chunk].length) {
      this.chunk++;
      this.at = 0;
    }
  }
}

/** A text field of a binary COPY (UTF-8), or null. */
export const copyText = (field: CopyField): string | null => (field === null ? null : field.toString('utf8'));

/** A boolean field of a binary COPY (one byte), or null. */
export const copyBool = (field: CopyField): boolean | null => (field === null ? null : field[0] !== 0);

function broken(what: string): TracklabError {
  return new TracklabError('INTERNAL_ERROR', `The server's binary COPY output could not be read (${what}); this is a tracklab bug.`);
}
