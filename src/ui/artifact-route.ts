/** `/ui-api/runs/<id>/artifact?path=P[&download=1|&frame=1]`: an artifact's bytes with headers that keep it inert. */
import type { ServerResponse } from 'node:http';
import { TracklabError } from '../errors';
import type { TrackingClient } from '../tracking/client';
import { servedInline, servedType } from './artifact-types';
import { artifactHeaders } from './security';

export async function serveArtifact(client: TrackingClient, runId: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
  const path = query.get('path');
  if (!path) throw new TracklabError('INVALID_PARAMETER_VALUE', 'The request needs ?path=<artifact path>.');
  const framed = query.get('frame') === '1';
  const download = query.get('download') === '1' || !servedInline(path, framed);
  const bytes = await client.openArtifact(runId, path);
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/[^\w.\- ]/g, '_') || 'artifact';
  res.writeHead(200, {
    ...artifactHeaders(),
    'content-type': download ? 'application/octet-stream' : servedType(path, framed),
    'content-length': bytes.length,
    'cache-control': 'no-store',
    'content-disposition': download ? `attachment; filename="${base}"` : 'inline',
  });
  res.end(bytes);
}
