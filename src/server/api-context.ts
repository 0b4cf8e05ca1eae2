/**
 * What every API handler gets: the store it serves, and one call wrapper
 * that turns driver failures into TracklabErrors (passwords masked), as the
 * client core does for its callers. The server sits beside the client, on
 * the store contract, as MLflow's handlers sit on its stores: a REST caller
 * names every id itself, so there is no active run, buffer or run owner here.
 */
import type { RegistryClient } from '../registry/registry-client';
import type { TrackingStore } from '../store/store';
import { asTracklabError } from '../tracking/client-errors';
import type { ArtifactProxy } from './artifact-proxy';
import { HttpError } from './http-error';
import { serverMsg } from './messages';
import type { RequestFields } from './request-fields';

/** How many runs' experiment ids the access checks remember. */
const RUN_EXPERIMENTS_KEPT = 10_000;

export class ApiContext {
  /** Run id -> experiment id: never changes for a run, and every access check on a run needs it. */
  private readonly runExperiments = new Map<string, string>();

  constructor(private readonly store: TrackingStore, private readonly proxy: ArtifactProxy | undefined, private readonly registryClient: RegistryClient) {}

  /** The model registry of the same store (validation and version pinning live in RegistryClient). */
  registry(): RegistryClient {
    return this.registryClient;
  }

  /** The artifact proxy; a 503 when the server has no artifact destination (as MLflow's --no-serve-artifacts). */
  artifacts(): ArtifactProxy {
    if (this.proxy === undefined) throw new HttpError(503, 'INTERNAL_ERROR', serverMsg.noArtifacts());
    return this.proxy;
  }

  /** The experiment of a run (RESOURCE_DOES_NOT_EXIST for no such run), remembered: a run never changes experiment. */
  async experimentOfRun(runId: string): Promise<string> {
    const known = this.runExperiments.get(runId);
    if (known !== undefined) return known;
    const experimentId = (await this.call('read the run', (s) => s.getRun(runId))).info.experimentId;
    if (this.runExperiments.size >= RUN_EXPERIMENTS_KEPT) this.runExperiments.delete(this.runExperiments.keys().next().value!);
    this.runExperiments.set(runId, experimentId);
    return experimentId;
  }

  /** A store call with driver errors wrapped. */
  async call<T>(what: string, op: (store: TrackingStore) => Promise<T>): Promise<T> {
    try {
      return await op(this.store);
    } catch (err) {
      throw asTracklabError(err, what);
    }
  }
}

/**
 * One endpoint: reads its fields, calls the store, returns the JSON body of a 200 answer.
 * `user` is the signed-in user's name under `--auth`, undefined without it.
 */
export type ApiHandler = (ctx: ApiContext, fields: RequestFields, user?: string) => Promise<object>;
