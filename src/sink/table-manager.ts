import { SinkError, describeError } from '../core/errors.ts';
import type { PkMode } from '../config/index.ts';
import { addColumn, createTable, modifyColumnType } from '../mysql/ddl.ts';
import type { ColumnModel } from '../mysql/column-model.ts';
import { selectColumn, selectColumns, selectPrimaryKey } from '../mysql/catalog-sql.ts';
import { columnChange, longerStringType } from '../mysql/column-compat.ts';
import { isStringColumnType, stringTypeHolds, widerStringType } from '../mysql/column-types.ts';
import { normalizeSqlType } from '../mysql/ddl.ts';
import { isDuplicateColumn } from '../mysql/errno.ts';
import { execute, selectRows, type Pool } from '../mysql/pool.ts';
import { tableSpecForPkMode } from '../mysql/table-spec.ts';

export interface TableManagerOptions {
  readonly autoCreate: boolean;
  readonly autoEvolve: boolean;
  readonly provenance: boolean;
  /** `sink.pk.mode` as applied; unset: record_value with pkFields, else kafka / none by `provenance`. */
  readonly pkMode?: PkMode;
  /** `sink.pk.fields` (record_value: the key's value fields). */
  readonly pkFields?: readonly string[];
  /** Check the primary key of an existing table in kafka mode (it matters only when rows are matched by key). */
  readonly checkKafkaKey?: boolean;
}

/** What a table is made from: a model's columns, its fingerprint and, keyed on the record key, its key columns. */
export interface TableModel extends Pick<ColumnModel, 'columns' | 'fingerprint'> {
  readonly keyColumns?: readonly string[];
}

const COORDINATES: readonly string[] = ['_kafka_partition', '_kafka_offset'];

interface ExistingColumn {
  readonly name: string;
  /** DATA_TYPE, lower case. */
  readonly type: string;
  /** COLUMN_TYPE, e.g. `varchar(255)`. */
  readonly columnType: string;
  readonly nullable: boolean;
  readonly key: string;
  readonly hasDefault: boolean;
}

/**
 * Makes a table fit a writer schema before any batch using that schema starts its transaction (DDL
 * commits implicitly in MySQL, so it must never run inside a batch). Creates the table when missing,
 * adds columns for new fields (nullable: existing rows have no value) and widens promoted types.
 * One check per (table, schema): later batches with the same schema skip straight to the insert.
 */
export class TableManager {
  readonly #pool: Pool;
  readonly #options: TableManagerOptions;
  readonly #ready = new Map<string, Promise<void>>();
  /** DDL on one table is serialised in-process; other instances are handled by re-reading on conflict. */
  readonly #tableLocks = new Map<string, Promise<unknown>>();

  constructor(pool: Pool, options: TableManagerOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  ensure(table: string, model: TableModel): Promise<void> {
    const key = `${table}\u0000${model.fingerprint}`;
    let ready = this.#ready.get(key);
    if (ready === undefined) {
      ready = this.#locked(table, () => this.#reconcile(table, model));
      this.#ready.set(key, ready);
      ready.catch(() => this.#ready.delete(key));
    }
    return ready;
  }

  /**
   * Whether deletes by these key columns can run on the table: false when it does not exist (nothing to
   * delete); a table keyed on other columns stops the partition like a write would.
   */
  deletable(table: string, keyColumns: readonly string[]): Promise<boolean> {
    const key = `${table}\u0000delete\u0000${keyColumns.join('\u0000')}`;
    let ready = this.#ready.get(key);
    if (ready === undefined) {
      ready = this.#locked(table, async () => {
        if ((await this.#columns(table)).size === 0) throw new TableAbsent();
        await this.#checkPrimaryKey(table, { mode: 'record_key', columns: keyColumns });
      });
      this.#ready.set(key, ready);
      // Not remembered when absent: a later batch may find the table created by then.
      ready.catch(() => this.#ready.delete(key));
    }
    return ready.then(
      () => true,
      (error: unknown) => {
        if (error instanceof TableAbsent) return false;
        throw error;
      },
    );
  }

  /** The key a table must have under the configured mode; undefined: any key will do. */
  #expectedKey(model: TableModel): { mode: PkMode; columns: readonly string[] } | undefined {
    const { provenance, pkFields = [], checkKafkaKey = false } = this.#options;
    const mode = this.#options.pkMode ?? (pkFields.length > 0 ? 'record_value' : provenance ? 'kafka' : 'none');
    if (mode === 'record_key') return { mode, columns: model.keyColumns ?? [] };
    if (mode === 'record_value') return { mode, columns: pkFields };
    if (mode === 'kafka' && checkKafkaKey) return { mode, columns: COORDINATES };
    return undefined;
  }

  async #reconcile(table: string, model: TableModel): Promise<void> {
    let existing = await this.#columns(table);
    const expected = this.#expectedKey(model);
    if (existing.size === 0) {
      if (!this.#options.autoCreate) {
        throw new SinkError('DB_FATAL', `table \`${table}\` does not exist; create it or set sink.auto.create=true`);
      }
      await execute(this.#pool, createTable(tableSpecForPkMode(table, model, this.#options)));
      existing = await this.#columns(table);
    } else if (expected !== undefined) {
      await this.#checkPrimaryKey(table, expected);
    }
    for (const column of model.columns) {
      const found = existing.get(column.name.toLowerCase());
      if (found === undefined) {
        this.#requireEvolve(table, `has no column \`${column.name}\``);
        // The field's default also fills the rows before it, and later records of older schemas.
        await this.#tolerateRace(() =>
          execute(this.#pool, addColumn(table, { ...column, nullable: true }, column.defaultValue)),
        );
        continue;
      }
      const change = columnChange(found.type, column.sqlType);
      if (change === 'incompatible') {
        throw new SinkError(
          'DB_FATAL',
          `table \`${table}\` column \`${column.name}\` is ${found.columnType}, but a record schema makes it ` +
            `${column.sqlType}: an incompatible change no table change can follow; migrate the table or use a new topic`,
        );
      }
      const longer = found.key === 'PRI' ? undefined : longerStringType(canonical(found.columnType), column.sqlType);
      if (change === 'widen' || longer !== undefined) {
        this.#requireEvolve(
          table,
          `column \`${column.name}\` is ${found.columnType}, the schema needs ${column.sqlType}`,
        );
        await execute(this.#pool, modifyColumnType(table, { ...column, nullable: found.nullable }));
      }
    }
    await this.#relaxDropped(table, model, existing);
  }

  /**
   * A field the schema dropped keeps its column; a NOT NULL one without a default would refuse every
   * later record, so it becomes nullable (later rows hold NULL there).
   */
  async #relaxDropped(table: string, model: TableModel, existing: Map<string, ExistingColumn>): Promise<void> {
    const present = new Set(model.columns.map((column) => column.name.toLowerCase()));
    for (const [name, found] of existing) {
      if (present.has(name) || found.nullable || found.hasDefault || found.key === 'PRI') continue;
      this.#requireEvolve(table, `column \`${found.name}\` is NOT NULL, and the record schema has no such field`);
      let sqlType: string;
      try {
        // COLUMN_TYPE keeps display widths (int(11)) the allow-list does not take.
        sqlType = normalizeSqlType(found.columnType.replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)$/i, '$1'));
      } catch {
        throw new SinkError(
          'DB_FATAL',
          `table \`${table}\` column \`${found.name}\` (${found.columnType}) is NOT NULL, and the record schema has ` +
            'no such field; make the column nullable or give it a default',
        );
      }
      await execute(this.#pool, modifyColumnType(table, { name: found.name, sqlType, nullable: true }));
    }
  }

  /**
   * sink.auto.evolve for data: widens string column `column` so that a value of `chars` characters and
   * `bytes` bytes fits (VARCHAR/CHAR → TEXT → MEDIUMTEXT → LONGTEXT). Returns the column's type once it
   * holds the value (maybe widened before, by another instance or run), undefined when it must not change:
   * evolution is off, it is a key column (TEXT cannot be indexed), or it is not a string column.
   */
  widen(table: string, column: string, chars: number, bytes: number): Promise<string | undefined> {
    if (!this.#options.autoEvolve) return Promise.resolve(undefined);
    return this.#locked(table, async () => {
      const [found] = await selectRows(this.#pool, selectColumn(table, column));
      if (found === undefined || found.key === 'PRI') return undefined;
      let current: string;
      try {
        current = normalizeSqlType(String(found.type));
      } catch {
        return undefined; // a type of the user's own, outside the sink's list: leave it alone
      }
      if (!isStringColumnType(current)) return undefined;
      if (stringTypeHolds(current, chars, bytes)) return current;
      const wider = widerStringType(bytes);
      const nullable = found.nullable === 'YES';
      await execute(this.#pool, modifyColumnType(table, { name: column, sqlType: wider, nullable }));
      return wider;
    });
  }

  /** An upsert on a table keyed differently would match rows on the wrong columns: refuse it. */
  async #checkPrimaryKey(table: string, expected: { mode: PkMode; columns: readonly string[] }): Promise<void> {
    const rows = await selectRows(this.#pool, selectPrimaryKey(table));
    const existing = rows.map((row) => String(row.name));
    const { mode, columns } = expected;
    if (existing.map((c) => c.toLowerCase()).join('\u0000') !== columns.map((c) => c.toLowerCase()).join('\u0000')) {
      const wanted =
        mode === 'record_value'
          ? `sink.pk.fields is (${columns.join(', ')}); alter the table or change sink.pk.fields`
          : mode === 'record_key'
            ? `the record key (sink.pk.mode=record_key) gives (${columns.join(', ')}); alter the table or change sink.pk.mode / sink.pk.fields`
            : `sink.pk.mode=kafka keys rows on (${columns.join(', ')}); alter the table or change sink.pk.mode`;
      throw new SinkError(
        'DB_FATAL',
        `table \`${table}\` has primary key (${existing.join(', ') || 'none'}), but ${wanted}`,
      );
    }
  }

  #requireEvolve(table: string, problem: string): void {
    if (!this.#options.autoEvolve) {
      throw new SinkError('DB_FATAL', `table \`${table}\` ${problem}; alter it or set sink.auto.evolve=true`);
    }
  }

  /** Another instance may add the same column first: a duplicate column error means done. */
  async #tolerateRace(ddl: () => Promise<unknown>): Promise<void> {
    try {
      await ddl();
    } catch (error) {
      if (!isDuplicateColumn(error)) {
        throw new SinkError('DB_FATAL', `schema change failed: ${describeError(error)}`, { cause: error });
      }
    }
  }

  async #columns(table: string): Promise<Map<string, ExistingColumn>> {
    const rows = await selectRows(this.#pool, selectColumns(table));
    return new Map(
      rows.map((row) => [
        String(row.name).toLowerCase(),
        {
          name: String(row.name),
          type: String(row.type).toLowerCase(),
          columnType: String(row.columnType),
          nullable: row.nullable === 'YES',
          key: String(row.key ?? ''),
          hasDefault: Number(row.hasDefault) === 1,
        },
      ]),
    );
  }

  async #locked<T>(table: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tableLocks.get(table) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.#tableLocks.set(table, next);
    return next;
  }
}

/** `deletable`'s verdict for a table that does not exist (kept apart from real failures). */
class TableAbsent extends Error {}

/** COLUMN_TYPE in the allow-list's spelling (`varchar(40)` → `VARCHAR(40)`); '' for types outside it. */
function canonical(columnType: string): string {
  try {
    return normalizeSqlType(columnType);
  } catch {
    return '';
  }
}
