import { SinkError, describeError } from '../core/errors.ts';
import { insertRows, type InsertMode } from '../mysql/dml.ts';
import type { DeadLetterRow } from '../mysql/offset-sql.ts';
import type { DeadLetter, KafkaRecord, PartitionRef, PreparedBatch, TableRows } from '../core/records.ts';
import { isDataError, isTransientDbError } from '../mysql/errno.ts';
import type { OffsetStore } from './offset-store.ts';
import { execute, type Pool, type PoolConnection } from '../mysql/pool.ts';

export type CommitResult =
  | {
      readonly kind: 'committed';
      readonly nextOffset: number;
      readonly rows: number;
      readonly deadLetters: number;
      /** Rows the database refused, dead-lettered in this transaction (absent when none). */
      readonly rejected?: readonly DeadLetter[];
    }
  | { readonly kind: 'fenced'; readonly stored: number | undefined };

/** Largest INSERT we send, in estimated bytes: far below MySQL's default 16-64 MB max_allowed_packet. */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * One batch = one transaction (docs/exactly-once.md): lock the partition's offset row, check it
 * still holds what this pipeline last committed, insert the rows and dead letters, move the offset to
 * last + 1, commit. A value the database rejects is isolated by splitting the statement (strict mode
 * rolls back only the failing statement) and dead-lettered in the same transaction.
 */
export class BatchWriter {
  readonly #pool: Pool;
  readonly #offsets: OffsetStore;
  readonly #mode: InsertMode;
  readonly #tolerance: 'all' | 'none';
  /** Upsert leaves these out of its UPDATE list (`sink.pk.fields`). */
  readonly #keyColumns: readonly string[];

  constructor(
    pool: Pool,
    offsets: OffsetStore,
    mode: InsertMode,
    tolerance: 'all' | 'none',
    keyColumns: readonly string[] = [],
  ) {
    this.#pool = pool;
    this.#offsets = offsets;
    this.#mode = mode;
    this.#tolerance = tolerance;
    this.#keyColumns = mode === 'upsert' ? keyColumns : [];
  }

  async commit(ref: PartitionRef, expected: number, batch: PreparedBatch): Promise<CommitResult> {
    const connection = await this.#pool.getConnection();
    let healthy = true;
    try {
      await connection.beginTransaction();
      const stored = await this.#offsets.lockAndRead(connection, ref);
      if (stored !== expected) {
        await connection.rollback();
        return { kind: 'fenced', stored };
      }
      const rejected: DeadLetter[] = [];
      let rows = 0;
      for (const group of batch.tables)
        rows += await this.#insertIsolating(connection, group, 0, group.rows.length, rejected);
      const deadLetters = [...batch.deadLetters, ...rejected];
      await this.#offsets.insertDeadLetters(
        connection,
        deadLetters.map((d) => deadLetterRow(ref, d)),
      );
      const nextOffset = batch.lastOffset + 1;
      await this.#offsets.advance(connection, ref, nextOffset);
      await connection.commit();
      return {
        kind: 'committed',
        nextOffset,
        rows,
        deadLetters: deadLetters.length,
        ...(rejected.length > 0 ? { rejected } : {}),
      };
    } catch (error) {
      healthy = !isTransientDbError(error);
      await connection.rollback().catch(() => {
        healthy = false;
      });
      throw error;
    } finally {
      // A connection that failed mid-protocol may hold a half-open transaction: never reuse it.
      if (healthy) connection.release();
      else connection.destroy();
    }
  }

  /** Inserts rows [from, to) of a group, splitting on data errors; returns rows written. */
  async #insertIsolating(
    connection: PoolConnection,
    group: TableRows,
    from: number,
    to: number,
    rejected: DeadLetter[],
  ): Promise<number> {
    let written = 0;
    for (const [start, end] of chunks(group, from, to)) {
      try {
        const rows = group.rows.slice(start, end);
        await execute(
          connection,
          insertRows(group.table, group.columns, rows, this.#mode, { keyColumns: this.#keyColumns }),
        );
        written += end - start;
      } catch (error) {
        if (!isDataError(error)) throw error;
        if (end - start === 1) {
          const record = group.records[start]!;
          if (this.#tolerance === 'none') {
            throw new SinkError(
              'VALUE_REJECTED',
              `record ${record.topic}/${record.partition}@${record.offset} rejected by the database ` +
                `(${describeError(error)}); errors.tolerance=none stops this partition`,
            );
          }
          rejected.push({
            record,
            kind: 'VALUE_REJECTED',
            message: `database rejected the row: ${describeError(error)}`,
          });
          continue;
        }
        const middle = start + Math.ceil((end - start) / 2);
        written += await this.#insertIsolating(connection, group, start, middle, rejected);
        written += await this.#insertIsolating(connection, group, middle, end, rejected);
      }
    }
    return written;
  }
}

/** Splits [from, to) so that no statement grows past MAX_STATEMENT_BYTES (raw Avro size as the estimate). */
function* chunks(group: TableRows, from: number, to: number): Generator<[number, number]> {
  let start = from;
  let bytes = 0;
  for (let i = from; i < to; i++) {
    const size = 2 * (group.records[i]!.value?.length ?? 0) + 16 * group.columns.length;
    if (i > start && bytes + size > MAX_STATEMENT_BYTES) {
      yield [start, i];
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < to) yield [start, to];
}

function deadLetterRow(ref: PartitionRef, letter: DeadLetter): DeadLetterRow {
  const record: KafkaRecord = letter.record;
  return {
    topic: ref.topic,
    partition: ref.partition,
    offset: record.offset,
    group: ref.group,
    key: record.key ?? null,
    value: record.value,
    timestamp: record.timestamp === undefined || record.timestamp < 0 ? null : new Date(record.timestamp),
    errorKind: letter.kind,
    errorMessage: letter.message,
  };
}
