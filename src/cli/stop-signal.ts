/**
 * Resolves at the first SIGINT or SIGTERM (Ctrl-C, or a service manager's
 * stop), then listens for neither: the one way the long-running commands
 * (`ui`, `server`, `models serve`) wait to be stopped.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
