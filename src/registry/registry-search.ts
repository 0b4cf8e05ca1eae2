/**
 * MLflow's registry search grammar on the shared filter parser
 * (src/search/), with two profiles: registered models (`name`, `tags.<key>`)
 * and model versions (`name`, `version_number`, `run_id`, `source_path`,
 * `tags.<key>`). OR and parentheses work as for runs; errors carry the same
 * position and caret.
 */
import type { FilterNode, OrderClause } from '../search/filter-ast';
import { parseFilterWith } from '../search/filter-parser';
import { parseOrderByWith } from '../search/order-by';
import type { AttributeSpec, SearchProfile } from '../search/search-keys';

const str = (key: string, list = false): AttributeSpec => ({ key, kind: 'string', list, nullable: false });
const num = (key: string): AttributeSpec => ({ key, kind: 'numeric', list: false, nullable: false });

const PREFIXES = { tag: 'tag', tags: 'tag', attribute: 'attribute', attributes: 'attribute', attr: 'attribute' } as const;

const TIMESTAMPS: Readonly<Record<string, AttributeSpec>> = {
  creation_timestamp: num('creation_timestamp'),
  last_updated_timestamp: num('last_updated_timestamp'),
  // MLflow accepts `timestamp` for last_updated_timestamp in order_by.
  timestamp: num('last_updated_timestamp'),
};

export const REGISTERED_MODEL_SEARCH: SearchProfile = {
  target: 'registered models',
  prefixes: PREFIXES,
  filterAttributes: { name: str('name') },
  orderAttributes: { name: str('name'), ...TIMESTAMPS },
  datasetKeys: [],
  orderEntities: ['attribute'],
};

export const MODEL_VERSION_SEARCH: SearchProfile = {
  target: 'model versions',
  prefixes: PREFIXES,
  filterAttributes: {
    name: str('name'),
    version_number: num('version_number'),
    run_id: str('run_id', true),
    source_path: str('source_path'),
  },
  orderAttributes: { name: str('name'), version_number: num('version_number'), ...TIMESTAMPS },
  datasetKeys: [],
  orderEntities: ['attribute'],
};

/**
 * @example
 * parseRegisteredModelFilter("name LIKE 'churn%' AND tags.team = 'ml'");
 */
export function parseRegisteredModelFilter(filter: string | undefined): FilterNode | undefined {
  return filter === undefined ? undefined : parseFilterWith(REGISTERED_MODEL_SEARCH, filter);
}

/**
 * @example
 * parseModelVersionFilter("name = 'churn' AND version_number > 2 OR run_id IN ('a1', 'b2')");
 */
export function parseModelVersionFilter(filter: string | undefined): FilterNode | undefined {
  return filter === undefined ? undefined : parseFilterWith(MODEL_VERSION_SEARCH, filter);
}

export function parseRegisteredModelOrderBy(orderBy: string | readonly string[] | undefined): OrderClause[] {
  return parseOrderByWith(REGISTERED_MODEL_SEARCH, orderBy);
}

export function parseModelVersionOrderBy(orderBy: string | readonly string[] | undefined): OrderClause[] {
  return parseOrderByWith(MODEL_VERSION_SEARCH, orderBy);
}
