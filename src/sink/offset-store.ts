import type { PartitionRef } from '../core/records.ts';
import { selectTableExists } from '../mysql/catalog-sql.ts';
import * as offsetSql from '../mysql/offset-sql.ts';
import { execute, executeCounting, selectRows, type Pool, type PoolConnection } from '../mysql/pool.ts';

/**
 * `kafka_offsets` is the only record of progress (docs/exactly-once.md): offset = next offset to read.
 * Every batch moves it inside its own transaction, fenced by `lockAndRead`.
 */
export class OffsetStore {
  readonly #pool: Pool;
  readonly #offsetsTable: string;
  readonly #deadLettersTable: string;

  constructor(pool: Pool, offsetsTable: string, deadLettersTable: string) {
    this.#pool = pool;
    this.#offsetsTable = offsetsTable;
    this.#deadLettersTable = deadLettersTable;
  }

  /**
   * Creates the two tables when missing. An existing table is not "created if not exists" again: that
   * statement needs the CREATE privilege even when it does nothing, and a sink user without DDL rights
   * (tables made by `kms provision` as an administrator, docs/security.md) must still start.
   */
  async ensureTables(): Promise<void> {
    if (!(await this.#exists(this.#offsetsTable)))
      await execute(this.#pool, offsetSql.createOffsetsTable(this.#offsetsTable));
    if (!(await this.#exists(this.#deadLettersTable)))
      await execute(this.#pool, offsetSql.createDeadLettersTable(this.#deadLettersTable));
  }

  async #exists(table: string): Promise<boolean> {
    return (await selectRows(this.#pool, selectTableExists(table))).length > 0;
  }

  /** Creates the partition's row at `earliest` when it has none, then returns the stored offset. */
  async claim(ref: PartitionRef, earliest: number): Promise<number> {
    await execute(
      this.#pool,
      offsetSql.insertOffsetIfAbsent(ref.topic, ref.partition, ref.group, earliest, this.#offsetsTable),
    );
    const stored = await this.read(ref);
    if (stored === undefined)
      throw new Error(`offset row for ${ref.topic}/${ref.partition} vanished right after it was created`);
    return stored;
  }

  async read(ref: PartitionRef, connection: Pool | PoolConnection = this.#pool): Promise<number | undefined> {
    const rows = await selectRows(
      connection,
      offsetSql.selectOffset(ref.topic, ref.partition, ref.group, this.#offsetsTable),
    );
    return rows[0] === undefined ? undefined : Number(rows[0].offset);
  }

  /** Locks the partition's row for the rest of the transaction and reads it (where a fenced batch goes on from). */
  async lockAndRead(connection: PoolConnection, ref: PartitionRef): Promise<number | undefined> {
    const rows = await selectRows(
      connection,
      offsetSql.selectOffsetForUpdate(ref.topic, ref.partition, ref.group, this.#offsetsTable),
    );
    return rows[0] === undefined ? undefined : Number(rows[0].offset);
  }

  /**
   * Moves the offset from `expected` to `nextOffset`; false when another writer moved it first. In a batch's
   * transaction this is the fence: it keeps the row locked until the transaction ends, and false means roll back.
   */
  async moveFrom(
    connection: Pool | PoolConnection,
    ref: PartitionRef,
    expected: number,
    nextOffset: number,
  ): Promise<boolean> {
    const matched = await executeCounting(
      connection,
      offsetSql.updateOffsetIfAt(ref.topic, ref.partition, ref.group, expected, nextOffset, this.#offsetsTable),
    );
    return matched === 1;
  }

  /** Moves the offset from `from` to `to` only if nobody moved it meanwhile (retention gap handling). */
  async moveIfUnchanged(ref: PartitionRef, from: number, to: number): Promise<boolean> {
    // On the pool the one statement autocommits: it is its own transaction.
    return this.moveFrom(this.#pool, ref, from, to);
  }

  async insertDeadLetters(connection: PoolConnection, rows: readonly offsetSql.DeadLetterRow[]): Promise<void> {
    if (rows.length === 0) return;
    await execute(connection, offsetSql.insertDeadLetters(rows, this.#deadLettersTable));
  }
}
