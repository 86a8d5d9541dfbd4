/**
 * What the sink and its tools ask the server about databases and tables (information_schema). Pure:
 * every question is a compiled query with the names bound, never spliced in.
 */
import { type CompiledQuery, compiled } from './compiled-query.ts';

/**
 * Rows `{ name, type, nullable, key, hasDefault }`: every column of a table in the current database, type
 * (DATA_TYPE) in lower case, COLUMN_KEY, and whether it has a default (COLUMN_DEFAULT, 'NULL' on MariaDB).
 */
export function selectColumns(table: string): CompiledQuery {
  return compiled(
    'SELECT COLUMN_NAME AS name, LOWER(DATA_TYPE) AS type, IS_NULLABLE AS nullable, COLUMN_KEY AS `key`, ' +
      "COLUMN_TYPE AS columnType, (COLUMN_DEFAULT IS NOT NULL AND COLUMN_DEFAULT <> 'NULL') AS hasDefault " +
      'FROM information_schema.COLUMNS ' +
      'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
}

/** At most one row `{ type, nullable, key }`: a column's full type (`varchar(255)`), IS_NULLABLE, COLUMN_KEY. */
export function selectColumn(table: string, column: string): CompiledQuery {
  return compiled(
    'SELECT COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_KEY AS `key` FROM information_schema.COLUMNS ' +
      'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
    [table, column],
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

/** One row when the table exists in the current database, none otherwise. */
export function selectTableExists(table: string): CompiledQuery {
  return compiled('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [
    table,
  ]);
}

/** One row when the database exists on the server, none otherwise. */
export function selectDatabaseExists(database: string): CompiledQuery {
  return compiled('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
}

/** One row `{ version }`: the server's version text (e.g. `11.4.5-MariaDB`). */
export function selectServerVersion(): CompiledQuery {
  return compiled('SELECT VERSION() AS version');
}

/** One row `{ Value }`: InnoDB's dirty pages in the buffer pool (what is still to be flushed to disk). */
export function selectDirtyPages(): CompiledQuery {
  return compiled("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
}
