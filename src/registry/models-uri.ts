/**
 * `models:/` URIs: `models:/<name>/<version>`, `models:/<name>/latest` and
 * `models:/<name>@<alias>`. Model names cannot hold `/` or `@` (see
 * registry-validation.ts), so each URI parses exactly one way.
 */
import { TracklabError } from '../errors';
import { validateAlias, validateModelName, validateVersion } from './registry-validation';

export type ModelsUri =
  | { readonly name: string; readonly kind: 'version'; readonly version: number }
  | { readonly name: string; readonly kind: 'alias'; readonly alias: string }
  | { readonly name: string; readonly kind: 'latest' };

function bad(uri: string, why: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE',
    `Model URI ${JSON.stringify(uri)} is not valid: ${why}. Write models:/<name>/<version>, models:/<name>/latest or models:/<name>@<alias>, `
    + 'for example models:/churn/3 or models:/churn@champion.');
}

/**
 * Parses a `models:/` URI strictly.
 *
 * @example
 * parseModelsUri('models:/churn@champion'); // { name: 'churn', kind: 'alias', alias: 'champion' }
 * parseModelsUri('models:/churn/3');        // { name: 'churn', kind: 'version', version: 3 }
 */
export function parseModelsUri(uri: string): ModelsUri {
  if (typeof uri !== 'string') throw bad(String(uri), 'it is not a string');
  if (!uri.startsWith('models:/')) throw bad(uri, 'it does not start with "models:/"');
  const rest = uri.slice('models:/'.length);
  if (rest.startsWith('/')) throw bad(uri, 'it has "//" after "models:" (a host part); tracklab model URIs have none');
  const at = rest.indexOf('@');
  if (at >= 0) {
    const name = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    if (name.includes('/')) throw bad(uri, 'an alias URI has no version part');
    checked(uri, () => validateModelName(name, 'The model name'));
    checked(uri, () => validateAlias(alias));
    return { name, kind: 'alias', alias };
  }
  const parts = rest.split('/');
  if (parts.length !== 2) throw bad(uri, parts.length < 2 ? 'the version is missing' : 'it has more than a name and a version');
  const [name, ref] = parts;
  checked(uri, () => validateModelName(name, 'The model name'));
  if (ref.toLowerCase() === 'latest') return { name, kind: 'latest' };
  if (!/^\d+$/.test(ref)) {
    throw bad(uri, `"${ref}" is not a version number; stages (Production, Staging) are not supported, use an alias (models:/${name}@champion)`);
  }
  return { name, kind: 'version', version: checked(uri, () => validateVersion(ref)) };
}

function checked<T>(uri: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw bad(uri, (err as Error).message.replace(/\.$/, ''));
  }
}
