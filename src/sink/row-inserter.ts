import type { ExecuteValues } from 'mysql2/promise';
import { insertRows, preparedRowCounts, type InsertMode } from '../sql/dml.ts';
import type { PoolConnection } from './pool.ts';

/**
 * Rows go to the database as prepared multi-row INSERTs (binary protocol): values travel typed, with no
 * escaping into SQL text, and the server parses each statement shape once per connection. Measured
 * ~20 % more rows/s than the same INSERTs as text queries (docs/benchmarks.md). Row counts follow
 * `preparedRowCounts`, so a few statement shapes per table serve every batch size.
 */
export async function executeInsertStatement(connection: PoolConnection, table: string, columns: readonly string[],
  rows: readonly (readonly unknown[])[], mode: InsertMode): Promise<void> {
  const insert = insertRows(table, columns, rows, mode);
  await connection.execute(insert.sql, insert.parameters as ExecuteValues[]);
}

/** [start, end) ranges of [from, to), one per prepared statement. */
export function* statementRanges(from: number, to: number, columnCount: number): Generator<[number, number]> {
  let start = from;
  for (const count of preparedRowCounts(to - from, columnCount)) {
    yield [start, start + count];
    start += count;
  }
}

/** All rows, statement after statement (the database-only benchmark loop uses exactly this). */
export async function executeInsert(connection: PoolConnection, table: string, columns: readonly string[],
  rows: readonly (readonly unknown[])[], mode: InsertMode): Promise<void> {
  for (const [start, end] of statementRanges(0, rows.length, columns.length)) {
    await executeInsertStatement(connection, table, columns, rows.slice(start, end), mode);
  }
}
