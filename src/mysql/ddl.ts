/**
 * DDL for data tables. Types come from a closed allow-list and names from `quoteIdentifier`, so no
 * free text from a schema or a config file ever reaches a CREATE or ALTER statement.
 */
import { SinkError } from '../core/errors.ts';
import { quoteIdentifier } from './identifiers.ts';
import { compiled, type ColumnSpec, type CompiledQuery, type TableSpec } from './compiled-query.ts';
import { LARGE_OBJECT_TYPES, parseColumnType } from '../config/sql-column-type.ts';

/**
 * Binary collation: Kafka keys and topic names are case- and accent-sensitive, and the servers' default
 * `_ci` collations would make `Orders`/`orders` or `é`/`e` collide in primary keys. utf8mb4_bin exists on
 * both MariaDB and MySQL 8 (it is PAD SPACE: keys differing only in trailing spaces still collide).
 */
export const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

/**
 * Canonical spelling of an allowed column type (upper case, no blanks: `decimal( 10, 2 )` → `DECIMAL(10,2)`),
 * so callers can compare types; anything outside the allow-list (src/config/sql-column-type.ts) throws
 * SCHEMA_UNSUPPORTED.
 */
export function normalizeSqlType(sqlType: string): string {
  const parsed = parseColumnType(sqlType);
  if ('type' in parsed) return parsed.type;
  throw new SinkError(
    'SCHEMA_UNSUPPORTED',
    `Column type ${JSON.stringify(sqlType)} is not supported: ${parsed.problem}`,
  );
}

/** Explicit NULL for nullable columns: under explicit_defaults_for_timestamp=OFF a bare TIMESTAMP is NOT NULL. */
function columnDefinition(column: ColumnSpec): string {
  return `${quoteIdentifier(column.name)} ${normalizeSqlType(column.sqlType)} ${column.nullable ? 'NULL' : 'NOT NULL'}`;
}

function invalid(message: string): SinkError {
  return new SinkError('SCHEMA_INVALID', message);
}

/** Column names are case-insensitive in MySQL/MariaDB, so `Id` and `id` are one column (error 1060). */
function columnKey(name: string): string {
  return name.toLowerCase();
}

function keyColumnList(
  table: TableSpec,
  keyName: string,
  names: readonly string[],
  byName: ReadonlyMap<string, ColumnSpec>,
  primary: boolean,
): string {
  if (names.length === 0) throw invalid(`Table ${JSON.stringify(table.name)}: ${keyName} has no columns`);
  const seen = new Set<string>();
  for (const name of names) {
    const column = byName.get(columnKey(name));
    if (column === undefined) {
      throw invalid(
        `Table ${JSON.stringify(table.name)}: ${keyName} names column ${JSON.stringify(name)}, which the table does not have`,
      );
    }
    if (seen.has(columnKey(name))) {
      throw invalid(`Table ${JSON.stringify(table.name)}: ${keyName} names column ${JSON.stringify(name)} twice`);
    }
    seen.add(columnKey(name));
    // The server would silently make it NOT NULL; a record with a null key would then fail far from here.
    if (primary && column.nullable) {
      throw invalid(`Table ${JSON.stringify(table.name)}: primary key column ${JSON.stringify(name)} is nullable`);
    }
    if (LARGE_OBJECT_TYPES.has(normalizeSqlType(column.sqlType))) {
      throw new SinkError(
        'SCHEMA_UNSUPPORTED',
        `Table ${JSON.stringify(table.name)}: ${keyName} column ${JSON.stringify(name)} has type ${column.sqlType}, ` +
          'which cannot be indexed without a prefix length',
      );
    }
  }
  return names.map(quoteIdentifier).join(', ');
}

/**
 * The one CREATE TABLE layout of the product (also used for the bookkeeping tables):
 * one definition per line, two-space indent, table options on the closing line.
 */
export function createTableText(quotedTable: string, definitions: readonly string[]): string {
  return `CREATE TABLE IF NOT EXISTS ${quotedTable} (\n  ${definitions.join(',\n  ')}\n) ${TABLE_OPTIONS}`;
}

export function createTable(spec: TableSpec): CompiledQuery {
  const table = quoteIdentifier(spec.name);
  if (spec.columns.length === 0) throw invalid(`Table ${JSON.stringify(spec.name)} has no columns`);
  const byName = new Map<string, ColumnSpec>();
  const definitions: string[] = [];
  for (const column of spec.columns) {
    if (byName.has(columnKey(column.name))) {
      throw invalid(
        `Table ${JSON.stringify(spec.name)} has column ${JSON.stringify(column.name)} twice (names are case-insensitive)`,
      );
    }
    byName.set(columnKey(column.name), column);
    definitions.push(columnDefinition(column));
  }
  if (spec.primaryKey !== undefined && spec.primaryKey.length > 0) {
    definitions.push(`PRIMARY KEY (${keyColumnList(spec, 'primary key', spec.primaryKey, byName, true)})`);
  }
  for (const [keyName, names] of Object.entries(spec.uniqueKeys ?? {})) {
    // PRIMARY is reserved for the primary key (error 1280), whatever its case.
    if (keyName.toUpperCase() === 'PRIMARY')
      throw invalid(`Table ${JSON.stringify(spec.name)}: a unique key cannot be named ${keyName}`);
    const keyText = quoteIdentifier(keyName);
    definitions.push(
      `UNIQUE KEY ${keyText} (${keyColumnList(spec, `unique key ${JSON.stringify(keyName)}`, names, byName, false)})`,
    );
  }
  return compiled(createTableText(table, definitions));
}

/**
 * Without a DEFAULT: existing rows get NULL, or the type's implicit zero value when NOT NULL. Defaults are
 * literals that cannot be bound, so backfilling an Avro default is the caller's job (an UPDATE with `?`).
 * Not `ADD COLUMN IF NOT EXISTS`: MySQL 8 lacks it; a racing instance shows up as error 1060.
 */
export function addColumn(
  table: string,
  column: ColumnSpec,
  defaultValue?: { readonly value: unknown },
): CompiledQuery {
  const literal = defaultValue === undefined ? undefined : defaultLiteral(column.sqlType, defaultValue.value);
  const withDefault = literal === undefined ? '' : ` DEFAULT ${literal}`;
  return compiled(`ALTER TABLE ${quoteIdentifier(table)} ADD COLUMN ${columnDefinition(column)}${withDefault}`);
}

/**
 * A column default as SQL text (a DEFAULT cannot be bound). Only values whose text cannot escape the
 * literal: numbers, booleans, and strings without backslashes or control characters (quotes doubled, which
 * every sql_mode reads the same). Anything else has no DEFAULT: undefined.
 */
export function defaultLiteral(sqlType: string, value: unknown): string | undefined {
  if (LARGE_OBJECT_TYPES.has(normalizeSqlType(sqlType))) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (typeof value === 'string' && !/[\\\u0000-\u001f]/.test(value)) return `'${value.replaceAll("'", "''")}'`;
  return undefined;
}

/** MODIFY restates the whole definition: the nullability passed here replaces the column's current one. */
export function modifyColumnType(table: string, column: ColumnSpec): CompiledQuery {
  return compiled(`ALTER TABLE ${quoteIdentifier(table)} MODIFY COLUMN ${columnDefinition(column)}`);
}

export function createDatabase(name: string): CompiledQuery {
  return compiled(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(name)} CHARACTER SET utf8mb4`);
}

export function dropDatabase(name: string): CompiledQuery {
  return compiled(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
}

export function dropTable(name: string): CompiledQuery {
  return compiled(`DROP TABLE IF EXISTS ${quoteIdentifier(name)}`);
}
