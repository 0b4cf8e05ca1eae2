/**
 * The store models/ logs to and downloads from when the caller names no
 * client. The tracking layer installs it (config.ts) when it loads, so that
 * models/ never imports the tracking layer: MLmodel packages sit below the
 * client, and a TrackingClient is one ModelRunClient among others. It sits
 * beside errors.ts rather than in models/ so that loading the tracking core
 * loads nothing of models/ (test/package/entry.test.ts).
 */
import { TracklabError } from './errors';

/** What logModel and loadModel need of a tracking client. */
export interface ModelRunClient {
  logArtifact(runId: string, source: string, artifactPath?: string): Promise<unknown>;
  getRun(runId: string): Promise<{ readonly data: { readonly tags: Readonly<Record<string, string>> } }>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  downloadArtifacts(uri: string, dest?: string): Promise<string>;
}

let provider: (() => ModelRunClient) | undefined;

/** The tracking layer installs `getClient` here. */
export function setDefaultModelClient(get: (() => ModelRunClient) | undefined): void {
  provider = get;
}

/** The installed default client; INVALID_STATE when nothing installed one (models/ used without the tracking layer). */
export function defaultModelClient(): ModelRunClient {
  if (provider === undefined) {
    throw new TracklabError('INVALID_STATE',
      'No tracking store is configured in this process for models: pass `client` (a TrackingClient), or load tracklab itself, which installs the configured store.');
  }
  return provider();
}
