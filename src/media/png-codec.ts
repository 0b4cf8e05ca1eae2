/**
 * PNG encoding and decoding through pngjs, the one file that knows it.
 *
 * Why pngjs 7: pure JavaScript with no dependencies and no install script
 * (nothing native to download), it deflates with Node's own zlib (native
 * speed for free), it is the most used PNG codec on npm and is tested
 * against the PngSuite images, and its synchronous API fits a logging call.
 * (fast-png is the runner-up: typed and browser-ready, but it deflates in
 * JavaScript through fflate and brings two dependencies.)
 */
import type { PNG as PngClass } from 'pngjs';

// Required on first use: most processes never touch an image.
function pngjs(): typeof PngClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('pngjs') as { PNG: typeof PngClass }).PNG;
}

export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** RGBA, 8 bits a channel, row-major. */
  readonly rgba: Uint8Array;
}

/** pngjs colour types: the smallest lossless one for the source's channels. */
const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** Encodes RGBA pixels as a PNG, stored with as many channels as the source had (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
export function encodePng(pixels: Pixels, channels: 1 | 2 | 3 | 4 = 4): Uint8Array {
  const PNG = pngjs();
  const png = new PNG({ width: pixels.width, height: pixels.height });
  png.data = Buffer.from(pixels.rgba.buffer, pixels.rgba.byteOffset, pixels.rgba.byteLength);
  return PNG.sync.write(png, { colorType: COLOR_TYPE[channels], inputColorType: 6, bitDepth: 8 });
}

/** Decodes any PNG to 8-bit RGBA. */
export function decodePng(bytes: Uint8Array): Pixels {
  const png = pngjs().sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}
