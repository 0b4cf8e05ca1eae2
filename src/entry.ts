/**
 * The package's runtime entry (package.json `main`): the same exports as
 * index.ts, whose .d.ts stays the package's `types`, but only the tracking
 * core is loaded by `require('tracklab')`. Views, autolog, evaluation, media,
 * models, registry and serving load on first use of one of their exports, so
 * a notebook that only tracks runs does not pay for them at start-up.
 * test/package/entry.test.ts holds these names and values equal to index.ts's.
 */
import { inKernel } from './notebook/kernel';

export {
  startRun, endRun, activeRun, withRun, log, logMetric, logParam, logParams, setTag, setTags, logArtifact,
  currentExperiment, setImplicitRunProvider, onRunStart,
} from './tracking/fluent';
export { ActiveRun } from './tracking/active-run';
export { TrackingClient } from './tracking/client';
export { configure, getClient } from './config';
export { TracklabError, ErrorCode, isTracklabError } from './errors';
export { RunStatus, isRunStatus, isTerminalStatus } from './entities';

/** Export names by the module that holds them, loaded on first use. */
const lazy: Record<string, readonly string[]> = {
  './notebook/autolog': ['autolog'],
  './notebook/display': ['display'],
  './show': ['compare', 'comparison', 'show', 'runView', 'runsTable', 'exportBest'],
  './autolog/tfjs': ['enableTfjsAutolog', 'disableTfjsAutolog'],
  './evaluate/evaluate': ['evaluate'],
  './evaluate/log-predictions': ['logPredictions'],
  './show/media': ['logImage', 'logTable', 'logFigure', 'logText', 'logDict'],
  './models': ['logModel', 'loadModel', 'saveModel', 'inferSignature', 'setModelsUriResolver'],
  './serving': ['serveModel', 'startScoringServer'],
  './registry': ['RegistryClient', 'getRegistry', 'ModelVersionStatus'],
};
/** The `registry` namespace export: the module itself. */
const namespaces: Record<string, string> = { registry: './show/registry-namespace' };
/** Capture, display and charts never load a model; everything else may, through `models:/` URIs. */
const withoutModels = new Set(['./notebook/autolog', './notebook/display', './autolog/tfjs']);

let resolverInstalled = false;

/** What index.ts does on import: loadModel('models:/name@alias') resolves through the configured store's registry. */
function installRegistryResolver(): void {
  if (resolverInstalled) return;
  resolverInstalled = true;
  (require('./registry/default-registry') as typeof import('./registry/default-registry')).installRegistryResolver();
}

function load(specifier: string): Record<string, unknown> {
  if (!withoutModels.has(specifier)) installRegistryResolver();
  return require(specifier) as Record<string, unknown>;
}

for (const [specifier, names] of Object.entries(lazy)) {
  for (const name of names) {
    Object.defineProperty(exports, name, { enumerable: true, get: () => load(specifier)[name] });
  }
}
for (const [name, specifier] of Object.entries(namespaces)) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => load(specifier) });
}

// In a tslab kernel, as index.ts does: runs are notebook runs and SIGINT stays the kernel's, and loading
// notebook/autolog installs what ends the runs of a failing cell (without autolog() too). Outside a kernel
// both do nothing, so they wait for first use there.
if (inKernel()) {
  require('./notebook/autolog');
  (require('./notebook/kernel-host') as typeof import('./notebook/kernel-host')).installKernelHost();
}

// Static names for Node's CommonJS named-export detection (`import { autolog } from 'tracklab'` in ESM);
// never run: the getters above are the exports.
// eslint-disable-next-line no-constant-condition
if (0 as number) {
  exports.autolog = exports.display = exports.compare = exports.comparison = exports.show = exports.runView = exports.runsTable = undefined;
  exports.exportBest = exports.enableTfjsAutolog = exports.disableTfjsAutolog = exports.evaluate = exports.logPredictions = undefined;
  exports.logImage = exports.logTable = exports.logFigure = exports.logText = exports.logDict = undefined;
  exports.logModel = exports.loadModel = exports.saveModel = exports.inferSignature = exports.setModelsUriResolver = undefined;
  exports.serveModel = exports.startScoringServer = exports.registry = exports.RegistryClient = exports.getRegistry = exports.ModelVersionStatus = undefined;
}
