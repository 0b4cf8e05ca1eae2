/**
 * The media operations of TrackingClient (images, tables, figures, text,
 * dicts): each validates the run id, then hands src/media/ a sink that
 * writes through the client's artifact operation. The media module loads
 * on first use (pngjs and yaml stay out of a cold start).
 */
import type { TableSource } from '../media/arrow-table';
import type { ArtifactSink, LoggedFigure, LoggedImage, LoggedTable } from '../media/log-media';
import { validateRunId } from '../validation';

/** What the media operations need of TrackingClient: its artifact operation. */
export interface ArtifactLogger {
  logArtifact(runId: string, source: Uint8Array, artifactPath: string): Promise<unknown>;
}

function media(): typeof import('../media/log-media') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../media/log-media') as typeof import('../media/log-media');
}

function sink(client: ArtifactLogger, runId: string): ArtifactSink {
  validateRunId(runId);
  return { logArtifact: (bytes, path) => client.logArtifact(runId, bytes, path) };
}

export function logImage(client: ArtifactLogger, runId: string, image: unknown, key: string, options: { step?: number }): Promise<LoggedImage> {
  return media().logImageTo(sink(client, runId), image, key, options);
}

export function logTable(client: ArtifactLogger, runId: string, data: TableSource, name: string): Promise<LoggedTable> {
  return media().logTableTo(sink(client, runId), data, name);
}

export function logFigure(client: ArtifactLogger, runId: string, spec: unknown, name: string): Promise<LoggedFigure> {
  return media().logFigureTo(sink(client, runId), spec, name);
}

export function logText(client: ArtifactLogger, runId: string, text: string, artifactFile: string): Promise<string> {
  return media().logTextTo(sink(client, runId), text, artifactFile);
}

export function logDict(client: ArtifactLogger, runId: string, dict: unknown, artifactFile: string): Promise<string> {
  return media().logDictTo(sink(client, runId), dict, artifactFile);
}
