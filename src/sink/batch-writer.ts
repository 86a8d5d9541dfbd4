import type { SinkError } from '../core/errors.ts';
import type { DeadLetter, PartitionRef, PreparedBatch } from '../core/records.ts';
import type { BulkPool } from '../mysql/bulk-pool.ts';
import { isTransientDbError } from '../mysql/errno.ts';
import type { Pool, PoolConnection } from '../mysql/pool.ts';
import { deadLetterRow } from './batch-parts.ts';
import type { OffsetStore } from './offset-store.ts';
import { RecordHalt, StatementWriter, UnguardedReject, type WriteMode } from './statement-writer.ts';

export type { WriteMode } from './statement-writer.ts';

export type CommitResult =
  | {
      readonly kind: 'committed';
      readonly nextOffset: number;
      /** Rows inserted, replaced, changed or deleted. */
      readonly rows: number;
      readonly deadLetters: number;
      /** Update mode only: records whose row did not exist, skipped (`sink.update.missing=skip`). */
      readonly missing?: number;
      /** Rows the database refused, dead-lettered in this transaction (absent when none). */
      readonly rejected?: readonly DeadLetter[];
      /** errors.tolerance=none: what came before this record's error was committed; stop the partition. */
      readonly halt?: SinkError;
    }
  | { readonly kind: 'fenced'; readonly stored: number | undefined };

export interface WriterOptions {
  /** `sink.update.missing`: a record whose row does not exist in update mode. */
  readonly updateMissing?: 'skip' | 'dead_letter';
  /**
   * `mysql.write.protocol=bulk`: opens the bulk pool (undefined when the server cannot: text is used).
   * Called once, on the first batch; update mode always uses the text protocol (it counts matched rows).
   */
  readonly openBulk?: () => Promise<BulkPool | undefined>;
}

/**
 * One batch = one transaction (docs/exactly-once.md): move the partition's offset row to last + 1 only
 * if it still holds what this pipeline last committed (the fence, which locks the row), write the rows
 * and dead letters, commit. A value the database rejects is isolated by splitting the statement (strict
 * mode rolls back only the failing statement) and dead-lettered in the same transaction.
 */
export class BatchWriter {
  readonly #pool: Pool;
  readonly #offsets: OffsetStore;
  readonly #mode: WriteMode;
  readonly #statements: StatementWriter;
  readonly #openBulk: (() => Promise<BulkPool | undefined>) | undefined;
  #bulk: Promise<BulkPool | undefined> | undefined;

  constructor(
    pool: Pool,
    offsets: OffsetStore,
    mode: WriteMode,
    tolerance: 'all' | 'none',
    options: WriterOptions = {},
  ) {
    this.#pool = pool;
    this.#offsets = offsets;
    this.#mode = mode;
    this.#statements = new StatementWriter(mode, tolerance, options.updateMissing ?? 'skip');
    this.#openBulk = mode === 'update' ? undefined : options.openBulk;
  }

  /** The bulk pool, if any: opened on first use; a failed open is retried on the next batch. */
  async #bulkPool(): Promise<BulkPool | undefined> {
    if (this.#openBulk === undefined) return undefined;
    this.#bulk ??= this.#openBulk().catch((error: unknown) => {
      this.#bulk = undefined;
      throw error;
    });
    return this.#bulk;
  }

  /**
   * Opens the bulk pool now, in the background (at start-up, while the consumers join their groups); a
   * failure is left to the first batch, which opens it again and retries like any database error.
   */
  openProtocol(): void {
    this.#bulkPool().catch(() => {});
  }

  /** Closes the bulk pool (the text pool belongs to the caller). */
  async close(): Promise<void> {
    const bulk = this.#bulk;
    this.#bulk = undefined;
    await (await bulk?.catch(() => undefined))?.end().catch(() => {});
  }

  /** Which protocol batches use: known after the first batch ('text' until then). */
  async protocol(): Promise<'text' | 'bulk'> {
    return (await this.#bulk?.catch(() => undefined)) === undefined ? 'text' : 'bulk';
  }

  /**
   * With errors.tolerance=none a record the database refuses rolls the transaction back; the records
   * before it are then committed on their own, and the result carries the error that stops the partition.
   */
  async commit(ref: PartitionRef, expected: number, batch: PreparedBatch): Promise<CommitResult> {
    try {
      return await this.#commitOnce(ref, expected, batch);
    } catch (error) {
      if (!(error instanceof RecordHalt) || error.offset <= expected) throw error;
      const operations = batch.operations.filter((o) => o.record.offset < error.offset);
      const before: PreparedBatch = {
        operations,
        deadLetters: batch.deadLetters.filter((d) => d.record.offset < error.offset),
        count: operations.length,
        lastOffset: error.offset - 1,
      };
      const result = await this.#commitOnce(ref, expected, before);
      return result.kind === 'committed' ? { ...result, halt: error } : result;
    }
  }

  /** `guarded`: bulk chunks behind savepoints (a re-run after a rejected chunk, where rows are isolated). */
  async #commitOnce(ref: PartitionRef, expected: number, batch: PreparedBatch, guarded = false): Promise<CommitResult> {
    const bulk = await this.#bulkPool();
    const connection: PoolConnection =
      bulk === undefined ? await this.#pool.getConnection() : await bulk.getConnection();
    let healthy = true;
    const nextOffset = batch.lastOffset + 1;
    try {
      await connection.beginTransaction();
      // The fence first: the offset row is locked and moved only if it still holds `expected`. Each
      // statement waits for the previous answer: rows sent behind an unanswered fence (pipelined) hung
      // the mariadb connector when connections were killed mid-batch (docs/benchmarks.md, session 8).
      if (!(await this.#offsets.moveFrom(connection, ref, expected, nextOffset)))
        return await this.#fenced(connection, ref);
      const rejected: DeadLetter[] = [];
      const counts = { rows: 0, missing: 0 };
      await this.#statements.write(connection, batch, rejected, counts, guarded);
      const { rows, missing } = counts;
      const deadLetters = [...batch.deadLetters, ...rejected];
      await this.#offsets.insertDeadLetters(
        connection,
        deadLetters.map((d) => deadLetterRow(ref, d)),
      );
      await connection.commit();
      return {
        kind: 'committed',
        nextOffset,
        rows,
        deadLetters: deadLetters.length,
        ...(this.#mode === 'update' ? { missing } : {}),
        ...(rejected.length > 0 ? { rejected } : {}),
        ...(batch.halt === undefined ? {} : { halt: batch.halt }),
      };
    } catch (error) {
      healthy = !isTransientDbError(error);
      await connection.rollback().catch(() => {
        healthy = false;
      });
      // After a rejected unguarded chunk the batch goes again (below); a connection whose rollback failed
      // is destroyed, which ends its transaction on the server too.
      if (!(error instanceof UnguardedReject)) throw error;
    } finally {
      // A connection that failed mid-protocol may hold a half-open transaction: never reuse it.
      if (healthy) connection.release();
      else connection.destroy();
    }
    // Rolled back after an unguarded chunk was rejected: the same batch again, with its rows isolated.
    return this.#commitOnce(ref, expected, batch, true);
  }

  /** Another writer moved the offset: nothing of this batch stays; the stored offset says where to go on. */
  async #fenced(connection: PoolConnection, ref: PartitionRef): Promise<CommitResult> {
    const stored = await this.#offsets.lockAndRead(connection, ref);
    await connection.rollback();
    return { kind: 'fenced', stored };
  }
}
