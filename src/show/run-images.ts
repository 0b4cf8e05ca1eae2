/**
 * Reads the images a run logged (images/<key>/step_<n>.png|jpg) back from
 * the store as inline cells for the views: each key's steps, thumbnails
 * built from the stored bytes.
 */
import { IMAGE_PATH } from '../media/media-paths';
import type { TrackingClient } from '../tracking/client';
import { pickSteps, type ImageCell } from '../views/image-views';

/** Each key's logged steps (sorted) and artifact paths. */
export async function imageIndex(client: TrackingClient, runId: string): Promise<Map<string, { step: number; path: string }[]>> {
  const byKey = new Map<string, { step: number; path: string }[]>();
  for (const entry of await client.listArtifacts(runId, 'images')) {
    const m = IMAGE_PATH.exec(entry.path);
    if (!m) continue;
    const list = byKey.get(m[1]) ?? [];
    list.push({ step: Number(m[2]), path: entry.path });
    byKey.set(m[1], list);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.step - b.step);
  return byKey;
}

// The PNG codec loads only when a run has images to show.
function media(): { image: typeof import('../media/image-input'); thumb: typeof import('../media/thumbnail') } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return { image: require('../media/image-input') as typeof import('../media/image-input'), thumb: require('../media/thumbnail') as typeof import('../media/thumbnail') };
}

/** Inline cells for the given steps of one key (at most `maxSteps`, evenly picked). */
export async function imageCells(client: TrackingClient, runId: string, entries: readonly { step: number; path: string }[], maxSteps: number): Promise<ImageCell[]> {
  const wanted = new Set(pickSteps(entries.map((e) => e.step), maxSteps));
  const cells: ImageCell[] = [];
  const { image, thumb: thumbs } = media();
  for (const entry of entries) {
    if (!wanted.has(entry.step)) continue;
    const bytes = await client.openArtifact(runId, entry.path);
    const stored = image.toStoredImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const thumb = thumbs.thumbnail(stored.bytes, stored.format, stored);
    cells.push({ step: entry.step, path: entry.path, src: thumb?.src, width: thumb?.width ?? stored.width, height: thumb?.height ?? stored.height });
  }
  return cells;
}
