import { TracklabError } from '../../errors';

/**
 * Requires a flavor's runtime package by name, lazily, so `require('tracklab')`
 * never pays for tfjs or onnxruntime and works when they are not installed.
 */
export function loadRuntime<T>(name: string, flavor: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (err) {
    throw new TracklabError('INVALID_STATE', `The ${flavor} flavor needs the npm package "${name}", which could not be loaded. Install it with \`npm install ${name}\`.`, { cause: err });
  }
}
