/** Every user-facing text of media and structured logging, in one module. */
import { describe, quote } from '../messages';

export const mediaMsg = {
  rowNotObject: (i: number, row: unknown) =>
    `Row ${i} of the table is ${describe(row)}; a table is an array of objects like { x: 1, label: 'a' }, an object of columns, or an apache-arrow Table.`,
  columnLengths: (lengths: readonly number[]) =>
    `The table's columns have different lengths (${lengths.join(', ')}). Give every column one value per row.`,
  tableUnsupported: (got: unknown) =>
    `logTable() takes an array of row objects, an object of columns or an apache-arrow Table; got ${describe(got)}.`,
  tableEmptyName: () =>
    'logTable() needs a name, e.g. logTable(rows, "predictions").',
  imageUnsupported: (got: unknown) =>
    'logImage() takes PNG or JPEG bytes, pixels with a shape ({ data, shape: [height, width, channels] }), a nested array ' +
    `[height][width] or [height][width][channels], or a tfjs tensor; got ${describe(got)}.`,
  imageBytesUnknown: () =>
    'logImage() got bytes that are neither PNG nor JPEG. Pass PNG/JPEG file contents, or raw pixels as { data, shape: [height, width, channels] }.',
  imageCorrupt: (kind: string, detail: string) =>
    `logImage() could not read the ${kind} header (${detail}). Pass a complete ${kind} file.`,
  imageShape: (shape: unknown) =>
    `logImage() needs a shape [height, width] or [height, width, channels] with channels 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); got ${JSON.stringify(shape)}.`,
  imageSize: (expected: number, got: number) =>
    `logImage(): the shape needs ${expected} values but the pixel data has ${got}.`,
  imageTooLarge: (w: number, h: number, max: number) =>
    `logImage(): ${w}×${h} is larger than ${max}×${max} pixels. Downscale it first.`,
  pixelValue: (value: unknown, index: number, float: boolean) =>
    float
      ? `logImage(): pixel value ${describe(value)} at index ${index} is outside [0, 1]. Float pixels must be in [0, 1]; integer pixels in [0, 255].`
      : `logImage(): pixel value ${describe(value)} at index ${index} is outside [0, 255]. Integer pixels must be in [0, 255] (or pass floats in [0, 1]).`,
  keyBad: (what: string, key: unknown) =>
    `${what} ${typeof key === 'string' ? quote(key) : describe(key)} is not usable: use letters, digits, "_", "-", "." and "/" (it names artifact folders), e.g. "samples" or "val/errors".`,
  stepBad: (step: unknown) =>
    `logImage() step must be a non-negative integer, got ${describe(step)}.`,
  specNotObject: (got: unknown) =>
    `logFigure() takes a Vega-Lite spec object, got ${describe(got)}.`,
  specSchema: (schema: unknown) =>
    `logFigure() takes Vega-Lite v5 specs; $schema is ${describe(schema)}. Use "https://vega.github.io/schema/vega-lite/v5.json" or leave $schema out.`,
  specForbidden: (path: string, why: string) =>
    `logFigure() refuses the spec: ${path} ${why}. Figures carry their data inline (data: { values: [...] }) and load nothing.`,
  specInvalid: (detail: string) =>
    `logFigure(): Vega-Lite cannot compile the spec: ${detail}`,
  specTooLarge: (bytes: number, max: number) =>
    `logFigure(): the spec is ${Math.round(bytes / 1024)} KB, more than ${Math.round(max / 1024)} KB. Aggregate or sample its data first.`,
  textNotString: (got: unknown) =>
    `logText() takes a string, got ${describe(got)}.`,
  dictNotObject: (got: unknown) =>
    `logDict() takes a plain object (or array), got ${describe(got)}.`,
  fileNameMissing: (fn: string) =>
    `${fn}() needs an artifact file name, e.g. ${fn}(value, "notes/summary.${fn === 'logDict' ? 'json' : 'txt'}").`,
} as const;
