import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  countDeadLetters,
  countRows,
  countRowsAlsoDeadLettered,
  countRowsByPartition,
  selectStoredOffsets,
} from '../../../src/mysql/progress-sql.ts';
import { assertFrozen, rejects } from './sql-assertions.ts';

const HOSTILE = "x'; DROP TABLE kafka_offsets; --";

describe('progress queries', () => {
  it('stored offsets and dead letters per partition, topic and group bound', () => {
    const stored = selectStoredOffsets('kafka_offsets', 'dataset1', HOSTILE);
    assert.equal(
      stored.sql,
      'SELECT `partition` AS p, `offset` AS n FROM `kafka_offsets` WHERE `topic` = ? AND `consumer_group` = ?',
    );
    assert.deepEqual(stored.parameters, ['dataset1', HOSTILE]);
    assertFrozen(stored);
    const dead = countDeadLetters('dead`letters', 'dataset1', 'group-dataset1');
    assert.equal(
      dead.sql,
      'SELECT `partition` AS p, COUNT(*) AS n FROM `dead``letters` WHERE `topic` = ? AND `consumer_group` = ? ' +
        'GROUP BY `partition`',
    );
    assert.deepEqual(dead.parameters, ['dataset1', 'group-dataset1']);
  });

  it('rows, distinct offsets and the highest offset per partition of a data table', () => {
    const rows = countRowsByPartition('orders.v1');
    assert.equal(
      rows.sql,
      'SELECT `_kafka_partition` AS p, COUNT(*) AS n, COUNT(DISTINCT `_kafka_offset`) AS d, MAX(`_kafka_offset`) AS m ' +
        'FROM `orders.v1` GROUP BY `_kafka_partition`',
    );
    assert.deepEqual(rows.parameters, []);
    assert.equal(countRows('a`b').sql, 'SELECT COUNT(*) AS n FROM `a``b`');
  });

  it('rows whose record is also a dead letter, joined on partition and offset', () => {
    const query = countRowsAlsoDeadLettered('dataset1', 'kafka_dead_letters', 'dataset1', 'group-dataset1');
    assert.match(
      query.sql,
      /FROM `dataset1` t JOIN `kafka_dead_letters` d ON d.`topic` = \? AND d.`consumer_group` = \? /,
    );
    assert.match(query.sql, /d.`partition` = t.`_kafka_partition` AND d.`offset` = t.`_kafka_offset`/);
    assert.deepEqual(query.parameters, ['dataset1', 'group-dataset1']);
  });

  it('refuses a table name that cannot be an identifier', () => {
    rejects(() => countRows(''), 'IDENTIFIER_INVALID', 'it is empty');
    rejects(() => selectStoredOffsets('kafka_offsets ', 't', 'g'), 'IDENTIFIER_INVALID', 'ends with a space');
  });
});
