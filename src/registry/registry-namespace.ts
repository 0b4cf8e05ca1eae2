/** The `tracklab.registry` namespace: the registry's notebook-facing operations. */
export { show, registrySummary, type ShowOptions, type RegistrySummary } from './registry-show';
export { exportBest, type ExportBestOptions, type ExportedVersion } from './export-best';
export { getRegistry, installRegistryResolver } from './default-registry';
