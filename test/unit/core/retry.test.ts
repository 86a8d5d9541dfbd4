import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRetry } from '../../../src/core/retry.ts';
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

test('does not retry an error that is not retriable', async () => {
  let calls = 0;
  const fatal = Object.assign(new Error('syntax'), { errno: 1064 });
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw fatal;
      },
      { initialMs: 1, budgetMs: 1_000 },
      { isRetriable: isTransientDbError },
    ),
    fatal,
  );
  assert.equal(calls, 1);
});

test('gives up with the last error once the backoff budget is spent', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw retriable;
      },
      { initialMs: 5, budgetMs: 12 },
      { isRetriable: () => true },
    ),
    retriable,
  );
  assert.ok(calls >= 2 && calls <= 4, `calls ${calls}`);
});

test('a zero budget means no retry at all', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw retriable;
      },
      { initialMs: 5, budgetMs: 0 },
      { isRetriable: () => true },
    ),
  );
  assert.equal(calls, 1);
});

test('shouldStop ends retrying (partition revoked, shutdown)', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw retriable;
      },
      { initialMs: 1, budgetMs: 10_000 },
      { isRetriable: () => true, shouldStop: () => calls >= 2 },
    ),
  );
  assert.equal(calls, 2);
});
