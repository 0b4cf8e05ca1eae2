export { compare, comparison, type CompareOptions } from './compare';
export { show, runView, runsTable } from './show-run';
export type { RunRef, RunSelection } from './select-runs';
