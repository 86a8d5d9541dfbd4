/**
 * The database without Kafka: the same rows the sink writes (seed schemas, provenance columns, tables
 * from the sink's own tableSpec and column model, values from the same record generator and decoder),
 * written by one plain loop per partition (9 writers, like the sink's 9 pipelines) on the sink's pool.
 *
 * Transaction shapes:
 * - 'fenced': START TRANSACTION, UPDATE offset WHERE offset = expected (the fence), multi-row INSERT,
 *   COMMIT (the sink's shape, minus everything that is not SQL);
 * - 'seed': START TRANSACTION, SELECT offset FOR UPDATE, INSERT, UPDATE offset, COMMIT: the seed's design
 *   (with batch size 1: one transaction per record);
 * - 'plain': START TRANSACTION, multi-row INSERT, COMMIT.
 */
import type { Type } from 'avsc';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SinkConfig } from '../../src/config/index.ts';
import type { ColumnModel } from '../../src/mysql/column-model.ts';
import { HEADER_LENGTH } from '../../src/avro/wire-format.ts';
import { createWriterPool, execute, executeCounting, selectRows, type PoolConnection } from '../../src/mysql/pool.ts';
import { tableSpec } from '../../src/mysql/table-spec.ts';
import { createTable, dropTable } from '../../src/mysql/ddl.ts';
import { insertRows } from '../../src/mysql/dml.ts';
import { countRows } from '../../src/mysql/progress-sql.ts';
import {
  createOffsetsTable,
  insertOffsetIfAbsent,
  selectOffsetForUpdate,
  updateOffset,
  updateOffsetIfAt,
} from '../../src/mysql/offset-sql.ts';
import { stringLimit } from '../tools/produce.ts';
import { RecordFactory } from '../tools/record-factory.ts';
import { columnModelFor, defaultSchemaFile, parseTopicSchema, readSchemaFile } from '../tools/schema-file.ts';
import { DATASETS, PARTITIONS } from './bench-env.ts';

/** Rows of one dataset, by partition, in offset order. */
export interface DatasetRows {
  readonly dataset: string;
  readonly model: ColumnModel;
  readonly partitions: readonly (readonly unknown[][])[];
}

/**
 * `perPartition` rows for each of the 3 datasets × 3 partitions: encoded with the generator `produce`
 * uses, decoded with the same Avro type, converted by the sink's column model with provenance coordinates.
 */
export function generateRows(config: SinkConfig, perPartition: number): DatasetRows[] {
  const file = readSchemaFile(defaultSchemaFile());
  const runId = Date.now().toString(36);
  const now = Date.now();
  return DATASETS.map((dataset) => {
    const type: Type = parseTopicSchema(file, dataset, file.topics.get(dataset)!);
    const model = columnModelFor(config, type, dataset);
    const factory = new RecordFactory({
      topic: dataset,
      type,
      valueSchemaId: 1,
      keySchemaId: 2,
      runId,
      maxStringChars: stringLimit(config.sink.stringType),
    });
    const partitions: unknown[][][] = Array.from({ length: PARTITIONS }, () => []);
    for (let seq = 0; seq < perPartition * PARTITIONS; seq++) {
      const record = factory.next(seq);
      const partition = seq % PARTITIONS;
      const value = type.fromBuffer(record.value.subarray(HEADER_LENGTH));
      const rows = partitions[partition]!;
      rows.push(model.toRow(value, { partition, offset: rows.length, timestamp: now + seq }));
    }
    return { dataset, model, partitions };
  });
}

export interface WriterRunOptions {
  readonly label: string;
  readonly shape: 'fenced' | 'seed' | 'plain';
  readonly batch: number;
  /** Rows per partition to write (a prefix of the generated ones). */
  readonly perPartition: number;
  /** Stop starting new transactions after this long (the seed's design is slow); default unlimited. */
  readonly maxSeconds?: number;
}

export interface WriterRunResult {
  readonly label: string;
  readonly shape: 'fenced' | 'seed' | 'plain';
  readonly batch: number;
  readonly writers: number;
  readonly poolSize: number;
  readonly records: number;
  readonly transactions: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
}

/**
 * Writes into fresh tables `<label>_<dataset>` and offsets table `<label>_offsets`, dropped afterwards so
 * the next measurement starts from the same empty state.
 */
export async function runWriters(
  config: SinkConfig,
  data: readonly DatasetRows[],
  options: WriterRunOptions,
): Promise<WriterRunResult> {
  const pool = createWriterPool(config);
  const offsetsTable = `${options.label}_offsets`;
  const tables = data.map((d) => `${options.label}_${d.dataset}`);
  try {
    await execute(pool, createOffsetsTable(offsetsTable));
    for (const [i, d] of data.entries()) {
      await execute(pool, createTable(tableSpec(tables[i]!, d.model, config.sink.provenanceColumns)));
      for (let p = 0; p < PARTITIONS; p++) {
        await execute(pool, insertOffsetIfAbsent(tables[i]!, p, 'bench', 0, offsetsTable));
      }
    }
    // Settle: the DDL above and the previous run's DROPs leave background work in InnoDB.
    await sleep(500);
    const deadline =
      options.maxSeconds === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.maxSeconds * 1000;
    let records = 0;
    let transactions = 0;
    const started = performance.now();
    await Promise.all(
      data.flatMap((d, i) =>
        d.partitions.map(async (rows, partition) => {
          const table = tables[i]!;
          const columns = d.model.columns.map((c) => c.name);
          const limit = Math.min(options.perPartition, rows.length);
          for (let start = 0; start < limit && performance.now() < deadline; start += options.batch) {
            const end = Math.min(limit, start + options.batch);
            const connection: PoolConnection = await pool.getConnection();
            try {
              await connection.beginTransaction();
              if (options.shape === 'fenced') {
                const fence = updateOffsetIfAt(table, partition, 'bench', start, end, offsetsTable);
                if ((await executeCounting(connection, fence)) !== 1) throw new Error(`${table}/${partition} fenced`);
              }
              if (options.shape === 'seed') {
                await selectRows(connection, selectOffsetForUpdate(table, partition, 'bench', offsetsTable));
              }
              await execute(
                connection,
                insertRows(table, columns, rows.slice(start, end), benchInsertMode(config.sink.insertMode)),
              );
              if (options.shape === 'seed') {
                await execute(connection, updateOffset(table, partition, 'bench', end, offsetsTable));
              }
              await connection.commit();
            } finally {
              connection.release();
            }
            records += end - start;
            transactions++;
          }
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    // Proof the rows are really there (outside the timing).
    let stored = 0;
    for (const table of tables) stored += Number((await selectRows(pool, countRows(table)))[0]?.n ?? 0);
    if (stored !== records) throw new Error(`${options.label}: wrote ${records} rows but the tables hold ${stored}`);
    return {
      label: options.label,
      shape: options.shape,
      batch: options.batch,
      writers: data.length * PARTITIONS,
      poolSize: config.mysql.poolSize,
      records,
      transactions,
      seconds,
      recordsPerSecond: records / seconds,
    };
  } finally {
    for (const table of [...tables, offsetsTable]) await execute(pool, dropTable(table)).catch(() => {});
    await pool.end().catch(() => {});
  }
}

/** The plain INSERT loop has no key lookups: update mode (one UPDATE per record) is measured as upsert. */
function benchInsertMode(mode: 'insert' | 'upsert' | 'update' | 'ignore'): 'insert' | 'upsert' | 'ignore' {
  return mode === 'update' ? 'upsert' : mode;
}
