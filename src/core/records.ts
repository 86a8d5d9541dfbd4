/** The shapes every layer passes along: a Kafka record, a partition of a group, a prepared batch. */

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

/** Rows of one table with one column layout, in offset order. */
export interface TableRows {
  readonly table: string;
  /** Column names, in the order of each row's values. */
  readonly columns: readonly string[];
  readonly records: KafkaRecord[];
  readonly rows: unknown[][];
}

export interface DeadLetter {
  readonly record: KafkaRecord;
  /**
   * Stable kind: WIRE_FORMAT, SCHEMA_NOT_FOUND, SCHEMA_SUBJECT_MISMATCH, DECODE_FAILED, INVALID_UTF8,
   * VALUE_REJECTED, TOMBSTONE.
   */
  readonly kind: string;
  readonly message: string;
}

/** A batch decoded and converted, ready for one transaction. */
export interface PreparedBatch {
  readonly tables: TableRows[];
  readonly deadLetters: DeadLetter[];
  readonly lastOffset: number;
  readonly count: number;
}
