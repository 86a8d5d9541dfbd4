import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `probe` until it returns true; fails with `what` in the message when the time is up. */
export async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(probe)
        .catch(() => false)
    )
      return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** True while the pid exists (EPERM still means it exists): the stack's own check. */
export { isAlive } from '../../../src/app/pid-file.ts';
