import { TracklabError } from '../errors';
import type { Flavor } from './flavors/flavor';
import type { ModelSignature } from './schema';
import { isTensorSchema } from './schema';
import { isRowObjects } from './tensor-data';
import { enforceInput } from './validate-input';

/**
 * What the loaded model and the model being saved both run before predict:
 * signature checks, then row objects to a number matrix for flavors that take
 * matrices (columns in the signature's order, else the first row's key order).
 */
export function preparePredictInput(flavor: Flavor, signature: ModelSignature | null, input: unknown): unknown {
  let x = signature && signature.inputs.length > 0 ? enforceInput(signature.inputs, input) : input;
  if (flavor.tabularInput === 'matrix' && isRowObjects(x)) {
    const inputs = signature?.inputs;
    const columns = inputs && inputs.length > 0 && !isTensorSchema(inputs) && inputs[0].name !== undefined
      ? inputs.map((c) => c.name as string)
      : Object.keys(x[0]);
    x = rowsToMatrix(x, columns);
  }
  return x;
}

export function rowsToMatrix(rows: readonly Record<string, unknown>[], columns: readonly string[]): number[][] {
  return rows.map((row, r) => columns.map((c) => {
    const v = row[c];
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === null || v === undefined) return NaN;
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Input row ${r}, column "${c}" is a ${typeof v}; this model takes numbers only.`);
  }));
}
