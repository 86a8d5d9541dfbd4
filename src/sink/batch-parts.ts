/**
 * How the batch writer cuts a batch into statements and what it stores for a rejected record: the size
 * bound of one INSERT, the duplicate-key rule, the dead-letter row.
 */
import {
  type DeadLetter,
  type KafkaRecord,
  type PartitionRef,
  payloadLength,
  type RowLayout,
  type RowOperation,
} from '../core/records.ts';
import type { DeadLetterRow } from '../mysql/offset-sql.ts';
import type { Statement } from './operation-plan.ts';

/** Largest INSERT we send, in estimated bytes: far below MySQL's default 16-64 MB max_allowed_packet. */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/** Splits [from, to) so that no statement grows past MAX_STATEMENT_BYTES (raw Avro size as the estimate). */
export function* chunks(statement: Statement, from: number, to: number): Generator<[number, number]> {
  let start = from;
  let bytes = 0;
  const width = statement.layout.columns.length;
  for (let i = from; i < to; i++) {
    const record = statement.operations[i]!.record;
    const size = 2 * payloadLength(record) + 16 * width;
    if (i > start && bytes + size > MAX_STATEMENT_BYTES) {
      yield [start, i];
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < to) yield [start, to];
}

/** The rows of operations [start, end) of a statement, without an intermediate slice. */
export function valuesOf(operations: readonly RowOperation[], start: number, end: number): unknown[][] {
  const rows = new Array<unknown[]>(end - start);
  for (let i = start; i < end; i++) rows[i - start] = operations[i]!.values;
  return rows;
}

/**
 * A key taken from the record (its key or value fields): in insert mode a second record of one key is a
 * duplicate that can never be inserted, so it is that record's fault (a dead letter). Keyed on the Kafka
 * coordinates, a duplicate would mean a record written twice: that must stop the partition, never hide.
 */
export function keyedByContent(layout: RowLayout): boolean {
  return layout.keyColumns.length > 0 && layout.keyColumns[0] !== '_kafka_partition';
}

export function deadLetterRow(ref: PartitionRef, letter: DeadLetter): DeadLetterRow {
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
