/**
 * The tslab kernel as the host of runs (see tracking/run-host.ts): runs are
 * NOTEBOOK runs named after the notebook, their code lives in the kernel's
 * working folder, the TypeScript and tslab versions are the kernel's own,
 * and SIGINT belongs to the kernel (it interrupts cells with it).
 */
import { Env } from '../env-names';
import { setRunHost, type RunHost } from '../tracking/run-host';
import { SystemTag } from '../tracking/system-tags';
import { inKernel, kernelBridge } from './kernel';
import { installErrorDisplay } from './error-display';
import { mendLoadedZeromq } from './kernel-sockets';

export const kernelHost: RunHost = {
  sourceType: 'NOTEBOOK',
  // JupyterLab sets JPY_SESSION_NAME for kernels it starts; nbconvert sets nothing; `tracklab run` sets TRACKLAB_NOTEBOOK_PATH.
  sourceName: () => process.env.JPY_SESSION_NAME || process.env[Env.notebookPath] || process.env[Env.notebook] || 'notebook',
  sourceDirectory: () => process.cwd(),
  versionTags: () => {
    const versions = kernelBridge()?.versions;
    const tags: Record<string, string> = {};
    if (versions?.typescript) tags[SystemTag.typescriptVersion] = versions.typescript;
    if (versions?.tslab) tags[SystemTag.tslabVersion] = versions.tslab;
    return tags;
  },
  ownsSigint: true,
};

/** Makes the kernel the host of runs, when this code runs in one, mends its sockets (kernel-sockets.ts) and shows tracklab's errors short (error-display.ts). */
export function installKernelHost(): void {
  if (!inKernel()) return;
  setRunHost(kernelHost);
  mendLoadedZeromq();
  installErrorDisplay();
}
