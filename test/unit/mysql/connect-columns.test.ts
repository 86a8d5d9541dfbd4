import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { zonedToUtcText } from '../../../src/avro/connect-types.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { isSinkError } from '../../../src/core/errors.ts';
import { buildColumnModel } from '../../../src/mysql/column-model.ts';
import { createTable } from '../../../src/mysql/ddl.ts';
import { tableSpec } from '../../../src/mysql/table-spec.ts';
import { field, record, single } from './column-model-fixtures.ts';
import { CONNECT_DECIMAL_10_2, connectSemantic, sourceColumn } from '../../fixtures/debezium.ts';

describe('column model: Debezium and Connect semantic types', () => {
  it('maps each semantic type to its SQL type and decodes its value to the column form', () => {
    assert.deepEqual(single(connectSemantic('int', 'io.debezium.time.Date'), 19753), {
      sqlType: 'DATE',
      nullable: false,
      row: '2024-01-31',
    });
    assert.deepEqual(single(connectSemantic('long', 'io.debezium.time.Timestamp'), 1706708710123), {
      sqlType: 'DATETIME(3)',
      nullable: false,
      row: '2024-01-31 13:45:10.123',
    });
    assert.deepEqual(single(connectSemantic('long', 'io.debezium.time.MicroTimestamp'), 1706708710123456), {
      sqlType: 'DATETIME(6)',
      nullable: false,
      row: '2024-01-31 13:45:10.123456',
    });
    assert.deepEqual(single(connectSemantic('long', 'io.debezium.time.NanoTimestamp'), 1706708710123456789n), {
      sqlType: 'DATETIME(6)',
      nullable: false,
      row: '2024-01-31 13:45:10.123456',
    });
    assert.deepEqual(
      single(connectSemantic('string', 'io.debezium.time.ZonedTimestamp'), '2024-01-31T13:45:10.5+02:00'),
      {
        sqlType: 'DATETIME(6)',
        nullable: false,
        row: '2024-01-31 11:45:10.500000',
      },
    );
    assert.deepEqual(single(connectSemantic('int', 'io.debezium.time.Time'), 49510123), {
      sqlType: 'TIME(3)',
      nullable: false,
      row: '13:45:10.123',
    });
    assert.deepEqual(single(connectSemantic('long', 'io.debezium.time.MicroTime'), -3_000_000_000_001), {
      sqlType: 'TIME(6)',
      nullable: false,
      row: '-833:20:00.000001',
    });
    assert.deepEqual(single(connectSemantic('int', 'io.debezium.time.Year'), 2024), {
      sqlType: 'YEAR',
      nullable: false,
      row: 2024,
    });
    assert.deepEqual(single(connectSemantic('string', 'io.debezium.data.Json'), '{"a": [1, 2]}'), {
      sqlType: 'JSON',
      nullable: false,
      row: '{"a": [1, 2]}',
    });
    assert.deepEqual(
      single(connectSemantic('string', 'io.debezium.data.Enum', { allowed: 'small,medium,large' }), 'medium'),
      {
        sqlType: 'VARCHAR(6)',
        nullable: false,
        row: 'medium',
      },
    );
    assert.deepEqual(single(connectSemantic('string', 'io.debezium.data.EnumSet', { allowed: 'a,bb,ccc' }), 'a,ccc'), {
      sqlType: 'VARCHAR(8)',
      nullable: false,
      row: 'a,ccc',
    });
    // Debezium's bits are little-endian; a BIT column reads big-endian.
    assert.deepEqual(
      single(connectSemantic('bytes', 'io.debezium.data.Bits', { length: '12' }), Buffer.from([0x01, 0x0a])),
      {
        sqlType: 'BIT(12)',
        nullable: false,
        row: Buffer.from([0x0a, 0x01]),
      },
    );
    assert.deepEqual(single(connectSemantic('int', 'org.apache.kafka.connect.data.Date'), 0), {
      sqlType: 'DATE',
      nullable: false,
      row: '1970-01-01',
    });
    assert.deepEqual(single({ type: 'int', 'connect.type': 'int16' }, 300), {
      sqlType: 'SMALLINT',
      nullable: false,
      row: 300,
    });
    assert.deepEqual(single({ type: 'int', 'connect.type': 'int8' }, -3), {
      sqlType: 'TINYINT',
      nullable: false,
      row: -3,
    });
  });

  it('keeps the Connect Decimal, Date and Timestamp that carry an Avro logical type as before', () => {
    assert.deepEqual(single(CONNECT_DECIMAL_10_2, '-12.50'), {
      sqlType: 'DECIMAL(10,2)',
      nullable: false,
      row: '-12.50',
    });
    const timestamp = {
      ...connectSemantic('long', 'org.apache.kafka.connect.data.Timestamp'),
      logicalType: 'timestamp-millis',
    };
    assert.deepEqual(single(timestamp, 0), { sqlType: 'DATETIME(3)', nullable: false, row: '1970-01-01 00:00:00.000' });
  });

  it('rejects semantic values the column cannot hold, naming the field', () => {
    assert.throws(
      () => single(connectSemantic('long', 'io.debezium.time.MicroTime'), 839 * 3_600_000_000),
      /field "f": "839:00:00.000000" is outside the TIME\(6\) range/,
    );
    assert.throws(
      () => single(connectSemantic('string', 'io.debezium.time.ZonedTimestamp'), 'yesterday'),
      /field "f": "yesterday" is outside the DATETIME\(6\) range/,
    );
  });

  it('converts zoned timestamps to UTC, keeping microseconds and cutting nanoseconds', () => {
    assert.equal(zonedToUtcText('2024-01-01T00:30:00Z'), '2024-01-01 00:30:00.000000');
    assert.equal(zonedToUtcText('2024-01-01T00:30:00.123456789-05:30'), '2024-01-01 06:00:00.123456');
    assert.equal(zonedToUtcText('2024-02-30T00:00:00Z'), undefined);
  });
});

describe('column model: source column hints (column.propagate.source.type)', () => {
  it('follows the source type and length where they fit the Avro type', () => {
    const cases: [object, unknown, string][] = [
      [sourceColumn('string', 'VARCHAR', 64), 'x', 'VARCHAR(64)'],
      [sourceColumn('string', 'CHAR', 3), 'abc', 'CHAR(3)'],
      [sourceColumn('string', 'VARCHAR', 20000), 'x', 'MEDIUMTEXT'],
      [sourceColumn('string', 'TEXT', 65535), 'x', 'TEXT'],
      [sourceColumn('string', 'MEDIUMTEXT'), 'x', 'MEDIUMTEXT'],
      [sourceColumn('string', 'LONGTEXT'), 'x', 'LONGTEXT'],
      [sourceColumn('string', 'TINYTEXT', 255), 'x', 'VARCHAR(255)'],
      [sourceColumn('string', 'JSON'), '[]', 'JSON'],
      [sourceColumn('int', 'TINYINT', 1, { 'connect.type': 'int16' }), 1, 'BOOLEAN'],
      [sourceColumn('int', 'TINYINT', 4, { 'connect.type': 'int16' }), 100, 'TINYINT'],
      [sourceColumn('int', 'TINYINT UNSIGNED', 3, { 'connect.type': 'int16' }), 255, 'SMALLINT'],
      [sourceColumn('int', 'MEDIUMINT'), 5, 'MEDIUMINT'],
      [sourceColumn('long', 'INT UNSIGNED', 10), 4294967295, 'BIGINT'],
      [sourceColumn('bytes', 'VARBINARY', 16), Buffer.from('ab'), 'VARBINARY(16)'],
      [sourceColumn('bytes', 'BINARY', 4), Buffer.from('abcd'), 'BINARY(4)'],
      [sourceColumn('bytes', 'MEDIUMBLOB'), Buffer.from('ab'), 'MEDIUMBLOB'],
      [
        { ...connectSemantic('long', 'io.debezium.time.Timestamp'), ...sourceColumn('long', 'DATETIME', 2) },
        1706708710120,
        'DATETIME(2)',
      ],
      [
        { ...connectSemantic('long', 'io.debezium.time.MicroTime'), ...sourceColumn('long', 'TIME', 0) },
        3_600_000_000,
        'TIME',
      ],
      [
        { ...connectSemantic('string', 'io.debezium.time.ZonedTimestamp'), ...sourceColumn('string', 'TIMESTAMP', 6) },
        'x',
        'DATETIME(6)',
      ],
      // Hints that do not fit the carrying type are ignored.
      [sourceColumn('string', 'INT', 11), 'x', 'VARCHAR(255)'],
      [sourceColumn('long', 'VARCHAR', 10), 5, 'BIGINT'],
    ];
    for (const [type, value, sqlType] of cases) {
      const model = buildColumnModel(record([field('f', type)]));
      assert.equal(model.columns[0]!.sqlType, sqlType, JSON.stringify(type));
      if (typeof value !== 'string' || sqlType !== 'DATETIME(6)') single(type, value);
    }
  });

  it('checks string lengths against the hinted column', () => {
    assert.throws(
      () => single(sourceColumn('string', 'VARCHAR', 3), 'abcd'),
      /field "f": 4 characters do not fit VARCHAR\(3\)/,
    );
  });

  it('writes the exact CREATE TABLE of a flattened Debezium row, nullable columns included', () => {
    const model = buildColumnModel(
      record([
        field('id', sourceColumn('int', 'INT', 11)),
        field('name', ['null', sourceColumn('string', 'VARCHAR', 40)], { default: null }),
        field('active', sourceColumn('int', 'TINYINT', 1, { 'connect.type': 'int16' })),
        field('born', ['null', connectSemantic('int', 'io.debezium.time.Date')], { default: null }),
        field('updated', connectSemantic('string', 'io.debezium.time.ZonedTimestamp')),
        field('size', connectSemantic('string', 'io.debezium.data.Enum', { allowed: 'S,M,XL' })),
        field('doc', ['null', connectSemantic('string', 'io.debezium.data.Json')], { default: null }),
      ]),
      { provenance: false },
    );
    assert.equal(
      createTable(tableSpec('people', model, false, ['id'])).sql,
      'CREATE TABLE IF NOT EXISTS `people` (\n' +
        '  `id` INT NOT NULL,\n' +
        '  `name` VARCHAR(40) NULL,\n' +
        '  `active` BOOLEAN NOT NULL,\n' +
        '  `born` DATE NULL,\n' +
        '  `updated` DATETIME(6) NOT NULL,\n' +
        '  `size` VARCHAR(2) NOT NULL,\n' +
        '  `doc` JSON NULL,\n' +
        '  PRIMARY KEY (`id`)\n' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    );
  });
});

describe('column model: sink.column.type.<field> overrides', () => {
  it('replaces the derived type; string columns keep a length check for the new type', () => {
    const options = { columnTypes: { f: 'MEDIUMTEXT' } };
    assert.deepEqual(single('string', 'x'.repeat(300), options), {
      sqlType: 'MEDIUMTEXT',
      nullable: false,
      row: 'x'.repeat(300),
    });
    assert.throws(
      () => single(['null', 'string'], 'abc', { columnTypes: { f: 'CHAR(2)' } }),
      /field "f": 3 characters do not fit CHAR\(2\)/,
    );
    assert.deepEqual(single(['null', 'string'], null, { columnTypes: { f: 'CHAR(2)' } }), {
      sqlType: 'CHAR(2)',
      nullable: true,
      row: null,
    });
    assert.deepEqual(single('int', 7, { columnTypes: { f: 'SMALLINT' } }), {
      sqlType: 'SMALLINT',
      nullable: false,
      row: 7,
    });
    assert.equal(single('string', 'x', { columnTypes: { other: 'TEXT' } }).sqlType, 'VARCHAR(255)');
  });

  it('loads sink.column.type.<field> normalised, and refuses a type outside the list in one line', () => {
    const config = loadConfig({
      overrides: ['sink.column.type.notes=mediumtext', 'sink.column.type.price=decimal( 12, 2 )'],
    });
    assert.deepEqual(config.sink.columnTypes, { notes: 'MEDIUMTEXT', price: 'DECIMAL(12,2)' });
    for (const [value, problem] of [
      ['VARCHAR(99999)', /is not a supported column type \(VARCHAR needs one length between 1 and 16383\)/],
      ['TEXT; DROP TABLE x', /is not a supported column type \(not one of the allowed MySQL types\)/],
      ['GEOMETRY', /is not a supported column type/],
    ] as const) {
      assert.throws(
        () => loadConfig({ overrides: [`sink.column.type.notes=${value}`] }),
        (error: Error) =>
          isSinkError(error, 'CONFIG_INVALID') &&
          !error.message.includes('\n') &&
          /sink\.column\.type\.notes/.test(error.message) &&
          problem.test(error.message),
      );
    }
    assert.throws(
      () => loadConfig({ overrides: ['sink.column.type.bad-name=TEXT'] }),
      (error: Error) => isSinkError(error, 'CONFIG_INVALID') && /does not name a record field name/.test(error.message),
    );
  });
});

describe('avro: Connect annotations survive parsing', () => {
  it('keeps connect.name, connect.type and parameters on the type and in its schema', () => {
    const type = parseAvroSchema(record([field('f', sourceColumn('int', 'TINYINT', 1, { 'connect.type': 'int16' }))]));
    const exported = JSON.stringify(type.schema({ exportAttrs: true }));
    assert.match(exported, /"connect.type":"int16"/);
    assert.match(exported, /"__debezium.source.column.type":"TINYINT"/);
  });
});
