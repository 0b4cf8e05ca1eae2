/**
 * Which experiment a project run goes to: `--experiment` when given, else the
 * one the notebook names in `configure({ experiment: '...' })`, so the project
 * run sits beside the runs the notebook makes; else the configured default
 * (TRACKLAB_EXPERIMENT, else "Default"), as MLflow Projects do.
 *
 * The notebook's choice is read from its source before it runs: only a string
 * literal can be read. When the notebook's runs went elsewhere all the same
 * (a name in a variable, `startRun({ experiment })`, or `--experiment`
 * naming another), `splitNote` says so after the run, with the fix.
 */
import type * as TS from 'typescript';
import { msg } from '../messages';
import { quoteFilterValue } from '../search';
import type { TrackingClient } from '../tracking/client';
import { isCodeCell, type Notebook } from './nbformat';
import { typescript } from './tslab-typescript';

/** The experiment every `configure({ experiment })` of the notebook names; undefined when none, several, or not a literal. */
export function notebookExperiment(nb: Notebook): string | undefined {
  const ts = typescript();
  const names = new Set<string>();
  let unreadable = false;
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && calleeName(ts, node.expression) === 'configure') {
      const [options] = node.arguments;
      const property = options !== undefined && ts.isObjectLiteralExpression(options)
        ? options.properties.find((p) => p.name !== undefined && propertyName(ts, p.name) === 'experiment') : undefined;
      if (property !== undefined) {
        if (ts.isPropertyAssignment(property) && ts.isStringLiteralLike(property.initializer)) names.add(property.initializer.text);
        else unreadable = true;
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const cell of nb.cells) {
    if (isCodeCell(cell)) visit(ts.createSourceFile('cell.ts', cell.source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));
  }
  return !unreadable && names.size === 1 ? [...names][0] : undefined;
}

function calleeName(ts: typeof TS, callee: TS.Expression): string | undefined {
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

function propertyName(ts: typeof TS, name: TS.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) ? name.text : undefined;
}

/**
 * A note when runs made inside the project runs `parentIds` went to another
 * experiment than `projectRunId`'s; undefined when they are together.
 */
export async function splitNote(client: TrackingClient, projectRunId: string, parentIds: readonly string[]): Promise<string | undefined> {
  if (parentIds.length === 0) return undefined;
  const [project, children] = await Promise.all([
    client.getRun(projectRunId),
    client.searchRuns({ filter: `attributes.parent_run_id IN (${parentIds.map(quoteFilterValue).join(', ')})`, maxResults: 1000 }),
  ]);
  const elsewhere = [...new Set(children.runs.map((r) => r.info.experimentId))].filter((id) => id !== project.info.experimentId);
  if (elsewhere.length === 0) return undefined;
  const name = (id: string) => client.getExperiment(id).then((e) => e.name, () => id);
  return msg.projectExperimentSplit(await Promise.all(elsewhere.map(name)), await name(project.info.experimentId), project.info.runName);
}
