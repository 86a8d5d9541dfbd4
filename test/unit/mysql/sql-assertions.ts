import assert from 'node:assert/strict';
import { isSinkError, type ErrorCode } from '../../../src/core/errors.ts';
import type { CompiledQuery } from '../../../src/mysql/compiled-query.ts';

/** `fn` throws a SinkError with `code` whose message names every one of `messageParts`. */
export function rejects(fn: () => unknown, code: ErrorCode, ...messageParts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isSinkError(error, code), `expected ${code}, got ${String(error)}`);
    for (const part of messageParts) assert.ok(error.message.includes(part), `"${part}" not in: ${error.message}`);
    return true;
  });
}

/** Compiled queries are frozen, parameters included. */
export function assertFrozen(query: CompiledQuery): void {
  assert.ok(Object.isFrozen(query));
  assert.ok(Object.isFrozen(query.parameters));
}
