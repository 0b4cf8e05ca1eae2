import { isRecord, type JupyterMessage } from './jupyter-message';
import type { JsonObject, MimeBundle, Output } from './nbformat';

/**
 * Turns iopub messages into nbformat outputs with nbclient's rules:
 * consecutive stream text of one name is merged; `transient.display_id` is
 * kept out of the saved output, and an `update_display_data` (or a new
 * `display_data` reusing the id) rewrites every earlier output with that id,
 * in any cell; `clear_output` (optionally deferred with `wait`) empties the cell.
 */
export interface OutputRecorder {
  /** Feeds one iopub message that belongs to the cell at `cellIndex`. */
  record(cellIndex: number, message: JupyterMessage): void;
  /** The outputs of a cell so far (a fresh copy). */
  outputs(cellIndex: number): Output[];
  /** Every cell index the recorder has outputs for (cells may change after they ran, via display ids). */
  cellIndexes(): number[];
}

function bundle(value: unknown): MimeBundle {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value));
}

function meta(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}

function displayIdOf(content: Record<string, unknown>): string | undefined {
  const transient = content['transient'];
  const id = isRecord(transient) ? transient['display_id'] : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export function createOutputRecorder(): OutputRecorder {
  const cells = new Map<number, Output[]>();
  // display_id -> cell index -> output positions, as nbclient's _display_id_map.
  const displays = new Map<string, Map<number, number[]>>();
  const clearBeforeNext = new Set<number>();

  const outs = (cell: number): Output[] => {
    let list = cells.get(cell);
    if (!list) cells.set(cell, (list = []));
    return list;
  };
  const clear = (cell: number): void => {
    outs(cell).length = 0;
    for (const map of displays.values()) if (map.has(cell)) map.set(cell, []);
  };
  const update = (displayId: string, data: MimeBundle, metadata: JsonObject): void => {
    for (const [cell, positions] of displays.get(displayId) ?? []) {
      const list = outs(cell);
      for (const at of positions) {
        const old = list[at];
        if (old && (old.output_type === 'display_data' || old.output_type === 'execute_result')) list[at] = { ...old, data, metadata };
      }
    }
  };
  const append = (cell: number, output: Output, displayId: string | undefined): void => {
    if (clearBeforeNext.delete(cell)) clear(cell);
    const list = outs(cell);
    const last = list[list.length - 1];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      list[list.length - 1] = { ...last, text: last.text + output.text };
      return;
    }
    if (displayId) {
      const map = displays.get(displayId) ?? new Map<number, number[]>();
      displays.set(displayId, map);
      map.set(cell, [...(map.get(cell) ?? []), list.length]);
    }
    list.push(output);
  };

  return {
    record(cell, message) {
      const c = message.content;
      const type = message.header.msg_type;
      const displayId = displayIdOf(c);
      if (displayId && (type === 'display_data' || type === 'update_display_data' || type === 'execute_result')) {
        update(displayId, bundle(c['data']), meta(c['metadata']));
      }
      switch (type) {
        case 'stream':
          append(cell, { output_type: 'stream', name: c['name'] === 'stderr' ? 'stderr' : 'stdout', text: String(c['text'] ?? '') }, undefined);
          return;
        case 'display_data':
          append(cell, { output_type: 'display_data', data: bundle(c['data']), metadata: meta(c['metadata']) }, displayId);
          return;
        case 'execute_result':
          append(
            cell,
            {
              output_type: 'execute_result',
              execution_count: typeof c['execution_count'] === 'number' ? c['execution_count'] : null,
              data: bundle(c['data']),
              metadata: meta(c['metadata']),
            },
            displayId,
          );
          return;
        case 'error':
          append(
            cell,
            {
              output_type: 'error',
              ename: String(c['ename'] ?? ''),
              evalue: String(c['evalue'] ?? ''),
              traceback: Array.isArray(c['traceback']) ? c['traceback'].map(String) : [],
            },
            undefined,
          );
          return;
        case 'clear_output':
          if (c['wait'] === true) clearBeforeNext.add(cell);
          else clear(cell);
          return;
        default:
          // execute_input, update_display_data (handled above), comm_*: nothing to store.
          return;
      }
    },
    outputs: (cell) => [...(cells.get(cell) ?? [])],
    cellIndexes: () => [...cells.keys()],
  };
}
