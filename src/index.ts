/** tracklab: experiment tracking for TypeScript notebooks and scripts. Re-exports only (plus the registry hook and, in a kernel, the notebook host). */
import { installKernelHost } from './notebook/kernel-host';
import { installRegistryResolver } from './registry/default-registry';

// Tracking: fluent runs for notebooks and scripts, and the client with explicit ids.
export {
  startRun, endRun, activeRun, withRun, log, logMetric, logParam, logParams, setTag, setTags, logArtifact,
  setImplicitRunProvider, onRunStart, type StartRunOptions, type RunStartListener,
} from './tracking/fluent';
export { ActiveRun, type RunEvent, type RunListener, type RunSnapshot, type LatestMetric } from './tracking/active-run';
export {
  TrackingClient, type TrackingClientOptions, type CreateRunOptions, type BatchInput,
  type SearchRunsOptions, type SearchExperimentsOptions, type ExportQuery,
} from './tracking/client';
export { configure, getClient, type ConfigureOptions } from './config';
export { TracklabError, ErrorCode, isTracklabError } from './errors';
export {
  RunStatus, isRunStatus, isTerminalStatus,
  type Experiment, type RunInfo, type RunData, type Run, type MetricSummary, type MetricPoint,
  type MetricColumns, type ArtifactEntry, type CellRecord, type LifecycleStage,
  type Dataset, type DatasetInput, type RunInput,
} from './entities';
export type { ArtifactSource } from './artifacts/artifact-source';
export type { BackupOptions, BackupProgress, BackupResult } from './maintenance/backup';
export type { DoctorOptions, DoctorReport, Finding, FindingKind } from './maintenance/doctor';
export type { DatasetSource, LogInputOptions } from './datasets/describe-dataset';

// Notebook: auto-capture, inline views, display.
export { autolog, type AutologOptions } from './notebook/autolog';
export { display, type DisplayOptions } from './notebook/display';
export type { DisplayBundle } from './views/bundle';
export { compare, comparison, show, runView, runsTable, exportBest, type CompareOptions, type RunRef, type RunSelection } from './show';
export { enableTfjsAutolog, disableTfjsAutolog, type TfjsAutologOptions } from './autolog/tfjs';

// Models, registry, serving.
export {
  logModel, loadModel, saveModel, inferSignature, setModelsUriResolver,
  type LoadedModel, type LogModelOptions, type ModelInfo, type MLmodel, type ModelSignature, type SaveModelOptions,
} from './models';
export { serveModel, startScoringServer, type ServeOptions } from './serving';
export * as registry from './show/registry-namespace';
export {
  RegistryClient, getRegistry, ModelVersionStatus,
  type RegisteredModel, type ModelVersion, type RegistryClientOptions, type ExportBestOptions, type ExportedVersion,
} from './registry';

// loadModel('models:/name@alias') resolves through the configured store's registry.
installRegistryResolver();
// In a tslab kernel, runs are notebook runs and SIGINT stays the kernel's.
installKernelHost();
