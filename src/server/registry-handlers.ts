/**
 * MLflow's model registry endpoints (model_registry.proto) over tracklab's
 * RegistryClient, which validates once and pins a version's files so it
 * outlives its run. A version's `source` may be `runs:/<run>/<path>`,
 * `models:/…`, or the `mlflow-artifacts:/<exp>/<run>/artifacts/<path>` that
 * MLflow's clients send after resolving a run URI against this server.
 * Stages do not exist in tracklab: every version is in stage "None", and
 * get-latest-versions answers the newest READY version.
 */
import { isTracklabError } from '../errors';
import type { ModelVersion, RegisteredModel } from '../registry-entities';
import type { RegistryClient } from '../registry/registry-client';
import type { ApiContext, ApiHandler } from './api-context';
import { tagRecord } from './experiment-handlers';
import { registeredModelJson, modelVersionJson } from './registry-json';
import type { RequestFields } from './request-fields';

const PROXY_SOURCE = /^mlflow-artifacts:\/{1,3}[^/]+\/([^/]+)\/artifacts(?:\/(.*))?$/;

/** A source as tracklab registers it: `mlflow-artifacts:/<exp>/<run>/artifacts/<path>` becomes `runs:/<run>/<path>`. */
export function registrySource(source: string): string {
  const m = PROXY_SOURCE.exec(source);
  if (m === null) return source;
  return m[2] ? `runs:/${m[1]}/${m[2]}` : `runs:/${m[1]}`;
}

async function modelJson(registry: RegistryClient, model: RegisteredModel): Promise<Record<string, unknown>> {
  let latest: ModelVersion | undefined;
  if (model.latestVersion !== null) {
    try {
      latest = await registry.getModelVersion(model.name, model.latestVersion);
    } catch (err) {
      if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
    }
  }
  return registeredModelJson(model, latest);
}

function version(fields: RequestFields): string {
  return fields.string('version', true);
}

function tags(fields: RequestFields): Record<string, string> {
  return { ...tagRecord(fields) };
}

const h = (fn: (registry: RegistryClient, fields: RequestFields, user: string | undefined) => Promise<object>): ApiHandler =>
  (ctx: ApiContext, fields: RequestFields, user?: string) => fn(ctx.registry(), fields, user);

export const registryHandlers = {
  createRegisteredModel: h(async (r, f) => {
    const model = await r.createRegisteredModel(f.string('name', true), { description: f.string('description') || undefined, tags: tags(f) });
    return { registered_model: await modelJson(r, model) };
  }),
  getRegisteredModel: h(async (r, f) => ({ registered_model: await modelJson(r, await r.getRegisteredModel(f.string('name', true))) })),
  renameRegisteredModel: h(async (r, f) => {
    const model = await r.renameRegisteredModel(f.string('name', true), f.string('new_name', true));
    return { registered_model: await modelJson(r, model) };
  }),
  updateRegisteredModel: h(async (r, f) => {
    const model = await r.updateRegisteredModel(f.string('name', true), { description: f.string('description') ?? null });
    return { registered_model: await modelJson(r, model) };
  }),
  deleteRegisteredModel: h(async (r, f) => {
    await r.deleteRegisteredModel(f.string('name', true));
    return {};
  }),
  searchRegisteredModels: h(async (r, f) => {
    const page = await r.searchRegisteredModels({
      filter: f.string('filter') || undefined, orderBy: f.strings('order_by'), maxResults: f.int64('max_results') ?? 100, pageToken: f.string('page_token') || undefined,
    });
    const out: Record<string, unknown> = {};
    if (page.registeredModels.length > 0) out.registered_models = await Promise.all(page.registeredModels.map((m) => modelJson(r, m)));
    if (page.nextPageToken !== undefined) out.next_page_token = page.nextPageToken;
    return out;
  }),
  getLatestVersions: h(async (r, f) => {
    const name = f.string('name', true);
    f.strings('stages'); // stages do not exist in tracklab: the newest READY version stands for every stage
    try {
      return { model_versions: [modelVersionJson(await r.getLatestModelVersion(name))] };
    } catch (err) {
      if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
      await r.getRegisteredModel(name); // a missing model stays an error; a model without READY versions has none
      return {};
    }
  }),
  setRegisteredModelTag: h(async (r, f) => {
    await r.setRegisteredModelTag(f.string('name', true), f.string('key', true), f.string('value') ?? '');
    return {};
  }),
  deleteRegisteredModelTag: h(async (r, f) => {
    await r.deleteRegisteredModelTag(f.string('name', true), f.string('key', true));
    return {};
  }),
  setAlias: h(async (r, f) => {
    await r.setRegisteredModelAlias(f.string('name', true), f.string('alias', true), version(f));
    return {};
  }),
  deleteAlias: h(async (r, f) => {
    await r.deleteRegisteredModelAlias(f.string('name', true), f.string('alias', true));
    return {};
  }),
  getModelVersionByAlias: h(async (r, f) => ({ model_version: modelVersionJson(await r.getModelVersionByAlias(f.string('name', true), f.string('alias', true))) })),

  createModelVersion: h(async (r, f, user) => {
    const name = f.string('name', true);
    const source = registrySource(f.string('source', true));
    const runId = f.string('run_id') || undefined;
    f.string('run_link');
    // Without --auth there is no signed-in user: the version records the server's OS user, as before.
    const created = await r.createModelVersion(name, source, runId, { description: f.string('description') || undefined, tags: tags(f), userId: user });
    return { model_version: modelVersionJson(created) };
  }),
  getModelVersion: h(async (r, f) => ({ model_version: modelVersionJson(await r.getModelVersion(f.string('name', true), version(f))) })),
  updateModelVersion: h(async (r, f) => {
    const updated = await r.updateModelVersion(f.string('name', true), version(f), { description: f.string('description') ?? null });
    return { model_version: modelVersionJson(updated) };
  }),
  deleteModelVersion: h(async (r, f) => {
    await r.deleteModelVersion(f.string('name', true), version(f));
    return {};
  }),
  searchModelVersions: h(async (r, f) => {
    const page = await r.searchModelVersions({
      filter: f.string('filter') || undefined, orderBy: f.strings('order_by'), maxResults: f.int64('max_results') ?? 1000, pageToken: f.string('page_token') || undefined,
    });
    const out: Record<string, unknown> = {};
    if (page.modelVersions.length > 0) out.model_versions = page.modelVersions.map(modelVersionJson);
    if (page.nextPageToken !== undefined) out.next_page_token = page.nextPageToken;
    return out;
  }),
  setModelVersionTag: h(async (r, f) => {
    await r.setModelVersionTag(f.string('name', true), version(f), f.string('key', true), f.string('value') ?? '');
    return {};
  }),
  deleteModelVersionTag: h(async (r, f) => {
    await r.deleteModelVersionTag(f.string('name', true), version(f), f.string('key', true));
    return {};
  }),
  getModelVersionDownloadUri: h(async (r, f) => {
    const v = await r.getModelVersion(f.string('name', true), version(f));
    return { artifact_uri: `models:/${v.name}/${v.version}` };
  }),
} as const;

