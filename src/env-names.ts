/**
 * The environment variables tracklab reads, in one place. The projects
 * runner sets several for the kernels and scripts it starts; tracking and
 * the notebook bridge read them. Neither side imports the other for them.
 */
export const Env = {
  /** Where runs go: a store folder or tracking URI (sqlite://, postgresql://). */
  trackingUri: 'TRACKLAB_TRACKING_URI',
  /** The artifact folder, a path or file:///… (a team's shared folder beside its database). */
  artifactRoot: 'TRACKLAB_ARTIFACT_ROOT',
  /** The store folder: the SQLite shorthand of TRACKLAB_TRACKING_URI, below it in precedence. */
  home: 'TRACKLAB_HOME',
  /** `offline`: log into the local store (TRACKLAB_HOME or .tracklab) even when the tracking URI names a server; `tracklab sync` uploads later. */
  mode: 'TRACKLAB_MODE',
  /** A token the remote store sends to the tracking server (`Authorization: Bearer`). */
  trackingToken: 'TRACKLAB_TRACKING_TOKEN',
  /** Basic-auth user and password the remote store sends when no token is set. */
  trackingUsername: 'TRACKLAB_TRACKING_USERNAME',
  trackingPassword: 'TRACKLAB_TRACKING_PASSWORD',
  /** Experiment of runs that name none. */
  experiment: 'TRACKLAB_EXPERIMENT',
  /** Runs started inside a project run nest under this run. */
  parentRunId: 'TRACKLAB_PARENT_RUN_ID',
  /** The notebook a project run executes (and the source of its runs). */
  notebookPath: 'TRACKLAB_NOTEBOOK_PATH',
  /** A notebook name for runs started in a kernel nothing else names. */
  notebook: 'TRACKLAB_NOTEBOOK',
  /** The runner's parameters as JSON. */
  projectParameters: 'TRACKLAB_PROJECT_PARAMETERS',
  /** Set by the runner's engines for the kernel they start: a HeadlessMode (see notebook/headless.ts). */
  headless: 'TRACKLAB_HEADLESS',
  /** Prefix of the parameters a script entry point receives (TRACKLAB_PARAM_LR=0.1). */
  paramPrefix: 'TRACKLAB_PARAM_',
  /** Set to 0 to stop storing the uncommitted git diff of each run. */
  gitDiff: 'TRACKLAB_GIT_DIFF',
  /** Set to 1 to sample system/* metrics on every run of the process. */
  systemMetrics: 'TRACKLAB_SYSTEM_METRICS',
  /** The system metrics sampling interval, in seconds. */
  systemMetricsInterval: 'TRACKLAB_SYSTEM_METRICS_INTERVAL',
} as const;

/** Values of TRACKLAB_HEADLESS. `stop-on-error`: the first failing cell is the last one run; `allow-errors`: execution goes on past it. */
export type HeadlessMode = 'stop-on-error' | 'allow-errors';
