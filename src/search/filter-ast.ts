/**
 * The parsed form of an MLflow-style search filter. The parser in this
 * folder produces it; each store backend compiles it to its own query.
 */

/** What a key refers to: `metrics.x`, `params.x`, `tags.x`, `attributes.x`, `datasets.x`. */
export type EntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export interface Identifier {
  readonly type: EntityType;
  /** The key, unquoted and unescaped (`metrics.\`a b\`` gives `a b`). Attributes use canonical names: run_id, run_name, status, start_time, end_time, user_id, artifact_uri, experiment_id, parent_run_id (`tags.mlflow.runName` arrives as run_name). */
  readonly key: string;
}

export type Comparator =
  | '=' | '!=' | '<' | '<=' | '>' | '>='
  | 'LIKE' | 'ILIKE' | 'NOT LIKE' | 'NOT ILIKE'
  | 'IN' | 'NOT IN'
  | 'IS NULL' | 'IS NOT NULL';

export type FilterValue = string | number | readonly string[] | null;

export interface Comparison {
  readonly kind: 'compare';
  readonly ident: Identifier;
  readonly op: Comparator;
  /** A number compares numerically: always for metrics and numeric attributes, and for a param given an unquoted number (param-number.ts). */
  readonly value: FilterValue;
  /** Character offset of the clause in the filter string, for error messages. */
  readonly position: number;
}

export interface Junction {
  readonly kind: 'and' | 'or';
  readonly items: readonly FilterNode[];
}

export type FilterNode = Comparison | Junction;

export interface OrderClause {
  readonly ident: Identifier;
  readonly ascending: boolean;
}

export function isComparison(node: FilterNode): node is Comparison {
  return node.kind === 'compare';
}
