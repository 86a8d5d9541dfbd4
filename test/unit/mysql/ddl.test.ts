import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addColumn, createDatabase, createTable, modifyColumnType, normalizeSqlType } from '../../../src/mysql/ddl.ts';
import { assertFrozen, rejects } from './sql-assertions.ts';
import type { TableSpec } from '../../../src/mysql/compiled-query.ts';

describe('createTable', () => {
  it('renders the seed dataset1 table in the one layout', () => {
    const query = createTable({
      name: 'dataset1',
      columns: [
        { name: 'key_field1', sqlType: 'VARCHAR(255)', nullable: false },
        { name: 'timestamp_field1', sqlType: 'BIGINT', nullable: false },
        { name: 'string_field1', sqlType: 'VARCHAR(255)', nullable: false },
        { name: 'double_field1', sqlType: 'DOUBLE', nullable: true },
      ],
      primaryKey: ['key_field1'],
    });
    assert.equal(
      query.sql,
      'CREATE TABLE IF NOT EXISTS `dataset1` (\n' +
        '  `key_field1` VARCHAR(255) NOT NULL,\n' +
        '  `timestamp_field1` BIGINT NOT NULL,\n' +
        '  `string_field1` VARCHAR(255) NOT NULL,\n' +
        '  `double_field1` DOUBLE NULL,\n' +
        '  PRIMARY KEY (`key_field1`)\n' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
    assert.deepEqual(query.parameters, []);
    assertFrozen(query);
  });

  it('renders composite primary and unique keys, quoting hostile names', () => {
    const query = createTable({
      name: 'a`b; DROP TABLE x; --',
      columns: [
        { name: 'id`', sqlType: 'BIGINT', nullable: false },
        { name: '__kafka_partition', sqlType: 'INT', nullable: false },
        { name: '__kafka_offset', sqlType: 'BIGINT', nullable: false },
        { name: '계좌', sqlType: 'decimal( 10 , 2 )', nullable: true },
      ],
      primaryKey: ['id`'],
      uniqueKeys: { uq_kafka_position: ['__kafka_partition', '__kafka_offset'], 'k`2': ['계좌'] },
    });
    assert.equal(
      query.sql,
      'CREATE TABLE IF NOT EXISTS `a``b; DROP TABLE x; --` (\n' +
        '  `id``` BIGINT NOT NULL,\n' +
        '  `__kafka_partition` INT NOT NULL,\n' +
        '  `__kafka_offset` BIGINT NOT NULL,\n' +
        '  `계좌` DECIMAL(10,2) NULL,\n' +
        '  PRIMARY KEY (`id```),\n' +
        '  UNIQUE KEY `uq_kafka_position` (`__kafka_partition`, `__kafka_offset`),\n' +
        '  UNIQUE KEY `k``2` (`계좌`)\n' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
  });

  it('omits the key clause for an empty primary key', () => {
    const query = createTable({ name: 't', columns: [{ name: 'c', sqlType: 'JSON', nullable: true }], primaryKey: [] });
    assert.equal(
      query.sql,
      'CREATE TABLE IF NOT EXISTS `t` (\n  `c` JSON NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
  });

  const base: TableSpec = {
    name: 't',
    columns: [
      { name: 'id', sqlType: 'BIGINT', nullable: false },
      { name: 'body', sqlType: 'TEXT', nullable: true },
    ],
  };

  it('rejects structural mistakes with SCHEMA_INVALID', () => {
    rejects(() => createTable({ name: 't', columns: [] }), 'SCHEMA_INVALID', 'has no columns');
    rejects(
      () =>
        createTable({
          name: 't',
          columns: [
            { name: 'Id', sqlType: 'INT', nullable: false },
            { name: 'id', sqlType: 'INT', nullable: false },
          ],
        }),
      'SCHEMA_INVALID',
      'has column "id" twice',
    );
    rejects(
      () => createTable({ ...base, primaryKey: ['nope'] }),
      'SCHEMA_INVALID',
      'primary key names column "nope", which the table does not have',
    );
    rejects(() => createTable({ ...base, primaryKey: ['id', 'id'] }), 'SCHEMA_INVALID', 'names column "id" twice');
    rejects(
      () => createTable({ name: 't', columns: [{ name: 'id', sqlType: 'INT', nullable: true }], primaryKey: ['id'] }),
      'SCHEMA_INVALID',
      'primary key column "id" is nullable',
    );
    rejects(() => createTable({ ...base, uniqueKeys: { k: [] } }), 'SCHEMA_INVALID', 'unique key "k" has no columns');
    rejects(
      () => createTable({ ...base, uniqueKeys: { primary: ['id'] } }),
      'SCHEMA_INVALID',
      'cannot be named primary',
    );
  });

  it('rejects key columns that InnoDB cannot index without a prefix', () => {
    rejects(
      () =>
        createTable({ name: 't', columns: [{ name: 'body', sqlType: 'TEXT', nullable: false }], primaryKey: ['body'] }),
      'SCHEMA_UNSUPPORTED',
      'cannot be indexed without a prefix length',
    );
    rejects(() => createTable({ ...base, uniqueKeys: { k: ['body'] } }), 'SCHEMA_UNSUPPORTED', 'cannot be indexed');
    rejects(
      () =>
        createTable({ name: 't', columns: [{ name: 'c', sqlType: 'TINYTEXT', nullable: false }], primaryKey: ['c'] }),
      'SCHEMA_UNSUPPORTED',
      'cannot be indexed without a prefix length',
    );
  });

  it('rejects invalid identifiers anywhere in the spec', () => {
    rejects(() => createTable({ ...base, name: 'x'.repeat(65) }), 'IDENTIFIER_INVALID', 'at most 64');
    rejects(
      () => createTable({ name: 't', columns: [{ name: 'emoji😀', sqlType: 'INT', nullable: true }] }),
      'IDENTIFIER_INVALID',
      'Basic Multilingual Plane',
    );
    rejects(() => createTable({ ...base, uniqueKeys: { 'k ': ['id'] } }), 'IDENTIFIER_INVALID', 'ends with a space');
  });

  it('rejects a type outside the allow-list before any text is built', () => {
    rejects(
      () => createTable({ name: 't', columns: [{ name: 'c', sqlType: 'INT) ; DROP TABLE x; --', nullable: true }] }),
      'SCHEMA_UNSUPPORTED',
      'Column type "INT) ; DROP TABLE x; --" is not supported',
    );
  });
});

describe('normalizeSqlType', () => {
  // Canonical spellings come back as they are; the others are normalized.
  const canonical = (
    'BOOLEAN SMALLINT BIGINT FLOAT DOUBLE DECIMAL(1,0) DECIMAL(65,30) DECIMAL(5,5) VARCHAR(1) ' +
    'VARCHAR(255) CHAR(36) CHAR(255) TINYTEXT TEXT MEDIUMTEXT LONGTEXT VARBINARY(16) VARBINARY(65532) BLOB ' +
    'LONGBLOB JSON DATE TIME TIME(0) TIME(3) DATETIME TIMESTAMP(3)'
  ).split(' ');
  const accepted: [string, string][] = [
    ...canonical.map((type): [string, string] => [type, type]),
    ['tinyint', 'TINYINT'],
    ['int', 'INT'],
    ['decimal( 10 , 2 )', 'DECIMAL(10,2)'],
    ['varchar(16383)', 'VARCHAR(16383)'],
    ['VARCHAR(0255)', 'VARCHAR(255)'],
    ['datetime(6)', 'DATETIME(6)'],
    ['  BIGINT  ', 'BIGINT'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts ${JSON.stringify(input)} as ${expected}`, () => assert.equal(normalizeSqlType(input), expected));
  }

  const refused = [
    '',
    'INTEGER',
    'INT(11)',
    'BIGINT UNSIGNED',
    'BIG INT',
    'VARCHAR',
    'VARCHAR(0)',
    'VARCHAR(16384)',
    'VARCHAR(10,2)',
    'CHAR(256)',
    'VARBINARY(65533)',
    'DECIMAL',
    'DECIMAL(10)',
    'DECIMAL(0,0)',
    'DECIMAL(66,2)',
    'DECIMAL(40,31)',
    'DECIMAL(5,6)',
    'DATETIME(7)',
    'TIME(1,2)',
    'TIMESTAMP()',
    'JSON(1)',
    'TEXT(100)',
    'TINYTEXT(10)',
    'TINYBLOB',
    'ENUM(1)',
    'VARCHAR(255) CHARACTER SET latin1',
    'INT DEFAULT 1',
    'INT NOT NULL',
    "VARCHAR(10) DEFAULT 'x'",
    'VARCHAR(99999999)',
    'INT; DROP TABLE t',
    'INT -- ',
    'GEOMETRY',
    'VARCHAR(-1)',
  ];
  for (const input of refused) {
    it(`refuses ${JSON.stringify(input)}`, () =>
      rejects(() => normalizeSqlType(input), 'SCHEMA_UNSUPPORTED', 'is not supported'));
  }

  it('says why a bounded type was refused', () => {
    rejects(
      () => normalizeSqlType('VARCHAR(16384)'),
      'SCHEMA_UNSUPPORTED',
      'VARCHAR needs one length between 1 and 16383',
    );
    rejects(
      () => normalizeSqlType('DATETIME(7)'),
      'SCHEMA_UNSUPPORTED',
      'DATETIME takes a fractional-seconds precision between 0 and 6',
    );
    rejects(() => normalizeSqlType('DECIMAL(5,6)'), 'SCHEMA_UNSUPPORTED', 'scale <= precision');
  });
});

describe('addColumn / modifyColumnType', () => {
  it('adds a nullable column', () => {
    const query = addColumn('dataset1', { name: 'new_field', sqlType: 'varchar(255)', nullable: true });
    assert.equal(query.sql, 'ALTER TABLE `dataset1` ADD COLUMN `new_field` VARCHAR(255) NULL');
    assert.deepEqual(query.parameters, []);
    assertFrozen(query);
  });

  it('adds a NOT NULL column with hostile names quoted', () => {
    assert.equal(
      addColumn('t`', { name: "x'; --", sqlType: 'INT', nullable: false }).sql,
      "ALTER TABLE `t``` ADD COLUMN `x'; --` INT NOT NULL",
    );
  });

  it('promotes a type in place', () => {
    const query = modifyColumnType('dataset2', { name: 'integer_field2', sqlType: 'BIGINT', nullable: false });
    assert.equal(query.sql, 'ALTER TABLE `dataset2` MODIFY COLUMN `integer_field2` BIGINT NOT NULL');
    assertFrozen(query);
    assert.equal(
      modifyColumnType('t', { name: 'f', sqlType: 'DOUBLE', nullable: true }).sql,
      'ALTER TABLE `t` MODIFY COLUMN `f` DOUBLE NULL',
    );
  });

  it('rejects bad types and names', () => {
    rejects(
      () => addColumn('t', { name: 'c', sqlType: 'INT, DROP COLUMN id', nullable: true }),
      'SCHEMA_UNSUPPORTED',
      'is not supported',
    );
    rejects(
      () => modifyColumnType('', { name: 'c', sqlType: 'INT', nullable: true }),
      'IDENTIFIER_INVALID',
      'it is empty',
    );
    rejects(() => addColumn('t', { name: 'c\u0000', sqlType: 'INT', nullable: true }), 'IDENTIFIER_INVALID', 'NUL');
  });
});

describe('createDatabase', () => {
  it('creates the database idempotently with utf8mb4', () => {
    const query = createDatabase('bank');
    assert.equal(query.sql, 'CREATE DATABASE IF NOT EXISTS `bank` CHARACTER SET utf8mb4');
    assert.deepEqual(query.parameters, []);
    assertFrozen(query);
    assert.equal(createDatabase('b`k').sql, 'CREATE DATABASE IF NOT EXISTS `b``k` CHARACTER SET utf8mb4');
  });

  it('rejects invalid names', () => {
    rejects(() => createDatabase('bank '), 'IDENTIFIER_INVALID', 'ends with a space');
  });
});
