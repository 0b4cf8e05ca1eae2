/**
 * How the UI treats an artifact, by its file name. Only plain data types are
 * ever shown inline; HTML, SVG and anything unknown is a download or goes
 * into a sandboxed frame (see security.ts).
 */
export type PreviewKind = 'image' | 'text' | 'json' | 'csv' | 'arrow' | 'ipynb' | 'mlmodel' | 'frame' | 'none';

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp',
};
const TEXT = new Set(['txt', 'log', 'md', 'py', 'ts', 'js', 'mjs', 'cjs', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'sh', 'r', 'sql', 'tsx', 'jsx', 'requirements', 'lock', 'diff', 'patch', 'xml']);

export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export function previewKind(path: string): PreviewKind {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'MLmodel') return 'mlmodel';
  const ext = extensionOf(path);
  if (IMAGE_TYPES[ext]) return 'image';
  if (ext === 'json' || ext === 'jsonl') return ext === 'json' ? 'json' : 'text';
  if (ext === 'csv' || ext === 'tsv') return 'csv';
  if (ext === 'arrow' || ext === 'feather' || ext === 'ipc' || ext === 'arrows') return 'arrow';
  if (ext === 'ipynb') return 'ipynb';
  if (ext === 'html' || ext === 'htm' || ext === 'svg') return 'frame';
  if (TEXT.has(ext) || base === 'requirements.txt' || base === 'Dockerfile' || base === 'LICENSE') return 'text';
  return 'none';
}

/**
 * The Content-Type an artifact's bytes are served with, inline. Text is
 * always text/plain (never text/html), so a mislabelled file cannot render.
 */
export function servedType(path: string, framed: boolean): string {
  const ext = extensionOf(path);
  if (IMAGE_TYPES[ext]) return IMAGE_TYPES[ext];
  if (framed && (ext === 'html' || ext === 'htm')) return 'text/html; charset=utf-8';
  if (framed && ext === 'svg') return 'image/svg+xml';
  const kind = previewKind(path);
  if (kind === 'text' || kind === 'json' || kind === 'csv' || kind === 'mlmodel') return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/** Inline (not as a download): images, plain text, and HTML/SVG only into the sandboxed frame. */
export function servedInline(path: string, framed: boolean): boolean {
  const kind = previewKind(path);
  if (kind === 'frame') return framed;
  return kind === 'image' || kind === 'text' || kind === 'json' || kind === 'csv' || kind === 'mlmodel';
}
