/**
 * Checks a prediction input against a model signature before the model sees
 * it, so a wrong column or shape gives a message that names the column or the
 * dimension instead of a failure deep inside a runtime.
 */
import { TracklabError } from '../errors';
import type { ColSpec, DataType, ParamSpec, Schema, TensorSpec } from './schema';
import { isTensorSchema } from './schema';
import { isPlainObject } from './safe-keys';
import { isDimsTensor, isRowObjects, nestedShape, shapeOf } from './tensor-data';
import { warnOnce } from '../warn-once';
import { modelMsg } from './messages';

/**
 * Validates `input` against `schema` and returns it in the form the schema
 * describes: a single row object becomes a one-row list; row objects given to a
 * single 2-D tensor become a number matrix (columns in the rows' key order).
 */
export function enforceInput(schema: Schema, input: unknown): unknown {
  if (isTensorSchema(schema)) return enforceTensors(schema, input);
  return enforceColumns(schema as readonly ColSpec[], input);
}

function enforceTensors(schema: readonly TensorSpec[], input: unknown): unknown {
  if (schema.length === 1 && schema[0].name === undefined) {
    let value = input;
    if (isRowObjects(value) && schema[0]['tensor-spec'].shape.length === 2) {
      value = value.map((row) => Object.values(row));
    } else if (isPlainObject(value) && !isDimsTensor(value) && Object.keys(value).length === 1) {
      // `{ inputName: tensor }` for a one-input model: check the tensor, keep the feed as given.
      checkTensor(schema[0], Object.values(value)[0], `Input tensor "${Object.keys(value)[0]}"`);
      return value;
    }
    checkTensor(schema[0], value, 'Input');
    return value;
  }
  if (!isPlainObject(input)) {
    throw invalid(`The model takes named tensors (${schema.map((s) => s.name).join(', ')}); pass an object { name: tensor }.`);
  }
  for (const spec of schema) {
    const name = spec.name as string;
    if (!Object.prototype.hasOwnProperty.call(input, name)) {
      throw invalid(`Input is missing the tensor "${name}"; the signature lists ${schema.map((s) => `"${s.name}"`).join(', ')}.`);
    }
    checkTensor(spec, input[name], `Input tensor "${name}"`);
  }
  return input;
}

function checkTensor(spec: TensorSpec, value: unknown, label: string): void {
  const want = spec['tensor-spec'].shape;
  const dtype = spec['tensor-spec'].dtype;
  const textual = dtype === 'str' || dtype === 'object';
  const shape = textual && Array.isArray(value) ? nestedShape(value, () => true) : shapeOf(value);
  if (shape === null) {
    const found = !Array.isArray(value) ? describe(value)
      : value.length === 0 ? 'an empty array; pass at least one row'
      : isRowObjects(value) ? `rows with named columns (${Object.keys(value[0]).join(', ')}); the signature is an unnamed tensor, so pass nested arrays of numbers (to a scoring server: {"inputs": [...]})`
      : 'a ragged array or one holding non-numbers';
    throw invalid(`${label} must be a tensor of shape [${want.join(', ')}] (${dtype}); got ${found}.`);
  }
  if (shape.length !== want.length) {
    throw invalid(`${label} has shape [${shape.join(', ')}] but the signature expects shape [${want.join(', ')}] (rank ${want.length}, got rank ${shape.length}).`);
  }
  want.forEach((d, i) => {
    if (d !== -1 && shape[i] !== d) {
      throw invalid(`${label} has shape [${shape.join(', ')}] but the signature expects shape [${want.join(', ')}]: dimension ${i} is ${shape[i]}, expected ${d}.`);
    }
  });
}

function enforceColumns(schema: readonly ColSpec[], input: unknown): unknown {
  const named = schema[0].name !== undefined;
  const rows: unknown = isPlainObject(input) && named ? columnarToRows(input) ?? [input] : input;
  if (isRowObjects(rows) && named) {
    rows.forEach((row, r) => {
      for (const col of schema) {
        const name = col.name as string;
        const v = row[name];
        if (v === undefined || v === null) {
          if (col.required === false) continue;
          throw invalid(`Input row ${r} is missing the required column "${name}" (the signature's columns: ${schema.map((c) => c.name).join(', ')}).`);
        }
        checkValue(col.type, v, `Input row ${r}, column "${name}"`);
      }
    });
    return rows;
  }
  const matrix = Array.isArray(rows) ? rows : null;
  if (matrix && matrix.length > 0 && matrix.every((r) => Array.isArray(r))) {
    matrix.forEach((row: unknown[], r) => {
      if (row.length !== schema.length) {
        throw invalid(`Input row ${r} has ${row.length} values but the signature has ${schema.length} columns${named ? ` (${schema.map((c) => c.name).join(', ')})` : ''}.`);
      }
      row.forEach((v, c) => checkValue(schema[c].type, v, `Input row ${r}, column ${schema[c].name ? `"${schema[c].name}"` : c}`));
    });
    return rows;
  }
  if (!named && schema.length === 1) {
    const list = Array.isArray(rows) ? rows : [rows];
    list.forEach((v, i) => checkValue(schema[0].type, v, `Input value ${i}`));
    return rows;
  }
  throw invalid(`The model takes rows with columns ${schema.map((c) => c.name ?? '?').join(', ')}; pass [{column: value}, ...] or a matrix with ${schema.length} values per row. Got ${describe(input)}.`);
}

/** `{ a: [1, 2], b: [3, 4] }` (tf-serving's columnar form) to rows; undefined when the object is one row. */
function columnarToRows(input: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const columns = Object.entries(input);
  if (columns.length === 0 || !columns.every(([, v]) => Array.isArray(v))) return undefined;
  const n = (columns[0][1] as unknown[]).length;
  if (!columns.every(([, v]) => (v as unknown[]).length === n)) {
    throw invalid(`Input columns have different lengths (${columns.map(([k, v]) => `${k}: ${(v as unknown[]).length}`).join(', ')}); give every column the same number of values.`);
  }
  return Array.from({ length: n }, (_, i) => Object.fromEntries(columns.map(([k, v]) => [k, (v as unknown[])[i]])));
}

function checkValue(type: DataType, v: unknown, where: string): void {
  const ok = (() => {
    switch (type) {
      case 'double': case 'float': return typeof v === 'number';
      case 'long': case 'integer': return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
      case 'string': return typeof v === 'string';
      case 'boolean': return typeof v === 'boolean';
      case 'binary': return v instanceof Uint8Array || typeof v === 'string';
      case 'datetime': return v instanceof Date || typeof v === 'string';
    }
  })();
  if (!ok) throw invalid(`${where} is ${describe(v)}; the signature says ${type}.`);
}

/**
 * Fills defaults and checks types of inference params against the
 * signature's param specs. As MLflow's `_enforce_params_schema`, params the
 * signature does not declare are dropped with a warning, not refused. Without
 * param specs they reach the model as given (MLflow drops them; a JS model
 * rarely declares its params, so tracklab passes them on).
 */
export function enforceParams(specs: readonly ParamSpec[] | null | undefined, params: unknown): Record<string, unknown> | undefined {
  if (params !== undefined && params !== null && !isPlainObject(params)) throw invalid('params must be an object { name: value }.');
  if (!specs || specs.length === 0) return (params as Record<string, unknown> | undefined) ?? undefined;
  const given = (params ?? {}) as Record<string, unknown>;
  const ignored = Object.keys(given).filter((key) => !specs.some((s) => s.name === key));
  if (ignored.length > 0) warnOnce(`ignored-params:${ignored.join(',')}`, modelMsg.paramsIgnored(ignored, specs.map((s) => s.name)));
  const out: [string, unknown][] = [];
  for (const spec of specs) {
    const v = Object.prototype.hasOwnProperty.call(given, spec.name) ? given[spec.name] : spec.default;
    if (spec.shape && spec.shape.length === 1) {
      if (!Array.isArray(v)) throw invalid(`Param "${spec.name}" must be a list of ${spec.type}.`);
      v.forEach((x, i) => checkValue(spec.type, x, `Param "${spec.name}"[${i}]`));
    } else if (v !== null) {
      checkValue(spec.type, v, `Param "${spec.name}"`);
    }
    out.push([spec.name, v]);
  }
  return Object.fromEntries(out);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return v.constructor && v.constructor !== Object ? `a ${v.constructor.name}` : 'an object';
  return `the ${typeof v} ${String(v)}`;
}

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}
