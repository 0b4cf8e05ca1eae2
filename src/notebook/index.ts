export { display, newDisplayId, type DisplayOptions } from './display';
export { liveDisplay, type LiveContent, type LiveDisplay, type LiveDisplayOptions } from './live-display';
export { inKernel, kernelBridge, type KernelBridge, type KernelVersions } from './kernel';
export {
  installCellHooks, uninstallCellHooks, cellHooksInstalled, onCellStart, onCellEnd, currentCell,
  type CellStart, type CellEnd, type CellStatus,
} from './cell-hooks';
export { autolog, notebookTags, type AutologOptions } from './autolog';
export { captureParams, declaredNames, importedNames, mutableNames, CaptureLimits, type CaptureOptions } from './auto-capture';
