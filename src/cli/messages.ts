/** The CLI's own messages (usage errors and command results), in one place so tests can assert them. */
import { quote } from '../messages';

export const cliMsg = {
  /** `takesArguments`: only then can the option have been meant as an argument, and the "--" hint help. */
  unknownOption: (option: string, known: readonly string[], takesArguments = true) =>
    `Unknown option ${quote(option)}.${known.length ? ` This command takes ${known.join(', ')}.` : ' This command takes no options.'}`
    + (takesArguments ? ` To pass an argument that starts with "-", put it after "--" (-- ${option}).` : ''),
  mlflowOption: (option: string, ours: string, known: readonly string[]) =>
    `Unknown option ${quote(option)} (MLflow's name): did you mean ${ours}? This command takes ${known.join(', ')}.`,
  mlflowOnlyOption: (option: string, why: string, known: readonly string[]) =>
    `Unknown option ${quote(option)} (MLflow's): not needed, ${why}. This command takes ${known.join(', ')}.`,
  optionNeedsValue: (option: string) => `Option ${quote(option)} needs a value, as in ${option} VALUE.`,
  optionValueStartsWithDash: (option: string) => `Option ${quote(option)} needs a value; for a value that starts with "-", write ${option}=-VALUE.`,
  optionTakesNoValue: (option: string) => `Option ${quote(option)} takes no value.`,
  unexpectedArgument: (arg: string) => `Unexpected argument ${quote(arg)}.`,
  missingArgument: (what: string, usage: string) => `Missing ${what}. Usage: ${usage}`,
  compareNeedsRuns: (usage: string) => `compare needs at least two different run ids or names (\`tracklab runs\` lists them). Usage: ${usage}`,
  runNameAmbiguous: (name: string, ids: readonly string[], more: boolean, deleted = false) =>
    `The name ${quote(name)} matches ${more ? 'more than ' : ''}${ids.length} ${deleted ? 'deleted runs (and no active one)' : 'runs'}: ${ids.join(', ')}${more ? ', …' : ''}. `
    + `Name the run you mean by its id (\`tracklab runs${deleted ? ' --all' : ''}\` shows each run's id and name).`,
  noRunIdOrName: (ref: string, nearest: string | undefined) =>
    `No run with id or name ${quote(ref)}${nearest === undefined ? '.' : `: did you mean ${quote(nearest)}?`} \`tracklab runs\` lists the runs with their names.`,
  noSuchMetric: (runId: string, key: string, keys: readonly string[]) =>
    `Run ${runId} has no metric ${quote(key)}. ${keys.length ? `Its metrics: ${keys.map((k) => quote(k)).join(', ')}.` : 'It has no metrics.'}`,
  runsColumnsHidden: (params: number, metrics: number, max: number) =>
    `${[params ? `${params} param${params === 1 ? '' : 's'}` : '', metrics ? `${metrics} metric${metrics === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ')}`
    + ` not shown (at most ${max} columns of each): \`tracklab run show RUN_ID\` shows all of a run's, --json every run's`,
  runsDeleted: (ids: readonly string[]) => `deleted ${ids.length} run(s): ${ids.join(', ')} (restore with: tracklab runs restore ID; tracklab gc purges them for good)`,
  runsRestored: (ids: readonly string[]) => `restored ${ids.length} run(s): ${ids.join(', ')}`,
  experimentCreated: (id: string, name: string) => `created experiment ${quote(name)} (id ${id})`,
  experimentRenamed: (id: string, from: string, to: string) => `renamed experiment ${id}: ${quote(from)} -> ${quote(to)}`,
  experimentDeleted: (id: string, name: string) => `deleted experiment ${quote(name)} (id ${id}) and hid its runs (restore with: tracklab experiments restore ${id})`,
  experimentRestored: (id: string, name: string) => `restored experiment ${quote(name)} (id ${id})`,
  /** A dry run says only what would happen, in every part of the line. */
  gcDone: (r: { purgedRuns: number; removedBlobs: number; freedBytes: number }, dryRun: boolean) => (dryRun
    ? `would purge ${r.purgedRuns} deleted run(s), remove ${r.removedBlobs} blob(s) and free ${r.freedBytes} bytes`
    : `purged ${r.purgedRuns} deleted run(s), removed ${r.removedBlobs} blob(s), freed ${r.freedBytes} bytes`),
  storeCopied: (points: number, runs: number, rows: number) =>
    `copied and verified ${points.toLocaleString('en')} metric point${points === 1 ? '' : 's'} of ${runs.toLocaleString('en')} run${runs === 1 ? '' : 's'} `
    + `(${rows.toLocaleString('en')} rows in all)`,
};
