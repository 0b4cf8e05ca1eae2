/**
 * A Jupyter MIME bundle: what one display_data output carries. JSON
 * mimetypes (Vega-Lite) hold objects, text mimetypes hold strings. Views
 * build these; only src/notebook/ sends them to a kernel.
 */
export interface DisplayBundle {
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export const Mime = {
  vegaLite: 'application/vnd.vegalite.v5+json',
  svg: 'image/svg+xml',
  html: 'text/html',
  plain: 'text/plain',
  markdown: 'text/markdown',
} as const;

export function plainText(bundle: DisplayBundle): string {
  const text = bundle.data[Mime.plain];
  return typeof text === 'string' ? text : '';
}
