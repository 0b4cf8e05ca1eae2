/**
 * Small inline copies of logged images for notebook views (run card, show()
 * strips, comparison grids): a data: URI of at most about 48 KB. A small PNG
 * goes in as it is; a larger one is box-averaged down to fit; a JPEG goes in
 * only when it is small already (tracklab does not decode JPEG, see
 * image-input.ts), else the view names the artifact instead.
 */
import { decodePng, encodePng, type Pixels } from './png-codec';

export interface Thumbnail {
  /** data:image/png;base64,… or data:image/jpeg;base64,… */
  readonly src: string;
  readonly width: number;
  readonly height: number;
}

const MAX_BYTES = 48 * 1024;
const MAX_SIDE = 192;

export function thumbnail(bytes: Uint8Array, format: 'png' | 'jpeg', size: { width: number; height: number }, pixels?: Pixels): Thumbnail | undefined {
  const fits = Math.max(size.width, size.height) <= MAX_SIDE;
  if (bytes.length <= MAX_BYTES && (fits || format === 'jpeg')) {
    return { src: `data:image/${format};base64,${Buffer.from(bytes).toString('base64')}`, ...size };
  }
  if (format !== 'png') return undefined;
  const small = downscale(pixels ?? decodePng(bytes), MAX_SIDE);
  const png = encodePng(small);
  if (png.length > MAX_BYTES) return undefined;
  return { src: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, width: small.width, height: small.height };
}

/** Box-average downscale so the longer side is at most `max`. */
function downscale(src: Pixels, max: number): Pixels {
  const scale = Math.max(src.width, src.height) / max;
  if (scale <= 1) return src;
  const width = Math.max(1, Math.round(src.width / scale));
  const height = Math.max(1, Math.round(src.height / scale));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * scale);
    const y1 = Math.max(y0 + 1, Math.min(src.height, Math.floor((y + 1) * scale)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * scale);
      const x1 = Math.max(x0 + 1, Math.min(src.width, Math.floor((x + 1) * scale)));
      const sum = [0, 0, 0, 0];
      for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) for (let k = 0; k < 4; k++) sum[k] += src.rgba[(sy * src.width + sx) * 4 + k];
      const n = (y1 - y0) * (x1 - x0);
      for (let k = 0; k < 4; k++) rgba[(y * width + x) * 4 + k] = Math.round(sum[k] / n);
    }
  }
  return { width, height, rgba };
}
