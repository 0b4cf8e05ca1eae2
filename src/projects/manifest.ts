/**
 * `tracklab.yaml`, the project manifest (MLproject-like):
 *
 * ```yaml
 * name: mnist
 * entry_points:
 *   train:
 *     notebook: train.ipynb          # or  script: train.ts | train.js
 *     parameters:
 *       lr: { type: float, default: 0.01 }
 *       epochs: { type: int, default: 5 }
 *       data: { type: path }         # required: no default
 *       flag: { type: bool, default: false }
 *       label: { type: string, default: baseline }
 * ```
 *
 * Parsed with the safe YAML reader (core schema, no aliases or tags) and
 * checked whole before anything runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import { emptyRecord } from '../records';
import { parseSafeYaml } from '../models/safe-yaml';

export const MANIFEST_FILE = 'tracklab.yaml';
export const PARAM_TYPES = ['string', 'float', 'int', 'bool', 'path'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export interface ParamSpec {
  readonly type: ParamType;
  /** Absent: the parameter is required. */
  readonly default?: string | number | boolean;
}

export interface EntryPoint {
  readonly name: string;
  readonly kind: 'notebook' | 'script';
  /** Absolute path inside the project folder. */
  readonly file: string;
  readonly parameters: Readonly<Record<string, ParamSpec>>;
}

export interface Manifest {
  readonly name: string;
  readonly dir: string;
  readonly entryPoints: Readonly<Record<string, EntryPoint>>;
}

function invalid(where: string, message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', `${where}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A project file path: relative, inside the project, no `..`, backslashes or NUL. */
function projectFile(dir: string, rel: unknown, where: string): string {
  if (typeof rel !== 'string' || rel === '') throw invalid(where, 'must be a file path relative to the project folder, like train.ipynb.');
  if (rel.includes('\0') || rel.includes('\\') || path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || rel.split('/').includes('..')) {
    throw invalid(where, `${JSON.stringify(rel)} must be a relative path inside the project (no "..", absolute paths or backslashes).`);
  }
  const file = path.join(dir, rel);
  if (!fs.existsSync(file)) throw invalid(where, `${rel} does not exist in ${dir}.`);
  const real = fs.realpathSync(file);
  const root = fs.realpathSync(dir);
  if (real !== root && !real.startsWith(root + path.sep)) throw invalid(where, `${rel} resolves outside the project folder (a symlink?).`);
  return file;
}

function parseParam(name: string, raw: unknown, where: string): ParamSpec {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw invalid(where, `parameter name ${JSON.stringify(name)} must be an identifier (letters, digits, _ and $).`);
  const spec = typeof raw === 'string' ? { type: raw } : raw;
  if (!isRecord(spec)) throw invalid(`${where}.${name}`, 'must be a mapping like { type: float, default: 0.01 }.');
  const unknown = Object.keys(spec).filter((k) => k !== 'type' && k !== 'default');
  if (unknown.length > 0) throw invalid(`${where}.${name}`, `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}; use type and default.`);
  const type = spec.type ?? 'string';
  if (typeof type !== 'string' || !(PARAM_TYPES as readonly string[]).includes(type)) {
    throw invalid(`${where}.${name}`, `type ${JSON.stringify(type)} is not one of ${PARAM_TYPES.join(', ')}.`);
  }
  const def = spec.default;
  if (def === undefined || def === null) return { type: type as ParamType };
  if (typeof def !== 'string' && typeof def !== 'number' && typeof def !== 'boolean') {
    throw invalid(`${where}.${name}`, 'default must be a plain value (text, number or true/false).');
  }
  return { type: type as ParamType, default: def };
}

/** Parses and checks a manifest's text; `dir` is the project folder the paths are relative to. */
export function parseManifest(text: string, dir: string): Manifest {
  const where = path.join(dir, MANIFEST_FILE);
  const doc = parseSafeYaml(text, where);
  if (!isRecord(doc)) throw invalid(where, 'must be a mapping with name and entry_points.');
  const name = doc.name ?? path.basename(dir);
  if (typeof name !== 'string') throw invalid(where, 'name must be text.');
  if (!isRecord(doc.entry_points) || Object.keys(doc.entry_points).length === 0) {
    throw invalid(where, 'needs entry_points, e.g.\nentry_points:\n  train:\n    notebook: train.ipynb');
  }
  const entryPoints = emptyRecord<EntryPoint>();
  for (const [epName, raw] of Object.entries(doc.entry_points)) {
    const at = `${where}: entry_points.${epName}`;
    if (!isRecord(raw)) throw invalid(at, 'must be a mapping with notebook or script.');
    const unknown = Object.keys(raw).filter((k) => !['notebook', 'script', 'parameters'].includes(k));
    if (unknown.length > 0) throw invalid(at, `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}; use notebook or script, and parameters.`);
    if ((raw.notebook === undefined) === (raw.script === undefined)) throw invalid(at, 'needs exactly one of notebook: or script:.');
    const kind = raw.notebook !== undefined ? 'notebook' : 'script';
    const file = projectFile(dir, raw.notebook ?? raw.script, `${at}.${kind}`);
    if (kind === 'script' && !/\.(ts|mts|cts|js|mjs|cjs)$/.test(file)) throw invalid(`${at}.script`, 'must be a .ts or .js file (.mts, .cts, .mjs, .cjs too).');
    if (kind === 'notebook' && !file.endsWith('.ipynb')) throw invalid(`${at}.notebook`, 'must be an .ipynb file.');
    const params = raw.parameters ?? {};
    if (!isRecord(params)) throw invalid(`${at}.parameters`, 'must be a mapping of name to { type, default }.');
    const parameters = emptyRecord<ParamSpec>();
    for (const [p, spec] of Object.entries(params)) parameters[p] = parseParam(p, spec, `${at}.parameters`);
    entryPoints[epName] = { name: epName, kind, file, parameters };
  }
  return { name, dir, entryPoints };
}

/** Reads `<dir>/tracklab.yaml`. */
export function loadManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${dir} has no readable ${MANIFEST_FILE}. Create one with entry_points, or run a notebook directly: tracklab run train.ipynb.`, { cause: err });
  }
  return parseManifest(text, dir);
}

/** The entry point by name, or an error listing the ones there are. */
export function entryPoint(manifest: Manifest, name: string | undefined): EntryPoint {
  const names = Object.keys(manifest.entryPoints);
  const chosen = name ?? (names.length === 1 ? names[0] : names.includes('main') ? 'main' : undefined);
  if (chosen === undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', `Project ${manifest.name} has several entry points (${names.join(', ')}); pick one with -e NAME.`);
  const ep = Object.prototype.hasOwnProperty.call(manifest.entryPoints, chosen) ? manifest.entryPoints[chosen] : undefined;
  if (ep === undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', `Unknown entry point "${chosen}" in project ${manifest.name}; it has ${names.join(', ')}.`);
  return ep;
}

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const BOOL: Readonly<Record<string, boolean>> = { true: true, false: false, yes: true, no: false, '1': true, '0': false };

/** One value checked and converted to its declared type; paths become absolute (relative to `base`) and must exist. */
export function coerceManifestValue(name: string, spec: ParamSpec, value: string | number | boolean, base: string): string | number | boolean {
  const shown = JSON.stringify(value);
  const bad = (want: string): TracklabError => new TracklabError('INVALID_PARAMETER_VALUE', `Parameter "${name}" is declared ${spec.type} in ${MANIFEST_FILE}, so it must be ${want}; got ${shown}.`);
  const text = String(value).trim();
  switch (spec.type) {
    case 'int':
      if (typeof value === 'boolean' || !INT.test(text) || !Number.isSafeInteger(Number(text))) throw bad('a whole number like 5');
      return Number(text);
    case 'float':
      if (typeof value === 'boolean' || !FLOAT.test(text) || !Number.isFinite(Number(text))) throw bad('a finite number like 0.01');
      return Number(text);
    case 'bool': {
      const b = typeof value === 'boolean' ? value : BOOL[text.toLowerCase()];
      if (b === undefined) throw bad('true or false');
      return b;
    }
    case 'path': {
      if (typeof value !== 'string' || value === '' || value.includes('\0')) throw bad('a file or folder path');
      const resolved = path.resolve(base, value);
      if (!fs.existsSync(resolved)) throw new TracklabError('INVALID_PARAMETER_VALUE', `Parameter "${name}" is a path, and ${resolved} does not exist. Check the path (relative paths start at ${base}).`);
      return resolved;
    }
    case 'string':
      return String(value);
  }
}

/**
 * The full parameter set of one run: given values (from the command line,
 * relative paths resolved from `cwd`) and defaults (paths resolved from the
 * project folder), each checked against its type. Unknown or missing
 * required parameters are errors.
 */
export function resolveManifestParams(ep: EntryPoint, given: Readonly<Record<string, string>>, dir: string, cwd = process.cwd()): Record<string, string | number | boolean> {
  const declared = Object.keys(ep.parameters);
  for (const key of Object.keys(given)) {
    if (!declared.includes(key)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `Unknown parameter "${key}" for entry point ${ep.name}; it declares ${declared.join(', ') || 'none'}. Add it to ${MANIFEST_FILE} first.`);
    }
  }
  const out = emptyRecord<string | number | boolean>();
  const missing: string[] = [];
  for (const [key, spec] of Object.entries(ep.parameters)) {
    if (Object.prototype.hasOwnProperty.call(given, key)) out[key] = coerceManifestValue(key, spec, given[key]!, cwd);
    else if (spec.default !== undefined) out[key] = coerceManifestValue(key, spec, spec.default, dir);
    else missing.push(key);
  }
  if (missing.length > 0) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Entry point ${ep.name} needs ${missing.map((m) => `"${m}"`).join(', ')} (no default in ${MANIFEST_FILE}); pass ${missing.map((m) => `-P ${m}=...`).join(' ')}.`);
  }
  return out;
}
