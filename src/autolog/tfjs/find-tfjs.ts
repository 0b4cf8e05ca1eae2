/**
 * Finds tfjs-layers whether it was loaded before autolog or after it.
 * - Before: its module is in `require.cache`.
 * - After: a hook on `Module.prototype.require` looks at what a require of
 *   `@tensorflow/...` returned. Every CommonJS `require` goes through that
 *   method, including tslab's compiled notebook cells, and the hook is one
 *   string test for every other module. It is removed on disable.
 */
import Module from 'node:module';
import * as path from 'node:path';
import { isLayersModule, type LayersModule } from './tfjs-shapes';

type RequireFn = (this: unknown, id: string) => unknown;

const HOOK = Symbol.for('tracklab.autolog.tfjs.requireHook');
const TFJS_DIR = `${path.sep}@tensorflow${path.sep}tfjs`;

interface HookState {
  readonly original: RequireFn;
  readonly hook: RequireFn;
  listener: ((layers: LayersModule) => void) | undefined;
}

let state: HookState | undefined;

function moduleProto(): { require: RequireFn } {
  return (Module as unknown as { prototype: { require: RequireFn } }).prototype;
}

/** Every loaded copy of tfjs-layers (a notebook may resolve tfjs from two folders). */
export function loadedLayersModules(): LayersModule[] {
  const found: LayersModule[] = [];
  for (const [file, entry] of Object.entries(require.cache)) {
    // Only tfjs's own files are looked at: reading other modules' exports could run their getters.
    if (!file.includes(TFJS_DIR) || !entry?.loaded) continue;
    const exports: unknown = entry.exports;
    if (isLayersModule(exports) && !found.includes(exports)) found.push(exports);
  }
  return found;
}

/** Calls `listener` with tfjs-layers' exports each time a `@tensorflow/...` require returns them. */
export function watchTfjsRequires(listener: (layers: LayersModule) => void): void {
  if (state) {
    state.listener = listener;
    return;
  }
  const proto = moduleProto();
  const original = proto.require;
  const hook: RequireFn = function (this: unknown, id: string): unknown {
    // eslint-disable-next-line prefer-rest-params
    const exports = Reflect.apply(original, this, arguments);
    if (typeof id === 'string' && id.startsWith('@tensorflow/') && state?.hook === hook && state.listener && isLayersModule(exports)) {
      try {
        state.listener(exports);
      } catch {
        // Patching must never break the user's require.
      }
    }
    return exports;
  };
  Object.defineProperty(hook, HOOK, { value: true });
  proto.require = hook;
  state = { original, hook, listener };
}

/** Removes the require hook (or, if someone wrapped it since, leaves it inert). */
export function unwatchTfjsRequires(): void {
  if (!state) return;
  const proto = moduleProto();
  if (proto.require === state.hook) proto.require = state.original;
  state.listener = undefined;
  state = undefined;
}
