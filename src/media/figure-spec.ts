/**
 * Checks a user's Vega-Lite spec before it is stored and shown. Jupyter
 * trusts the outputs of a notebook it ran, and compare() shows figures other
 * people's runs logged, so a figure may load nothing and link nowhere:
 * - any `url` (data from a URL, an image mark's URL) is refused, as are
 *   `href` encodings (links, `javascript:` included) and loader or embed
 *   options (`loader`, `usermeta.embedOptions`);
 * - `$schema` must be Vega-Lite v5 or absent (then v5 is set): JupyterLab 4
 *   and VS Code render only application/vnd.vegalite.v5+json;
 * - the spec is copied through JSON, so a `__proto__` key stays data.
 */
import { TracklabError } from '../errors';
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from '../charts/series';
import { mediaMsg } from './messages';

export const MAX_FIGURE_BYTES = 250 * 1024;
const FORBIDDEN: Readonly<Record<string, string>> = {
  url: 'loads data or images from a URL',
  href: 'makes marks into links',
  loader: 'sets a data loader',
  embedOptions: 'sets embed options (a loader, actions)',
};

function refuse(path: string, why: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', mediaMsg.specForbidden(path, why));
}

/** A validated copy of the spec with `$schema` set to v5. */
export function checkFigureSpec(spec: unknown): VegaLiteSpec {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new TracklabError('INVALID_PARAMETER_VALUE', mediaMsg.specNotObject(spec));
  let text: string;
  try {
    text = JSON.stringify(spec);
  } catch (cause) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', mediaMsg.specInvalid(cause instanceof Error ? cause.message : String(cause)), { cause });
  }
  if (Buffer.byteLength(text) > MAX_FIGURE_BYTES) throw new TracklabError('INVALID_PARAMETER_VALUE', mediaMsg.specTooLarge(Buffer.byteLength(text), MAX_FIGURE_BYTES));
  const copy = JSON.parse(text) as Record<string, unknown>;
  walk(copy, '');
  const schema = copy.$schema;
  if (schema !== undefined && !(typeof schema === 'string' && /^https:\/\/vega\.github\.io\/schema\/vega-lite\/v5(\.\d+)*\.json$/.test(schema))) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', mediaMsg.specSchema(schema));
  }
  return { ...copy, $schema: schema ?? VEGA_LITE_SCHEMA };
}

function walk(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (Object.prototype.hasOwnProperty.call(FORBIDDEN, key)) throw refuse(at, FORBIDDEN[key]);
    walk(child, at);
  }
}
