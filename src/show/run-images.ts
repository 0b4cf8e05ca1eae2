/**
 * Reads the images a run logged (images/<key>/step_<n>.png|jpg) back from
 * the store as inline cells for the views: each key's steps, thumbnails
 * built from the stored bytes.
 */
import { IMAGE_PATH } from '../media/log-media';
import { toStoredImage } from '../media/image-input';
import { thumbnail } from '../media/thumbnail';
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

/** Inline cells for the given steps of one key (at most `maxSteps`, evenly picked). */
export async function imageCells(client: TrackingClient, runId: string, entries: readonly { step: number; path: string }[], maxSteps: number): Promise<ImageCell[]> {
  const wanted = new Set(pickSteps(entries.map((e) => e.step), maxSteps));
  const cells: ImageCell[] = [];
  for (const entry of entries) {
    if (!wanted.has(entry.step)) continue;
    const bytes = await client.artifacts.openArtifact(runId, entry.path);
    const stored = toStoredImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const thumb = thumbnail(stored.bytes, stored.format, stored);
    cells.push({ step: entry.step, path: entry.path, src: thumb?.src, width: thumb?.width ?? stored.width, height: thumb?.height ?? stored.height });
  }
  return cells;
}
