/**
 * `-P key=value` arguments and sweep grids. A value with commas is a list of
 * values to sweep: `-P lr=0.01,0.1 -P epochs=5,10` is a 2×2 grid.
 *
 * Commas that are data:
 * - escape them: `-P 'title=a\,b'` is the one value `a,b` (`\\` is a backslash);
 * - or they sit inside brackets, braces or double quotes, so JSON values need
 *   no escaping: `-P 'layers=[64,32],[128]'` sweeps two arrays.
 * Everything else arrives verbatim: values are data, never code or shell text.
 */
import { TracklabError } from '../errors';
import { emptyRecord } from '../records';

/** Every value given for each key, in the order given. */
export type ParamChoices = Readonly<Record<string, readonly string[]>>;
/** One point of the grid: a value per key. */
export type ParamPoint = Readonly<Record<string, string>>;

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

/** Splits one `-P` value into the values it sweeps (see the module comment for the rules). */
export function splitValues(text: string): string[] {
  const values: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && (text[i + 1] === ',' || text[i + 1] === '\\') && !quoted) {
      current += text[i + 1];
      i++;
      continue;
    }
    if (quoted) {
      if (ch === '\\' && i + 1 < text.length) {
        current += ch + text[i + 1];
        i++;
        continue;
      }
      if (ch === '"') quoted = false;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === '[' || ch === '{') {
      depth++;
    } else if ((ch === ']' || ch === '}') && depth > 0) {
      depth--;
    } else if (ch === ',' && depth === 0) {
      values.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  values.push(current);
  return values;
}

/**
 * Parses `-P key=value` arguments. A key given twice adds its values to the sweep.
 *
 * @example
 * parseParamArgs(['lr=0.01,0.1', 'epochs=5']); // { lr: ['0.01', '0.1'], epochs: ['5'] }
 */
export function parseParamArgs(args: readonly string[]): Record<string, string[]> {
  const out = emptyRecord<string[]>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw invalid(`Parameter ${JSON.stringify(arg)} needs the form key=value, e.g. -P lr=0.01 (or -P lr=0.01,0.1 to sweep).`);
    const key = arg.slice(0, eq).trim();
    if (!/^[A-Za-z_$][\w$-]*$/.test(key)) throw invalid(`Parameter name ${JSON.stringify(key)} must start with a letter or _ and hold only letters, digits, _, $ and -.`);
    const values = splitValues(arg.slice(eq + 1));
    if (!(key in out)) out[key] = [];
    for (const v of values) if (!out[key]!.includes(v)) out[key]!.push(v);
  }
  return out;
}

/** Upper bound on grid points, so a typo cannot start thousands of kernels. */
export const MAX_GRID_POINTS = 1000;

/**
 * Every combination, the first key varying slowest:
 * `{ a: ['1', '2'], b: ['x', 'y'] }` gives a=1 b=x, a=1 b=y, a=2 b=x, a=2 b=y.
 */
export function gridPoints(choices: ParamChoices): ParamPoint[] {
  const keys = Object.keys(choices);
  let size = 1;
  for (const key of keys) size *= choices[key]!.length;
  if (size > MAX_GRID_POINTS) throw invalid(`The sweep has ${size} points, more than ${MAX_GRID_POINTS}; sweep fewer values at a time.`);
  let points: Record<string, string>[] = [{}];
  for (const key of keys) {
    points = points.flatMap((p) => choices[key]!.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}

/** True when some key has more than one value. */
export function isSweep(choices: ParamChoices): boolean {
  return Object.values(choices).some((v) => v.length > 1);
}

/** `lr=0.01 epochs=5`, for progress lines and table captions. */
export function describePoint(point: Readonly<Record<string, unknown>>): string {
  return Object.entries(point).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') || '(defaults)';
}
