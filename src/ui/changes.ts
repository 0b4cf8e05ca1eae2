/**
 * The UI's changes, each one client call: notes and tags of runs;
 * descriptions, tags and aliases of registered models and versions. The
 * handler has already checked the CSRF token and read-only mode.
 */
import { TracklabError } from '../errors';
import type { RegistryClient } from '../registry/registry-client';
import type { TrackingClient } from '../tracking/client';
import { field } from './http';

type Change = (body: Record<string, unknown>) => Promise<void>;

/** The change a POST path names, or undefined for an unknown path. Paths are split and decoded already. */
export function changeFor(parts: readonly string[], client: TrackingClient, registry: RegistryClient | undefined): Change | undefined {
  // ['runs', id, action]
  if (parts[0] === 'runs' && parts.length === 3) {
    const runId = parts[1];
    switch (parts[2]) {
      case 'note': return async (b) => client.setNote(runId, field(b, 'text', { optional: true }));
      case 'tag': return async (b) => client.setTag(runId, field(b, 'key'), field(b, 'value', { optional: true }));
      case 'tag-delete': return async (b) => client.deleteTag(runId, field(b, 'key'));
      default: return undefined;
    }
  }
  if (parts[0] !== 'models' || !registry) return undefined;
  const name = parts[1];
  // ['models', name, action]
  if (parts.length === 3) {
    switch (parts[2]) {
      case 'description': return async (b) => { await registry.updateRegisteredModel(name, { description: field(b, 'description', { optional: true }) || null }); };
      case 'tag': return async (b) => registry.setRegisteredModelTag(name, field(b, 'key'), field(b, 'value', { optional: true }));
      case 'tag-delete': return async (b) => registry.deleteRegisteredModelTag(name, field(b, 'key'));
      case 'alias': return async (b) => registry.setRegisteredModelAlias(name, field(b, 'alias'), field(b, 'version'));
      case 'alias-delete': return async (b) => registry.deleteRegisteredModelAlias(name, field(b, 'alias'));
      default: return undefined;
    }
  }
  // ['models', name, 'versions', v, action]
  if (parts.length === 5 && parts[2] === 'versions') {
    const version = parts[3];
    switch (parts[4]) {
      case 'description': return async (b) => { await registry.updateModelVersion(name, version, { description: field(b, 'description', { optional: true }) || null }); };
      case 'tag': return async (b) => registry.setModelVersionTag(name, version, field(b, 'key'), field(b, 'value', { optional: true }));
      case 'tag-delete': return async (b) => registry.deleteModelVersionTag(name, version, field(b, 'key'));
      default: return undefined;
    }
  }
  return undefined;
}

export function readOnlyError(): TracklabError {
  return new TracklabError('INVALID_STATE', 'This UI was started with --read-only: it makes no changes.');
}
