/**
 * What the sink asks the server about its own tables (information_schema). Pure: every question is a
 * compiled query with the table name bound, never spliced in.
 */
import { type CompiledQuery, compiled } from './compiled-query.ts';

/** Rows `{ name, type, nullable }`: every column of a table in the current database, type in lower case. */
export function selectColumns(table: string): CompiledQuery {
  return compiled(
    'SELECT COLUMN_NAME AS name, LOWER(DATA_TYPE) AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS ' +
      'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
}

/** Rows `{ name }`: the primary key columns of a table in the current database, in key order. */
export function selectPrimaryKey(table: string): CompiledQuery {
  return compiled(
    'SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS ' +
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
    [table],
  );
}
