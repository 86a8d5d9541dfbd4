/**
 * Exactly-once bookkeeping statements (docs/exactly-once.md): the `kafka_offsets` row of a partition
 * is the only record of progress, and dead letters move in the same transaction as that row.
 * The seed's four columns keep their names and meaning; statements touch only those four, so a table
 * created by the seed (without `updated_at`) works unchanged.
 */
import { SinkError } from '../core/errors.ts';
import { createTableText } from './ddl.ts';
import { insertRows } from './dml.ts';
import { quoteIdentifier } from './identifiers.ts';
import { compiled, type CompiledQuery } from './compiled-query.ts';

export const DEFAULT_OFFSETS_TABLE = 'kafka_offsets';
export const DEFAULT_DEAD_LETTERS_TABLE = 'kafka_dead_letters';

/** Fits the TEXT column with room to spare and keeps one poison record from bloating the batch packet. */
export const MAX_ERROR_MESSAGE_LENGTH = 4000;
/** The width of `error_kind`; longer kinds would fail the whole batch under strict mode (error 1406). */
export const MAX_ERROR_KIND_LENGTH = 64;

export interface DeadLetterRow {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number | bigint;
  readonly group: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: Date | null;
  readonly errorKind: string;
  readonly errorMessage: string;
}

const DEAD_LETTER_COLUMNS = [
  'topic',
  'partition',
  'offset',
  'consumer_group',
  'record_key',
  'record_value',
  'record_timestamp',
  'error_kind',
  'error_message',
] as const;

/** Texts per table name: the fenced select and the update run once per batch per partition. */
interface OffsetTexts {
  readonly insertIfAbsent: string;
  readonly select: string;
  readonly selectForUpdate: string;
  readonly update: string;
  readonly updateIfAt: string;
}

const offsetTextsByTable = new Map<string, OffsetTexts>();

function offsetTexts(table: string): OffsetTexts {
  let texts = offsetTextsByTable.get(table);
  if (texts === undefined) {
    const t = quoteIdentifier(table);
    const where = 'WHERE `topic` = ? AND `partition` = ? AND `consumer_group` = ?';
    const columns = '`topic`, `partition`, `consumer_group`, `offset`';
    const select = `SELECT \`offset\` FROM ${t} ${where}`;
    texts = Object.freeze({
      // Not INSERT IGNORE: that would store a truncated over-long group name instead of failing.
      insertIfAbsent: `INSERT INTO ${t} (${columns}) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE \`offset\` = \`offset\``,
      select,
      selectForUpdate: `${select} FOR UPDATE`,
      update: `UPDATE ${t} SET \`offset\` = ? ${where}`,
      updateIfAt: `UPDATE ${t} SET \`offset\` = ? ${where} AND \`offset\` = ?`,
    });
    offsetTextsByTable.set(table, texts);
  }
  return texts;
}

/**
 * librdkafka's logical offsets (-1 end, -2 beginning, -1001 invalid) are negative: storing one would
 * send every later restart to the wrong place, so only real positions pass.
 */
function position(what: string, value: number | bigint): number | bigint {
  const ok = typeof value === 'bigint' ? value >= 0n : Number.isSafeInteger(value) && value >= 0;
  if (!ok) throw new SinkError('VALUE_REJECTED', `Kafka ${what} must be a non-negative integer, got ${String(value)}`);
  return value;
}

function partitionKey(topic: string, partition: number, group: string): [string, number, string] {
  return [topic, position('partition', partition) as number, group];
}

export function createOffsetsTable(table: string = DEFAULT_OFFSETS_TABLE): CompiledQuery {
  return compiled(
    createTableText(quoteIdentifier(table), [
      '`topic` VARCHAR(255) NOT NULL',
      '`partition` INT NOT NULL',
      '`consumer_group` VARCHAR(255) NOT NULL',
      '`offset` BIGINT NOT NULL',
      '`updated_at` TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)',
      'PRIMARY KEY (`topic`, `partition`, `consumer_group`)',
    ]),
  );
}

export function createDeadLettersTable(table: string = DEFAULT_DEAD_LETTERS_TABLE): CompiledQuery {
  return compiled(
    createTableText(quoteIdentifier(table), [
      '`id` BIGINT NOT NULL AUTO_INCREMENT',
      '`topic` VARCHAR(255) NOT NULL',
      '`partition` INT NOT NULL',
      '`offset` BIGINT NOT NULL',
      '`consumer_group` VARCHAR(255) NOT NULL',
      '`record_key` LONGBLOB NULL',
      '`record_value` LONGBLOB NULL',
      '`record_timestamp` DATETIME(3) NULL',
      '`error_kind` VARCHAR(64) NOT NULL',
      '`error_message` TEXT NOT NULL',
      '`created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)',
      'PRIMARY KEY (`id`)',
      // A record can be dead-lettered once per group: a second copy would mean the fence failed.
      'UNIQUE KEY `uq_dead_letter_position` (`topic`, `partition`, `consumer_group`, `offset`)',
    ]),
  );
}

/** Creates the partition's row on first assignment; an existing row (and its offset) is left as it is. */
export function insertOffsetIfAbsent(
  topic: string,
  partition: number,
  group: string,
  offset: number | bigint,
  table: string = DEFAULT_OFFSETS_TABLE,
): CompiledQuery {
  return compiled(offsetTexts(table).insertIfAbsent, [
    ...partitionKey(topic, partition, group),
    position('offset', offset),
  ]);
}

/** One partition's row of the offsets table: topic, partition, group, and the table (default kafka_offsets). */
type OffsetRow = [topic: string, partition: number, group: string, table?: string];

/** A statement whose only parameters are the row's key. */
function offsetRowQuery(
  text: 'select' | 'selectForUpdate',
  [topic, partition, group, table]: OffsetRow,
): CompiledQuery {
  return compiled(offsetTexts(table ?? DEFAULT_OFFSETS_TABLE)[text], partitionKey(topic, partition, group));
}

export function selectOffset(...row: OffsetRow): CompiledQuery {
  return offsetRowQuery('select', row);
}

/** Step 1 of a batch: the row lock is the fence between two owners of one partition. */
export function selectOffsetForUpdate(...row: OffsetRow): CompiledQuery {
  return offsetRowQuery('selectForUpdate', row);
}

/** `nextOffset` is the last written record's offset + 1, never a record count (offsets have gaps). */
export function updateOffset(
  topic: string,
  partition: number,
  group: string,
  nextOffset: number | bigint,
  table: string = DEFAULT_OFFSETS_TABLE,
): CompiledQuery {
  return compiled(offsetTexts(table).update, [
    position('offset', nextOffset),
    ...partitionKey(topic, partition, group),
  ]);
}

/**
 * The fence as one statement: moves the offset to `nextOffset` only if it still holds `expected`, and
 * row-locks it either way (a locking read, like SELECT … FOR UPDATE) for the rest of the transaction. It
 * matched one row: this writer still owns the partition. None: another writer moved it (or the row is gone).
 */
export function updateOffsetIfAt(
  topic: string,
  partition: number,
  group: string,
  expected: number | bigint,
  nextOffset: number | bigint,
  table: string = DEFAULT_OFFSETS_TABLE,
): CompiledQuery {
  return compiled(offsetTexts(table).updateIfAt, [
    position('offset', nextOffset),
    ...partitionKey(topic, partition, group),
    position('offset', expected),
  ]);
}

/** Rows `{ topic, partition, offset }` of these topics, any group (one sink's progress, polled by the bench). */
export function selectOffsetsOfTopics(topics: readonly string[], table: string = DEFAULT_OFFSETS_TABLE): CompiledQuery {
  if (topics.length === 0) throw new SinkError('SCHEMA_INVALID', 'selecting offsets needs at least one topic');
  return compiled(
    `SELECT \`topic\`, \`partition\`, \`offset\` FROM ${quoteIdentifier(table)} ` +
      `WHERE \`topic\` IN (${topics.map(() => '?').join(', ')})`,
    topics,
  );
}

/** Forgets a topic's progress in every group (provision --reset: the topic is recreated from offset 0). */
export function deleteOffsetsOfTopic(topic: string, table: string = DEFAULT_OFFSETS_TABLE): CompiledQuery {
  return compiled(`DELETE FROM ${quoteIdentifier(table)} WHERE \`topic\` = ?`, [topic]);
}

export function deleteDeadLettersOfTopic(topic: string, table: string = DEFAULT_DEAD_LETTERS_TABLE): CompiledQuery {
  return compiled(`DELETE FROM ${quoteIdentifier(table)} WHERE \`topic\` = ?`, [topic]);
}

/** Cuts on code points so a surrogate pair is never split into an invalid string. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = [...text];
  return points.length <= max ? text : points.slice(0, max).join('');
}

/** A plain INSERT: the unique position key turns a double write into an error instead of hiding it. */
export function insertDeadLetters(
  rows: readonly DeadLetterRow[],
  table: string = DEFAULT_DEAD_LETTERS_TABLE,
): CompiledQuery {
  if (rows.length === 0)
    throw new SinkError('SCHEMA_INVALID', `INSERT into ${JSON.stringify(table)} has no dead letters`);
  return insertRows(
    table,
    DEAD_LETTER_COLUMNS,
    rows.map((row) => [
      row.topic,
      position('partition', row.partition),
      position('offset', row.offset),
      row.group,
      row.key,
      row.value,
      // An unparseable date would be rejected by DATETIME and fail the whole batch; the raw bytes matter more.
      row.timestamp === null || Number.isNaN(row.timestamp.getTime()) ? null : row.timestamp,
      truncate(row.errorKind, MAX_ERROR_KIND_LENGTH),
      truncate(row.errorMessage, MAX_ERROR_MESSAGE_LENGTH),
    ]),
  );
}
