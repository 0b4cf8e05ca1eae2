export { saveModel, type SaveModelOptions } from './package';
export { logModel, parseLoggedModels, LOGGED_MODELS_TAG, type LogModelOptions, type ModelInfo, type LoggedModelEntry, type RunHandle } from './log-model';
export {
  loadModel, loadModelFromDirectory, resolveModelUri, setModelsUriResolver, setRunsUriResolver,
  type LoadedModel, type LoadModelOptions, type ModelUriResolver,
} from './load-model';
export {
  MLMODEL_FILE, GENERIC_FLAVOR, parseMLmodel, readMLmodel, mlmodelToYaml, formatUtcTimeCreated,
  type MLmodel, type FlavorConfig, type SavedInputExampleInfo, type InputExampleType,
} from './mlmodel';
export {
  DataType, TensorDtype, signatureToJson, signatureFromJson, schemaToJson, schemaFromJson, isTensorSpec,
  type ColSpec, type TensorSpec, type Schema, type ParamSpec, type ModelSignature, type SignatureJson,
} from './schema';
export { inferSignature, inferSchema, type InferOptions } from './signature';
export { enforceInput, enforceParams } from './validate-input';
export { loadInputExample } from './input-example';
export { REQUIREMENTS_FILE, type Requirements } from './requirements';
export { FLAVORS, flavorByName, type FlavorName } from './flavors/registry';
export type { Flavor, Predictor, SavedFlavor, FlavorSaveOptions } from './flavors/flavor';
