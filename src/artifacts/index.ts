export { normalizeArtifactPath, normalizeArtifactPrefix } from './artifact-path';
export { parseRunsUri, formatRunsUri, type RunsUri } from './uri';
export { ContentStore, isSha256, type BlobInfo, type BlobFile } from './content-store';
export { stableJson, type ArtifactSource } from './artifact-source';
export { ArtifactRepository, type ArtifactLocation } from './artifact-repository';
export { DEFAULT_GC_GRACE_MS, type GcOptions, type GcResult } from './artifact-gc';
