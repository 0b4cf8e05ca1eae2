/**
 * The arguments of every registry store method callable as
 * `/api/tracklab/v1/registry/<method>`, in order (see registry-store.ts).
 * The registry store trusts RegistryClient to have validated names and
 * sizes; over HTTP nothing did, so the limits are checked here.
 */
import { Limits } from '../validation';
import { arg, arr, bool, int, nullable, obj, oneOf, opt, str, type Argument } from './call-schema';
import { artifactEntries, filterNode, id, orderBy, tags } from './call-schemas-common';

const model = str(Limits.modelNameLength);
const version = int(1);
const alias = str(Limits.aliasLength);
const description = nullable(str(Limits.modelDescriptionLength));
const registryTags = tags(Limits.registryTagValueLength);
const deleteTags = arr(str(Limits.registryTagKeyLength), Limits.entitiesPerBatch);
const search = obj({ filter: opt(filterNode), orderBy, maxResults: int(), offset: int() });

/** Method → its arguments. A method that is not here is not callable. */
export const REGISTRY_CALLS: ReadonlyMap<string, readonly Argument[]> = new Map<string, readonly Argument[]>([
  ['createRegisteredModel', [arg('input', obj({ name: model, description: opt(description), tags: opt(registryTags) }))]],
  ['getRegisteredModel', [arg('name', model)]],
  ['renameRegisteredModel', [arg('name', model), arg('newName', model)]],
  ['updateRegisteredModel', [arg('name', model), arg('update', obj({ description: opt(description), tags: opt(registryTags), deleteTags: opt(deleteTags) }))]],
  ['deleteRegisteredModel', [arg('name', model)]],
  ['searchRegisteredModels', [arg('query', search)]],
  ['createModelVersion', [arg('input', obj({
    name: model, source: str(Limits.artifactPathLength * 4), runId: nullable(id), files: artifactEntries, contentHash: str(64),
    description: opt(description), tags: opt(registryTags), userId: opt(nullable(str(1000))), createModel: opt(bool),
  }))]],
  ['getModelVersion', [arg('name', model), arg('version', version)]],
  ['getLatestModelVersion', [arg('name', model)]],
  ['updateModelVersion', [arg('name', model), arg('version', version), arg('update', obj({
    description: opt(description), status: opt(oneOf('PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION')),
    statusMessage: opt(nullable(str(Limits.modelDescriptionLength))), tags: opt(registryTags), deleteTags: opt(deleteTags),
  }))]],
  ['deleteModelVersion', [arg('name', model), arg('version', version)]],
  ['listModelVersionFiles', [arg('name', model), arg('version', version)]],
  ['searchModelVersions', [arg('query', search)]],
  ['setAlias', [arg('name', model), arg('alias', alias), arg('version', version)]],
  ['deleteAlias', [arg('name', model), arg('alias', alias)]],
  ['getModelVersionByAlias', [arg('name', model), arg('alias', alias)]],
]);
