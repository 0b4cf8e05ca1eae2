/**
 * Texts that models/ and serving/ throw or send about untrusted packages and
 * requests, in one module so tests can match them. Each says what was wrong
 * and what to do.
 */
import { quote } from '../messages';

export const modelMsg = {
  malformedModelUri: (uri: string) =>
    `The model URI ${quote(uri)} is malformed. Write models:/<name>/<version>, models:/<name>@<alias> or runs:/<run_id>/<path> (or a directory).`,
  codeNotRegularFile: (rel: string) =>
    `Refusing the js_function code ${quote(rel)}: it is not a regular file. A directory (or device, FIFO) there would `
    + 'make require() load whatever its package.json "main" or index.js names. Save the model again from a .js or .cjs file.',
  paramsIgnored: (ignored: readonly string[], declared: readonly string[]) =>
    `tracklab: params ${ignored.map((k) => quote(k)).join(', ')} are not in the model's signature and are ignored (it declares ${declared.map((k) => quote(k)).join(', ')}). `
    + 'Add them to the signature\'s params to use them.',
  codeResolvesElsewhere: (rel: string, resolved: string | undefined) =>
    `Refusing the js_function code ${quote(rel)}: require() would load ${resolved === undefined ? 'nothing' : quote(resolved, 200)} instead of that file. `
    + 'Save the model again from a plain .js or .cjs file.',
} as const;
