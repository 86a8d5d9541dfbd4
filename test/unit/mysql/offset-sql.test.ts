import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_DEAD_LETTERS_TABLE,
  DEFAULT_OFFSETS_TABLE,
  createDeadLettersTable,
  createOffsetsTable,
  insertDeadLetters,
  deleteDeadLettersOfTopic,
  deleteOffsetsOfTopic,
  insertOffsetIfAbsent,
  selectOffset,
  selectOffsetForUpdate,
  selectOffsetsOfTopics,
  updateOffset,
  updateOffsetIfAt,
  type DeadLetterRow,
} from '../../../src/mysql/offset-sql.ts';
import { assertFrozen, rejects } from './sql-assertions.ts';

const WHERE = 'WHERE `topic` = ? AND `partition` = ? AND `consumer_group` = ?';

describe('bookkeeping tables', () => {
  it('has the seed defaults', () => {
    assert.equal(DEFAULT_OFFSETS_TABLE, 'kafka_offsets');
    assert.equal(DEFAULT_DEAD_LETTERS_TABLE, 'kafka_dead_letters');
  });

  it('creates kafka_offsets with the seed columns and key', () => {
    const query = createOffsetsTable();
    assert.equal(
      query.sql,
      'CREATE TABLE IF NOT EXISTS `kafka_offsets` (\n' +
        '  `topic` VARCHAR(255) NOT NULL,\n' +
        '  `partition` INT NOT NULL,\n' +
        '  `consumer_group` VARCHAR(255) NOT NULL,\n' +
        '  `offset` BIGINT NOT NULL,\n' +
        '  `updated_at` TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),\n' +
        '  PRIMARY KEY (`topic`, `partition`, `consumer_group`)\n' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
    assert.deepEqual(query.parameters, []);
    assertFrozen(query);
  });

  it('creates kafka_dead_letters with a unique position key', () => {
    const query = createDeadLettersTable();
    assert.equal(
      query.sql,
      'CREATE TABLE IF NOT EXISTS `kafka_dead_letters` (\n' +
        '  `id` BIGINT NOT NULL AUTO_INCREMENT,\n' +
        '  `topic` VARCHAR(255) NOT NULL,\n' +
        '  `partition` INT NOT NULL,\n' +
        '  `offset` BIGINT NOT NULL,\n' +
        '  `consumer_group` VARCHAR(255) NOT NULL,\n' +
        '  `record_key` LONGBLOB NULL,\n' +
        '  `record_value` LONGBLOB NULL,\n' +
        '  `record_timestamp` DATETIME(3) NULL,\n' +
        '  `error_kind` VARCHAR(64) NOT NULL,\n' +
        '  `error_message` TEXT NOT NULL,\n' +
        '  `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n' +
        '  PRIMARY KEY (`id`),\n' +
        '  UNIQUE KEY `uq_dead_letter_position` (`topic`, `partition`, `consumer_group`, `offset`)\n' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
    assertFrozen(query);
  });

  it('quotes configured table names', () => {
    assert.ok(createOffsetsTable('my`offsets').sql.startsWith('CREATE TABLE IF NOT EXISTS `my``offsets` (\n'));
    assert.ok(createDeadLettersTable('dlq; --').sql.startsWith('CREATE TABLE IF NOT EXISTS `dlq; --` (\n'));
    rejects(() => createOffsetsTable(''), 'IDENTIFIER_INVALID', 'it is empty');
    rejects(() => createDeadLettersTable('x'.repeat(65)), 'IDENTIFIER_INVALID', 'at most 64');
  });
});

describe('offset statements', () => {
  it('creates the row only if absent, leaving an existing offset alone', () => {
    const query = insertOffsetIfAbsent('dataset1', 0, 'group-dataset1', 0);
    assert.equal(
      query.sql,
      'INSERT INTO `kafka_offsets` (`topic`, `partition`, `consumer_group`, `offset`) VALUES (?, ?, ?, ?) ' +
        'ON DUPLICATE KEY UPDATE `offset` = `offset`',
    );
    assert.deepEqual(query.parameters, ['dataset1', 0, 'group-dataset1', 0]);
    assertFrozen(query);
  });

  it('selects the stored offset, plain and locking', () => {
    const plain = selectOffset('dataset1', 2, 'group-dataset1');
    assert.equal(plain.sql, `SELECT \`offset\` FROM \`kafka_offsets\` ${WHERE}`);
    assert.deepEqual(plain.parameters, ['dataset1', 2, 'group-dataset1']);
    assertFrozen(plain);

    const locking = selectOffsetForUpdate('dataset1', 2, 'group-dataset1');
    assert.equal(locking.sql, `SELECT \`offset\` FROM \`kafka_offsets\` ${WHERE} FOR UPDATE`);
    assert.deepEqual(locking.parameters, ['dataset1', 2, 'group-dataset1']);
    assertFrozen(locking);
  });

  it('moves the offset, value first then the key', () => {
    const query = updateOffset('dataset1', 1, 'group-dataset1', 1013);
    assert.equal(query.sql, `UPDATE \`kafka_offsets\` SET \`offset\` = ? ${WHERE}`);
    assert.deepEqual(query.parameters, [1013, 'dataset1', 1, 'group-dataset1']);
    assertFrozen(query);
  });

  it('moves the offset only from where the writer expects it (the fence), new value first', () => {
    const query = updateOffsetIfAt('dataset1', 1, 'group-dataset1', 1000, 1013);
    assert.equal(query.sql, `UPDATE \`kafka_offsets\` SET \`offset\` = ? ${WHERE} AND \`offset\` = ?`);
    assert.deepEqual(query.parameters, [1013, 'dataset1', 1, 'group-dataset1', 1000]);
    assertFrozen(query);
    assert.equal(updateOffsetIfAt('t', 0, 'g', 0, 1, 'my offsets').sql.startsWith('UPDATE `my offsets` SET'), true);
    rejects(() => updateOffsetIfAt('t', 0, 'g', -1, 5), 'VALUE_REJECTED', 'non-negative');
    rejects(() => updateOffsetIfAt('t', 0, 'g', 4, -1001), 'VALUE_REJECTED', 'non-negative');
  });

  it('accepts bigint offsets', () => {
    assert.deepEqual(updateOffset('t', 0, 'g', 9007199254740993n).parameters, [9007199254740993n, 't', 0, 'g']);
    assert.deepEqual(insertOffsetIfAbsent('t', 0, 'g', 0n).parameters, ['t', 0, 'g', 0n]);
  });

  it('lists the offsets of some topics, one placeholder per topic', () => {
    const query = selectOffsetsOfTopics(['dataset1', 'dataset2']);
    assert.equal(query.sql, 'SELECT `topic`, `partition`, `offset` FROM `kafka_offsets` WHERE `topic` IN (?, ?)');
    assert.deepEqual(query.parameters, ['dataset1', 'dataset2']);
    assertFrozen(query);
    rejects(() => selectOffsetsOfTopics([]), 'SCHEMA_INVALID', 'at least one topic');
  });

  it("forgets a topic's offsets and dead letters (reset)", () => {
    const offsets = deleteOffsetsOfTopic("t'; --");
    assert.equal(offsets.sql, 'DELETE FROM `kafka_offsets` WHERE `topic` = ?');
    assert.deepEqual(offsets.parameters, ["t'; --"]);
    const dead = deleteDeadLettersOfTopic('t', 'dead`letters');
    assert.equal(dead.sql, 'DELETE FROM `dead``letters` WHERE `topic` = ?');
    assertFrozen(dead);
  });

  it('uses a configured table in every statement, and binds hostile values', () => {
    const table = 'ops`offsets';
    const hostile = "g'; DELETE FROM kafka_offsets; --";
    assert.equal(
      selectOffsetForUpdate('t', 0, hostile, table).sql,
      `SELECT \`offset\` FROM \`ops\`\`offsets\` ${WHERE} FOR UPDATE`,
    );
    assert.deepEqual(selectOffsetForUpdate('t', 0, hostile, table).parameters, ['t', 0, hostile]);
    assert.equal(updateOffset('t', 0, 'g', 5, table).sql, `UPDATE \`ops\`\`offsets\` SET \`offset\` = ? ${WHERE}`);
    assert.equal(selectOffset('t', 0, 'g', table).sql, `SELECT \`offset\` FROM \`ops\`\`offsets\` ${WHERE}`);
    assert.ok(insertOffsetIfAbsent('t', 0, 'g', 0, table).sql.startsWith('INSERT INTO `ops``offsets` ('));
    assert.ok(selectOffsetsOfTopics(['t'], table).sql.includes(' FROM `ops``offsets` '));
    assert.ok(deleteOffsetsOfTopic('t', table).sql.includes(' FROM `ops``offsets` '));
    // The default table is still used when none is given after a configured one was cached.
    assert.equal(selectOffset('t', 0, 'g').sql, `SELECT \`offset\` FROM \`kafka_offsets\` ${WHERE}`);
  });

  it("refuses librdkafka's logical offsets and non-integer positions", () => {
    rejects(
      () => insertOffsetIfAbsent('t', 0, 'g', -2),
      'VALUE_REJECTED',
      'Kafka offset must be a non-negative integer, got -2',
    );
    rejects(() => updateOffset('t', 0, 'g', -1001), 'VALUE_REJECTED', 'got -1001');
    rejects(() => updateOffset('t', 0, 'g', -1n), 'VALUE_REJECTED', 'got -1');
    rejects(() => updateOffset('t', 0, 'g', Number.NaN), 'VALUE_REJECTED', 'got NaN');
    rejects(() => updateOffset('t', 0, 'g', 1.5), 'VALUE_REJECTED', 'got 1.5');
    rejects(() => updateOffset('t', 0, 'g', 2 ** 53), 'VALUE_REJECTED', 'non-negative integer');
    rejects(
      () => selectOffsetForUpdate('t', -1, 'g'),
      'VALUE_REJECTED',
      'Kafka partition must be a non-negative integer, got -1',
    );
    rejects(() => selectOffset('t', 0.5, 'g'), 'VALUE_REJECTED', 'partition');
  });
});

describe('insertDeadLetters', () => {
  const at = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
  const row: DeadLetterRow = {
    topic: 'dataset1',
    partition: 2,
    offset: 41,
    group: 'group-dataset1',
    key: Buffer.from('k1'),
    value: Buffer.from([0, 0, 0, 0, 9]),
    timestamp: at,
    errorKind: 'SCHEMA_NOT_FOUND',
    errorMessage: 'schema id 9 is not registered',
  };
  const head =
    'INSERT INTO `kafka_dead_letters` (`topic`, `partition`, `offset`, `consumer_group`, `record_key`, `record_value`, ' +
    '`record_timestamp`, `error_kind`, `error_message`) VALUES ';
  const tuple = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';

  it('inserts many dead letters in one statement, row-major', () => {
    const second: DeadLetterRow = {
      ...row,
      offset: 42,
      key: null,
      value: null,
      timestamp: null,
      errorKind: 'WIRE_FORMAT',
      errorMessage: 'bad magic byte 7',
    };
    const query = insertDeadLetters([row, second]);
    assert.equal(query.sql, `${head}${tuple}, ${tuple}`);
    assert.deepEqual(query.parameters, [
      'dataset1',
      2,
      41,
      'group-dataset1',
      Buffer.from('k1'),
      Buffer.from([0, 0, 0, 0, 9]),
      at,
      'SCHEMA_NOT_FOUND',
      'schema id 9 is not registered',
      'dataset1',
      2,
      42,
      'group-dataset1',
      null,
      null,
      null,
      'WIRE_FORMAT',
      'bad magic byte 7',
    ]);
    assertFrozen(query);
  });

  it('truncates the message to 4000 characters without splitting a surrogate pair', () => {
    const long = insertDeadLetters([{ ...row, errorMessage: 'x'.repeat(5000) }]);
    assert.equal(long.parameters[8], 'x'.repeat(4000));
    const emoji = insertDeadLetters([{ ...row, errorMessage: '😀'.repeat(4001) }]);
    assert.equal(emoji.parameters[8], '😀'.repeat(4000));
    const exact = insertDeadLetters([{ ...row, errorMessage: 'y'.repeat(4000) }]);
    assert.equal(exact.parameters[8], 'y'.repeat(4000));
  });

  it('truncates the error kind to the column width', () => {
    const query = insertDeadLetters([{ ...row, errorKind: 'K'.repeat(100) }]);
    assert.equal(query.parameters[7], 'K'.repeat(64));
  });

  it('stores an invalid timestamp as NULL rather than failing the batch', () => {
    assert.equal(insertDeadLetters([{ ...row, timestamp: new Date(Number.NaN) }]).parameters[6], null);
  });

  it('uses a configured table and rejects empty input or bad positions', () => {
    assert.ok(insertDeadLetters([row], 'dlq`x').sql.startsWith('INSERT INTO `dlq``x` (`topic`'));
    rejects(() => insertDeadLetters([]), 'SCHEMA_INVALID', 'has no dead letters');
    rejects(() => insertDeadLetters([{ ...row, offset: -1 }]), 'VALUE_REJECTED', 'Kafka offset');
    rejects(() => insertDeadLetters([row], ''), 'IDENTIFIER_INVALID', 'it is empty');
  });
});
