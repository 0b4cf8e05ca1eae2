/**
 * Versioned migrations of the PostgreSQL store. migrate.ts applies the
 * missing ones in one transaction under an advisory lock (DDL is
 * transactional in PostgreSQL), so processes racing to open a fresh database
 * apply each exactly once. Never edit a released migration: add a new one.
 *
 * The tables mirror the SQLite store's (src/store/sqlite/schema.ts), with
 * three differences that keep both backends answering alike:
 * - every text column is COLLATE "C", so order and comparison are by bytes,
 *   as in SQLite, whatever the database's default collation;
 * - float8 keeps NaN, ±Infinity and -0 itself, so summaries need no flags;
 *   min/max are NULL while every value was NaN (NULL never wins a comparison);
 * - a metric block's `seq` comes from an identity column, so concurrent
 *   writers to one series never compete for the next number.
 */
import { PARAM_NUMBER_PATTERN } from '../../search/param-number';

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
  experiment_id    text COLLATE "C" PRIMARY KEY,
  name             text COLLATE "C" NOT NULL UNIQUE,
  description      text COLLATE "C",
  lifecycle_stage  text COLLATE "C" NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted')),
  creation_time    bigint NOT NULL,
  last_update_time bigint NOT NULL,
  deleted_time     bigint
);
CREATE TABLE experiment_tags (
  experiment_id text COLLATE "C" NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
  key           text COLLATE "C" NOT NULL,
  value         text COLLATE "C" NOT NULL,
  PRIMARY KEY (experiment_id, key)
);

CREATE TABLE runs (
  run_id          text COLLATE "C" PRIMARY KEY,
  run_name        text COLLATE "C" NOT NULL,
  experiment_id   text COLLATE "C" NOT NULL REFERENCES experiments(experiment_id),
  parent_run_id   text COLLATE "C",
  status          text COLLATE "C" NOT NULL CHECK (status IN ('RUNNING','FINISHED','FAILED','KILLED','CRASHED')),
  status_message  text COLLATE "C",
  start_time      bigint NOT NULL,
  end_time        bigint,
  user_id         text COLLATE "C",
  lifecycle_stage text COLLATE "C" NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted')),
  deleted_time    bigint,
  owner_pid       integer,
  owner_host      text COLLATE "C",
  owner_start     text COLLATE "C",
  heartbeat_time  bigint,             -- the owner's clock, as it reported
  heartbeat_seen  timestamptz         -- the server's clock when the last heartbeat arrived (skew-free staleness)
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time DESC);
CREATE INDEX runs_running ON runs (status) WHERE status = 'RUNNING';
CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;

CREATE TABLE params (
  run_id text COLLATE "C" NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key    text COLLATE "C" NOT NULL,
  value  text COLLATE "C" NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX params_by_key ON params (key, value);

CREATE TABLE tags (
  run_id text COLLATE "C" NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key    text COLLATE "C" NOT NULL,
  value  text COLLATE "C" NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX tags_by_key ON tags (key, value);

-- Full metric history: one row per flushed block of one (run, key), columns encoded by src/metrics/block-codec.ts.
CREATE TABLE metric_blocks (
  run_id     text COLLATE "C" NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key        text COLLATE "C" NOT NULL,
  seq        bigint GENERATED ALWAYS AS IDENTITY,
  n          integer NOT NULL,
  first_step bigint NOT NULL,
  last_step  bigint NOT NULL,
  data       bytea NOT NULL,
  PRIMARY KEY (run_id, key, seq)
);

-- Latest value and range per (run, key), kept apart from history for search and tables.
CREATE TABLE metric_summaries (
  run_id         text COLLATE "C" NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key            text COLLATE "C" NOT NULL,
  last_value     float8 NOT NULL,
  last_step      bigint NOT NULL,
  last_timestamp bigint NOT NULL,
  min_value      float8,
  max_value      float8,
  count          bigint NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX metric_summaries_by_key ON metric_summaries (key, last_value);

CREATE TABLE artifacts (
  run_id       text COLLATE "C" NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  path         text COLLATE "C" NOT NULL,
  sha256       text COLLATE "C" NOT NULL,
  size         bigint NOT NULL,
  created_time bigint NOT NULL,
  PRIMARY KEY (run_id, path)
);
CREATE INDEX artifacts_by_blob ON artifacts (sha256);

CREATE TABLE cells (
  run_id          text COLLATE "C" NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  seq             integer NOT NULL,
  execution_count integer,
  source          text COLLATE "C" NOT NULL,
  start_time      bigint NOT NULL,
  end_time        bigint,
  status          text COLLATE "C" NOT NULL,
  error           text COLLATE "C",
  PRIMARY KEY (run_id, seq)
);
`,
  },
  {
    version: 2,
    name: 'model registry',
    sql: `
CREATE TABLE registered_models (
  model_id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name              text COLLATE "C" NOT NULL UNIQUE,
  description       text COLLATE "C",
  creation_time     bigint NOT NULL,
  last_updated_time bigint NOT NULL,
  next_version      integer NOT NULL DEFAULT 1  -- taken under the row lock, so numbers are distinct and consecutive
);
CREATE TABLE registered_model_tags (
  model_id bigint NOT NULL REFERENCES registered_models(model_id) ON DELETE CASCADE,
  key      text COLLATE "C" NOT NULL,
  value    text COLLATE "C" NOT NULL,
  PRIMARY KEY (model_id, key)
);

CREATE TABLE model_versions (
  model_id          bigint NOT NULL REFERENCES registered_models(model_id) ON DELETE CASCADE,
  version           integer NOT NULL,
  source            text COLLATE "C" NOT NULL,
  run_id            text COLLATE "C",
  status            text COLLATE "C" NOT NULL CHECK (status IN ('PENDING_REGISTRATION','READY','FAILED_REGISTRATION')),
  status_message    text COLLATE "C",
  description       text COLLATE "C",
  user_id           text COLLATE "C",
  content_hash      text COLLATE "C" NOT NULL,
  creation_time     bigint NOT NULL,
  last_updated_time bigint NOT NULL,
  PRIMARY KEY (model_id, version)
);
CREATE INDEX model_versions_by_content ON model_versions (model_id, content_hash);
CREATE INDEX model_versions_by_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
  model_id bigint NOT NULL,
  version  integer NOT NULL,
  key      text COLLATE "C" NOT NULL,
  value    text COLLATE "C" NOT NULL,
  PRIMARY KEY (model_id, version, key),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
);

CREATE TABLE model_version_files (
  model_id bigint NOT NULL,
  version  integer NOT NULL,
  path     text COLLATE "C" NOT NULL,
  sha256   text COLLATE "C" NOT NULL,
  size     bigint NOT NULL,
  PRIMARY KEY (model_id, version, path),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
);
CREATE INDEX model_version_files_by_blob ON model_version_files (sha256);

CREATE TABLE registered_model_aliases (
  model_id bigint NOT NULL,
  alias    text COLLATE "C" NOT NULL,
  version  integer NOT NULL,
  PRIMARY KEY (model_id, alias),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
);
`,
  },
  {
    version: 3,
    name: 'datasets',
    sql: `
CREATE TABLE datasets (
  dataset_id   text COLLATE "C" PRIMARY KEY,
  name         text COLLATE "C" NOT NULL,
  digest       text COLLATE "C" NOT NULL,
  source_type  text COLLATE "C" NOT NULL,
  source       text COLLATE "C" NOT NULL,
  schema_json  text COLLATE "C",
  profile_json text COLLATE "C",
  num_rows     bigint,
  created_time bigint NOT NULL,
  UNIQUE (name, digest)
);
CREATE INDEX datasets_by_digest ON datasets (digest);

CREATE TABLE run_inputs (
  run_id     text COLLATE "C" NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  dataset_id text COLLATE "C" NOT NULL REFERENCES datasets(dataset_id),
  context    text COLLATE "C" NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, dataset_id, context)
);
CREATE INDEX run_inputs_by_dataset ON run_inputs (dataset_id, context);
`,
  },
  {
    version: 4,
    name: 'search functions',
    // The param-number rule of src/search/param-number.ts, from its own pattern, as JavaScript's Number()
    // reads a decimal literal: out-of-range values become ±Infinity or ±0 where float8's input would raise an error.
    sql: `
CREATE FUNCTION tracklab_param_number(v text) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT CASE
    WHEN v !~ '${PARAM_NUMBER_PATTERN}' THEN NULL
    WHEN v ~ '[eE][+-]?0*[0-9]{5,}$' THEN  -- |exponent| >= 10000: past what numeric reads
      CASE WHEN v ~ '^[+-]?[0.]*([eE]|$)' THEN v::float8
           WHEN v ~ '[eE]-' THEN (CASE WHEN v LIKE '-%' THEN '-0' ELSE '0' END)::float8
           ELSE (CASE WHEN v LIKE '-%' THEN '-Infinity' ELSE 'Infinity' END)::float8 END
    WHEN abs(v::numeric) >= 1.7976931348623158079e308 THEN (CASE WHEN v LIKE '-%' THEN '-Infinity' ELSE 'Infinity' END)::float8
    WHEN v::numeric <> 0 AND abs(v::numeric) <= 2.4703282292062327209e-324 THEN (CASE WHEN v LIKE '-%' THEN '-0' ELSE '0' END)::float8
    ELSE v::float8
  END
$fn$;
`,
  },
  {
    version: 5,
    name: 'applied batches',
    // See applied-batches.ts: ids of writes a remote client may send again (WriteOnce.batchId).
    sql: `
CREATE TABLE applied_batches (
  batch_id     text PRIMARY KEY,
  applied_time bigint NOT NULL
);
`,
  },
  {
    version: 6,
    name: 'applied batches bounded',
    // See batch-sequence.ts: one mark per (run, sender) instead of one row per batch; every record goes with its run.
    // Rows recorded before this version name no run: they stay (a resend of them is still skipped) and no more are added.
    // The foreign key is added NOT VALID and then validated: added with the column, it was checked under a lock that
    // blocks writes to runs for the whole scan. The index leaves out the old rows (no run), which a purge never looks up.
    sql: `
CREATE TABLE applied_sequences (
  run_id text COLLATE "C" NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  sender text COLLATE "C" NOT NULL,
  seq    bigint NOT NULL,
  PRIMARY KEY (run_id, sender)
);
ALTER TABLE applied_batches ADD COLUMN run_id text COLLATE "C";
ALTER TABLE applied_batches ADD CONSTRAINT applied_batches_run_id_fkey
  FOREIGN KEY (run_id) REFERENCES runs (run_id) ON DELETE CASCADE NOT VALID;
ALTER TABLE applied_batches VALIDATE CONSTRAINT applied_batches_run_id_fkey;
CREATE INDEX applied_batches_run ON applied_batches (run_id) WHERE run_id IS NOT NULL;
`,
  },
  {
    version: 7,
    name: 'applied batches per run',
    // See applied-batches.ts: an ordinary batch id is recorded per run it wrote to, (run_id, batch_id), so one client's
    // id no longer makes the store skip another client's write to another run under the same id. Rows of version 6
    // keep their run (for a batch over several runs, the first: a resend of it is still skipped whole). Rows of
    // version 5 name no run: they move to applied_batches_unscoped, still honoured, and no row is added there again.
    // The primary key (run_id first) serves a purge's cascade, so the partial run index goes.
    sql: `
CREATE TABLE applied_batches_unscoped (
  batch_id     text COLLATE "C" PRIMARY KEY,
  applied_time bigint NOT NULL
);
INSERT INTO applied_batches_unscoped (batch_id, applied_time) SELECT batch_id, applied_time FROM applied_batches WHERE run_id IS NULL;
DELETE FROM applied_batches WHERE run_id IS NULL;
ALTER TABLE applied_batches DROP CONSTRAINT applied_batches_pkey;
DROP INDEX applied_batches_run;
ALTER TABLE applied_batches ALTER COLUMN run_id SET NOT NULL, ALTER COLUMN batch_id TYPE text COLLATE "C";
ALTER TABLE applied_batches ADD PRIMARY KEY (run_id, batch_id);
`,
  },
];
