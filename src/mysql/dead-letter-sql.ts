/**
 * Reading and replaying `kafka_dead_letters` (written by `offset-sql.ts`): the status page's recent dead
 * letters, `kms dead-letters list|show`, and a replay's lock-then-delete of one dead letter.
 */
import { type CompiledQuery, compiled } from './compiled-query.ts';
import { quoteIdentifier } from './identifiers.ts';

/** Which dead letters: every given field narrows the selection; offsets are inclusive. */
export interface DeadLetterFilter {
  readonly topic?: string;
  readonly partition?: number;
  readonly group?: string;
  /** `error_kind`, exactly (WIRE_FORMAT, SCHEMA_NOT_FOUND, DECODE_FAILED, VALUE_REJECTED, TOMBSTONE…). */
  readonly reason?: string;
  readonly fromOffset?: number;
  readonly toOffset?: number;
  readonly id?: number;
}

const SUMMARY_COLUMNS =
  '`id`, `topic`, `partition`, `offset`, `consumer_group` AS `group`, `error_kind` AS `reason`, ' +
  '`error_message` AS `message`, `record_timestamp` AS `recordTimestamp`, `created_at` AS `createdAt`, ' +
  'LENGTH(`record_key`) AS `keyBytes`, LENGTH(`record_value`) AS `valueBytes`';
const BYTES_COLUMNS = ', `record_key` AS `key`, `record_value` AS `value`';

function where(filter: DeadLetterFilter): { text: string; parameters: unknown[] } {
  const clauses: string[] = [];
  const parameters: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    clauses.push(clause);
    parameters.push(value);
  };
  if (filter.id !== undefined) add('`id` = ?', filter.id);
  if (filter.topic !== undefined) add('`topic` = ?', filter.topic);
  if (filter.partition !== undefined) add('`partition` = ?', filter.partition);
  if (filter.group !== undefined) add('`consumer_group` = ?', filter.group);
  if (filter.reason !== undefined) add('`error_kind` = ?', filter.reason);
  if (filter.fromOffset !== undefined) add('`offset` >= ?', filter.fromOffset);
  if (filter.toOffset !== undefined) add('`offset` <= ?', filter.toOffset);
  return { text: clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`, parameters };
}

/**
 * Dead letters matching `filter`, newest first (`order: 'recent'`) or in Kafka order (`'offset'`);
 * the raw key and value only when `bytes` (they can be large).
 */
export function selectDeadLetters(
  table: string,
  filter: DeadLetterFilter,
  options: { limit: number; bytes?: boolean; order?: 'recent' | 'offset' },
): CompiledQuery {
  const { text, parameters } = where(filter);
  const order = options.order === 'offset' ? '`topic`, `partition`, `offset`' : '`id` DESC';
  return compiled(
    `SELECT ${SUMMARY_COLUMNS}${options.bytes ? BYTES_COLUMNS : ''} FROM ${quoteIdentifier(table)}${text} ` +
      `ORDER BY ${order} LIMIT ?`,
    [...parameters, options.limit],
  );
}

/** One row `{ n }`: how many dead letters match. */
export function countMatchingDeadLetters(table: string, filter: DeadLetterFilter): CompiledQuery {
  const { text, parameters } = where(filter);
  return compiled(`SELECT COUNT(*) AS n FROM ${quoteIdentifier(table)}${text}`, parameters);
}

/** A replay's first step: the row lock makes a second replay of the same dead letter wait, then find nothing. */
export function selectDeadLetterForUpdate(table: string, id: number): CompiledQuery {
  return compiled(
    `SELECT ${SUMMARY_COLUMNS}${BYTES_COLUMNS} FROM ${quoteIdentifier(table)} WHERE \`id\` = ? FOR UPDATE`,
    [id],
  );
}

export function deleteDeadLetter(table: string, id: number): CompiledQuery {
  return compiled(`DELETE FROM ${quoteIdentifier(table)} WHERE \`id\` = ?`, [id]);
}
