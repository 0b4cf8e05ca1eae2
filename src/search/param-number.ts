/**
 * Numeric comparison of params, a tracklab extension. MLflow stores params as
 * text and compares them only as text, so `params.lr < 0.1` is an error
 * there. Here a param clause whose value is an unquoted number compares
 * numerically: `params.lr < 0.1`, `params.batch = 32`, `params.lr != 0.1`.
 *
 * The rule every backend implements (each compiles it to its own SQL):
 * - A stored value counts as a number when the whole text is a decimal
 *   literal: optional sign, digits with an optional fraction (or a fraction
 *   alone), optional exponent; no spaces, no hex, no `NaN` or `Infinity`
 *   words. Its number is the nearest double, so `1e400` is Infinity.
 * - A run whose value is not a number, or that lacks the param, matches no
 *   numeric clause, `!=` included (as a missing key matches nothing).
 * - Quoted values compare as text, exactly as MLflow does (`params.lr = '0.1'`
 *   does not match `0.10`); order_by on a param stays text order.
 */

/**
 * The decimal-literal rule as a pattern source that reads the same as a
 * JavaScript RegExp and a POSIX regular expression (PostgreSQL's `~`).
 */
export const PARAM_NUMBER_PATTERN = '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$';

const PARAM_NUMBER = new RegExp(PARAM_NUMBER_PATTERN);

/**
 * The number a stored param value stands for, or null when it is not a
 * decimal literal. Backends without a regular expression engine (SQLite)
 * register this as an SQL function.
 *
 * @example
 * paramNumber('0.001'); // 0.001
 * paramNumber('1e-3');  // 0.001
 * paramNumber(' 1');    // null
 * paramNumber('adam');  // null
 */
export function paramNumber(value: string): number | null {
  return PARAM_NUMBER.test(value) ? Number(value) : null;
}
