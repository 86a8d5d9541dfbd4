/** The shapes every layer passes along: a Kafka record, a partition of a group, a prepared batch. */
import type { SinkError } from './errors.ts';

/** One Kafka message as the pipeline keeps it: raw bytes until the writer prepares its batch. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch ms; undefined or negative when the broker had none. */
  readonly timestamp: number | undefined;
  /** null or undefined when the message has no key. */
  readonly key: Buffer | null | undefined;
  readonly value: Buffer | null;
}

/**
 * A record as the record fetcher reads it: key and value are ranges of the fetched (or decompressed)
 * bytes, and a Buffer view of one is made only when it is asked for. Two views per record, held in the
 * partition queues, cost a fifth of the drain rate (docs/benchmarks.md, "Speed"). The hot path reads
 * the ranges (`payloadLength`, the decoder).
 */
export class FetchedRecord implements KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number | undefined;
  readonly source: Buffer;
  /** -1: no key. */
  readonly keyStart: number;
  readonly keyEnd: number;
  /** -1: no value (a tombstone). */
  readonly valueStart: number;
  readonly valueEnd: number;

  constructor(
    topic: string,
    partition: number,
    offset: number,
    timestamp: number | undefined,
    source: Buffer,
    keyStart: number,
    keyEnd: number,
    valueStart: number,
    valueEnd: number,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.source = source;
    this.keyStart = keyStart;
    this.keyEnd = keyEnd;
    this.valueStart = valueStart;
    this.valueEnd = valueEnd;
  }

  get key(): Buffer | null {
    return this.keyStart < 0 ? null : this.source.subarray(this.keyStart, this.keyEnd);
  }

  get value(): Buffer | null {
    return this.valueStart < 0 ? null : this.source.subarray(this.valueStart, this.valueEnd);
  }
}

/** Bytes of key and value together, without making views of them. */
export function payloadLength(record: KafkaRecord): number {
  if (record instanceof FetchedRecord) {
    const key = record.keyStart < 0 ? 0 : record.keyEnd - record.keyStart;
    return key + (record.valueStart < 0 ? 0 : record.valueEnd - record.valueStart);
  }
  return (record.value?.length ?? 0) + (record.key?.length ?? 0);
}

/** A tombstone: the record has no value. */
export function isTombstone(record: KafkaRecord): boolean {
  return record instanceof FetchedRecord ? record.valueStart < 0 : record.value === null;
}

/** One partition as one consumer group reads it: the key of its `kafka_offsets` row. */
export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
}

/**
 * One column layout of a table, shared by every operation built from one model (compare by identity).
 * `keyColumns` name the columns a row is found by (a subset of `columns`); empty: rows are only appended.
 */
export interface RowLayout {
  readonly table: string;
  /** Column names, in the order of each operation's values. */
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
  /** Positions of `keyColumns` in `columns`. */
  readonly keyIndexes: readonly number[];
}

/**
 * What one record does to its table, in offset order. `write` puts `values` (one per layout column) in
 * the way `sink.insert.mode` says (insert, upsert, update, ignore); `delete` removes the row whose key
 * columns hold `values` (its layout's columns are the key columns).
 */
export interface RowOperation {
  readonly kind: 'write' | 'delete';
  readonly record: KafkaRecord;
  readonly layout: RowLayout;
  readonly values: unknown[];
}

export interface DeadLetter {
  readonly record: KafkaRecord;
  /**
   * Stable kind: WIRE_FORMAT, SCHEMA_NOT_FOUND, SCHEMA_SUBJECT_MISMATCH, DECODE_FAILED, INVALID_UTF8,
   * VALUE_REJECTED, KEY_REJECTED, UPDATE_MISSING, TOMBSTONE.
   */
  readonly kind: string;
  readonly message: string;
}

/** A batch decoded and converted, ready for one transaction. */
export interface PreparedBatch {
  /** In offset order; a record that became a dead letter has none. */
  readonly operations: RowOperation[];
  readonly deadLetters: DeadLetter[];
  readonly lastOffset: number;
  readonly count: number;
  /**
   * errors.tolerance=none: the batch was cut before a record that can never be written; commit what came
   * before it (lastOffset is the offset before that record), then stop the partition with this error.
   */
  readonly halt?: SinkError;
}
