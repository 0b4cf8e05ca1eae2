/**
 * What a registered version pins: the files of one model package, with
 * paths relative to the package root, and a hash of that manifest so
 * identical content is recognised.
 */
import { createHash } from 'node:crypto';
import { normalizeArtifactPath } from '../artifacts/artifact-path';
import type { ArtifactEntry } from '../entities';
import { TracklabError } from '../errors';
import { MLMODEL_FILE } from '../models/mlmodel';
import type { PinnedFile } from '../registry-entities';

/**
 * The files of the model package at `modelPath` in a run's manifest, made
 * relative to it. Throws unless the package has an MLmodel file.
 *
 * @example
 * modelFilesOf(await client.listArtifacts(runId, 'model'), 'model', runId); // [{ path: 'MLmodel', ... }, ...]
 */
export function modelFilesOf(entries: readonly ArtifactEntry[], modelPath: string, runId: string): PinnedFile[] {
  const prefix = modelPath === '' ? '' : `${modelPath}/`;
  const files = entries
    .filter((e) => e.path.startsWith(prefix))
    .map((e) => ({ path: e.path.slice(prefix.length), sha256: e.sha256, size: e.size }))
    .sort(byPath);
  if (!files.some((f) => f.path === MLMODEL_FILE)) throw notAPackage(entries, modelPath, runId, files.length);
  for (const f of files) {
    if (normalizeArtifactPath(f.path) !== f.path) {
      throw new TracklabError('INVALID_STATE', `Run ${runId} lists the unsafe artifact path ${JSON.stringify(f.path)}; the store may have been edited by hand.`);
    }
  }
  return files;
}

function notAPackage(entries: readonly ArtifactEntry[], modelPath: string, runId: string, count: number): TracklabError {
  const folder = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/')) : '';
  let why: string;
  if (entries.some((e) => e.path === modelPath)) {
    why = `"${modelPath}" of run ${runId} is a file, not a model folder. Register the folder that holds ${MLMODEL_FILE}${folder ? `, e.g. runs:/${runId}/${folder}` : ''}.`;
  } else if (count === 0) {
    why = `Run ${runId} has no artifacts under ${modelPath === '' ? 'its root' : `"${modelPath}"`}, so there is no model to register. Log one with logModel(run, model).`;
  } else {
    why = `The artifacts under ${modelPath === '' ? 'the root' : `"${modelPath}"`} of run ${runId} are not a model package (no ${MLMODEL_FILE} file). Register the folder logModel wrote, e.g. runs:/${runId}/model.`;
  }
  return new TracklabError('INVALID_PARAMETER_VALUE', why);
}

/** sha256 over the sorted (path, sha256, size) list: equal for identical packages, whatever run logged them. */
export function manifestHash(files: readonly PinnedFile[]): string {
  const hash = createHash('sha256');
  const sorted = [...files].sort(byPath);
  for (const f of sorted) hash.update(`${f.path}\u0000${f.sha256}\u0000${f.size}\n`);
  return hash.digest('hex');
}

function byPath(a: PinnedFile, b: PinnedFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
