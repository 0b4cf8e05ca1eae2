export { compare, comparison, type CompareOptions } from './compare';
export { show, runView, runsTable, runsTableView } from './show-run';
export type { RunRef, RunSelection } from './select-runs';
export { exportBest } from './export-best';
export { show as showRegistry, registrySummary, type ShowOptions, type RegistrySummary } from './registry-show';
