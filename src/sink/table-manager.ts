import { SinkError, describeError } from '../core/errors.ts';
import { addColumn, createTable, modifyColumnType } from '../mysql/ddl.ts';
import type { ColumnSpec, TableSpec } from '../mysql/compiled-query.ts';
import type { ColumnModel } from '../mysql/column-model.ts';
import { selectColumns, selectPrimaryKey } from '../mysql/catalog-sql.ts';
import { queryArgs, selectRows, type Pool } from '../mysql/pool.ts';

export interface TableManagerOptions {
  readonly autoCreate: boolean;
  readonly autoEvolve: boolean;
  readonly provenance: boolean;
  /** `sink.pk.fields`; empty: the Kafka coordinates are the key (with provenance columns). */
  readonly pkFields?: readonly string[];
}

interface ExistingColumn {
  readonly type: string;
  readonly nullable: boolean;
}

/** Widening changes that keep every existing value: Avro's int→long and float→double promotions. */
const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  int: ['bigint'],
  float: ['double'],
};

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

  ensure(table: string, model: ColumnModel): Promise<void> {
    const key = `${table}\u0000${model.fingerprint}`;
    let ready = this.#ready.get(key);
    if (ready === undefined) {
      ready = this.#locked(table, () => this.#reconcile(table, model));
      this.#ready.set(key, ready);
      ready.catch(() => this.#ready.delete(key));
    }
    return ready;
  }

  async #reconcile(table: string, model: ColumnModel): Promise<void> {
    let existing = await this.#columns(table);
    if (existing.size === 0) {
      if (!this.#options.autoCreate) {
        throw new SinkError('DB_FATAL', `table \`${table}\` does not exist; create it or set sink.auto.create=true`);
      }
      await this.#pool.query(
        ...queryArgs(createTable(tableSpec(table, model, this.#options.provenance, this.#options.pkFields))),
      );
      existing = await this.#columns(table);
    } else if ((this.#options.pkFields ?? []).length > 0) {
      await this.#checkPrimaryKey(table, this.#options.pkFields!);
    }
    for (const column of model.columns) {
      const found = existing.get(column.name.toLowerCase());
      if (found === undefined) {
        this.#requireEvolve(table, `has no column \`${column.name}\``);
        await this.#tolerateRace(() => this.#pool.query(...queryArgs(addColumn(table, { ...column, nullable: true }))));
      } else if (
        found.type !== baseType(column.sqlType) &&
        PROMOTIONS[found.type]?.includes(baseType(column.sqlType))
      ) {
        this.#requireEvolve(table, `column \`${column.name}\` is ${found.type}, the schema needs ${column.sqlType}`);
        await this.#pool.query(...queryArgs(modifyColumnType(table, { ...column, nullable: found.nullable })));
      }
    }
  }

  /** An upsert on a table keyed differently would match rows on the wrong columns: refuse it. */
  async #checkPrimaryKey(table: string, pkFields: readonly string[]): Promise<void> {
    const rows = await selectRows(this.#pool, selectPrimaryKey(table));
    const existing = rows.map((row) => String(row.name));
    if (existing.map((c) => c.toLowerCase()).join('\u0000') !== pkFields.map((c) => c.toLowerCase()).join('\u0000')) {
      throw new SinkError(
        'DB_FATAL',
        `table \`${table}\` has primary key (${existing.join(', ') || 'none'}), but sink.pk.fields is (${pkFields.join(', ')}); alter the table or change sink.pk.fields`,
      );
    }
  }

  #requireEvolve(table: string, problem: string): void {
    if (!this.#options.autoEvolve) {
      throw new SinkError('DB_FATAL', `table \`${table}\` ${problem}; alter it or set sink.auto.evolve=true`);
    }
  }

  /** Another instance may add the same column first: error 1060 (duplicate column) means done. */
  async #tolerateRace(ddl: () => Promise<unknown>): Promise<void> {
    try {
      await ddl();
    } catch (error) {
      if ((error as { errno?: number }).errno !== 1060) {
        throw new SinkError('DB_FATAL', `schema change failed: ${describeError(error)}`, { cause: error });
      }
    }
  }

  async #columns(table: string): Promise<Map<string, ExistingColumn>> {
    const rows = await selectRows(this.#pool, selectColumns(table));
    return new Map(
      rows.map((row) => [
        String(row.name).toLowerCase(),
        { type: String(row.type).toLowerCase(), nullable: row.nullable === 'YES' },
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

export function tableSpec(
  table: string,
  model: ColumnModel,
  provenance: boolean,
  pkFields: readonly string[] = [],
): TableSpec {
  const columns: ColumnSpec[] = model.columns.map(({ name, sqlType, nullable }) => ({ name, sqlType, nullable }));
  const coordinates = ['_kafka_partition', '_kafka_offset'];
  // Kafka coordinates are the natural key of an appended record: a second copy of one cannot exist.
  if (pkFields.length === 0)
    return provenance ? { name: table, columns, primaryKey: coordinates } : { name: table, columns };
  for (const field of pkFields) {
    const column = columns.find((c) => c.name === field);
    if (column === undefined) {
      throw new SinkError(
        'SCHEMA_INVALID',
        `sink.pk.fields names ${JSON.stringify(field)}, which the record schema of table \`${table}\` does not have; fix sink.pk.fields`,
      );
    }
    if (column.nullable) {
      throw new SinkError(
        'SCHEMA_INVALID',
        `sink.pk.fields names ${JSON.stringify(field)}, which is nullable in the record schema of table \`${table}\`; a key field must always have a value`,
      );
    }
  }
  // Keyed by the record's own fields; the coordinates stay unique (each row is one record's version).
  return provenance
    ? { name: table, columns, primaryKey: pkFields, uniqueKeys: { kafka_position: coordinates } }
    : { name: table, columns, primaryKey: pkFields };
}

function baseType(sqlType: string): string {
  return sqlType.toLowerCase().replace(/\(.*$/, '');
}
