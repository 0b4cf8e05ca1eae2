export * from './filter-ast';
export { parseFilter } from './filter-parser';
export { parseOrderBy } from './order-by';
export { parseExperimentFilter, parseExperimentOrderBy } from './experiment-filter';
export { createPageToken, readPageToken } from './page-token';
export { quoteFilterValue } from './filter-tokens';
