/**
 * After one drain wrote its rows, InnoDB flushes the dirty pages in the background for a while; a drain
 * started at once would pay for the previous one's writes. So between the peer and the sink under test the
 * bench waits (bounded) until the dirty pages are back near where they were before the peer.
 */
import { selectDirtyPages } from '../../src/mysql/catalog-sql.ts';
import { type Connection, selectRows } from '../../src/mysql/pool.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnv } from './bench-env.ts';

export async function dirtyPages(env: BenchEnv): Promise<number> {
  const connection = await env.connection();
  try {
    return await readDirty(connection);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** Settled: at most the level before (plus 10 % and 1,000 pages of slack), or `maxMs` passed. */
export function isSettled(dirty: number, before: number): boolean {
  return dirty <= before * 1.1 + 1_000;
}

export async function settleDatabase(
  env: BenchEnv,
  before: number,
  maxMs: number,
): Promise<{ seconds: number; dirty: number }> {
  const started = performance.now();
  const connection = await env.connection();
  try {
    for (;;) {
      const dirty = await readDirty(connection);
      const seconds = (performance.now() - started) / 1000;
      if (isSettled(dirty, before) || seconds * 1000 >= maxMs) return { seconds, dirty };
      await sleep(1_000);
    }
  } finally {
    await connection.end().catch(() => undefined);
  }
}

async function readDirty(connection: Connection): Promise<number> {
  const rows = await selectRows(connection, selectDirtyPages());
  return Number(rows[0]?.Value ?? 0);
}
