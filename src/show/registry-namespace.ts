/** The `tracklab.registry` namespace: the registry's notebook-facing operations. */
export { show, registrySummary, type ShowOptions, type RegistrySummary } from './registry-show';
export { exportBest } from './export-best';
export type { ExportBestOptions, ExportedVersion } from '../registry/export-best';
export { getRegistry, installRegistryResolver } from '../registry/default-registry';
