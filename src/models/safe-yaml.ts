/**
 * YAML for MLmodel files: parsed with the YAML 1.2 core schema only (no
 * custom or explicit tags, no aliases, bounded size), written as YAML 1.1 so
 * PyYAML's `safe_load` in MLflow reads every string back as a string (1.1
 * resolves `2024-01-01 10:00:00`, `yes` and `0123` to other types unless quoted).
 */
import type * as YAMLTypes from 'yaml';
import { TracklabError } from '../errors';
import { assertSafeKey } from './safe-keys';

/** MLmodel files are a few KB; a megabyte leaves room for big signatures and metadata. */
export const MAX_YAML_BYTES = 1024 * 1024;
const MAX_YAML_DEPTH = 64;

/** Parses untrusted YAML into plain JSON-like data, or throws INVALID_PARAMETER_VALUE naming the problem. */
// yaml is required on first use: it costs ~100 ms of cold start, and most processes never read an MLmodel.
function yaml(): typeof YAMLTypes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as typeof YAMLTypes;
}

export function parseSafeYaml(text: string, what: string, maxBytes = MAX_YAML_BYTES): unknown {
  const YAML = yaml();
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${what} is larger than ${maxBytes} bytes; refusing to parse it.`);
  }
  const doc = YAML.parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: false, strict: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${what} is not valid YAML: ${problem.message.split('\n')[0]}`);
  }
  YAML.visit(doc, {
    Alias() {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `${what} uses a YAML alias (*name); MLmodel files never need them, so they are refused.`);
    },
    Node(_key, node) {
      if (YAML.isNode(node) && node.tag !== undefined && !isPlainCoreTag(node.tag)) {
        throw new TracklabError('INVALID_PARAMETER_VALUE', `${what} uses the YAML tag ${node.tag}; only plain values are allowed.`);
      }
    },
    Pair(_key, pair, path) {
      if (path.length > MAX_YAML_DEPTH) {
        throw new TracklabError('INVALID_PARAMETER_VALUE', `${what} nests deeper than ${MAX_YAML_DEPTH} levels.`);
      }
      const key = YAML.isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean' && key !== null) {
        throw new TracklabError('INVALID_PARAMETER_VALUE', `${what} has a non-scalar mapping key; only plain keys are allowed.`);
      }
      assertSafeKey(String(key), what);
    },
  });
  return doc.toJS({ maxAliasCount: 0 });
}

// The parser itself sets these when a document spells them out (`!!str x`); they add no behaviour.
function isPlainCoreTag(tag: string): boolean {
  return ['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool',
    'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq'].includes(tag);
}

/** Writes plain data as block YAML with sorted keys, the layout PyYAML's `safe_dump` gives MLflow's MLmodel. */
export function stringifyYaml(value: unknown): string {
  const YAML = yaml();
  const doc = new YAML.Document(value, { version: '1.1', sortMapEntries: true });
  return doc.toString({ lineWidth: 0, singleQuote: true });
}
