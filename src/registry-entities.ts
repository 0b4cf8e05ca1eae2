/**
 * Model registry data shapes (MLflow's RegisteredModel, ModelVersion and
 * aliases), plain and readonly. No store types here.
 */
import type { ArtifactEntry } from './entities';

/** MLflow's ModelVersionStatus. A version is READY once its files are pinned and present. */
export const ModelVersionStatus = {
  PENDING_REGISTRATION: 'PENDING_REGISTRATION',
  READY: 'READY',
  FAILED_REGISTRATION: 'FAILED_REGISTRATION',
} as const;
export type ModelVersionStatus = keyof typeof ModelVersionStatus;

export function isModelVersionStatus(value: unknown): value is ModelVersionStatus {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ModelVersionStatus, value);
}

export interface RegisteredModelAlias {
  readonly alias: string;
  readonly version: number;
}

export interface RegisteredModel {
  readonly name: string;
  readonly description: string | null;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Every alias of the model, sorted by alias. */
  readonly aliases: readonly RegisteredModelAlias[];
  /** Highest existing version number, or null when the model has none. */
  readonly latestVersion: number | null;
}

export interface ModelVersion {
  readonly name: string;
  readonly version: number;
  /** Where the content came from, e.g. `runs:/<run_id>/model`. */
  readonly source: string;
  /** The run that logged the model; it may since have been deleted or purged. */
  readonly runId: string | null;
  readonly status: ModelVersionStatus;
  readonly statusMessage: string | null;
  readonly description: string | null;
  readonly userId: string | null;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Aliases pointing at this version, sorted. */
  readonly aliases: readonly string[];
  /** sha256 of the pinned manifest; equal hashes mean identical content. */
  readonly contentHash: string;
}

/** One pinned file of a version: its path relative to the model root, and its blob. */
export type PinnedFile = ArtifactEntry;

export function isRegisteredModel(value: unknown): value is RegisteredModel {
  const v = value as RegisteredModel;
  return typeof value === 'object' && value !== null && typeof v.name === 'string' && typeof v.creationTime === 'number'
    && Array.isArray(v.aliases) && typeof v.tags === 'object';
}

export function isModelVersion(value: unknown): value is ModelVersion {
  const v = value as ModelVersion;
  return typeof value === 'object' && value !== null && typeof v.name === 'string' && Number.isInteger(v.version)
    && typeof v.source === 'string' && isModelVersionStatus(v.status) && Array.isArray(v.aliases);
}

/** `models:/<name>/<version>`, the URI that loads exactly this version. */
export function modelVersionUri(version: Pick<ModelVersion, 'name' | 'version'>): string {
  return `models:/${version.name}/${version.version}`;
}
