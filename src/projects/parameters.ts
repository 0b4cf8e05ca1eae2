import type * as TS from 'typescript';
import { TracklabError } from '../errors';
import { emptyRecord } from '../records';
import { isRecord } from './jupyter-message';
import { typescript } from './tslab-typescript';
import { cellTags, isCodeCell, type Cell, type CodeCell, type Notebook } from './nbformat';

/** A parameter default found in the cell tagged `parameters`. */
export interface ParameterDefault {
  readonly name: string;
  readonly kind: 'const' | 'let' | 'var';
  /** `number`, `string` and `boolean` are checked and coerced; `other` takes JSON. */
  readonly type: 'number' | 'string' | 'boolean' | 'other';
  /** The declared annotation text (`: number[]` gives `number[]`), if any. */
  readonly annotation?: string;
}

export type ParameterValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };
export type ParameterValues = Readonly<Record<string, ParameterValue>>;

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_TAG = 'injected-parameters';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

/** Top-level `const|let|var name[: type] = literal` declarations of a parameters cell. */
export function parseParameterDefaults(source: string): ParameterDefault[] {
  const ts = typescript();
  const file = ts.createSourceFile('parameters.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: ParameterDefault[] = [];
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const flags = statement.declarationList.flags;
    const kind = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
    for (const decl of statement.declarationList.declarations) {
      if (!ts.isIdentifier(decl.name)) continue;
      const annotation = decl.type?.getText(file);
      found.push({ name: decl.name.text, kind, type: classify(ts, annotation, decl.initializer), ...(annotation ? { annotation } : {}) });
    }
  }
  return found;
}

function classify(ts: typeof TS, annotation: string | undefined, init: TS.Expression | undefined): ParameterDefault['type'] {
  if (annotation !== undefined) {
    return annotation === 'number' || annotation === 'string' || annotation === 'boolean' ? annotation : 'other';
  }
  if (!init) return 'other';
  if (ts.isNumericLiteral(init)) return 'number';
  if (ts.isPrefixUnaryExpression(init) && ts.isNumericLiteral(init.operand)) return 'number';
  if (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init)) return 'string';
  if (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword) return 'boolean';
  return 'other';
}

/** Coerces a given value to the default's type; `-P epochs=abc` for a number default is an error. */
export function coerceParameter(def: ParameterDefault, value: ParameterValue): ParameterValue {
  const shown = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  switch (def.type) {
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && NUMBER.test(value.trim()) ? Number(value.trim()) : NaN;
      if (!Number.isFinite(n)) throw invalid(`Parameter "${def.name}" must be a finite number (its default is a number), got ${shown}. Pass e.g. -P ${def.name}=0.01.`);
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw invalid(`Parameter "${def.name}" must be true or false (its default is a boolean), got ${shown}.`);
    case 'string':
      if (typeof value === 'string') return value;
      throw invalid(`Parameter "${def.name}" must be a string (its default is a string), got ${shown}. Pass it as text.`);
    case 'other': {
      let parsed: unknown = value;
      if (typeof value === 'string') {
        try {
          parsed = JSON.parse(value);
        } catch {
          throw invalid(`Parameter "${def.name}" has a non-literal default${def.annotation ? ` of type ${def.annotation}` : ''}, so its value must be JSON; got ${shown}.`);
        }
      }
      checkJson(parsed, def.name);
      return parsed as ParameterValue;
    }
  }
}

function checkJson(value: unknown, name: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`Parameter "${name}" contains a non-finite number; JSON has no NaN or Infinity.`);
    return;
  }
  if (Array.isArray(value)) return value.forEach((v) => checkJson(v, name));
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      // `{"__proto__": ...}` in an object literal would set the prototype instead of a key.
      if (k === '__proto__') throw invalid(`Parameter "${name}" contains a "__proto__" key; refusing it.`);
      checkJson(v, name);
    }
    return;
  }
  throw invalid(`Parameter "${name}" must be JSON data, got a ${typeof value}.`);
}

/**
 * JSON is valid TypeScript expression syntax, except that TypeScript (unlike
 * ES2019) still ends a string at a raw U+2028/U+2029, so those are escaped.
 */
function literal(value: ParameterValue): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** TypeScript source for the injected cell. Values are JSON literals, so strings arrive verbatim as data. */
export function renderInjectedSource(defaults: readonly ParameterDefault[], values: ParameterValues): string {
  const lines = ['// Parameters injected by tracklab; they override the defaults above.'];
  for (const [name, value] of Object.entries(values)) {
    const def = defaults.find((d) => d.name === name)!;
    const type = def.annotation ?? (def.type === 'other' ? undefined : def.type);
    lines.push(`${def.kind} ${name}${type ? `: ${type}` : ''} = ${literal(value)};`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Papermill-style parameters for TypeScript notebooks: finds the cell tagged
 * `parameters`, checks each value against the type of its default, and puts a
 * cell tagged `injected-parameters` right after it (replacing an earlier one).
 * The values are recorded in `metadata.tracklab.parameters`. All checks run
 * before anything executes.
 *
 * @example
 * const nb = injectParameters(readNotebook('train.ipynb'), { lr: '0.03', epochs: 10 });
 * // the new cell reads: const lr: number = 0.03; const epochs: number = 10;
 */
export function injectParameters(notebook: Notebook, values: ParameterValues): Notebook {
  const names = Object.keys(values);
  if (names.length === 0) return notebook;
  for (const name of names) {
    if (!IDENTIFIER.test(name)) throw invalid(`Parameter name ${JSON.stringify(name)} is not a valid identifier; use letters, digits, _ and $.`);
  }
  const at = notebook.cells.findIndex((c) => isCodeCell(c) && cellTags(c).includes(PARAMETERS_TAG));
  if (at < 0) {
    throw invalid(`The notebook has no code cell tagged "${PARAMETERS_TAG}", so ${names.join(', ')} cannot be set. Tag the cell that declares the defaults.`);
  }
  const defaults = parseParameterDefaults(notebook.cells[at]!.source);
  const coerced = emptyRecord<ParameterValue>();
  for (const name of names) {
    const def = defaults.find((d) => d.name === name);
    if (!def) {
      const known = defaults.map((d) => d.name).join(', ') || 'nothing';
      throw invalid(`Unknown parameter "${name}": the parameters cell declares ${known}. Declare a default for it there first.`);
    }
    coerced[name] = coerceParameter(def, values[name]!);
  }
  const source = renderInjectedSource(defaults, coerced);
  const oldAt = notebook.cells.findIndex((c) => cellTags(c).includes(INJECTED_TAG));
  const ids = new Set(notebook.cells.map((c) => c.id));
  let id = oldAt >= 0 ? notebook.cells[oldAt]!.id : INJECTED_TAG;
  for (let n = 1; oldAt < 0 && ids.has(id); n++) id = `${INJECTED_TAG}-${n}`;
  const injected: CodeCell = {
    id,
    cell_type: 'code',
    source,
    metadata: { tags: [INJECTED_TAG] },
    execution_count: null,
    outputs: [],
  };
  const cells: Cell[] = notebook.cells.filter((_, i) => i !== oldAt);
  cells.splice(cells.indexOf(notebook.cells[at]!) + 1, 0, injected);
  const tracklab = isRecord(notebook.metadata['tracklab']) ? notebook.metadata['tracklab'] : {};
  return { ...notebook, metadata: { ...notebook.metadata, tracklab: { ...tracklab, parameters: { ...coerced } } }, cells };
}
