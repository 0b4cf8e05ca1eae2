/**
 * Registering a version: pin the source's files, then confirm their blobs
 * are present before the version becomes READY. A gc that ran between
 * reading the source manifest and pinning may have taken a blob (see
 * artifact-gc.ts); such a version is marked FAILED_REGISTRATION instead,
 * and is never reused or aliased.
 */
import { TracklabError } from '../errors';
import type { TrackingClient } from '../tracking/client';
import { manifestHash } from './pinned-content';
import type { ModelVersion } from '../registry-entities';
import type { RegistryStore } from '../store/registry-store';
import { resolveSource } from './version-source';

/** A version and whether identical content was already registered (and is returned instead of a new one). */
export interface Registration {
  readonly version: ModelVersion;
  readonly reused: boolean;
}

export interface RegisterInput {
  readonly name: string;
  readonly source: string;
  readonly runId: string | undefined;
  readonly description: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly userId: string;
  readonly createModel: boolean;
}

/** Inputs are validated by the caller (RegistryClient). */
export async function registerVersion(store: RegistryStore, tracking: TrackingClient, input: RegisterInput): Promise<Registration> {
  const { name, runId } = input;
  const resolved = await resolveSource(input.source, tracking, store);
  if (runId !== undefined && resolved.runId !== null && runId !== resolved.runId) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `runId "${runId}" does not match the source ${resolved.source}, which belongs to run ${resolved.runId}. Omit runId or pass the source's run.`);
  }
  const created = await store.createModelVersion({
    name, source: resolved.source, runId: resolved.runId ?? runId ?? null, files: resolved.files,
    contentHash: manifestHash(resolved.files), description: input.description, tags: input.tags, userId: input.userId, createModel: input.createModel,
  });
  if (created.version.status === 'READY') return created;
  const v = created.version.version;
  const gone = new Set(await (await tracking.core.artifacts()).missingContent(resolved.files, { model: name, version: v }));
  const missing = resolved.files.filter((f) => gone.has(f.sha256)).map((f) => f.path);
  if (missing.length > 0) {
    const message = `content of ${missing.join(', ')} was missing when the version was pinned (collected by gc)`;
    await store.updateModelVersion(name, v, { status: 'FAILED_REGISTRATION', statusMessage: message });
    throw new TracklabError('INVALID_STATE', `Version ${v} of "${name}" failed to register: ${message}. Log the model again and register the new run's model.`);
  }
  const ready = await store.updateModelVersion(name, v, { status: 'READY', statusMessage: null });
  return { version: ready, reused: created.reused };
}
