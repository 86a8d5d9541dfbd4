/**
 * Replaying dead letters once their cause is fixed (schema registered, table altered): the raw bytes
 * kept in `kafka_dead_letters` are prepared like any record, then ONE transaction locks the dead letter,
 * inserts the row and deletes the dead letter. A second replay of the same dead letter waits on that lock
 * and then finds nothing, so a replay is exactly once too. A record that still can not be written keeps
 * its dead letter, and the replay says why.
 */
import { RegistryClient } from '../avro/registry-client.ts';
import { registryOptions } from '../avro/registry-options.ts';
import { groupIdFor, type SinkConfig, tableNameFor } from '../config/index.ts';
import { describeError, isSinkError } from '../core/errors.ts';
import type { KafkaRecord, PreparedBatch } from '../core/records.ts';
import {
  type DeadLetterFilter,
  deleteDeadLetter,
  selectDeadLetterForUpdate,
  selectDeadLetters,
} from '../mysql/dead-letter-sql.ts';
import { deleteRows, insertRows, updateRow } from '../mysql/dml.ts';
import { isDataError, isNoSuchTable } from '../mysql/errno.ts';
import { createPool, execute, type Pool, type ResultRow, selectRows } from '../mysql/pool.ts';
import { TableManager } from '../sink/table-manager.ts';
import { preparerOptionsOf, tableManagerOptionsOf } from './preparer-options.ts';
import { RecordPreparer } from './record-preparer.ts';

export interface DeadLetterSummary {
  readonly id: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly group: string;
  readonly reason: string;
  readonly message: string;
  readonly createdAt: string;
  readonly recordTimestamp: string | null;
  readonly keyBytes: number | null;
  readonly valueBytes: number | null;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface ReplayOutcome {
  readonly id: number;
  readonly where: string;
  /** replayed: row written, dead letter gone; failed: still poison, kept; gone: replayed meanwhile by someone else. */
  readonly result: 'replayed' | 'failed' | 'gone';
  readonly detail: string;
}

export function summaryOf(row: ResultRow): DeadLetterSummary {
  return {
    id: Number(row.id),
    topic: String(row.topic),
    partition: Number(row.partition),
    offset: Number(row.offset),
    group: String(row.group),
    reason: String(row.reason),
    message: String(row.message),
    createdAt: String(row.createdAt),
    recordTimestamp: row.recordTimestamp === null ? null : String(row.recordTimestamp),
    keyBytes: row.keyBytes === null ? null : Number(row.keyBytes),
    valueBytes: row.valueBytes === null ? null : Number(row.valueBytes),
  };
}

export class DeadLetterStore {
  readonly #config: SinkConfig;
  readonly #pool: Pool;
  readonly #tables: TableManager;
  readonly #registry: RegistryClient;
  readonly #preparers = new Map<string, RecordPreparer>();

  constructor(config: SinkConfig, pool: Pool = createPool(config)) {
    this.#config = config;
    this.#pool = pool;
    this.#tables = new TableManager(pool, tableManagerOptionsOf(config));
    this.#registry = new RegistryClient(registryOptions(config));
  }

  get pool(): Pool {
    return this.#pool;
  }

  async list(filter: DeadLetterFilter, limit: number): Promise<DeadLetterSummary[]> {
    const rows = await this.#select(
      selectDeadLetters(this.#config.sink.deadLetterTable, filter, { limit, order: 'offset' }),
    );
    return rows.map(summaryOf);
  }

  async show(id: number): Promise<DeadLetterDetail | undefined> {
    const rows = await this.#select(
      selectDeadLetters(this.#config.sink.deadLetterTable, { id }, { limit: 1, bytes: true }),
    );
    const row = rows[0];
    return row === undefined
      ? undefined
      : { ...summaryOf(row), key: (row.key as Buffer | null) ?? null, value: (row.value as Buffer | null) ?? null };
  }

  /** Replays one dead letter; never throws for the record's own faults, only for an unreachable service. */
  async replay(id: number): Promise<ReplayOutcome> {
    const letter = await this.show(id);
    if (letter === undefined) return { id, where: '?', result: 'gone', detail: `no dead letter with id ${id}` };
    const where = `${letter.topic}/${letter.partition}@${letter.offset}`;
    const failed = (detail: string): ReplayOutcome => ({ id, where, result: 'failed', detail });
    if (!this.#config.kafka.topics.includes(letter.topic))
      return failed(
        `topic ${letter.topic} is not in kafka.topics (${this.#config.kafka.topics.join(', ')}): its table is unknown`,
      );
    if (letter.group !== groupIdFor(this.#config, letter.topic))
      return failed(
        `written by group ${letter.group}, not this configuration's ${groupIdFor(this.#config, letter.topic)}`,
      );
    const record: KafkaRecord = {
      topic: letter.topic,
      partition: letter.partition,
      offset: letter.offset,
      timestamp:
        letter.recordTimestamp === null ? undefined : Date.parse(`${letter.recordTimestamp.replace(' ', 'T')}Z`),
      key: letter.key,
      value: letter.value,
    };
    let batch: PreparedBatch;
    try {
      batch = await this.#preparer(letter.topic).prepare([record]);
    } catch (error) {
      if (isSinkError(error) && !error.retriable)
        return failed(`still can not be written: ${describeError(error).replace(/; errors\.tolerance=none.*$/, '')}`);
      throw error;
    }
    return this.#commit(id, where, batch);
  }

  async #commit(id: number, where: string, batch: PreparedBatch): Promise<ReplayOutcome> {
    const connection = await this.#pool.getConnection();
    try {
      await connection.beginTransaction();
      const locked = await selectRows(connection, selectDeadLetterForUpdate(this.#config.sink.deadLetterTable, id));
      if (locked.length === 0) {
        await connection.rollback();
        return { id, where, result: 'gone', detail: 'replayed meanwhile by another replay; nothing written' };
      }
      const { insertMode } = this.#config.sink;
      for (const { kind, layout, values } of batch.operations) {
        const { table, columns, keyColumns } = layout;
        if (kind === 'delete') await execute(connection, deleteRows(table, keyColumns, [values]));
        else if (insertMode === 'update') await execute(connection, updateRow(table, columns, keyColumns, values));
        else await execute(connection, insertRows(table, columns, [values], insertMode, { keyColumns }));
      }
      await execute(connection, deleteDeadLetter(this.#config.sink.deadLetterTable, id));
      await connection.commit();
      const table = batch.operations[0]?.layout.table ?? tableNameFor(this.#config, where.split('/')[0]!);
      return { id, where, result: 'replayed', detail: `written to ${table}; dead letter removed` };
    } catch (error) {
      await connection.rollback().catch(() => {});
      if (isDataError(error))
        return { id, where, result: 'failed', detail: `still rejected by the database: ${describeError(error)}` };
      throw error;
    } finally {
      connection.release();
    }
  }

  /** No dead-letter table yet (nothing provisioned, no sink run): no dead letters. */
  async #select(query: Parameters<typeof selectRows>[1]): Promise<ResultRow[]> {
    try {
      return await selectRows(this.#pool, query);
    } catch (error) {
      if (isNoSuchTable(error)) return [];
      throw error;
    }
  }

  #preparer(topic: string): RecordPreparer {
    let preparer = this.#preparers.get(topic);
    if (preparer === undefined) {
      preparer = new RecordPreparer(this.#registry.schemas, {
        ...preparerOptionsOf(this.#config, topic, this.#tables, this.#registry),
        // A record that is still poison must not become a second dead letter: it fails the replay instead.
        tolerance: 'none',
      });
      this.#preparers.set(topic, preparer);
    }
    return preparer;
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => {});
  }
}
