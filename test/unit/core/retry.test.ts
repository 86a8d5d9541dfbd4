import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type RetryPolicy, withRetry } from '../../../src/core/retry.ts';
import { isTransientDbError } from '../../../src/mysql/errno.ts';

const retriable = Object.assign(new Error('deadlock'), { errno: 1213 });

test('retries a retriable failure until it succeeds', async () => {
  let calls = 0;
  const delays: number[] = [];
  const result = await withRetry(
    async () => {
      if (++calls < 3) throw retriable;
      return 'ok';
    },
    { initialMs: 1, budgetMs: 1_000 },
    { isRetriable: isTransientDbError, onRetry: (_e, _n, delay) => delays.push(delay) },
  );
  assert.equal(result, 'ok');
  assert.equal(calls, 3);
  assert.equal(delays.length, 2);
});

type RetryOptions = Parameters<typeof withRetry>[2];

/** Retries an operation that always throws `error`; resolves to how often it ran once withRetry rejected with it. */
async function callsUntilGivenUp(error: Error, policy: RetryPolicy, options: RetryOptions): Promise<number> {
  let calls = 0;
  const attempt = async (): Promise<never> => {
    calls++;
    throw error;
  };
  await assert.rejects(withRetry(attempt, policy, options), error);
  return calls;
}

test('does not retry an error that is not retriable', async () => {
  const fatal = Object.assign(new Error('syntax'), { errno: 1064 });
  const calls = await callsUntilGivenUp(fatal, { initialMs: 1, budgetMs: 1_000 }, { isRetriable: isTransientDbError });
  assert.equal(calls, 1);
});

test('gives up with the last error once the backoff budget is spent', async () => {
  const calls = await callsUntilGivenUp(retriable, { initialMs: 5, budgetMs: 12 }, { isRetriable: () => true });
  assert.ok(calls >= 2 && calls <= 4, `calls ${calls}`);
});

test('a zero budget means no retry at all', async () => {
  const calls = await callsUntilGivenUp(retriable, { initialMs: 5, budgetMs: 0 }, { isRetriable: () => true });
  assert.equal(calls, 1);
});

test('shouldStop ends retrying (partition revoked, shutdown)', async () => {
  let failures = 0;
  const calls = await callsUntilGivenUp(
    retriable,
    { initialMs: 1, budgetMs: 10_000 },
    // isRetriable sees each failure once, so `failures` is the number of calls so far.
    { isRetriable: () => ++failures > 0, shouldStop: () => failures >= 2 },
  );
  assert.equal(calls, 2);
});
