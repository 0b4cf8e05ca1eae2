/**
 * The model registry's store contract. Every backend implements it over the
 * same database as its tracking store (see backend.ts); nothing here names a
 * driver. The registry contract suite (registry-contract.ts) runs per backend.
 * Inputs arrive validated by RegistryClient; the store enforces existence,
 * uniqueness and the alias rules inside its transactions.
 */
import type { FilterNode, OrderClause } from '../search/filter-ast';
import type { ModelVersion, ModelVersionStatus, PinnedFile, RegisteredModel } from '../registry-entities';

export interface NewRegisteredModel {
  readonly name: string;
  readonly description?: string | null;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface RegisteredModelUpdate {
  readonly description?: string | null;
  readonly tags?: Readonly<Record<string, string>>;
  readonly deleteTags?: readonly string[];
}

export interface NewModelVersion {
  readonly name: string;
  readonly source: string;
  readonly runId: string | null;
  /** The content to pin, paths relative to the model root. */
  readonly files: readonly PinnedFile[];
  /** sha256 of the manifest (see `manifestHash`); a version with the same hash is reused. */
  readonly contentHash: string;
  readonly description?: string | null;
  readonly tags?: Readonly<Record<string, string>>;
  readonly userId?: string | null;
  /** Create the registered model when it does not exist (registerModel) instead of failing (createModelVersion). */
  readonly createModel?: boolean;
}

export interface CreatedModelVersion {
  readonly version: ModelVersion;
  /** True when a version with identical content already existed and is returned instead of a new one. */
  readonly reused: boolean;
}

export interface ModelVersionUpdate {
  readonly description?: string | null;
  readonly status?: ModelVersionStatus;
  readonly statusMessage?: string | null;
  readonly tags?: Readonly<Record<string, string>>;
  readonly deleteTags?: readonly string[];
}

export interface RegistrySearchQuery {
  readonly filter?: FilterNode;
  /** Empty means the default order: models by name; versions by name, then version descending. */
  readonly orderBy: readonly OrderClause[];
  readonly maxResults: number;
  readonly offset: number;
}

export interface RegistryStore {
  /** Throws RESOURCE_ALREADY_EXISTS when the name is taken. */
  createRegisteredModel(input: NewRegisteredModel): Promise<RegisteredModel>;
  /** Throws RESOURCE_DOES_NOT_EXIST. */
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Versions, aliases and tags follow the model. Throws RESOURCE_ALREADY_EXISTS when `newName` is taken. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, update: RegisteredModelUpdate): Promise<RegisteredModel>;
  /** Removes the model with its versions, aliases, tags and pins. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(query: RegistrySearchQuery): Promise<{ models: readonly RegisteredModel[]; nextOffset: number | null }>;

  /**
   * Reuses a version of the model with the same content hash (unless it
   * failed), or allocates the next number and records the version as
   * PENDING_REGISTRATION with its pinned files, in one write transaction.
   */
  createModelVersion(input: NewModelVersion): Promise<CreatedModelVersion>;
  getModelVersion(name: string, version: number): Promise<ModelVersion>;
  /** The highest version number with status READY; throws RESOURCE_DOES_NOT_EXIST when there is none. */
  getLatestModelVersion(name: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: number, update: ModelVersionUpdate): Promise<ModelVersion>;
  /** Removes the version, its tags, pins and the aliases pointing at it. Its number is not reused. */
  deleteModelVersion(name: string, version: number): Promise<void>;
  listModelVersionFiles(name: string, version: number): Promise<readonly PinnedFile[]>;
  searchModelVersions(query: RegistrySearchQuery): Promise<{ versions: readonly ModelVersion[]; nextOffset: number | null }>;

  /** Points `alias` at `version`, moving it if it pointed elsewhere. The version must be READY. */
  setAlias(name: string, alias: string, version: number): Promise<void>;
  /** Throws RESOURCE_DOES_NOT_EXIST when the model has no such alias. */
  deleteAlias(name: string, alias: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
}
