/**
 * A stop requested while `run` is still loading its modules (SIGTERM / SIGINT before it installs its own
 * handlers) must end the process cleanly, not kill it by the signal: `kms stop`, a service manager or a
 * test may send it at any moment, and exit by signal reads as a crash. main.ts evaluates this module
 * before it loads the rest, so from then on such a signal is only remembered, and `run` acts on it.
 */
let pending: NodeJS.Signals | undefined;
let listening = false;

const remember = (signal: NodeJS.Signals): void => {
  pending ??= signal;
};

/** Starts remembering stop signals (only for `run`: the other commands keep the default behaviour). */
export function listenForEarlyStop(): void {
  if (listening) return;
  listening = true;
  process.on('SIGTERM', remember);
  process.on('SIGINT', remember);
}

/** Stops remembering and says which stop signal arrived meanwhile, if any; the caller's handlers take over. */
export function takeEarlyStop(): NodeJS.Signals | undefined {
  if (listening) {
    process.off('SIGTERM', remember);
    process.off('SIGINT', remember);
    listening = false;
  }
  return pending;
}
