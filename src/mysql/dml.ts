/**
 * Row statements for data tables: multi-row INSERT (plain, upsert, ignore-duplicates), UPDATE of one row
 * by its key, DELETE of rows by key. Values are always bound; only quoted identifiers and placeholders are
 * in the text.
 */
import { SinkError } from '../core/errors.ts';
import { quoteIdentifier } from './identifiers.ts';
import type { CompiledQuery } from './compiled-query.ts';

/** How a multi-row INSERT treats a row whose key exists ('update' mode never inserts: see `updateRow`). */
export type InsertMode = 'insert' | 'upsert' | 'ignore';

export interface InsertOptions {
  /** Columns of the key the duplicate is detected on; upsert leaves them out of the UPDATE list. */
  readonly keyColumns?: readonly string[];
}

function invalid(message: string): SinkError {
  return new SinkError('SCHEMA_INVALID', message);
}

/**
 * The hot path builds the same statement shape thousands of times a second; batch sizes vary, so
 * entries are bounded (oldest dropped first) to keep a few hundred large strings at most.
 */
const INSERT_TEXT_CACHE_LIMIT = 256;
const insertTextCache = new Map<string, string>();

/** What an INSERT's text depends on (values are bound, so not on them). */
interface InsertShape {
  readonly table: string;
  readonly columns: readonly string[];
  readonly rowCount: number;
  readonly mode: InsertMode;
  readonly keyColumns: readonly string[];
}

function buildInsertText({ table, columns, rowCount, mode, keyColumns }: InsertShape): string {
  if (columns.length === 0) throw invalid(`INSERT into ${JSON.stringify(table)} has no columns`);
  const seen = new Set<string>();
  for (const column of columns) {
    // Case-insensitive like the server (error 1110 "Column specified twice").
    const key = column.toLowerCase();
    if (seen.has(key))
      throw invalid(`INSERT into ${JSON.stringify(table)} names column ${JSON.stringify(column)} twice`);
    seen.add(key);
  }
  for (const key of keyColumns) {
    if (!columns.includes(key)) {
      throw invalid(
        `INSERT into ${JSON.stringify(table)}: key column ${JSON.stringify(key)} is not among the inserted columns`,
      );
    }
  }
  const quoted = columns.map(quoteIdentifier);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const values = new Array<string>(rowCount).fill(tuple).join(', ');
  const head = `INSERT INTO ${quoteIdentifier(table)} (${quoted.join(', ')}) VALUES ${values}`;
  if (mode === 'insert') return head;

  // Not INSERT IGNORE: IGNORE also turns out-of-range, truncation and NOT NULL errors into warnings and
  // writes mangled data. A self-assignment skips only the duplicate; every other error still raises.
  const noOp = `${quoted[0]} = ${quoted[0]}`;
  if (mode === 'ignore') return `${head} ON DUPLICATE KEY UPDATE ${noOp}`;
  const updates = quoted.filter((_, index) => !keyColumns.includes(columns[index] as string));
  // VALUES() rather than MySQL 8.0.19's row alias: MariaDB has no row alias (MySQL only warns on VALUES()).
  const assignments = updates.length === 0 ? noOp : updates.map((column) => `${column} = VALUES(${column})`).join(', ');
  return `${head} ON DUPLICATE KEY UPDATE ${assignments}`;
}

function insertText(shape: InsertShape): string {
  const { table, columns, rowCount, mode, keyColumns } = shape;
  // JSON keeps the key unambiguous even for names that fail validation (they are never stored anyway).
  const cacheKey = JSON.stringify([table, columns, rowCount, mode, mode === 'upsert' ? keyColumns : []]);
  let text = insertTextCache.get(cacheKey);
  if (text === undefined) {
    text = buildInsertText(shape);
    if (insertTextCache.size >= INSERT_TEXT_CACHE_LIMIT) {
      const oldest = insertTextCache.keys().next();
      if (oldest.done !== true) insertTextCache.delete(oldest.value);
    }
    insertTextCache.set(cacheKey, text);
  }
  return text;
}

/**
 * One multi-row INSERT; parameters flattened row-major. Values are bound as given: JS `null` is SQL NULL,
 * and `undefined` is refused by the driver.
 */
export function insertRows(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  mode: InsertMode = 'insert',
  options: InsertOptions = {},
): CompiledQuery {
  if (rows.length === 0) throw invalid(`INSERT into ${JSON.stringify(table)} has no rows`);
  const sql = insertText({ table, columns, rowCount: rows.length, mode, keyColumns: options.keyColumns ?? [] });
  const width = columns.length;
  const parameters = new Array<unknown>(rows.length * width);
  let next = 0;
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as readonly unknown[];
    if (row.length !== width) {
      throw invalid(`INSERT into ${JSON.stringify(table)}: row ${index} has ${row.length} values for ${width} columns`);
    }
    for (const value of row) parameters[next++] = value;
  }
  // The array is ours and already a copy, so freeze it in place instead of copying it again in compiled().
  return Object.freeze({ sql, parameters: Object.freeze(parameters) });
}

/**
 * The one-row INSERT a bulk command repeats for every row (`mysql.write.protocol=bulk`): the text of a
 * one-row multi-row INSERT, so insert/upsert/ignore mean exactly the same on both protocols.
 */
export function bulkInsertText(
  table: string,
  columns: readonly string[],
  mode: InsertMode,
  keyColumns: readonly string[],
): string {
  return insertText({ table, columns, rowCount: 1, mode, keyColumns });
}

/** Most keys one DELETE names: keeps the statement far below max_allowed_packet and the OR list short. */
export const DELETE_CHUNK = 500;

function checkKeyColumns(verb: string, table: string, keyColumns: readonly string[]): void {
  if (keyColumns.length === 0) throw invalid(`${verb} on ${JSON.stringify(table)} has no key columns`);
}

/**
 * Deletes the rows with these keys (each `keys` entry: one value per key column). One key column:
 * `k IN (...)`; several: an OR of equalities, which both MySQL and MariaDB turn into index lookups.
 */
export function deleteRows(
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
): CompiledQuery {
  checkKeyColumns('DELETE', table, keyColumns);
  if (keys.length === 0) throw invalid(`DELETE on ${JSON.stringify(table)} has no keys`);
  const quoted = keyColumns.map(quoteIdentifier);
  const parameters: unknown[] = [];
  for (const [index, key] of keys.entries()) {
    if (key.length !== keyColumns.length) {
      throw invalid(
        `DELETE on ${JSON.stringify(table)}: key ${index} has ${key.length} values for ${keyColumns.length} columns`,
      );
    }
    parameters.push(...key);
  }
  const where =
    quoted.length === 1
      ? `${quoted[0]} IN (${keys.map(() => '?').join(', ')})`
      : keys.map(() => `(${quoted.map((c) => `${c} = ?`).join(' AND ')})`).join(' OR ');
  return Object.freeze({
    sql: `DELETE FROM ${quoteIdentifier(table)} WHERE ${where}`,
    parameters: Object.freeze(parameters),
  });
}

/**
 * Changes the row whose key columns hold the row's key values, leaving a missing row missing
 * (`sink.insert.mode=update`). `values` has one value per column, key columns included.
 */
export function updateRow(
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
  values: readonly unknown[],
): CompiledQuery {
  const { sql, setIndexes, keyIndexes } = updateShape(table, columns, keyColumns);
  if (values.length !== columns.length) {
    throw invalid(`UPDATE on ${JSON.stringify(table)}: ${values.length} values for ${columns.length} columns`);
  }
  const parameters = [...setIndexes.map((i) => values[i]), ...keyIndexes.map((i) => values[i])];
  return Object.freeze({ sql, parameters: Object.freeze(parameters) });
}

/** What an UPDATE's text and parameter order depend on: built once per row layout, not per record. */
interface UpdateShape {
  readonly sql: string;
  readonly setIndexes: readonly number[];
  readonly keyIndexes: readonly number[];
}

// Keyed by the layout's column list (one array per layout, so entries go with their layouts).
const updateShapes = new WeakMap<readonly string[], Map<string, UpdateShape>>();

function updateShape(table: string, columns: readonly string[], keyColumns: readonly string[]): UpdateShape {
  let shapes = updateShapes.get(columns);
  if (shapes === undefined) {
    shapes = new Map();
    updateShapes.set(columns, shapes);
  }
  const cacheKey = JSON.stringify([table, keyColumns]);
  let shape = shapes.get(cacheKey);
  if (shape === undefined) {
    shape = buildUpdateShape(table, columns, keyColumns);
    shapes.set(cacheKey, shape);
  }
  return shape;
}

function buildUpdateShape(table: string, columns: readonly string[], keyColumns: readonly string[]): UpdateShape {
  checkKeyColumns('UPDATE', table, keyColumns);
  const keyIndexes = keyColumns.map((key) => {
    const index = columns.indexOf(key);
    if (index < 0)
      throw invalid(`UPDATE on ${JSON.stringify(table)}: key column ${JSON.stringify(key)} is not among the columns`);
    return index;
  });
  const setIndexes = columns.map((_, i) => i).filter((i) => !keyIndexes.includes(i));
  // A table of key columns only: assign the first key to itself, so the statement still reports the match.
  const set =
    setIndexes.length === 0
      ? `${quoteIdentifier(keyColumns[0]!)} = ${quoteIdentifier(keyColumns[0]!)}`
      : setIndexes.map((i) => `${quoteIdentifier(columns[i]!)} = ?`).join(', ');
  const where = keyColumns.map((key) => `${quoteIdentifier(key)} = ?`).join(' AND ');
  return { sql: `UPDATE ${quoteIdentifier(table)} SET ${set} WHERE ${where}`, setIndexes, keyIndexes };
}
