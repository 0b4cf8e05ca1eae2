/**
 * What logImage accepts, turned into the bytes it stores:
 * - PNG bytes: stored as they are (byte-exact), after reading the header;
 * - JPEG bytes: stored as they are too (see the decision below);
 * - pixels with a shape: `{ data, shape: [h, w] | [h, w, c] }` (c = 1 grey,
 *   2 grey+alpha, 3 RGB, 4 RGBA), nested arrays [h][w] or [h][w][c], or a
 *   tfjs tensor of those shapes; integers are 0..255, floats 0..1 (as
 *   tf.browser.toPixels reads them), encoded as PNG.
 *
 * Decision, JPEG: kept as JPEG, not decoded to PNG. JPEG is lossy already,
 * so a PNG of it only grows (5-10x for photos) without getting back what
 * was lost; keeping the file keeps the user's bytes and every browser shows
 * it. Only its header is read (size, for the views).
 */
import { TracklabError } from '../errors';
import { isTfTensorLike, isTypedArray } from '../models/tensor-data';
import { mediaMsg } from './messages';
import { encodePng, type Pixels } from './png-codec';

export interface StoredImage {
  readonly bytes: Uint8Array;
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
  /** Decoded pixels when tracklab encoded them (for thumbnails), else undefined. */
  readonly pixels?: Pixels;
}

export type ImageSource =
  | Uint8Array
  | { readonly data: ArrayLike<number>; readonly shape: readonly number[] }
  | readonly unknown[]
  | { readonly shape: readonly number[]; readonly dtype: string; arraySync(): unknown; dataSync?(): ArrayLike<number> };

const MAX_SIDE = 8192;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

export function toStoredImage(image: unknown): StoredImage {
  if (image instanceof Uint8Array) return fromBytes(image);
  if (isTfTensorLike(image)) {
    const t = image as { shape: readonly number[]; dtype: string; dataSync?: () => ArrayLike<number>; arraySync(): unknown };
    const data = typeof t.dataSync === 'function' ? t.dataSync() : (t.arraySync() as unknown[]).flat(Infinity) as number[];
    return fromPixels(data, t.shape, t.dtype.startsWith('float') ? 'float' : 'int');
  }
  if (typeof image === 'object' && image !== null && !Array.isArray(image) && 'shape' in image && 'data' in image) {
    const { data, shape } = image as { data: unknown; shape: unknown };
    if (!(Array.isArray(data) || isTypedArray(data)) || !Array.isArray(shape)) throw invalid(mediaMsg.imageUnsupported(image));
    const kind = data instanceof Float32Array || data instanceof Float64Array ? 'float' : isTypedArray(data) ? 'int' : 'auto';
    return fromPixels(data as ArrayLike<number>, shape as number[], kind);
  }
  if (Array.isArray(image)) {
    const shape = nestedShape(image);
    if (shape === null) throw invalid(mediaMsg.imageShape('a ragged or non-numeric nested array'));
    return fromPixels(image.flat(Infinity) as number[], shape, 'auto');
  }
  throw invalid(mediaMsg.imageUnsupported(image));
}

function nestedShape(value: unknown[]): number[] | null {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return typeof level === 'number' ? shape : null;
}

function fromBytes(bytes: Uint8Array): StoredImage {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw invalid(mediaMsg.imageCorrupt('PNG', 'no IHDR chunk'));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { bytes, format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const size = jpegSize(bytes);
    return { bytes, format: 'jpeg', ...size };
  }
  throw invalid(mediaMsg.imageBytesUnknown());
}

/** The frame size of a JPEG, from its first SOFn marker. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) throw invalid(mediaMsg.imageCorrupt('JPEG', `no marker at byte ${i}`));
    const marker = bytes[i + 1];
    if (marker === 0xff) { i++; continue; }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    // SOF0..SOF15 except DHT (c4), JPG (c8) and DAC (cc)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[i + 5] << 8) | bytes[i + 6], width: (bytes[i + 7] << 8) | bytes[i + 8] };
    }
    i += 2 + length;
  }
  throw invalid(mediaMsg.imageCorrupt('JPEG', 'no frame header (SOF) found'));
}

function fromPixels(data: ArrayLike<number>, shape: readonly number[], kind: 'int' | 'float' | 'auto'): StoredImage {
  const [height, width, c = 1] = shape;
  const channels = shape.length === 2 ? 1 : c;
  const valid = (shape.length === 2 || shape.length === 3) && [height, width, channels].every((d) => Number.isInteger(d) && d > 0) && channels <= 4;
  if (!valid) throw invalid(mediaMsg.imageShape(shape));
  if (width > MAX_SIDE || height > MAX_SIDE) throw invalid(mediaMsg.imageTooLarge(width, height, MAX_SIDE));
  const count = width * height * channels;
  if (data.length !== count) throw invalid(mediaMsg.imageSize(count, data.length));
  let float = kind === 'float';
  if (kind === 'auto') {
    // Plain numbers: floats if any is fractional, else 0..255 integers.
    float = false;
    for (let i = 0; i < data.length; i++) if (!Number.isInteger(data[i])) { float = true; break; }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const px: number[] = [];
    for (let k = 0; k < channels; k++) {
      const index = p * channels + k;
      const v = data[index];
      if (float ? !(v >= 0 && v <= 1) : !(v >= 0 && v <= 255)) throw invalid(mediaMsg.pixelValue(v, index, float));
      px.push(float ? Math.round(v * 255) : Math.round(v));
    }
    const o = p * 4;
    if (channels <= 2) {
      rgba[o] = rgba[o + 1] = rgba[o + 2] = px[0];
      rgba[o + 3] = channels === 2 ? px[1] : 255;
    } else {
      rgba[o] = px[0];
      rgba[o + 1] = px[1];
      rgba[o + 2] = px[2];
      rgba[o + 3] = channels === 4 ? px[3] : 255;
    }
  }
  const pixels = { width, height, rgba };
  return { bytes: encodePng(pixels, channels as 1 | 2 | 3 | 4), format: 'png', width, height, pixels };
}
