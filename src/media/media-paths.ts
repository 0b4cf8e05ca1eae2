/** Where media lives on a run, shared by the writers (log-media.ts) and the readers (show/, the UI). */

/** images/<key>/step_<step>.png|jpg: one file per step of a key. */
export const IMAGE_PATH = /^images\/(.+)\/step_(\d+)\.(png|jpg)$/;

export function imagePath(key: string, step: number, format: 'png' | 'jpeg'): string {
  return `images/${key}/step_${step}.${format === 'png' ? 'png' : 'jpg'}`;
}
