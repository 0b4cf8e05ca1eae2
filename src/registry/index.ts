export {
  ModelVersionStatus, isModelVersionStatus, isRegisteredModel, isModelVersion, modelVersionUri,
  type RegisteredModel, type RegisteredModelAlias, type ModelVersion, type PinnedFile,
} from '../registry-entities';
export type {
  RegistryStore, NewRegisteredModel, RegisteredModelUpdate, NewModelVersion, CreatedModelVersion, ModelVersionUpdate, RegistrySearchQuery,
} from '../store/registry-store';
export { RegistryClient, type RegistryClientOptions, type RegistrySearchOptions, type VersionOptions, type NewVersionOptions, type Registration } from './registry-client';
export { getRegistry, installRegistryResolver } from './default-registry';
export { registerBest, type ExportBestOptions, type ExportedVersion } from './export-best';
export { summarizeModel } from './model-summary';
export { modelsTable, versionsTable, versionsChart, summaryBundles, type ModelSummary, type SourceRun } from './registry-summary';
export { parseModelsUri, type ModelsUri } from './models-uri';
export { validateAlias, validateModelName, validateVersion, RegistryLimits } from './registry-validation';
export { manifestHash } from './pinned-content';
export { REGISTERED_MODEL_SEARCH, MODEL_VERSION_SEARCH } from './registry-search';
