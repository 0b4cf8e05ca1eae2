/**
 * searchExperiments filters and order_by, as MLflow's SearchExperimentsUtils:
 * attributes name (=, !=, LIKE, ILIKE), creation_time and last_update_time
 * (numeric comparators), and tags.<key>. A bare key is an attribute
 * (`name = 'x'`). OR and parentheses work as for runs.
 */
import type { FilterNode, OrderClause } from './filter-ast';
import { parseFilterWith } from './filter-parser';
import { parseOrderByWith } from './order-by';
import { EXPERIMENT_SEARCH } from './search-keys';

/**
 * Parses an experiment search filter; empty or blank gives undefined.
 *
 * @example
 * parseExperimentFilter("name LIKE 'vision-%' AND tags.team = 'ml'");
 */
export function parseExperimentFilter(filter: string): FilterNode | undefined {
  return parseFilterWith(EXPERIMENT_SEARCH, filter);
}

/**
 * Parses experiment order_by clauses over name, experiment_id, creation_time
 * and last_update_time. Empty gives [] (the store's default: creation_time
 * DESC, then experiment_id).
 *
 * @example
 * parseExperimentOrderBy(['last_update_time DESC']);
 */
export function parseExperimentOrderBy(clauses: string | readonly string[] | undefined): OrderClause[] {
  return parseOrderByWith(EXPERIMENT_SEARCH, clauses);
}
