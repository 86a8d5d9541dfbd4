/**
 * How far the sink is, per partition, as the database records it: stored offsets, dead letters and the
 * rows of a topic's table (by their provenance columns). Read by `verify` and `status`, and meant for
 * the status page. Every query answers rows `{ p, n }` (partition, number) unless it says otherwise.
 */
import { SinkError } from '../core/errors.ts';
import { type CompiledQuery, compiled } from './compiled-query.ts';
import { quoteIdentifier } from './identifiers.ts';

const OF_TOPIC_AND_GROUP = 'WHERE `topic` = ? AND `consumer_group` = ?';

/** The stored offset (next offset to read) of every partition of a topic, for one consumer group. */
export function selectStoredOffsets(offsetsTable: string, topic: string, group: string): CompiledQuery {
  return compiled(
    `SELECT \`partition\` AS p, \`offset\` AS n FROM ${quoteIdentifier(offsetsTable)} ${OF_TOPIC_AND_GROUP}`,
    [topic, group],
  );
}

/** Dead letters per partition of a topic, for one consumer group. */
export function countDeadLetters(deadLettersTable: string, topic: string, group: string): CompiledQuery {
  return compiled(
    `SELECT \`partition\` AS p, COUNT(*) AS n FROM ${quoteIdentifier(deadLettersTable)} ${OF_TOPIC_AND_GROUP} ` +
      'GROUP BY `partition`',
    [topic, group],
  );
}

/**
 * Rows `{ p, n, d, m }` of a table with provenance columns: per partition the rows, the distinct
 * offsets among them (fewer than rows: duplicates) and the highest offset.
 */
export function countRowsByPartition(table: string): CompiledQuery {
  return compiled(
    'SELECT `_kafka_partition` AS p, COUNT(*) AS n, COUNT(DISTINCT `_kafka_offset`) AS d, MAX(`_kafka_offset`) AS m ' +
      `FROM ${quoteIdentifier(table)} GROUP BY \`_kafka_partition\``,
  );
}

/** Rows per partition whose record is also a dead letter of the topic and group: written twice, in two tables. */
export function countRowsAlsoDeadLettered(
  table: string,
  deadLettersTable: string,
  topic: string,
  group: string,
): CompiledQuery {
  return compiled(
    `SELECT t.\`_kafka_partition\` AS p, COUNT(*) AS n FROM ${quoteIdentifier(table)} t ` +
      `JOIN ${quoteIdentifier(deadLettersTable)} d ON d.\`topic\` = ? AND d.\`consumer_group\` = ? ` +
      'AND d.`partition` = t.`_kafka_partition` AND d.`offset` = t.`_kafka_offset` GROUP BY t.`_kafka_partition`',
    [topic, group],
  );
}

/**
 * One row `{ n }`: how many key values appear in more than one row. A primary key makes it 0 by
 * construction; verify still asks, so a table whose key was dropped or never matched the config shows.
 */
export function countDuplicateKeys(table: string, keyColumns: readonly string[]): CompiledQuery {
  if (keyColumns.length === 0) throw new SinkError('SCHEMA_INVALID', 'countDuplicateKeys needs key columns');
  const key = keyColumns.map(quoteIdentifier).join(', ');
  return compiled(
    `SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ${quoteIdentifier(table)} GROUP BY ${key} HAVING COUNT(*) > 1) AS d`,
  );
}

/** One row `{ n }`: every row of a table (the only count possible without provenance columns). */
export function countRows(table: string): CompiledQuery {
  return compiled(`SELECT COUNT(*) AS n FROM ${quoteIdentifier(table)}`);
}

/**
 * Rows `{ p, o }` of a table Kafka Connect's JDBC sink writes with `primary.key.mode=kafka` (the bench's
 * peer): per partition the highest offset written, so MAX + 1 counts the records committed.
 */
export function selectConnectSinkProgress(table: string): CompiledQuery {
  return compiled(
    'SELECT `__connect_partition` AS p, MAX(`__connect_offset`) AS o ' +
      `FROM ${quoteIdentifier(table)} GROUP BY \`__connect_topic\`, \`__connect_partition\``,
  );
}
