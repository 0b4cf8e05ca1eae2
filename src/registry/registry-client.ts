/**
 * RegistryClient: the model registry with MLflow's operation names
 * (MlflowClient's registry half). Each operation validates its input once,
 * here, then calls the RegistryStore. Registering a version pins the files
 * of the model package, so the version keeps loading after its source run is
 * deleted, purged and garbage-collected.
 */
import { TracklabError, isTracklabError } from '../errors';
import { getClient } from '../config';
import type { ModelUriResolver } from '../models/load-model';
import { createPageToken, readPageToken } from '../search/page-token';
import type { TrackingClient } from '../tracking/client';
import { currentUser } from '../tracking/system-tags';
import { validateMaxResults, validateTagKey, validateTags } from '../validation';
import { materialize } from './materialize';
import { validateOptionNames, type OptionNames } from '../option-names';
import type { ModelVersion, RegisteredModel } from '../registry-entities';
import { parseModelVersionFilter, parseModelVersionOrderBy, parseRegisteredModelFilter, parseRegisteredModelOrderBy } from './registry-search';
import type { RegistryStore } from '../store/registry-store';
import { validateAlias, validateDescription, validateDescriptionUpdate, validateModelName, validateUserId, validateVersion } from './registry-validation';
import { registerVersion, type Registration } from './register-version';
import { resolveVersion } from './version-source';

export interface RegistryClientOptions {
  /** Tracking client whose store and runs the registry uses. Default: `getClient(home)`. */
  readonly tracking?: TrackingClient;
  /** Store folder, when no tracking client is given. */
  readonly home?: string;
  /** A registry store to use instead of opening the embedded one. */
  readonly store?: RegistryStore;
}

export interface VersionOptions {
  readonly description?: string;
  readonly tags?: Readonly<Record<string, unknown>>;
}

export interface NewVersionOptions extends VersionOptions {
  /** Who registers the version, as its `userId`. Default the OS user running this process; a tracking server passes its signed-in user. */
  readonly userId?: string;
}

export interface RegistrySearchOptions {
  /** MLflow registry filter, plus OR and parentheses: `name LIKE 'churn%' AND tags.team = 'ml'`. */
  readonly filter?: string;
  readonly orderBy?: string | readonly string[];
  /** Page size, 1–50,000. Default 100 for models, 1,000 for versions. */
  readonly maxResults?: number;
  readonly pageToken?: string;
}

export type { Registration } from './register-version';

const CLIENT_OPTIONS: OptionNames<RegistryClientOptions> = { tracking: true, home: true, store: true };
const MODEL_OPTIONS: OptionNames<VersionOptions> = { description: true, tags: true };
const VERSION_OPTIONS: OptionNames<NewVersionOptions> = { ...MODEL_OPTIONS, userId: true };
const SEARCH_OPTIONS: OptionNames<RegistrySearchOptions> = { filter: true, orderBy: true, maxResults: true, pageToken: true };

export class RegistryClient {
  readonly tracking: TrackingClient;
  private readonly given: RegistryStore | undefined;

  constructor(options: RegistryClientOptions = {}) {
    validateOptionNames('new RegistryClient()', options, CLIENT_OPTIONS);
    this.tracking = options.tracking ?? getClient(options.home);
    this.given = options.store;
  }

  /**
   * @internal The registry store, in the tracking store's database. Only
   * stores that open synchronously (SQLite) have it before a first call;
   * use the client's methods instead.
   */
  get store(): RegistryStore {
    return this.given ?? this.tracking.core.registryNow();
  }

  /** Closes nothing of its own: the registry lives in the tracking client's store (close that). @example registry.close(); */
  close(): void {
    // The registry shares the tracking client's connection; TrackingClient.close() closes both.
  }

  /** @example await registry.createRegisteredModel('churn', { description: 'weekly churn classifier' }); */
  async createRegisteredModel(name: string, options: VersionOptions = {}): Promise<RegisteredModel> {
    validateOptionNames('createRegisteredModel()', options, MODEL_OPTIONS);
    validateModelName(name);
    const description = validateDescription(options.description);
    const tags = validateTags(options.tags ?? {}, 'registry');
    return this.call('create the registered model', (s) => s.createRegisteredModel({ name, description, tags }));
  }

  /** Throws RESOURCE_DOES_NOT_EXIST. @example const { aliases, latestVersion } = await registry.getRegisteredModel('churn'); */
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    return this.call('read the registered model', (s) => s.getRegisteredModel(name));
  }

  /** Versions, aliases and tags follow; `models:/<old name>/...` URIs stop resolving. @example await registry.renameRegisteredModel('churn', 'churn-v2'); */
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    validateModelName(name);
    validateModelName(newName, 'The new model name');
    return this.call('rename the registered model', (s) => s.renameRegisteredModel(name, newName));
  }

  /** `description: null` clears it; an update without `description` leaves it. @example await registry.updateRegisteredModel('churn', { description: 'retrained weekly' }); */
  async updateRegisteredModel(name: string, update: { description?: string | null }): Promise<RegisteredModel> {
    validateModelName(name);
    const description = validateDescriptionUpdate('updateRegisteredModel()', update);
    return this.call('update the registered model', (s) => s.updateRegisteredModel(name, { description }));
  }

  /** Deletes the model with all its versions and aliases; their pinned content becomes collectable by gc. @example await registry.deleteRegisteredModel('scratch'); */
  async deleteRegisteredModel(name: string): Promise<void> {
    validateModelName(name);
    await this.call('delete the registered model', (s) => s.deleteRegisteredModel(name));
  }

  /** @example await registry.setRegisteredModelTag('churn', 'team', 'growth'); */
  async setRegisteredModelTag(name: string, key: string, value: unknown): Promise<void> {
    validateModelName(name);
    const tags = validateTags({ [key]: value }, 'registry');
    await this.call('tag the registered model', (s) => s.updateRegisteredModel(name, { tags }));
  }

  /** Several tags in one write. @example await registry.setRegisteredModelTags('churn', { team: 'growth', tier: 1 }); */
  async setRegisteredModelTags(name: string, tags: Readonly<Record<string, unknown>>): Promise<void> {
    validateModelName(name);
    const values = validateTags(tags, 'registry');
    await this.call('tag the registered model', (s) => s.updateRegisteredModel(name, { tags: values }));
  }

  /** @example await registry.deleteRegisteredModelTag('churn', 'team'); */
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    validateTagKey(key, 'registry');
    await this.call('untag the registered model', (s) => s.updateRegisteredModel(name, { deleteTags: [key] }));
  }

  /**
   * Adds a version to an existing registered model from a logged model
   * (`runs:/<run_id>/<path>`) or another version (`models:/...`), pinning its
   * files. Identical content already registered under this model returns that
   * version instead of a new one.
   *
   * @example
   * const v = await registry.createModelVersion('churn', `runs:/${runId}/model`, runId);
   */
  async createModelVersion(name: string, source: string, runId?: string, options: NewVersionOptions = {}): Promise<ModelVersion> {
    validateOptionNames('createModelVersion()', options, VERSION_OPTIONS);
    return (await this.register(name, source, runId, options, false)).version;
  }

  /**
   * MLflow's `register_model`: creates the registered model if needed, then a version from `modelUri`.
   *
   * @example
   * const { modelUri } = await logModel(run, forest);
   * const v = await registry.registerModel(modelUri, 'churn'); // v.version === 1
   */
  async registerModel(modelUri: string, name: string, options: NewVersionOptions = {}): Promise<ModelVersion> {
    validateOptionNames('registerModel()', options, VERSION_OPTIONS);
    return (await this.register(name, modelUri, undefined, options, true)).version;
  }

  /** @internal createModelVersion / registerModel, also telling whether the version was reused. */
  async register(name: string, source: string, runId: string | undefined, options: NewVersionOptions, createModel: boolean): Promise<Registration> {
    validateModelName(name);
    const description = validateDescription(options.description);
    const tags = validateTags(options.tags ?? {}, 'registry');
    const userId = validateUserId(options.userId) ?? currentUser();
    return this.call('register the model version', (s) => registerVersion(s, this.tracking, { name, source, runId, description, tags, userId, createModel }));
  }

  /** @example const v = await registry.getModelVersion('churn', 3); */
  async getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
    validateModelName(name);
    const n = validateVersion(version);
    return this.call('read the model version', (s) => s.getModelVersion(name, n));
  }

  /** The newest READY version. @example const v = await registry.getLatestModelVersion('churn'); */
  async getLatestModelVersion(name: string): Promise<ModelVersion> {
    validateModelName(name);
    return this.call('read the latest model version', (s) => s.getLatestModelVersion(name));
  }

  /** As updateRegisteredModel. @example await registry.updateModelVersion('churn', 3, { description: 'trained on May data' }); */
  async updateModelVersion(name: string, version: number | string, update: { description?: string | null }): Promise<ModelVersion> {
    validateModelName(name);
    const n = validateVersion(version);
    const description = validateDescriptionUpdate('updateModelVersion()', update);
    return this.call('update the model version', (s) => s.updateModelVersion(name, n, { description }));
  }

  /** @example await registry.setModelVersionTag('churn', 3, 'validated', 'yes'); */
  async setModelVersionTag(name: string, version: number | string, key: string, value: unknown): Promise<void> {
    validateModelName(name);
    const n = validateVersion(version);
    const tags = validateTags({ [key]: value }, 'registry');
    await this.call('tag the model version', (s) => s.updateModelVersion(name, n, { tags }));
  }

  /** @example await registry.deleteModelVersionTag('churn', 3, 'validated'); */
  async deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void> {
    validateModelName(name);
    const n = validateVersion(version);
    validateTagKey(key, 'registry');
    await this.call('untag the model version', (s) => s.updateModelVersion(name, n, { deleteTags: [key] }));
  }

  /**
   * Deletes a version. As in MLflow this is allowed while aliases point at it;
   * those aliases are deleted with it. Its number is never reused.
   * @example await registry.deleteModelVersion('churn', 1);
   */
  async deleteModelVersion(name: string, version: number | string): Promise<void> {
    validateModelName(name);
    const n = validateVersion(version);
    await this.call('delete the model version', (s) => s.deleteModelVersion(name, n));
  }

  /**
   * Points an alias at a READY version, moving it if it pointed elsewhere
   * (one version per alias). `latest` and `v<N>` are reserved.
   * @example await registry.setRegisteredModelAlias('churn', 'champion', 3); // models:/churn@champion
   */
  async setRegisteredModelAlias(name: string, alias: string, version: number | string): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    const n = validateVersion(version);
    await this.call('set the alias', (s) => s.setAlias(name, alias, n));
  }

  /** @example await registry.deleteRegisteredModelAlias('churn', 'challenger'); */
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    await this.call('delete the alias', (s) => s.deleteAlias(name, alias));
  }

  /** @example const champion = await registry.getModelVersionByAlias('churn', 'champion'); */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAlias(alias);
    return this.call('read the alias', (s) => s.getModelVersionByAlias(name, alias));
  }

  /**
   * Registered models matching a filter on `name` and `tags.<key>`, by name unless `orderBy`
   * (name, creation_timestamp, last_updated_timestamp) says otherwise.
   * @example const { registeredModels } = await registry.searchRegisteredModels({ filter: "name LIKE 'churn%'" });
   */
  async searchRegisteredModels(options: RegistrySearchOptions = {}): Promise<{ registeredModels: readonly RegisteredModel[]; nextPageToken?: string }> {
    validateOptionNames('searchRegisteredModels()', options, SEARCH_OPTIONS);
    const maxResults = options.maxResults ?? 100;
    validateMaxResults(maxResults);
    const filter = parseRegisteredModelFilter(options.filter);
    const orderBy = parseRegisteredModelOrderBy(options.orderBy);
    const identity = { search: 'registered_models', filter: options.filter ?? '', orderBy: options.orderBy ?? [] };
    const offset = readPageToken(options.pageToken, identity);
    const page = await this.call('search registered models', (s) => s.searchRegisteredModels({ filter, orderBy, maxResults, offset }));
    return page.nextOffset === null ? { registeredModels: page.models } : { registeredModels: page.models, nextPageToken: createPageToken(page.nextOffset, identity) };
  }

  /**
   * Model versions matching a filter on `name`, `version_number`, `run_id`, `source_path` and
   * `tags.<key>`; by name, then newest version first, unless `orderBy` says otherwise.
   * @example const { modelVersions } = await registry.searchModelVersions({ filter: "name = 'churn' AND version_number >= 2" });
   */
  async searchModelVersions(options: RegistrySearchOptions = {}): Promise<{ modelVersions: readonly ModelVersion[]; nextPageToken?: string }> {
    validateOptionNames('searchModelVersions()', options, SEARCH_OPTIONS);
    const maxResults = options.maxResults ?? 1000;
    validateMaxResults(maxResults);
    const filter = parseModelVersionFilter(options.filter);
    const orderBy = parseModelVersionOrderBy(options.orderBy);
    const identity = { search: 'model_versions', filter: options.filter ?? '', orderBy: options.orderBy ?? [] };
    const offset = readPageToken(options.pageToken, identity);
    const page = await this.call('search model versions', (s) => s.searchModelVersions({ filter, orderBy, maxResults, offset }));
    return page.nextOffset === null ? { modelVersions: page.versions } : { modelVersions: page.versions, nextPageToken: createPageToken(page.nextOffset, identity) };
  }

  /**
   * The local package directory of `models:/<name>/<version>`, `models:/<name>@<alias>` or
   * `models:/<name>/latest`, unpacked from the pinned content into `<store>/registry-cache/`.
   * `runs:/` URIs are downloaded from the tracking store. This is the resolver loadModel uses.
   * @example const dir = await registry.resolveModelUri('models:/churn@champion');
   */
  async resolveModelUri(uri: string): Promise<string> {
    if (typeof uri === 'string' && uri.startsWith('runs:')) return this.tracking.downloadArtifacts(uri);
    const version = await this.call('resolve the model URI', (s) => resolveVersion(uri, s));
    if (version.status !== 'READY') {
      throw new TracklabError('INVALID_STATE', `${uri} names version ${version.version} of "${version.name}", which is ${version.status}`
        + `${version.statusMessage ? ` (${version.statusMessage})` : ''}; only READY versions load.`);
    }
    const files = await this.call('list the version files', (s) => s.listModelVersionFiles(version.name, version.version));
    // Files this machine lacks (a tracking server's content) are fetched first, as reads of that version.
    const content = await (await this.tracking.core.artifacts()).localContent(files, { model: version.name, version: version.version });
    return materialize(content, version.contentHash, files);
  }

  /** `resolveModelUri` as a function, for `loadModel(uri, { resolver })` and `setModelsUriResolver`. */
  get resolver(): ModelUriResolver {
    return (uri) => this.resolveModelUri(uri);
  }

  /** Runs a registry store operation with driver errors wrapped (they never escape as anything but TracklabError). */
  private async call<T>(what: string, op: (store: RegistryStore) => Promise<T>): Promise<T> {
    if (this.given === undefined) return this.tracking.core.registryCall(what, op);
    try {
      return await op(this.given);
    } catch (err) {
      if (isTracklabError(err)) throw err;
      throw new TracklabError('INTERNAL_ERROR', `Could not ${what}: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
    }
  }
}
