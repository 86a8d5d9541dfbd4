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
