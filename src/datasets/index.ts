export { describeDataset, checkInputOptions } from './describe-dataset';
export type { DatasetSource, LogInputOptions } from './describe-dataset';
export { canonicalJson } from '../canonical-json';
export { columnStats, MAX_DISTINCT, MAX_PROFILED_COLUMNS } from './profile';
export { isArrowTable } from './table-dataset';
export { datasetLabel, datasetLabels } from './dataset-labels';
