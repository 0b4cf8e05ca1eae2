/** The TypeScript compiler the runner parses notebook cells with. */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { tslabPackageDir } from './kernel-launch';

let tsModule: typeof TS | undefined;

/** tslab's own TypeScript: a runtime dependency of tslab, so present wherever tracklab runs notebooks. */
export function typescript(): typeof TS {
  tsModule ??= createRequire(path.join(tslabPackageDir(), 'package.json'))('@tslab/typescript-for-tslab') as typeof TS;
  return tsModule;
}
