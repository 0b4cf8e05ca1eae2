/**
 * Where a new version's content comes from: a model package logged to a run
 * (`runs:/<run_id>/<path>`) or an existing registered version
 * (`models:/...`, to copy it into another model). Either way the result is
 * the list of files to pin, read from a manifest, never from local disk.
 */
import { parseRunsUri } from '../artifacts/uri';
import { TracklabError } from '../errors';
import { quote } from '../messages';
import type { TrackingClient } from '../tracking/client';
import { parseModelsUri } from './models-uri';
import { modelFilesOf } from './pinned-content';
import type { ModelVersion, PinnedFile } from '../registry-entities';
import type { RegistryStore } from '../store/registry-store';

export interface ResolvedSource {
  /** The source in canonical form, as stored on the version. */
  readonly source: string;
  readonly runId: string | null;
  readonly files: readonly PinnedFile[];
}

export async function resolveSource(source: string, tracking: TrackingClient, store: RegistryStore): Promise<ResolvedSource> {
  if (typeof source !== 'string' || source === '') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'A model version needs a source URI such as runs:/<run_id>/model (what logModel returned as modelUri).');
  }
  if (source.startsWith('runs:')) {
    const { runId, path } = parseRunsUri(source);
    const entries = await tracking.listArtifacts(runId, path === '' ? undefined : path);
    const files = modelFilesOf(entries, path, runId);
    return { source: path === '' ? `runs:/${runId}` : `runs:/${runId}/${path}`, runId, files };
  }
  if (source.startsWith('models:')) {
    const version = await resolveVersion(source, store);
    return { source, runId: version.runId, files: await store.listModelVersionFiles(version.name, version.version) };
  }
  throw new TracklabError('INVALID_PARAMETER_VALUE',
    `Cannot register ${quote(source)}: the source must be runs:/<run_id>/<path> (a model logged with logModel) or models:/<name>/<version>.`);
}

/** The version a `models:/` URI names. */
export async function resolveVersion(uri: string, store: RegistryStore): Promise<ModelVersion> {
  const parsed = parseModelsUri(uri);
  switch (parsed.kind) {
    case 'version': return store.getModelVersion(parsed.name, parsed.version);
    case 'alias': return store.getModelVersionByAlias(parsed.name, parsed.alias);
    case 'latest': return store.getLatestModelVersion(parsed.name);
  }
}
