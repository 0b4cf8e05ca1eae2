/**
 * The model registry of a tracklab server (registry-store.ts over
 * /api/tracklab/v1/registry/<method>). Registry calls are not queued in
 * the outbox: they are not on the training path and their answers matter
 * at once. Each waits for the tracking writes made before it, so a model
 * is registered after the run's records it refers to have landed.
 */
import type { RegistryStore } from '../registry-store';
import { TracklabError } from '../../errors';
import { httpMsg } from './http-messages';
import { ServerUnreachable, type HttpTransport } from './http-transport';
import type { Sender } from './sender';

type Methods = { [K in keyof RegistryStore]: RegistryStore[K] };

export function httpRegistry(transport: HttpTransport, sender: Sender): RegistryStore {
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    await sender.settled();
    try {
      return await transport.call('registry', method, args);
    } catch (err) {
      if (err instanceof ServerUnreachable) throw new TracklabError('INTERNAL_ERROR', httpMsg.notReached(transport.display, err.message));
      throw err;
    }
  };
  const names: readonly (keyof RegistryStore)[] = [
    'createRegisteredModel', 'getRegisteredModel', 'renameRegisteredModel', 'updateRegisteredModel', 'deleteRegisteredModel', 'searchRegisteredModels',
    'createModelVersion', 'getModelVersion', 'getLatestModelVersion', 'updateModelVersion', 'deleteModelVersion', 'listModelVersionFiles',
    'searchModelVersions', 'setAlias', 'deleteAlias', 'getModelVersionByAlias',
  ];
  const store = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of names) store[name] = (...args: unknown[]) => call(name, args);
  return store as unknown as Methods;
}
