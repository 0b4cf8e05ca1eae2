/**
 * Artifact content kept by a tracking server, for a client that shares no
 * folder with it (the remote store, store/http/). Such a backend names a
 * local cache as its `defaultArtifactRoot`: content logged here is put there
 * first and sent by the store with the manifest (`putArtifacts`), and
 * content logged elsewhere is fetched into it through this on first read.
 */

/** What a blob belongs to, which is what the server checks access on: a run whose manifest names it, or a registered version that pins it. */
export type BlobRef = { readonly runId: string } | { readonly model: string; readonly version: number };

export interface RemoteContent {
  /** The digests among `sha256s` the server does not hold (asked for a run the caller may edit, or about a version's pinned files). */
  missing(sha256s: readonly string[], ref: BlobRef): Promise<string[]>;
  /** The content's bytes as they arrive, for the caller to store and verify. */
  open(sha256: string, ref: BlobRef): Promise<AsyncIterable<Uint8Array>>;
}
