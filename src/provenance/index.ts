export { dependenciesJson, findPackageRoot, lockfileDigest, osDescription } from './environment';
export type { LockfileDigest } from './environment';
export { gitState, MAX_DIFF_BYTES, stripCredentials, uncommittedDiff } from './git-state';
export type { GitState } from './git-state';
export { diffCaptureEnabled, GIT_DIFF_ARTIFACT, ProvenanceTag, provenanceTags, recordProvenance } from './provenance';
export type { ArtifactLogger } from './provenance';
