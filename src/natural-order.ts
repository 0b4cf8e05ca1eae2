/**
 * Names in the order people count them: `m2` before `m10`, as in a file
 * browser, so that the first columns of `p0`…`p41` are `p0`…`p4`, not
 * `p0, p1, p10, p11, p12`.
 */
const collator = new Intl.Collator('en', { numeric: true });

export function naturalOrder(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
