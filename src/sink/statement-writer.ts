import { SinkError, describeError } from '../core/errors.ts';
import type { DeadLetter, KafkaRecord, PreparedBatch } from '../core/records.ts';
import type { BulkConnection } from '../mysql/bulk-pool.ts';
import { DELETE_CHUNK, bulkInsertText, deleteRows, insertRows, updateRow, type InsertMode } from '../mysql/dml.ts';
import { isDataError, isDuplicateKey } from '../mysql/errno.ts';
import { execute, executeCounting, type PoolConnection } from '../mysql/pool.ts';
import { chunks, keyedByContent, valuesOf } from './batch-parts.ts';
import { planStatements, type Statement } from './operation-plan.ts';

/** `sink.insert.mode`: how a write meets an existing row. */
export type WriteMode = InsertMode | 'update';

/**
 * The statements of one batch inside its transaction (the transaction and the fence are the batch
 * writer's): inserts split in halves until a row the database rejects is isolated and dead-lettered,
 * deletes by key, and update mode's one UPDATE per record.
 */
export class StatementWriter {
  readonly #mode: WriteMode;
  readonly #tolerance: 'all' | 'none';
  readonly #updateMissing: 'skip' | 'dead_letter';

  constructor(mode: WriteMode, tolerance: 'all' | 'none', updateMissing: 'skip' | 'dead_letter') {
    this.#mode = mode;
    this.#tolerance = tolerance;
    this.#updateMissing = updateMissing;
  }

  /**
   * Writes the batch's operations on `connection`, inside the caller's transaction, after its fence.
   * `guarded` false: bulk chunks go without savepoints, and a rejected one throws `UnguardedReject`; the
   * caller rolls back and writes the batch again guarded (where rows are isolated).
   */
  async write(
    connection: PoolConnection,
    batch: PreparedBatch,
    rejected: DeadLetter[],
    counts: { rows: number; missing: number },
    guarded: boolean,
  ): Promise<void> {
    // Upsert: the last event per key decides, so the batch reduces to one operation per key.
    const plan = planStatements(batch.operations, this.#mode === 'upsert');
    for (const statement of plan.statements) {
      if (statement.kind === 'delete') counts.rows += await this.#delete(connection, statement);
      else if (this.#mode === 'update') await this.#update(connection, statement, rejected, counts);
      else
        counts.rows += await this.#insertIsolating(
          connection,
          statement,
          0,
          statement.operations.length,
          rejected,
          guarded,
        );
    }
  }

  /** Inserts operations [from, to) of a write statement, splitting on data errors; returns rows written. */
  async #insertIsolating(
    connection: PoolConnection,
    statement: Statement,
    from: number,
    to: number,
    rejected: DeadLetter[],
    guarded: boolean,
  ): Promise<number> {
    const { layout, operations } = statement;
    const mode = this.#mode as InsertMode;
    let written = 0;
    const bulk = 'bulkInsert' in connection ? (connection as BulkConnection) : undefined;
    for (const [start, end] of chunks(statement, from, to)) {
      try {
        const rows = valuesOf(operations, start, end);
        if (bulk === undefined) {
          await execute(
            connection,
            insertRows(layout.table, layout.columns, rows, mode, { keyColumns: layout.keyColumns }),
          );
        } else {
          // The connector may send one batch as several bulk commands (packet size, a value's type
          // changing), so a rejected chunk may be partly written. Guarded, a savepoint undoes the chunk
          // whole, as one text INSERT would; unguarded (almost every batch is clean, and this saves a
          // round trip per chunk), the caller rolls the transaction back and writes the batch guarded.
          if (guarded) await bulk.query(SAVEPOINT);
          try {
            await bulk.bulkInsert(bulkInsertText(layout.table, layout.columns, mode, layout.keyColumns), rows);
          } catch (error) {
            if (isDataError(error) || isDuplicateKey(error)) {
              if (!guarded) throw new UnguardedReject(error);
              await bulk.query(ROLLBACK_TO_SAVEPOINT);
            }
            throw error;
          }
        }
        written += end - start;
      } catch (error) {
        if (!isDataError(error) && !(isDuplicateKey(error) && keyedByContent(layout))) throw error;
        if (end - start === 1) {
          this.#reject(
            operations[start]!.record,
            'VALUE_REJECTED',
            `database rejected the row: ${describeError(error)}`,
            rejected,
          );
          continue;
        }
        const middle = start + Math.ceil((end - start) / 2);
        written += await this.#insertIsolating(connection, statement, start, middle, rejected, guarded);
        written += await this.#insertIsolating(connection, statement, middle, end, rejected, guarded);
      }
    }
    return written;
  }

  /** Deletes by key; a key with no row is already in the state the tombstone asks for. */
  async #delete(connection: PoolConnection, statement: Statement): Promise<number> {
    const { layout, operations } = statement;
    let deleted = 0;
    for (let start = 0; start < operations.length; start += DELETE_CHUNK) {
      const keys = operations.slice(start, start + DELETE_CHUNK).map((operation) => operation.values);
      deleted += await executeCounting(connection, deleteRows(layout.table, layout.keyColumns, keys));
    }
    return deleted;
  }

  /** Update mode: one UPDATE per record, so a missing row is seen per record (skipped or dead-lettered). */
  async #update(
    connection: PoolConnection,
    statement: Statement,
    rejected: DeadLetter[],
    counts: { rows: number; missing: number },
  ): Promise<void> {
    const { layout } = statement;
    for (const operation of statement.operations) {
      let matched: number;
      try {
        matched = await executeCounting(
          connection,
          updateRow(layout.table, layout.columns, layout.keyColumns, operation.values),
        );
      } catch (error) {
        if (!isDataError(error)) throw error;
        this.#reject(
          operation.record,
          'VALUE_REJECTED',
          `database rejected the row: ${describeError(error)}`,
          rejected,
        );
        continue;
      }
      if (matched > 0) {
        counts.rows++;
      } else if (this.#updateMissing === 'skip') {
        counts.missing++;
      } else {
        const key = layout.keyIndexes.map((i) => `${layout.columns[i]}=${String(operation.values[i])}`).join(', ');
        this.#reject(
          operation.record,
          'UPDATE_MISSING',
          `no row with key (${key}) to update (sink.insert.mode=update, sink.update.missing=dead_letter)`,
          rejected,
        );
      }
    }
  }

  #reject(record: KafkaRecord, kind: string, message: string, rejected: DeadLetter[]): void {
    if (this.#tolerance === 'none') {
      throw new RecordHalt(
        record.offset,
        `record ${record.topic}/${record.partition}@${record.offset} not written (${kind}: ${message}); ` +
          'errors.tolerance=none stops this partition',
      );
    }
    rejected.push({ record, kind, message });
  }
}

const SAVEPOINT = 'SAVEPOINT kms_chunk';
const ROLLBACK_TO_SAVEPOINT = 'ROLLBACK TO SAVEPOINT kms_chunk';

/**
 * A bulk chunk without a savepoint was rejected: part of it may be written (the connector can split a
 * batch into several commands), so only a rollback of the whole transaction undoes it.
 */
export class UnguardedReject extends Error {
  constructor(cause: unknown) {
    super(`a bulk chunk was rejected without a savepoint: ${describeError(cause)}`, { cause });
  }
}

/** errors.tolerance=none: the database refused the record at `offset`; the partition stops there. */
export class RecordHalt extends SinkError {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super('VALUE_REJECTED', message);
    this.offset = offset;
  }
}
