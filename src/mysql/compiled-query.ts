/** Shared shapes of the pure SQL layer. Everything here is data: no connection, no I/O. */

/** A statement ready for the driver: placeholders in `sql`, values in `parameters`. Always frozen. */
export interface CompiledQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export interface ColumnSpec {
  /** Column name exactly as in the table (unquoted). */
  readonly name: string;
  /** MySQL type text, e.g. `BIGINT`, `VARCHAR(255)`, `DECIMAL(10,2)`, `DATETIME(3)`, `JSON`. */
  readonly sqlType: string;
  readonly nullable: boolean;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** Column names of the primary key, if any. */
  readonly primaryKey?: readonly string[];
  /** Extra unique keys: key name → column names. */
  readonly uniqueKeys?: Readonly<Record<string, readonly string[]>>;
}

export function compiled(sql: string, parameters: readonly unknown[] = []): CompiledQuery {
  return Object.freeze({ sql, parameters: Object.freeze([...parameters]) });
}
