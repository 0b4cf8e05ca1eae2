/**
 * What may be searched and how: entity prefixes and their aliases, attribute
 * keys, and which comparators each accepts. Mirrors MLflow's SearchUtils
 * (runs) and SearchExperimentsUtils (experiments); tracklab extensions are
 * marked.
 */
import type { Comparator, EntityType } from './filter-ast';

export interface AttributeSpec {
  /** Canonical name (aliases such as `created` map to `start_time`). */
  readonly key: string;
  readonly kind: 'string' | 'numeric';
  /** Accepts IN / NOT IN with a list (MLflow: run_id only). */
  readonly list: boolean;
  /** The column can be empty, so IS NULL means something (tracklab extension). */
  readonly nullable: boolean;
}

export interface SearchProfile {
  /** "runs" or "experiments", for messages. */
  readonly target: string;
  /** Prefix (lower case) to entity type. */
  readonly prefixes: Readonly<Record<string, EntityType>>;
  /** Attribute names usable in filters, aliases included. */
  readonly filterAttributes: Readonly<Record<string, AttributeSpec>>;
  /** Attribute names usable in order_by, aliases included. */
  readonly orderAttributes: Readonly<Record<string, AttributeSpec>>;
  readonly datasetKeys: readonly string[];
  /** Entity types usable in order_by. */
  readonly orderEntities: readonly EntityType[];
  /** Tag keys that name an attribute instead (MLflow's system tags): `tags.mlflow.runName` is the run name. */
  readonly tagAttributes?: Readonly<Record<string, AttributeSpec>>;
}

const str = (key: string, list = false, nullable = false): AttributeSpec => ({ key, kind: 'string', list, nullable });
const num = (key: string, nullable = false): AttributeSpec => ({ key, kind: 'numeric', list: false, nullable });

/**
 * The run attributes MLflow orders by (RunInfo's searchable attributes plus
 * the `created` alias). `artifact_uri` is the run's artifact URI,
 * `runs:/<run_id>`: tracklab stores artifacts by content, so that URI is the
 * only per-run location there is.
 */
const RUN_ORDER_ATTRIBUTES: Readonly<Record<string, AttributeSpec>> = {
  run_id: str('run_id', true),
  run_name: str('run_name'),
  status: str('status'),
  user_id: str('user_id', false, true),
  artifact_uri: str('artifact_uri'),
  start_time: num('start_time'),
  created: num('start_time'),
  Created: num('start_time'),
  end_time: num('end_time', true),
};

/** Filters take MLflow's run-name aliases too, and two tracklab extensions. */
const RUN_FILTER_ATTRIBUTES: Readonly<Record<string, AttributeSpec>> = {
  ...RUN_ORDER_ATTRIBUTES,
  'run name': str('run_name'),
  'Run name': str('run_name'),
  'Run Name': str('run_name'),
  // tracklab extensions: the experiment and the parent run are searchable ids (filters only, not order_by).
  experiment_id: str('experiment_id', true),
  parent_run_id: str('parent_run_id', true, true),
};

/** The prefix of `attributes.artifact_uri`: a run's artifact URI is `runs:/<run_id>`. */
export const RUN_ARTIFACT_URI_PREFIX = 'runs:/';

/** MLflow sets this system tag to the run name on every run; tracklab answers it from the run name. */
export const RUN_NAME_TAG = 'mlflow.runName';

const ATTRIBUTE_PREFIXES = { attribute: 'attribute', attributes: 'attribute', attr: 'attribute', run: 'attribute' } as const;

export const RUN_SEARCH: SearchProfile = {
  target: 'runs',
  prefixes: {
    metric: 'metric', metrics: 'metric',
    param: 'param', params: 'param', parameter: 'param', parameters: 'param',
    tag: 'tag', tags: 'tag',
    ...ATTRIBUTE_PREFIXES,
    dataset: 'dataset', datasets: 'dataset',
  },
  filterAttributes: RUN_FILTER_ATTRIBUTES,
  orderAttributes: RUN_ORDER_ATTRIBUTES,
  datasetKeys: ['name', 'digest', 'context'],
  orderEntities: ['metric', 'param', 'tag', 'attribute'],
  tagAttributes: { [RUN_NAME_TAG]: str('run_name') },
};

export const EXPERIMENT_SEARCH: SearchProfile = {
  target: 'experiments',
  // MLflow's code takes only `attribute`, its docs show `attributes.name`; both work here.
  prefixes: { tag: 'tag', tags: 'tag', attribute: 'attribute', attributes: 'attribute', attr: 'attribute' },
  filterAttributes: {
    name: str('name'),
    creation_time: num('creation_time'),
    last_update_time: num('last_update_time'),
  },
  orderAttributes: {
    name: str('name'),
    experiment_id: str('experiment_id'),
    creation_time: num('creation_time'),
    last_update_time: num('last_update_time'),
  },
  datasetKeys: [],
  orderEntities: ['attribute'],
};

const NUMERIC_OPS: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const ORDER_OPS: readonly Comparator[] = ['<', '<=', '>', '>='];
const TEXT_OPS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const LIST_OPS: readonly Comparator[] = ['IN', 'NOT IN'];
// tracklab extensions beyond MLflow's sets.
const NEGATED_LIKE: readonly Comparator[] = ['NOT LIKE', 'NOT ILIKE'];
const NULL_OPS: readonly Comparator[] = ['IS NULL', 'IS NOT NULL'];

/** The comparators MLflow allows for this key, then the tracklab extensions. */
export function comparatorsFor(type: EntityType, attribute?: AttributeSpec): { mlflow: readonly Comparator[]; extra: readonly Comparator[] } {
  switch (type) {
    case 'metric':
      return { mlflow: NUMERIC_OPS, extra: NULL_OPS };
    case 'param':
      // Numeric comparison against an unquoted number (param-number.ts).
      return { mlflow: TEXT_OPS, extra: [...NEGATED_LIKE, ...NULL_OPS, ...ORDER_OPS] };
    case 'tag':
      return { mlflow: TEXT_OPS, extra: [...NEGATED_LIKE, ...NULL_OPS] };
    case 'dataset':
      return { mlflow: [...TEXT_OPS, ...LIST_OPS], extra: NEGATED_LIKE };
    case 'attribute': {
      const nulls = attribute?.nullable === true ? NULL_OPS : [];
      if (attribute?.kind === 'numeric') return { mlflow: NUMERIC_OPS, extra: nulls };
      return { mlflow: attribute?.list === true ? [...TEXT_OPS, ...LIST_OPS] : TEXT_OPS, extra: [...NEGATED_LIKE, ...nulls] };
    }
  }
}

/** How an identifier is written back in messages: `metrics.acc`, `attributes.status`. */
export function displayKey(type: EntityType, key: string): string {
  const prefix = type === 'attribute' ? 'attributes' : `${type}s`;
  return /^[\p{L}\p{N}_.\-/:]+$/u.test(key) ? `${prefix}.${key}` : `${prefix}.\`${key.replace(/`/g, '``')}\``;
}

/** "metrics", "params", ... or "attributes.start_time" for the subject of comparator messages. */
export function entityLabel(type: EntityType, key: string): string {
  return type === 'attribute' || type === 'dataset' ? displayKey(type, key) : `${type}s`;
}
