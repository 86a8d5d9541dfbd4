import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { buildColumnModel, schemaFingerprint } from '../../../src/mysql/column-model.ts';
import { SEED_SCHEMAS } from '../../fixtures/seed-schemas.ts';
import { field, record } from './column-model-fixtures.ts';
import { rejects } from './sql-assertions.ts';

describe("column model: the seed's datasets and type map", () => {
  const expected: Record<string, string[]> = {
    dataset1: ['VARCHAR(255)', 'BIGINT', 'VARCHAR(255)', 'DOUBLE'],
    dataset2: ['VARCHAR(255)', 'BIGINT', 'VARCHAR(255)', 'INT'],
    dataset3: ['VARCHAR(255)', 'BIGINT', 'VARCHAR(255)', 'BIGINT'],
  };
  for (const [topic, schema] of Object.entries(SEED_SCHEMAS)) {
    it(`${topic} maps to exactly the seed types`, () => {
      const model = buildColumnModel(schema);
      assert.deepEqual(
        model.columns.map((c) => [c.name, c.sqlType, c.nullable]),
        schema.fields.map((f, i) => [f.name, expected[topic]![i], false]),
      );
    });
  }

  it('converts a decoded seed record to parameters in column order', () => {
    const type = parseAvroSchema(SEED_SCHEMAS['dataset1']!);
    const value = {
      key_field1: 'k-1',
      timestamp_field1: 1_700_000_000_123,
      string_field1: 'héllo',
      double_field1: 0.25,
    };
    const row = buildColumnModel(type).toRow(type.fromBuffer(type.toBuffer(value)));
    assert.deepEqual(row, ['k-1', 1_700_000_000_123, 'héllo', 0.25]);
  });
});

describe('column model: include, exclude, provenance', () => {
  const schema = record([field('a', 'int'), field('b', 'string'), field('c', 'double')]);

  it('include keeps schema order; exclude drops', () => {
    assert.deepEqual(
      buildColumnModel(schema, { include: ['c', 'a', 'zz'] }).columns.map((c) => c.name),
      ['a', 'c'],
    );
    assert.deepEqual(
      buildColumnModel(schema, { exclude: ['b'] }).columns.map((c) => c.name),
      ['a', 'c'],
    );
    assert.deepEqual(
      buildColumnModel(schema, { include: ['a', 'b'], exclude: ['a'] }).columns.map((c) => c.name),
      ['b'],
    );
    assert.deepEqual(buildColumnModel(schema, { exclude: ['b'] }).toRow({ a: 1, b: 'x', c: 2 }), [1, 2]);
    rejects(() => buildColumnModel(schema, { include: [] }), 'SCHEMA_UNSUPPORTED', 'no column');
  });

  it('provenance columns come last and take the coordinates', () => {
    const model = buildColumnModel(schema, { provenance: true, exclude: ['b'] });
    assert.deepEqual(
      model.columns.map((c) => [c.name, c.sqlType, c.nullable]),
      [
        ['a', 'INT', false],
        ['c', 'DOUBLE', false],
        ['_kafka_partition', 'INT', false],
        ['_kafka_offset', 'BIGINT', false],
        ['_kafka_timestamp', 'DATETIME(3)', true],
      ],
    );
    const value = { a: 1, b: 'x', c: 2 };
    assert.deepEqual(model.toRow(value, { partition: 2, offset: 41, timestamp: Date.UTC(2024, 4, 1, 0, 0, 0, 7) }), [
      1,
      2,
      2,
      41,
      '2024-05-01 00:00:00.007',
    ]);
    assert.deepEqual(model.toRow(value, { partition: 0, offset: '9007199254740993', timestamp: -1 }), [
      1,
      2,
      0,
      9007199254740993n,
      null,
    ]);
    assert.deepEqual(model.toRow(value, { partition: 0, offset: 3n }), [1, 2, 0, 3n, null]);
    assert.throws(() => model.toRow(value), TypeError);
  });

  it('the timestamp text kept from the previous row is only reused for the same millisecond', () => {
    const model = buildColumnModel(schema, { provenance: true, exclude: ['b'] });
    const value = { a: 1, b: 'x', c: 2 };
    const at = (timestamp: number | undefined) => model.toRow(value, { partition: 0, offset: 1, timestamp })[4];
    const t = Date.UTC(2024, 4, 1, 0, 0, 0, 7);
    assert.equal(at(t), '2024-05-01 00:00:00.007');
    assert.equal(at(t + 0.4), '2024-05-01 00:00:00.007');
    assert.equal(at(t + 1), '2024-05-01 00:00:00.008');
    assert.equal(at(undefined), null);
    assert.equal(at(Number.NaN), null);
    // Past year 9999: NULL, and the next ordinary timestamp is formatted again, not taken from the cache.
    assert.equal(at(Date.UTC(10000, 0, 1)), null);
    assert.equal(at(Date.UTC(10000, 0, 1)), null);
    assert.equal(at(t + 1), '2024-05-01 00:00:00.008');
  });

  it('a field colliding with a provenance column is IDENTIFIER_INVALID', () => {
    rejects(
      () => buildColumnModel(record([field('_KAFKA_offset', 'long')]), { provenance: true }),
      'IDENTIFIER_INVALID',
      '_kafka_offset',
    );
    assert.equal(buildColumnModel(record([field('_kafka_offset', 'long')])).columns.length, 1);
  });
});

describe('column model: identifiers', () => {
  it('a field name longer than 64 characters is IDENTIFIER_INVALID', () => {
    const long = 'f'.repeat(65);
    rejects(() => buildColumnModel(record([field(long, 'int')])), 'IDENTIFIER_INVALID', long);
    assert.equal(buildColumnModel(record([field('f'.repeat(64), 'int')])).columns[0]!.name.length, 64);
  });

  it('field names equal but for case collide (MySQL column names are case-insensitive)', () => {
    rejects(
      () => buildColumnModel(record([field('Id', 'int'), field('id', 'int')])),
      'IDENTIFIER_INVALID',
      '"id"',
      '"Id"',
    );
  });

  it('a non-record schema is SCHEMA_UNSUPPORTED; invalid JSON is SCHEMA_INVALID', () => {
    rejects(() => buildColumnModel('"string"'), 'SCHEMA_UNSUPPORTED', 'record');
    rejects(() => buildColumnModel('{"type":"record"'), 'SCHEMA_INVALID');
    rejects(() => buildColumnModel(record([field('a', 'nosuchtype')])), 'SCHEMA_INVALID', 'nosuchtype');
  });
});

describe('column model: defaults and fingerprints', () => {
  it('exposes field defaults in column value form', () => {
    const model = buildColumnModel(
      record([
        field('a', 'int', { default: 3 }),
        field('b', ['null', 'string'], { default: null }),
        field('c', { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2 }, { default: '\u0001' }),
        field('d', 'string'),
      ]),
    );
    assert.deepEqual(
      model.columns.map((c) => c.defaultValue),
      [{ value: 3 }, { value: null }, { value: '0.01' }, undefined],
    );
  });

  it('fingerprints include logical types and ignore how the schema was given', () => {
    const dec = (scale: number): object =>
      record([field('x', { type: 'bytes', logicalType: 'decimal', precision: 10, scale })]);
    const a = schemaFingerprint(dec(2));
    assert.equal(a, schemaFingerprint(parseAvroSchema(dec(2))));
    assert.equal(a, schemaFingerprint(JSON.stringify(dec(2))));
    assert.equal(a, buildColumnModel(dec(2)).fingerprint);
    assert.notEqual(a, schemaFingerprint(dec(3)));
    assert.notEqual(a, schemaFingerprint(record([field('x', 'bytes')])));
    assert.match(a, /^[0-9a-f]{64}$/);
  });
});
