export { enableTfjsAutolog, disableTfjsAutolog, tfjsAutologEnabled } from './enable';
export type { TfjsAutologOptions, TfjsAutologHooks } from './options';
export { fitParams, type FitKind, type FitParams } from './fit-params';
