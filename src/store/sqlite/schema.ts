/**
 * Versioned migrations for the SQLite store. Each entry runs once, in order,
 * inside one `BEGIN IMMEDIATE` transaction that also records its version, so
 * processes racing to open a fresh store apply each migration exactly once.
 * Never edit a released migration: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'tracking core',
    sql: `
CREATE TABLE experiments (
  experiment_id    TEXT PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,
  description      TEXT,
  lifecycle_stage  TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted')),
  creation_time    INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL,
  deleted_time     INTEGER  -- when it was deleted; restoring brings back the runs deleted with it (same deleted_time)
);
CREATE TABLE experiment_tags (
  experiment_id TEXT NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

CREATE TABLE runs (
  run_id          TEXT PRIMARY KEY,
  run_name        TEXT NOT NULL,
  experiment_id   TEXT NOT NULL REFERENCES experiments(experiment_id),
  parent_run_id   TEXT,
  status          TEXT NOT NULL CHECK (status IN ('RUNNING','FINISHED','FAILED','KILLED','CRASHED')),
  status_message  TEXT,
  start_time      INTEGER NOT NULL,
  end_time        INTEGER,
  user_id         TEXT,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted')),
  deleted_time    INTEGER,
  owner_pid       INTEGER,
  owner_host      TEXT,
  owner_start     TEXT,
  heartbeat_time  INTEGER
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time DESC);
CREATE INDEX runs_running ON runs (status) WHERE status = 'RUNNING';
CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;

CREATE TABLE params (
  run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX params_by_key ON params (key, value);

CREATE TABLE tags (
  run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX tags_by_key ON tags (key, value);

-- Full metric history: one row per flushed block of one (run, key), columns encoded by src/metrics.
CREATE TABLE metric_blocks (
  run_id     TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  n          INTEGER NOT NULL,
  first_step INTEGER NOT NULL,
  last_step  INTEGER NOT NULL,
  data       BLOB NOT NULL,
  PRIMARY KEY (run_id, key, seq)
) WITHOUT ROWID;

-- Latest value and range per (run, key), kept apart from history for search and tables.
-- SQLite stores NaN as NULL and -0.0 as 0, so NaN-ness and negative zeros are kept in flags beside the values
-- (neg_zero_mask bits: 1 last, 2 min, 4 max).
CREATE TABLE metric_summaries (
  run_id         TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key            TEXT NOT NULL,
  last_value     REAL,
  last_is_nan    INTEGER NOT NULL DEFAULT 0,
  last_step      INTEGER NOT NULL,
  last_timestamp INTEGER NOT NULL,
  min_value      REAL,
  max_value      REAL,
  count          INTEGER NOT NULL,
  neg_zero_mask  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX metric_summaries_by_key ON metric_summaries (key, last_value);

CREATE TABLE artifacts (
  run_id       TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  path         TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  size         INTEGER NOT NULL,
  created_time INTEGER NOT NULL,
  PRIMARY KEY (run_id, path)
) WITHOUT ROWID;
CREATE INDEX artifacts_by_blob ON artifacts (sha256);

CREATE TABLE cells (
  run_id          TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  execution_count INTEGER,
  source          TEXT NOT NULL,
  start_time      INTEGER NOT NULL,
  end_time        INTEGER,
  status          TEXT NOT NULL,
  error           TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'model registry',
    // Registry SQL lives in registry-*.ts; see src/registry/ for the rules these tables keep.
    sql: `
CREATE TABLE registered_models (
  model_id          INTEGER PRIMARY KEY,  -- surrogate key, so a rename is one UPDATE and versions/aliases follow
  name              TEXT NOT NULL UNIQUE,
  description       TEXT,
  creation_time     INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  next_version      INTEGER NOT NULL DEFAULT 1  -- version numbers are never reused, even after a delete (as MLflow)
);
CREATE TABLE registered_model_tags (
  model_id INTEGER NOT NULL REFERENCES registered_models(model_id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
) WITHOUT ROWID;

CREATE TABLE model_versions (
  model_id          INTEGER NOT NULL REFERENCES registered_models(model_id) ON DELETE CASCADE,
  version           INTEGER NOT NULL,
  source            TEXT NOT NULL,
  run_id            TEXT,     -- no foreign key: the source run may be deleted and purged; the pinned files remain
  status            TEXT NOT NULL CHECK (status IN ('PENDING_REGISTRATION','READY','FAILED_REGISTRATION')),
  status_message    TEXT,
  description       TEXT,
  user_id           TEXT,
  content_hash      TEXT NOT NULL,  -- sha256 of the pinned manifest, to reuse a version for identical content
  creation_time     INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  PRIMARY KEY (model_id, version)
) WITHOUT ROWID;
CREATE INDEX model_versions_by_content ON model_versions (model_id, content_hash);
CREATE INDEX model_versions_by_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
  model_id INTEGER NOT NULL,
  version  INTEGER NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (model_id, version, key),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
) WITHOUT ROWID;

-- The pinned content of each version: paths relative to the model root, blobs in the content store.
CREATE TABLE model_version_files (
  model_id INTEGER NOT NULL,
  version  INTEGER NOT NULL,
  path     TEXT NOT NULL,
  sha256   TEXT NOT NULL,
  size     INTEGER NOT NULL,
  PRIMARY KEY (model_id, version, path),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX model_version_files_by_blob ON model_version_files (sha256);

-- One version per (model, alias); setting an alias again moves it; deleting the version drops its aliases.
CREATE TABLE registered_model_aliases (
  model_id INTEGER NOT NULL,
  alias    TEXT NOT NULL,
  version  INTEGER NOT NULL,
  PRIMARY KEY (model_id, alias),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    name: 'datasets',
    // Dataset SQL lives in dataset-rows.ts. A dataset is stored once per (name, digest), as MLflow does.
    sql: `
CREATE TABLE datasets (
  dataset_id   TEXT PRIMARY KEY,  -- derived from (name, digest), so racing writers agree on it
  name         TEXT NOT NULL,
  digest       TEXT NOT NULL,
  source_type  TEXT NOT NULL,
  source       TEXT NOT NULL,
  schema_json  TEXT,
  profile_json TEXT,
  num_rows     INTEGER,
  created_time INTEGER NOT NULL,
  UNIQUE (name, digest)
);
CREATE INDEX datasets_by_digest ON datasets (digest);

-- Which datasets a run used and for what ('' when no context was given).
CREATE TABLE run_inputs (
  run_id     TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
  context    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, dataset_id, context)
) WITHOUT ROWID;
CREATE INDEX run_inputs_by_dataset ON run_inputs (dataset_id, context);
`,
  },
  {
    version: 4,
    name: 'run journal',
    // See run-journal.ts: small writes land here as one appended row and are folded into
    // params, tags and metric tables in bulk before anything reads those.
    sql: `
CREATE TABLE run_journal (
  seq         INTEGER PRIMARY KEY,  -- append order, which is also the order entries are applied in
  run_id      TEXT NOT NULL,        -- no foreign key: entries of a purged run are skipped when applied
  params      TEXT,                 -- JSON object, written as a new run's params
  tags        TEXT,                 -- JSON object, upserted
  metric_keys TEXT,                 -- JSON [[key, points], ...], in the order of the blocks in metric_data
  metric_data BLOB                  -- per block: steps, timestamps, values as float64
);
`,
  },
  {
    version: 5,
    name: 'applied batches',
    // See applied-batches.ts: ids of writes a remote client may send again (WriteOnce.batchId).
    sql: `
CREATE TABLE applied_batches (
  batch_id     TEXT PRIMARY KEY,
  applied_time INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 6,
    name: 'applied batches bounded',
    // See batch-sequence.ts: one mark per (run, sender) instead of one row per batch; every record goes with its run.
    // Rows recorded before this version name no run: they stay (a resend of them is still skipped) and no more are added.
    sql: `
CREATE TABLE applied_sequences (
  run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  sender TEXT NOT NULL,
  seq    INTEGER NOT NULL,
  PRIMARY KEY (run_id, sender)
) WITHOUT ROWID;
ALTER TABLE applied_batches ADD COLUMN run_id TEXT REFERENCES runs (run_id) ON DELETE CASCADE;
CREATE INDEX applied_batches_run ON applied_batches (run_id);
`,
  },
  {
    version: 7,
    name: 'applied batches per run',
    // See applied-batches.ts: an ordinary batch id is recorded per run it wrote to, (run_id, batch_id), so one client's
    // id no longer makes the store skip another client's write to another run under the same id. Rows of version 6
    // keep their run (for a batch over several runs, the first: a resend of it is still skipped whole). Rows of
    // version 5 name no run: they move to applied_batches_unscoped, still honoured, and no row is added there again.
    // Rows of a run that is gone (deleted with foreign keys off, by the sqlite3 shell say) guard nothing and are left.
    sql: `
CREATE TABLE applied_batches_unscoped (
  batch_id     TEXT PRIMARY KEY,
  applied_time INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO applied_batches_unscoped (batch_id, applied_time) SELECT batch_id, applied_time FROM applied_batches WHERE run_id IS NULL;
CREATE TABLE applied_batches_per_run (
  run_id       TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  batch_id     TEXT NOT NULL,
  applied_time INTEGER NOT NULL,
  PRIMARY KEY (run_id, batch_id)
) WITHOUT ROWID;
INSERT INTO applied_batches_per_run (run_id, batch_id, applied_time)
  SELECT run_id, batch_id, applied_time FROM applied_batches WHERE run_id IN (SELECT run_id FROM runs);
DROP TABLE applied_batches;
ALTER TABLE applied_batches_per_run RENAME TO applied_batches;
`,
  },
];
