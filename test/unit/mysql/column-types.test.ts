import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { buildColumnModel } from '../../../src/mysql/column-model.ts';
import { isStringColumnType, stringTypeHolds, widerStringType } from '../../../src/mysql/column-types.ts';
import { field, record, rowOf, single } from './column-model-fixtures.ts';
import { rejects } from './sql-assertions.ts';

describe('column model: primitive types', () => {
  it('maps every primitive', () => {
    assert.deepEqual(single('boolean', true), { sqlType: 'BOOLEAN', nullable: false, row: true });
    assert.deepEqual(single('int', -5), { sqlType: 'INT', nullable: false, row: -5 });
    assert.deepEqual(single('long', 42), { sqlType: 'BIGINT', nullable: false, row: 42 });
    assert.deepEqual(single('float', 1.5), { sqlType: 'FLOAT', nullable: false, row: 1.5 });
    assert.deepEqual(single('double', -2.25), { sqlType: 'DOUBLE', nullable: false, row: -2.25 });
    assert.deepEqual(single('string', 'x'), { sqlType: 'VARCHAR(255)', nullable: false, row: 'x' });
    assert.deepEqual(single('bytes', Buffer.from([0, 255])), {
      sqlType: 'LONGBLOB',
      nullable: false,
      row: Buffer.from([0, 255]),
    });
    assert.deepEqual(single({ type: 'fixed', name: 'F4', size: 4 }, Buffer.from('abcd')), {
      sqlType: 'VARBINARY(4)',
      nullable: false,
      row: Buffer.from('abcd'),
    });
    assert.deepEqual(single({ type: 'enum', name: 'E', symbols: ['A', 'B'] }, 'B'), {
      sqlType: 'VARCHAR(255)',
      nullable: false,
      row: 'B',
    });
  });

  it('keeps longs beyond 2^53 exact (bigint), and safe longs plain numbers', () => {
    for (const big of [2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      assert.equal(single('long', big).row, big);
    }
    const safe = single('long', Number.MAX_SAFE_INTEGER).row;
    assert.equal(typeof safe, 'number');
    assert.equal(safe, Number.MAX_SAFE_INTEGER);
    assert.equal(single('long', -Number.MAX_SAFE_INTEGER).row, -Number.MAX_SAFE_INTEGER);
    assert.equal(single(['null', 'long'], 2n ** 60n).row, 2n ** 60n);
  });

  it('honours the stringType option', () => {
    assert.equal(single('string', 'x', { stringType: 'text' }).sqlType, 'TEXT');
    assert.equal(single('string', 'x', { stringType: 'varchar( 40 )' }).sqlType, 'VARCHAR(40)');
    rejects(() => buildColumnModel(record([field('f', 'string')]), { stringType: 'INT' }), 'CONFIG_INVALID', 'INT');
    rejects(
      () => buildColumnModel(record([field('f', 'string')]), { stringType: 'VARCHAR(x); DROP' }),
      'CONFIG_INVALID',
    );
  });

  it('widens enums whose symbols are longer than 255', () => {
    assert.equal(
      single({ type: 'enum', name: 'E', symbols: ['A'.repeat(300)] }, 'A'.repeat(300)).sqlType,
      'VARCHAR(300)',
    );
  });
});

describe('column model: logical types', () => {
  it('decimal on bytes and fixed → DECIMAL(p,s) with exact text', () => {
    const dec = { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 };
    assert.deepEqual(single(dec, '123.45'), { sqlType: 'DECIMAL(10,2)', nullable: false, row: '123.45' });
    assert.equal(single(dec, '-0.05').row, '-0.05');
    assert.equal(single(dec, '12345678.9').row, '12345678.90');
    assert.equal(single(dec, 0).row, '0.00');
    const fixed = { type: 'fixed', name: 'D16', size: 16, logicalType: 'decimal', precision: 38, scale: 9 };
    const big = '-12345678901234567890123456789.123456789';
    assert.deepEqual(single(fixed, big), { sqlType: 'DECIMAL(38,9)', nullable: false, row: big });
    assert.deepEqual(single({ type: 'bytes', logicalType: 'decimal', precision: 5 }, '-42'), {
      sqlType: 'DECIMAL(5,0)',
      nullable: false,
      row: '-42',
    });
  });

  it('decimal beyond MySQL limits keeps exact text in a VARCHAR', () => {
    const dec = { type: 'bytes', logicalType: 'decimal', precision: 70, scale: 35 };
    const value = '1' + '0'.repeat(34) + '.' + '5'.repeat(35);
    assert.deepEqual(single(dec, value), { sqlType: 'VARCHAR(73)', nullable: false, row: value });
  });

  it('an invalid decimal falls back to its underlying type (Avro spec)', () => {
    assert.equal(
      single({ type: 'bytes', logicalType: 'decimal', precision: 2, scale: 3 }, Buffer.from([1])).sqlType,
      'LONGBLOB',
    );
  });

  it('date, time and timestamps → DATE / TIME(n) / DATETIME(n) as UTC text', () => {
    assert.deepEqual(single({ type: 'int', logicalType: 'date' }, '2024-02-29'), {
      sqlType: 'DATE',
      nullable: false,
      row: '2024-02-29',
    });
    assert.equal(single({ type: 'int', logicalType: 'date' }, -1).row, '1969-12-31');
    assert.deepEqual(single({ type: 'int', logicalType: 'time-millis' }, 49_510_123), {
      sqlType: 'TIME(3)',
      nullable: false,
      row: '13:45:10.123',
    });
    assert.deepEqual(single({ type: 'long', logicalType: 'time-micros' }, 86_399_999_999), {
      sqlType: 'TIME(6)',
      nullable: false,
      row: '23:59:59.999999',
    });
    const ms = Date.UTC(2024, 0, 31, 13, 45, 10, 123);
    assert.deepEqual(single({ type: 'long', logicalType: 'timestamp-millis' }, ms), {
      sqlType: 'DATETIME(3)',
      nullable: false,
      row: '2024-01-31 13:45:10.123',
    });
    assert.deepEqual(single({ type: 'long', logicalType: 'timestamp-micros' }, ms * 1000 + 456), {
      sqlType: 'DATETIME(6)',
      nullable: false,
      row: '2024-01-31 13:45:10.123456',
    });
    assert.equal(single({ type: 'long', logicalType: 'timestamp-millis' }, -1).row, '1969-12-31 23:59:59.999');
    assert.equal(
      single({ type: 'long', logicalType: 'timestamp-micros' }, '9999-12-31 23:59:59.999999').row,
      '9999-12-31 23:59:59.999999',
    );
    assert.equal(
      single({ type: 'long', logicalType: 'timestamp-millis' }, new Date(ms)).row,
      '2024-01-31 13:45:10.123',
    );
  });

  it('uuid on string and on fixed(16) → CHAR(36)', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.deepEqual(single({ type: 'string', logicalType: 'uuid' }, id), {
      sqlType: 'CHAR(36)',
      nullable: false,
      row: id,
    });
    assert.deepEqual(single({ type: 'fixed', name: 'U', size: 16, logicalType: 'uuid' }, id), {
      sqlType: 'CHAR(36)',
      nullable: false,
      row: id,
    });
  });

  it('unknown logical types map to their underlying type', () => {
    assert.deepEqual(single({ type: 'long', logicalType: 'local-timestamp-millis' }, 2n ** 60n), {
      sqlType: 'BIGINT',
      nullable: false,
      row: 2n ** 60n,
    });
  });
});

describe('column model: unions and nested data', () => {
  it('["null", T] and [T, "null"] are T, nullable', () => {
    assert.deepEqual(single(['null', 'string'], null), { sqlType: 'VARCHAR(255)', nullable: true, row: null });
    assert.deepEqual(single(['string', 'null'], 'a'), { sqlType: 'VARCHAR(255)', nullable: true, row: 'a' });
    assert.deepEqual(single(['null', { type: 'long', logicalType: 'timestamp-millis' }], 0), {
      sqlType: 'DATETIME(3)',
      nullable: true,
      row: '1970-01-01 00:00:00.000',
    });
    assert.deepEqual(single(['null', { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 1 }], null), {
      sqlType: 'DECIMAL(4,1)',
      nullable: true,
      row: null,
    });
  });

  it('records, arrays and maps → JSON text (bigint-safe, bytes as base64)', () => {
    const inner = {
      type: 'record',
      name: 'Inner',
      fields: [field('id', 'long'), field('raw', 'bytes'), field('tags', { type: 'array', items: 'string' })],
    };
    const r = single(inner, { id: 2n ** 62n + 3n, raw: Buffer.from('hi'), tags: ['a', 'b'] });
    assert.equal(r.sqlType, 'JSON');
    assert.equal(r.nullable, false);
    assert.equal(r.row, '{"id":4611686018427387907,"raw":"aGk=","tags":["a","b"]}');
    assert.deepEqual(single({ type: 'array', items: 'int' }, [1, 2, 3]), {
      sqlType: 'JSON',
      nullable: false,
      row: '[1,2,3]',
    });
    assert.deepEqual(single({ type: 'map', values: 'double' }, { a: 1.5 }), {
      sqlType: 'JSON',
      nullable: false,
      row: '{"a":1.5}',
    });
    assert.deepEqual(single(['null', { type: 'map', values: 'string' }], { k: 'v' }), {
      sqlType: 'JSON',
      nullable: true,
      row: '{"k":"v"}',
    });
    const nestedLogical = { type: 'array', items: { type: 'int', logicalType: 'date' } };
    assert.equal(single(nestedLogical, ['2020-01-01']).row, '["2020-01-01"]');
  });

  it('other unions → JSON, nullable only when null is a branch', () => {
    assert.deepEqual(single(['null', 'string', 'int'], 7), { sqlType: 'JSON', nullable: true, row: '7' });
    assert.deepEqual(single(['null', 'string', 'int'], null), { sqlType: 'JSON', nullable: true, row: null });
    assert.deepEqual(single(['string', 'int'], 'x'), { sqlType: 'JSON', nullable: false, row: '"x"' });
    // Ambiguous unions are wrapped by avsc: the branch name stays in the JSON (Avro JSON encoding).
    assert.deepEqual(single(['int', 'double'], { double: 5.5 }), {
      sqlType: 'JSON',
      nullable: false,
      row: '{"double":5.5}',
    });
    // The exact long is a custom avsc type, so [int, long] stays unwrapped: decoding gives the plain value.
    const intOrLong = parseAvroSchema(record([field('f', ['int', 'long'])]));
    const decoded = intOrLong.fromBuffer(Buffer.from([0x02, 0x0a]));
    assert.deepEqual(buildColumnModel(intOrLong).toRow(decoded), ['5']);
  });
});

describe('column model: values the column cannot hold are VALUE_REJECTED naming the field', () => {
  const str = 'string';
  it('strings longer than VARCHAR(n) characters', () => {
    assert.equal(rowOf(str, 'x'.repeat(255)), 'x'.repeat(255));
    rejects(() => rowOf(str, 'x'.repeat(256)), 'VALUE_REJECTED', '"f"', '256 characters', 'VARCHAR(255)');
    // 255 emoji are 510 UTF-16 units but 255 characters: they fit.
    assert.equal(rowOf(str, '😀'.repeat(255)), '😀'.repeat(255));
    rejects(() => rowOf(str, '😀'.repeat(256)), 'VALUE_REJECTED', '256 characters');
    rejects(() => rowOf(['null', str], 'abc', { stringType: 'CHAR(2)' }), 'VALUE_REJECTED', 'CHAR(2)');
  });

  it('strings longer than TEXT bytes', () => {
    assert.equal((rowOf(str, 'é'.repeat(32_767), { stringType: 'TEXT' }) as string).length, 32_767);
    rejects(() => rowOf(str, 'é'.repeat(32_768), { stringType: 'TEXT' }), 'VALUE_REJECTED', '65536 bytes', 'TEXT');
  });

  it('strings longer than TINYTEXT bytes, counted in UTF-8 not characters', () => {
    assert.equal(single(str, 'x', { stringType: 'tinytext' }).sqlType, 'TINYTEXT');
    assert.equal(rowOf(str, 'x'.repeat(255), { stringType: 'TINYTEXT' }), 'x'.repeat(255));
    rejects(() => rowOf(str, 'x'.repeat(256), { stringType: 'TINYTEXT' }), 'VALUE_REJECTED', '256 bytes', 'TINYTEXT');
    // 64 emoji are 64 characters and 128 UTF-16 units, but 256 bytes of UTF-8.
    rejects(() => rowOf(str, '😀'.repeat(64), { stringType: 'TINYTEXT' }), 'VALUE_REJECTED', '256 bytes');
  });

  it('decimals with more digits than the precision', () => {
    const dec = { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 2 };
    assert.equal(rowOf(dec, '-999.99'), '-999.99');
    assert.equal(rowOf(dec, '0.01'), '0.01');
    // Avro does not enforce precision in the bytes: a producer can send more digits.
    rejects(() => rowOf(dec, '1000.00'), 'VALUE_REJECTED', '"f"', '1000.00', 'DECIMAL(5,2)');
  });

  it('NaN and infinities in FLOAT / DOUBLE / JSON columns', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      rejects(() => rowOf('double', bad), 'VALUE_REJECTED', '"f"', String(bad), 'FLOAT/DOUBLE');
      rejects(() => single('float', bad), 'VALUE_REJECTED', '"f"');
      rejects(() => single({ type: 'array', items: 'double' }, [1, bad]), 'VALUE_REJECTED', '"f"', 'JSON');
    }
    rejects(() => single(['null', 'double'], Number.NaN), 'VALUE_REJECTED', '"f"');
  });

  it('dates and timestamps outside years 1000..9999', () => {
    const date = { type: 'int', logicalType: 'date' };
    assert.equal(single(date, '1000-01-01').row, '1000-01-01');
    rejects(() => single(date, '0999-12-31'), 'VALUE_REJECTED', '"f"', '0999-12-31', 'DATE');
    rejects(() => single(date, 2_932_897), 'VALUE_REJECTED', '+010000-01-01');
    const ts = { type: 'long', logicalType: 'timestamp-micros' };
    rejects(() => single(ts, 2n ** 62n), 'VALUE_REJECTED', '"f"', 'DATETIME(6)');
    rejects(() => single(ts, -(2n ** 62n)), 'VALUE_REJECTED', '"f"', 'DATETIME(6)');
    rejects(
      () => single({ type: 'long', logicalType: 'timestamp-millis' }, -30_610_224_000_001),
      'VALUE_REJECTED',
      '0999-12-31 23:59:59.999',
    );
  });

  it('times that are not a time of day', () => {
    rejects(
      () => single({ type: 'int', logicalType: 'time-millis' }, 86_400_000),
      'VALUE_REJECTED',
      '24:00:00.000',
      'TIME(3)',
    );
    rejects(() => single({ type: 'int', logicalType: 'time-millis' }, -1), 'VALUE_REJECTED', '-00:00:00.001');
    rejects(() => single({ type: 'long', logicalType: 'time-micros' }, 2n ** 60n), 'VALUE_REJECTED', 'TIME(6)');
  });

  it('uuid text longer than 36 characters', () => {
    rejects(() => single({ type: 'string', logicalType: 'uuid' }, 'x'.repeat(37)), 'VALUE_REJECTED', 'CHAR(36)');
  });
});

describe('string column capacities', () => {
  it('TINYTEXT is a string column of 255 bytes', () => {
    assert.equal(isStringColumnType('TINYTEXT'), true);
    assert.equal(stringTypeHolds('TINYTEXT', 255, 255), true);
    assert.equal(stringTypeHolds('TINYTEXT', 64, 256), false);
  });

  it('widens a too-short column to TEXT at least, never to TINYTEXT', () => {
    assert.equal(widerStringType(100), 'TEXT');
    assert.equal(widerStringType(300), 'TEXT');
    assert.equal(widerStringType(65_536), 'MEDIUMTEXT');
    assert.equal(widerStringType(16_777_216), 'LONGTEXT');
  });
});
