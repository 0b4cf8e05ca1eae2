/** A run's artifact browser: a folder tree and a preview of the chosen file. */
import type { ArtifactEntry } from '../../entities';
import { isTracklabError } from '../../errors';
import type { TrackingClient } from '../../tracking/client';
import { html, seg, type Html } from '../html';
import { emptyState } from '../layout';
import { previewKind } from '../artifact-types';
import { artifactPreview } from './artifact-preview';

/** Files past this size are not read for a preview (they can still be downloaded). */
export const MAX_PREVIEW_BYTES = 16 * 1024 * 1024;
const MAX_TREE_ENTRIES = 2000;

interface Folder {
  readonly dirs: Map<string, Folder>;
  readonly files: ArtifactEntry[];
}

function tree(entries: readonly ArtifactEntry[]): Folder {
  const root: Folder = { dirs: new Map(), files: [] };
  for (const e of entries) {
    const parts = e.path.split('/');
    let at = root;
    for (const dir of parts.slice(0, -1)) {
      let next = at.dirs.get(dir);
      if (!next) at.dirs.set(dir, (next = { dirs: new Map(), files: [] }));
      at = next;
    }
    at.files.push(e);
  }
  return root;
}

export function artifactUrl(runId: string, path: string, mode: 'inline' | 'download' | 'frame' = 'inline'): string {
  const q = new URLSearchParams({ path });
  if (mode !== 'inline') q.set(mode, '1');
  return `/ui-api/runs/${seg(runId)}/artifact?${q.toString()}`;
}

function folderView(runId: string, folder: Folder, selected: string): Html {
  const dirs = [...folder.dirs.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return html`<ul>${dirs.map(([name, sub]) => html`<li><span class="dir">${name}/</span>${folderView(runId, sub, selected)}</li>`)}${folder.files.map((f) => {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    return html`<li><a href="/runs/${seg(runId)}?artifact=${encodeURIComponent(f.path)}#artifacts" class="${f.path === selected ? 'on' : ''}" data-artifact="${f.path}">${name}</a> <span class="muted">${size(f.size)}</span></li>`;
  })}</ul>`;
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function artifactSection(client: TrackingClient, runId: string, entries: readonly ArtifactEntry[], selected: string): Promise<Html> {
  if (entries.length === 0) return emptyState('No artifacts logged (run.logArtifact(...)).');
  const chosen = entries.find((e) => e.path === selected);
  const shown = entries.slice(0, MAX_TREE_ENTRIES);
  return html`<div class="artifacts" id="artifacts">
<nav class="tree" aria-label="Artifacts">${folderView(runId, tree(shown), selected)}${entries.length > shown.length ? html`<div class="muted">${entries.length - shown.length} more not listed</div>` : ''}</nav>
<section class="preview" data-preview>${chosen ? await previewOrWhyNot(client, runId, chosen) : html`<span class="muted">${selected ? `No artifact "${selected}".` : 'Choose a file to preview it.'}</span>`}</section>
</div>`;
}

/**
 * The preview, or, when the store keeps no files and no artifact root was
 * given (`tracklab ui --tracking-uri postgresql://…` alone), how to give one:
 * the list comes from the store, so the rest of the page stays.
 */
async function previewOrWhyNot(client: TrackingClient, runId: string, entry: ArtifactEntry): Promise<Html> {
  const missing = await client.artifactRoot().then(() => undefined, (err: unknown) => (isTracklabError(err, 'INVALID_STATE') ? err : Promise.reject(err)));
  if (missing !== undefined) return html`<b>${entry.path}</b><p class="muted">${missing.message}</p>`;
  return preview(client, runId, entry);
}

async function preview(client: TrackingClient, runId: string, entry: ArtifactEntry): Promise<Html> {
  const head = html`<div class="inline-form"><b>${entry.path}</b><span class="muted">${size(entry.size)}</span><a class="button" href="${artifactUrl(runId, entry.path, 'download')}" download>Download</a></div>`;
  const kind = previewKind(entry.path);
  if (kind === 'none') return html`${head}<p class="muted">No preview for this file type.</p>`;
  if (kind === 'image') return html`${head}<img src="${artifactUrl(runId, entry.path)}" alt="${entry.path}">`;
  if (kind === 'frame') {
    return html`${head}<p class="muted">Shown in a sandboxed frame: scripts in it do not run.</p><iframe sandbox="" referrerpolicy="no-referrer" src="${artifactUrl(runId, entry.path, 'frame')}" title="${entry.path}"></iframe>`;
  }
  if (entry.size > MAX_PREVIEW_BYTES) return html`${head}<p class="muted">Too large to preview (${size(entry.size)}); download it instead.</p>`;
  const bytes = await client.openArtifact(runId, entry.path);
  return html`${head}${artifactPreview(kind, bytes, `/ui-api/runs/${seg(runId)}/figure?path=${encodeURIComponent(entry.path)}`)}`;
}
