/**
 * Binary form of one flushed metric block (steps, timestamps, values), as
 * stored in `metric_blocks.data`. Built for the two things that matter on
 * that path: few bytes per point and decoding with memcpy-speed, so there is
 * no general-purpose compression here.
 *
 * Layout (little-endian):
 *   u8       format version (1)
 *   varint   n, the point count
 *   f64 × n  values, raw IEEE-754 bits (NaN, ±Infinity and -0 kept exactly)
 *   column   steps
 *   column   timestamps
 *
 * A column starts with a mode byte:
 *   0 ARITHMETIC  f64 start, f64 stride; x[i] = start + i * stride
 *   1 DELTA       f64 first, then n-1 zigzag varint deltas (integers only)
 *   2 RAW         f64 × n
 * The encoder only picks ARITHMETIC or DELTA when decoding reproduces every
 * value bit for bit; anything else (fractions, -0, NaN, |x| > 2^53) is RAW.
 */
import { TracklabError } from '../errors';

export interface DecodedBlock {
  readonly steps: Float64Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

const VERSION = 1;
const ARITHMETIC = 0;
const DELTA = 1;
const RAW = 2;
/** Deltas up to 2^52 keep their zigzag form (2|d|) inside the safe-integer range. */
const MAX_DELTA = 2 ** 52;
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
/**
 * Columns up to this length (most blocks of short runs) are written one number
 * at a time, through `scratch`: a byte view of them or of `out` would move
 * those small arrays off the V8 heap (see ON_HEAP_DOUBLES in metric-buffer.ts),
 * which costs more than the copy.
 */
const SMALL_COLUMN = 8;
const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

/**
 * Encodes one block. The three arrays must have equal length.
 *
 * @example
 * const n = 3;
 * const blob = encodeBlock(new Float64Array([0, 1, 2]), new Float64Array([1e12, 1e12, 1e12 + 1]), new Float64Array([0.5, NaN, -0]));
 * decodeBlock(blob).values; // Float64Array [0.5, NaN, -0]
 */
export function encodeBlock(steps: Float64Array, timestamps: Float64Array, values: Float64Array): Uint8Array {
  const n = values.length;
  if (steps.length !== n || timestamps.length !== n) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `A metric block needs equal-length columns; got ${steps.length} steps, ${timestamps.length} timestamps and ${n} values.`);
  }
  const stepMode = chooseMode(steps);
  const timeMode = chooseMode(timestamps);
  const size = 1 + varintSize(n) + 8 * n + columnSize(steps, stepMode) + columnSize(timestamps, timeMode);
  const out = new Uint8Array(size);
  out[0] = VERSION;
  let at = writeVarint(out, 1, n);
  at = writeFloats(out, at, values);
  at = writeColumn(out, at, steps, stepMode);
  at = writeColumn(out, at, timestamps, timeMode);
  // Only a DELTA column is sized by its upper bound.
  return at === size ? out : out.subarray(0, at);
}

/** Decodes a block written by {@link encodeBlock}. Throws INTERNAL_ERROR on damaged data. */
export function decodeBlock(data: Uint8Array): DecodedBlock {
  try {
    return decodeColumns(data, undefined);
  } catch (err) {
    throw storedDamage(err);
  }
}

/**
 * Arrays that {@link decodeReceivedBlock} decodes into, reused from call to
 * call (they grow to the longest block seen), so checking a block received
 * from elsewhere allocates nothing per block.
 */
export class BlockScratch {
  steps = new Float64Array(0);
  timestamps = new Float64Array(0);
  values = new Float64Array(0);

  /** Views of length `n`, growing the arrays when needed. */
  take(n: number): DecodedBlock {
    if (this.values.length < n) {
      const size = Math.max(n, 2 * this.values.length);
      this.steps = new Float64Array(size);
      this.timestamps = new Float64Array(size);
      this.values = new Float64Array(size);
    }
    return { steps: this.steps.subarray(0, n), timestamps: this.timestamps.subarray(0, n), values: this.values.subarray(0, n) };
  }
}

/**
 * Decodes a block that came from elsewhere (a client's upload) into views of
 * `scratch`'s arrays, valid until its next use. Every length and mode is
 * checked as {@link decodeBlock} checks them; a malformed block throws
 * INVALID_PARAMETER_VALUE with what is wrong and the `what` that names it.
 */
export function decodeReceivedBlock(data: Uint8Array, scratch: BlockScratch, what: string): DecodedBlock {
  try {
    return decodeColumns(data, scratch);
  } catch (err) {
    if (!(err instanceof Damaged)) throw err;
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${what}: the encoded block is malformed (${err.message}), so nothing was written. Send blocks as encodeBlock writes them.`);
  }
}

/** How one column of an encoded block is stored, with its first and last values. */
export interface ColumnLayout {
  readonly mode: 'arithmetic' | 'delta' | 'raw';
  /** ARITHMETIC: start and stride. DELTA: the first value and a stride of NaN. RAW: NaN and NaN. */
  readonly start: number;
  readonly stride: number;
  /** The value of the last point (DELTA: the running sum of its deltas); NaN for RAW. */
  readonly last: number;
  /** The least and greatest values of the column; NaN for RAW. */
  readonly least: number;
  readonly greatest: number;
}

/** The layout of an encoded block, read without decoding its points. */
export interface BlockLayout {
  readonly n: number;
  /** Offset of the values (n little-endian f64s) in the block's bytes. */
  readonly valuesAt: number;
  readonly steps: ColumnLayout;
  readonly timestamps: ColumnLayout;
}

/**
 * Checks a received block's every length and mode as {@link decodeReceivedBlock}
 * does (INVALID_PARAMETER_VALUE naming `what`), and returns its layout, so a
 * caller can summarise a block with regular columns straight from its bytes.
 */
export function readReceivedLayout(data: Uint8Array, what: string): BlockLayout {
  try {
    if (data.length < 2 || data[0] !== VERSION) throw damaged(`unknown format version ${data.length ? data[0] : 'none'}`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const cursor = { at: 1 };
    const n = readVarint(data, cursor);
    const valuesAt = cursor.at;
    if (valuesAt + 8 * n > data.length) throw damaged('values run past the end');
    cursor.at += 8 * n;
    const steps = columnLayout(data, view, cursor, n);
    const timestamps = columnLayout(data, view, cursor, n);
    if (cursor.at !== data.length) throw damaged('trailing bytes');
    return { n, valuesAt, steps, timestamps };
  } catch (err) {
    if (!(err instanceof Damaged)) throw err;
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${what}: the encoded block is malformed (${err.message}), so nothing was written. Send blocks as encodeBlock writes them.`);
  }
}

function columnLayout(data: Uint8Array, view: DataView, cursor: { at: number }, n: number): ColumnLayout {
  if (cursor.at >= data.length) throw damaged('missing column');
  const mode = data[cursor.at++];
  if (mode === RAW) {
    if (cursor.at + 8 * n > data.length) throw damaged('raw column runs past the end');
    cursor.at += 8 * n;
    return { mode: 'raw', start: NaN, stride: NaN, last: NaN, least: NaN, greatest: NaN };
  }
  if (cursor.at + (mode === ARITHMETIC ? 16 : 8) > data.length) throw damaged('column header runs past the end');
  if (mode === ARITHMETIC) {
    const start = view.getFloat64(cursor.at, true);
    const stride = view.getFloat64(cursor.at + 8, true);
    cursor.at += 16;
    const last = start + (n - 1) * stride;
    return { mode: 'arithmetic', start, stride, last, least: Math.min(start, last), greatest: Math.max(start, last) };
  }
  if (mode !== DELTA) throw damaged(`unknown column mode ${mode}`);
  const first = view.getFloat64(cursor.at, true);
  cursor.at += 8;
  let x = first;
  let least = first;
  let greatest = first;
  for (let i = 1; i < n; i++) {
    const z = readVarint(data, cursor);
    x += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    if (x < least) least = x;
    if (x > greatest) greatest = x;
  }
  return { mode: 'delta', start: first, stride: NaN, last: x, least, greatest };
}

function decodeColumns(data: Uint8Array, scratch: BlockScratch | undefined): DecodedBlock {
  if (data.length < 2 || data[0] !== VERSION) {
    throw damaged(`unknown format version ${data.length ? data[0] : 'none'}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const cursor = { at: 1 };
  const n = readVarint(data, cursor);
  if (cursor.at + 8 * n > data.length) throw damaged('values run past the end');
  const out = scratch?.take(n);
  const values = readFloats(data, cursor.at, n, out?.values);
  cursor.at += 8 * n;
  const steps = readColumn(data, view, cursor, n, out?.steps);
  const timestamps = readColumn(data, view, cursor, n, out?.timestamps);
  if (cursor.at !== data.length) throw damaged('trailing bytes');
  return { steps, timestamps, values };
}

/** The point count of an encoded block, read from its header. Throws INTERNAL_ERROR on damaged data. */
export function blockLength(data: Uint8Array): number {
  try {
    if (data.length < 2 || data[0] !== VERSION) {
      throw damaged(`unknown format version ${data.length ? data[0] : 'none'}`);
    }
    return readVarint(data, { at: 1 });
  } catch (err) {
    throw storedDamage(err);
  }
}

/**
 * Decodes a block straight into columns of a larger table from point `at`:
 * values into `values` (a copy of their bytes), steps and timestamps as
 * little-endian int64 words (two int32 each) into `steps` and `timestamps`,
 * with no intermediate arrays. Steps and timestamps are integers (the store
 * refuses others), exact as int64 up to 2^53. Returns the point count.
 */
export function decodeBlockInto(data: Uint8Array, steps: Int32Array, timestamps: Int32Array, values: Float64Array, at: number): number {
  try {
    return decodeWordsInto(data, steps, timestamps, values, at);
  } catch (err) {
    throw storedDamage(err);
  }
}

function decodeWordsInto(data: Uint8Array, steps: Int32Array, timestamps: Int32Array, values: Float64Array, at: number): number {
  if (data.length < 2 || data[0] !== VERSION) {
    throw damaged(`unknown format version ${data.length ? data[0] : 'none'}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const cursor = { at: 1 };
  const n = readVarint(data, cursor);
  if (cursor.at + 8 * n > data.length) throw damaged('values run past the end');
  if (at + n > values.length) throw damaged('more points than the block count says');
  if (LITTLE_ENDIAN) new Uint8Array(values.buffer, values.byteOffset + 8 * at, 8 * n).set(data.subarray(cursor.at, cursor.at + 8 * n));
  else for (let i = 0; i < n; i++) values[at + i] = view.getFloat64(cursor.at + 8 * i, true);
  cursor.at += 8 * n;
  readColumnInto(data, view, cursor, n, steps, at);
  readColumnInto(data, view, cursor, n, timestamps, at);
  if (cursor.at !== data.length) throw damaged('trailing bytes');
  return n;
}

const TWO_32 = 4294967296;

/** readColumn, written as int64 words from point `at` (see decodeBlockInto). */
function readColumnInto(data: Uint8Array, view: DataView, cursor: { at: number }, n: number, words: Int32Array, at: number): void {
  if (cursor.at >= data.length) throw damaged('missing column');
  const mode = data[cursor.at++];
  if (mode === RAW) {
    if (cursor.at + 8 * n > data.length) throw damaged('raw column runs past the end');
    for (let i = 0, w = 2 * at; i < n; i++, w += 2) {
      const x = view.getFloat64(cursor.at + 8 * i, true);
      const hi = Math.floor(x / TWO_32);
      words[w] = (x - hi * TWO_32) | 0;
      words[w + 1] = hi | 0;
    }
    cursor.at += 8 * n;
    return;
  }
  if (cursor.at + (mode === ARITHMETIC ? 16 : 8) > data.length) throw damaged('column header runs past the end');
  // The high word changes rarely (steps past 2^32, or timestamps crossing one): divide only then.
  let hi = 0;
  let base = 0;
  let w = 2 * at;
  if (mode === ARITHMETIC) {
    const start = view.getFloat64(cursor.at, true);
    const stride = view.getFloat64(cursor.at + 8, true);
    cursor.at += 16;
    const last = start + (n - 1) * stride;
    if (start >= 0 && start < TWO_32 && last >= 0 && last < TWO_32 && Number.isInteger(start) && Number.isInteger(stride)) {
      // Every value shares the high word 0 (the sequence is monotonic): the low word steps in int32 arithmetic,
      // which wraps mod 2^32 exactly as `lo | 0` below writes it.
      const d = stride | 0;
      for (let i = 0, lo = start | 0; i < n; i++, w += 2, lo = (lo + d) | 0) {
        words[w] = lo;
        words[w + 1] = 0;
      }
      return;
    }
    for (let i = 0; i < n; i++, w += 2) {
      const x = start + i * stride;
      let lo = x - base;
      if (lo < 0 || lo >= TWO_32) {
        hi = Math.floor(x / TWO_32);
        base = hi * TWO_32;
        lo = x - base;
      }
      words[w] = lo | 0;
      words[w + 1] = hi | 0;
    }
    return;
  }
  if (mode !== DELTA) throw damaged(`unknown column mode ${mode}`);
  // The value is base + lo, with 0 <= lo < 2^32 while the deltas keep it in one high word.
  const first = view.getFloat64(cursor.at, true);
  hi = Math.floor(first / TWO_32);
  base = hi * TWO_32;
  let lo = first - base;
  let p = cursor.at + 8;
  const end = data.length;
  for (let i = 0; i < n; i++, w += 2) {
    if (i > 0) {
      // An inlined readVarint: most deltas are one byte, whose zigzag form decodes with bit operations.
      if (p >= end) throw damaged('varint runs past the end');
      let b = data[p++];
      if (b < 0x80) {
        lo += (b >>> 1) ^ -(b & 1);
      } else {
        let z = b & 0x7f;
        let scale = 0x80;
        for (;;) {
          if (p >= end || scale > 2 ** 56) throw damaged('varint runs past the end');
          b = data[p++];
          z += (b & 0x7f) * scale;
          if (b < 0x80) break;
          scale *= 0x80;
        }
        lo += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      if (lo < 0 || lo >= TWO_32) {
        const x = base + lo;
        hi = Math.floor(x / TWO_32);
        base = hi * TWO_32;
        lo = x - base;
      }
    }
    words[w] = lo | 0;
    words[w + 1] = hi | 0;
  }
  cursor.at = p;
}

function chooseMode(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return ARITHMETIC;
  const start = xs[0];
  const stride = n > 1 ? xs[1] - start : 0;
  let arithmetic = true;
  let prev = start;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    // Safe integers only (this also rejects NaN and ±Infinity), and no -0.
    if (!(x <= Number.MAX_SAFE_INTEGER && x >= -Number.MAX_SAFE_INTEGER && x === Math.trunc(x)) || (x === 0 && 1 / x < 0)) return RAW;
    const d = x - prev;
    if (d > MAX_DELTA || d < -MAX_DELTA) return RAW;
    if (arithmetic && start + i * stride !== x) arithmetic = false;
    prev = x;
  }
  return arithmetic ? ARITHMETIC : DELTA;
}

function columnSize(xs: Float64Array, mode: number): number {
  if (mode === ARITHMETIC) return 17;
  if (mode === RAW) return 1 + 8 * xs.length;
  return 1 + 8 + 8 * xs.length; // varints of at most 8 bytes (2^53 < 2^56)
}

function writeColumn(out: Uint8Array, at: number, xs: Float64Array, mode: number): number {
  out[at++] = mode;
  const n = xs.length;
  if (mode === RAW) return writeFloats(out, at, xs);
  if (mode === ARITHMETIC) {
    at = writeFloat(out, at, n > 0 ? xs[0] : 0);
    return writeFloat(out, at, n > 1 ? xs[1] - xs[0] : 0);
  }
  at = writeFloat(out, at, xs[0]);
  for (let i = 1; i < n; i++) {
    const d = xs[i] - xs[i - 1];
    at = writeVarint(out, at, d >= 0 ? 2 * d : -2 * d - 1);
  }
  return at;
}

/** One column, into `out` (length n) when given. */
function readColumn(data: Uint8Array, view: DataView, cursor: { at: number }, n: number, out: Float64Array | undefined): Float64Array {
  if (cursor.at >= data.length) throw damaged('missing column');
  const mode = data[cursor.at++];
  if (mode === RAW) {
    if (cursor.at + 8 * n > data.length) throw damaged('raw column runs past the end');
    const xs = readFloats(data, cursor.at, n, out);
    cursor.at += 8 * n;
    return xs;
  }
  if (cursor.at + (mode === ARITHMETIC ? 16 : 8) > data.length) throw damaged('column header runs past the end');
  const xs = out ?? new Float64Array(n);
  if (mode === ARITHMETIC) {
    const start = view.getFloat64(cursor.at, true);
    const stride = view.getFloat64(cursor.at + 8, true);
    cursor.at += 16;
    for (let i = 0; i < n; i++) xs[i] = start + i * stride;
    return xs;
  }
  if (mode !== DELTA) throw damaged(`unknown column mode ${mode}`);
  let x = view.getFloat64(cursor.at, true);
  cursor.at += 8;
  if (n > 0) xs[0] = x;
  for (let i = 1; i < n; i++) {
    const z = readVarint(data, cursor);
    x += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    xs[i] = x;
  }
  return xs;
}

function varintSize(z: number): number {
  let size = 1;
  for (; z >= 0x80; z = Math.floor(z / 0x80)) size++;
  return size;
}

/** Unsigned LEB128 for integers up to 2^53; returns the new offset. */
function writeVarint(out: Uint8Array, at: number, z: number): number {
  while (z >= 0x80) {
    out[at++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  out[at++] = z;
  return at;
}

function readVarint(data: Uint8Array, cursor: { at: number }): number {
  let at = cursor.at;
  if (at >= data.length) throw damaged('varint runs past the end');
  let b = data[at++];
  if (b < 0x80) { // the common case: a delta of 0 or ±1..63
    cursor.at = at;
    return b;
  }
  let z = b & 0x7f;
  let scale = 0x80;
  for (;;) {
    if (at >= data.length || scale > 2 ** 56) throw damaged('varint runs past the end');
    b = data[at++];
    z += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 0x80;
  }
  cursor.at = at;
  return z;
}

/** Writes `xs` as little-endian f64s; returns the new offset. */
function writeFloats(out: Uint8Array, at: number, xs: Float64Array): number {
  const n = xs.length;
  if (LITTLE_ENDIAN && n > SMALL_COLUMN) {
    out.set(new Uint8Array(xs.buffer, xs.byteOffset, 8 * n), at);
    return at + 8 * n;
  }
  for (let i = 0; i < n; i++) at = writeFloat(out, at, xs[i]);
  return at;
}

function writeFloat(out: Uint8Array, at: number, x: number): number {
  scratch.setFloat64(0, x, true);
  for (let k = 0; k < 8; k++) out[at + k] = scratchBytes[k];
  return at + 8;
}

function readFloats(data: Uint8Array, at: number, n: number, out?: Float64Array): Float64Array {
  const xs = out ?? new Float64Array(n);
  if (LITTLE_ENDIAN) {
    new Uint8Array(xs.buffer, xs.byteOffset, 8 * n).set(data.subarray(at, at + 8 * n));
    return xs;
  }
  const view = new DataView(data.buffer, data.byteOffset);
  for (let i = 0; i < n; i++) xs[i] = view.getFloat64(at + 8 * i, true);
  return xs;
}

/** What the decoder found wrong; each entry point words it for its caller (a stored block, or one received). */
class Damaged extends Error {}

function damaged(why: string): Damaged {
  return new Damaged(why);
}

function storedDamage(err: unknown): unknown {
  if (!(err instanceof Damaged)) return err;
  return new TracklabError('INTERNAL_ERROR',
    `A stored metric block is damaged (${err.message}). Run "PRAGMA integrity_check" on the store, or restore it from a backup.`);
}
