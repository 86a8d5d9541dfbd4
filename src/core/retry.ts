import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  readonly initialMs: number;
  /** Total time spent waiting before giving up; 0 = never retry. */
  readonly budgetMs: number;
  readonly maxDelayMs?: number;
}

/**
 * Runs `attempt` until it succeeds, retrying only errors `isRetriable` accepts, with exponential
 * backoff (full jitter) inside the budget. `shouldStop` ends the wait early (partition revoked, shutdown).
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  options: {
    isRetriable: (error: unknown) => boolean;
    onRetry?: (error: unknown, attemptNumber: number, delayMs: number) => void;
    shouldStop?: () => boolean;
  },
): Promise<T> {
  let waited = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!options.isRetriable(error) || options.shouldStop?.()) throw error;
      const ceiling = Math.min(policy.maxDelayMs ?? 10_000, policy.initialMs * 2 ** Math.min(n - 1, 20));
      const delay = Math.max(1, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
      if (waited + delay > policy.budgetMs) throw error;
      options.onRetry?.(error, n, delay);
      waited += delay;
      await sleep(delay);
      if (options.shouldStop?.()) throw error;
    }
  }
}
