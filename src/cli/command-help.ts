/**
 * What `tracklab COMMAND --help` shows beyond the usage line and summary:
 * each of the command's own options, and examples. One place, so wording
 * stays consistent and a test can check that every command has them.
 */

export interface CommandDetails {
  /** [option as typed, what it does]; the global options are named once, after these. */
  readonly options: readonly (readonly [string, string])[];
  readonly examples: readonly string[];
}

const JSON_OPTION = ['--json', 'print the result as JSON, for scripts'] as const;

export const commandDetails: Readonly<Record<string, CommandDetails>> = {
  info: { options: [JSON_OPTION], examples: ['tracklab info', 'tracklab --tracking-uri postgresql://ana@db:5432/tracklab info --json'] },
  experiments: {
    options: [
      ['--filter F', 'MLflow filter on experiments, e.g. "name LIKE \'mnist%\'"'], ['--order-by O', 'e.g. "name ASC"; repeat for more keys'],
      ['--all', 'deleted experiments too'], ['--max N', 'at most N experiments (default 1000)'], JSON_OPTION,
    ],
    examples: ['tracklab experiments --filter "name LIKE \'mnist%\'"'],
  },
  'experiments create': { options: [['--description TEXT', 'the experiment\'s description']], examples: ['tracklab experiments create mnist --description "digit classifier"'] },
  'experiments rename': { options: [], examples: ['tracklab experiments rename mnist mnist-v1'] },
  'experiments delete': { options: [], examples: ['tracklab experiments delete mnist'] },
  'experiments restore': { options: [], examples: ['tracklab experiments restore mnist'] },
  runs: {
    options: [
      ['-e, --experiment EXP', 'only runs of this experiment (name or id); repeat for several. Unless exactly one is given, a column names each run\'s experiment'],
      ['--filter F', 'MLflow filter grammar plus OR and parentheses, e.g. "metrics.acc > 0.9"'],
      ['--order-by O', 'e.g. "metrics.acc DESC"; repeat for more keys'], ['--max N', 'at most N runs (default 100)'],
      ['--all', 'deleted runs too'], JSON_OPTION,
    ],
    examples: ['tracklab runs -e mnist --filter "metrics.acc > 0.9" --order-by "metrics.acc DESC"'],
  },
  'runs delete': { options: [], examples: ['tracklab runs delete 4r5hak56mnjt9eqe67q9eojn'] },
  'runs restore': { options: [], examples: ['tracklab runs restore 4r5hak56mnjt9eqe67q9eojn'] },
  run: {
    options: [
      ['-e, --entry-point ENTRY', 'the entry point of a project folder (tracklab.yaml), as in mlflow run'],
      ['-P, --param KEY=VALUE[,VALUE...]', 'a parameter; several values sweep the grid (write \\, for a comma in a value)'],
      ['--experiment E', 'the project run\'s experiment (name or id); default: the one the notebook\'s configure({ experiment: \'...\' }) names, else the default experiment'],
      ['-o, --output FILE|DIR', 'the executed notebook; a folder for a sweep (default: under the store\'s outputs/)'],
      ['--engine native|nbclient', 'how the notebook runs (default native; nbclient needs Jupyter)'],
      ['--max-parallel N', 'points of a sweep at once (default 1)'], ['--allow-errors', 'go on past a failing cell'],
      ['--timeout SECONDS', 'the limit per cell'], ['--metric M', 'a sweep\'s key metric (default: the one most points logged)'],
      ['--mode min|max', 'whether the key metric\'s best is its lowest or highest'], JSON_OPTION,
    ],
    examples: ['tracklab run train.ipynb -P epochs=20', 'tracklab run train.ipynb -P lr=0.01,0.1 -P batch=16,64 --experiment lr-sweep'],
  },
  'run show': { options: [['--source', 'print each notebook cell in full'], JSON_OPTION], examples: ['tracklab run show 4r5hak56mnjt9eqe67q9eojn', 'tracklab run show brave-otter-042'] },
  compare: {
    options: [
      ['--metric KEY', 'only this metric; repeat for several (default: every metric the runs logged). The best run is the lowest for loss- or error-like names, else the highest; runs tied for best are all marked'],
      ['--json', 'print the result as JSON, for scripts; each metric\'s bestRuns lists every run tied for best, best the first of them'],
    ],
    examples: ['tracklab compare 4r5hak56mnjt9eqe67q9eojn 7bq2xw0c8ndm3kz5p1yv6ht4 --metric val_loss', 'tracklab compare brave-otter-042 quiet-lion-595'],
  },
  metrics: {
    options: [['--format csv|json|arrow', 'the output format (default csv)'], ['-o, --output FILE', 'write to FILE instead of stdout']],
    examples: ['tracklab metrics 4r5hak56mnjt9eqe67q9eojn loss --format json'],
  },
  export: {
    options: [
      ['--format arrow', 'Arrow IPC, the one format'], ['-o, --output FILE', 'the file to write (required)'],
      ['--run ID', 'a run to export; repeat for several'], ['-e, --experiment EXP', 'runs of this experiment; repeat for several'],
      ['--filter F', 'runs matching this filter'], ['--key K', 'only this metric; repeat for several'],
    ],
    examples: ['tracklab export --format arrow --output runs.arrow -e mnist --key loss'],
  },
  gc: { options: [['--dry-run', 'say what would be purged and removed, change nothing'], JSON_OPTION], examples: ['tracklab gc --dry-run'] },
  ui: { options: [['--port N', 'the port (default 5000; 0 picks a free one)'], ['--read-only', 'refuse every change']], examples: ['tracklab ui --port 5001 --read-only'] },
  backup: {
    options: [JSON_OPTION],
    examples: ['tracklab backup /backups/tracklab-2024-06-01', 'tracklab --home /srv/tracklab backup /backups/2024-06-01'],
  },
  doctor: { options: [['--fix', 'repair what can be repaired (see the README)'], JSON_OPTION], examples: ['tracklab doctor', 'tracklab doctor --fix'] },
  'migrate-store': {
    options: [
      ['--from URI', 'the store to copy (a folder, sqlite:///… or postgresql://…)'], ['--to URI', 'the store to copy into'],
      ['--merge', 'add it to a store that already holds others\' work: same-named experiments are joined; what is there is added to, never rewritten'],
      ['--from-artifact-root DIR', 'the source\'s artifact folder, when it keeps none of its own'],
      ['--to-artifact-root DIR', 'the destination\'s artifact folder, when it keeps none of its own'], JSON_OPTION,
    ],
    examples: ['tracklab migrate-store --from .tracklab --to postgresql://ana@db/tracklab --to-artifact-root /mnt/team/artifacts',
      'tracklab migrate-store --from ~/bo/.tracklab --to postgresql://bo@db/tracklab --to-artifact-root /mnt/team/artifacts --merge'],
  },
  server: {
    options: [
      ['--artifacts-destination PATH', 'the artifact folder it serves (default: the store\'s own)'],
      ['--host H', 'the address to listen on (default 127.0.0.1; another needs --auth or --insecure-no-auth)'], ['--port N', 'the port (default 5000)'],
      ['--allowed-hosts NAME[,NAME...]', 'Host names answered besides loopback and the bound address; *.example.com allowed'],
      ['--auth', 'require sign-in (MLflow\'s basic auth)'], ['--auth-db FILE', 'the users and permissions database (with --auth)'],
      ['--default-permission P', 'READ, EDIT, MANAGE or NO_PERMISSIONS for resources nobody was given (with --auth)'],
      ['--insecure-no-auth', 'listen beyond loopback without sign-in'], ['--tls-cert FILE --tls-key FILE', 'serve HTTPS'],
      ['--cors-origins ORIGIN[,ORIGIN...]', 'exact origins allowed to call the API from a browser'], ['--no-ui', 'serve the API alone'],
      ['--max-body-bytes N', 'the largest request body (default 16 MiB)'], ['--max-artifact-bytes N', 'the largest artifact upload (default 2 GiB)'],
      ['--quiet', 'no request log on stderr'],
    ],
    examples: ['tracklab server --tracking-uri postgresql://ana@db/tracklab --artifacts-destination /mnt/team/artifacts'],
  },
  sync: { options: [], examples: ['tracklab sync --tracking-uri http://tracking.example.com:5000'] },
  models: {
    options: [
      ['--filter F', 'list: MLflow filter on models, e.g. "name LIKE \'iris%\'"'], ['--max N', 'list: at most N models (default 100)'],
      ['--port N', 'serve: the port (default 5000)'], ['--host H', 'serve: the address to listen on (default 127.0.0.1)'],
      ['--allowed-hosts NAME,...', 'serve: Host names answered besides loopback'], ['--timeout SECONDS', 'serve: how long a request may take to arrive'],
      JSON_OPTION,
    ],
    examples: ['tracklab models versions iris', 'tracklab models rename iris iris-legacy', 'tracklab models alias set iris champion 3', 'tracklab models serve models:/iris@champion --port 5001'],
  },
};
