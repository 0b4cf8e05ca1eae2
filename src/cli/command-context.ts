/** What a command may need beyond its arguments: the store options given on the line, if any. */
export interface CommandContext {
  /** `--tracking-uri` or `--home`: a store folder or any tracking URI. */
  readonly trackingUri?: string;
  readonly artifactRoot?: string;
}
