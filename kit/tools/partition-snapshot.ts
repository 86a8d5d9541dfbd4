/**
 * What Kafka and the database say about every partition of the configured topics, read side by side:
 * the broker's end offset, the sink's `kafka_offsets` row, dead letters and (for verify) the rows in the
 * topic's table. `verify` judges these; `status` shows them. A probe keeps its Kafka handle and pool
 * open, so `--wait` / `--watch` poll cheaply.
 */
import { groupIdFor, tableNameFor, type SinkConfig } from '../../src/config/index.ts';
import { MetadataClient } from '../../src/kafka/metadata-client.ts';
import type { CompiledQuery } from '../../src/mysql/compiled-query.ts';
import { selectPrimaryKey, selectTableExists } from '../../src/mysql/catalog-sql.ts';
import { isNoSuchTable } from '../../src/mysql/errno.ts';
import { type Pool, type ResultRow, selectRows } from '../../src/mysql/pool.ts';
import {
  countDuplicateKeys,
  countDeadLetters,
  countRows,
  countRowsAlsoDeadLettered,
  countRowsByPartition,
  selectStoredOffsets,
} from '../../src/mysql/progress-sql.ts';
import { databaseError, openPool } from './database.ts';

export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
  /** Kafka high watermark: offset of the next record to be produced. */
  readonly end: number;
  /** `kafka_offsets.offset` (next offset the sink reads); null when the sink has no row yet. */
  readonly stored: number | null;
  readonly dead: number;
  /** Rows of this partition in the table; null when not counted (status, or provenance columns off). */
  readonly rows: number | null;
  /** Rows sharing an offset, plus rows whose offset is also a dead letter; null when not counted. */
  readonly duplicates: number | null;
  /** Highest `_kafka_offset` in the table; null when none or not counted. */
  readonly maxOffset: number | null;
}

export interface TopicState {
  readonly topic: string;
  readonly group: string;
  readonly table: string;
  readonly inKafka: boolean;
  readonly tableExists: boolean;
  /** All rows of the table: the only count possible without provenance columns; null when not counted. */
  readonly totalRows: number | null;
  /**
   * Keyed tables (verify of a keyed mode): the key columns checked and how many key values appear in more
   * than one row; columns empty when the table has no primary key. Undefined when not checked.
   */
  readonly keys?: { readonly columns: readonly string[]; readonly duplicated: number };
  readonly partitions: readonly PartitionState[];
}

export interface SnapshotOptions {
  /** Count table rows (verify); status leaves them out to stay cheap on big tables. */
  readonly rows: boolean;
  /** Keyed tables: check that no primary key value appears twice. */
  readonly keys?: boolean;
}

type Counts = Map<number, number>;

export class PartitionProbe {
  readonly #config: SinkConfig;
  readonly #kafka: MetadataClient;
  readonly #pool: Pool;

  private constructor(config: SinkConfig, kafka: MetadataClient, pool: Pool) {
    this.#config = config;
    this.#kafka = kafka;
    this.#pool = pool;
  }

  static async open(config: SinkConfig): Promise<PartitionProbe> {
    const kafka = await MetadataClient.open(config);
    try {
      return new PartitionProbe(config, kafka, await openPool(config));
    } catch (error) {
      await kafka.close();
      throw error;
    }
  }

  async snapshot(options: SnapshotOptions): Promise<TopicState[]> {
    const cluster = await this.#kafka.cluster();
    const out: TopicState[] = [];
    for (const topic of this.#config.kafka.topics) {
      const partitions = cluster.topics.get(topic)?.partitions ?? [];
      out.push(await this.#topic(topic, partitions, cluster.topics.has(topic), options));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#kafka.close();
    await this.#pool.end().catch(() => {});
  }

  async #topic(
    topic: string,
    partitions: readonly number[],
    inKafka: boolean,
    options: SnapshotOptions,
  ): Promise<TopicState> {
    const config = this.#config;
    const group = groupIdFor(config, topic);
    const table = tableNameFor(config, topic);
    const ends = await Promise.all(partitions.map((p) => this.#kafka.endOffset(topic, p)));
    const { offsetsTable, deadLetterTable } = config.sink;
    const stored = await this.#counts(selectStoredOffsets(offsetsTable, topic, group));
    const deadCounts = await this.#counts(countDeadLetters(deadLetterTable, topic, group));

    let rows: Counts | undefined;
    let distinct: Counts | undefined;
    let maxOffsets: Counts | undefined;
    let overlap: Counts | undefined;
    let totalRows: number | null = null;
    const tableExists = (await this.#select(selectTableExists(table))).length > 0;
    if (options.rows && config.sink.provenanceColumns) {
      rows = new Map();
      distinct = new Map();
      maxOffsets = new Map();
      overlap = new Map();
      if (tableExists) {
        for (const row of await this.#select(countRowsByPartition(table))) {
          rows.set(Number(row.p), Number(row.n));
          distinct.set(Number(row.p), Number(row.d));
          maxOffsets.set(Number(row.p), Number(row.m));
        }
        // A record both written and dead-lettered is a double delivery too, just in two tables.
        overlap = await this.#counts(countRowsAlsoDeadLettered(table, deadLetterTable, topic, group));
      }
    } else if (options.rows) {
      totalRows = 0;
      if (tableExists) totalRows = Number((await this.#select(countRows(table)))[0]?.n ?? 0);
    }

    const states = partitions.map(
      (partition, i): PartitionState => ({
        topic,
        partition,
        group,
        end: ends[i] as number,
        stored: stored.get(partition) ?? null,
        dead: deadCounts.get(partition) ?? 0,
        rows: rows === undefined ? null : (rows.get(partition) ?? 0),
        duplicates:
          rows === undefined
            ? null
            : (rows.get(partition) ?? 0) - (distinct?.get(partition) ?? 0) + (overlap?.get(partition) ?? 0),
        maxOffset: maxOffsets?.get(partition) ?? null,
      }),
    );
    let keys: TopicState['keys'];
    if (options.keys === true && tableExists) {
      const columns = (await this.#select(selectPrimaryKey(table))).map((row) => String(row.name));
      const duplicated =
        columns.length === 0 ? 0 : Number((await this.#select(countDuplicateKeys(table, columns)))[0]?.n ?? 0);
      keys = { columns, duplicated };
    }
    return { topic, group, table, inKafka, tableExists, totalRows, ...(keys ? { keys } : {}), partitions: states };
  }

  /** `p` → `n` from a two-column query; a bookkeeping table that does not exist yet counts as empty. */
  async #counts(query: CompiledQuery): Promise<Counts> {
    try {
      const rows = await selectRows(this.#pool, query);
      return new Map(rows.map((row) => [Number(row.p), Number(row.n)]));
    } catch (error) {
      if (isNoSuchTable(error)) return new Map();
      throw databaseError(this.#config, error, 'failed a read');
    }
  }

  async #select(query: CompiledQuery): Promise<ResultRow[]> {
    try {
      return await selectRows(this.#pool, query);
    } catch (error) {
      throw databaseError(this.#config, error, 'failed a read');
    }
  }
}
