import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { buildKeyModel, buildKeyedModel } from '../../../src/mysql/key-model.ts';
import { rejects } from './sql-assertions.ts';
import { avroRecord } from '../../../kit/tools/avro-record.ts';

const KEY = parseAvroSchema(avroRecord('Key', { region: 'string', id: 'long' }));
const VALUE = parseAvroSchema(avroRecord('Value', { ID: 'long', name: ['null', 'string'] }));
const options = { fields: [] as string[], primitiveColumn: 'kafka_key', stringType: 'MEDIUMTEXT' };

describe('buildKeyModel', () => {
  it('takes every field of a record key, NOT NULL, strings as VARCHAR even with a TEXT string type', () => {
    const model = buildKeyModel(KEY, options);
    assert.deepEqual(
      model.columns.map(({ name, sqlType, nullable }) => [name, sqlType, nullable]),
      [
        ['region', 'VARCHAR(255)', false],
        ['id', 'BIGINT', false],
      ],
    );
    assert.deepEqual(model.toKey({ region: 'eu', id: 7 }), ['eu', 7]);
  });

  it('keeps key strings VARCHAR(255) with a TINYTEXT string type (no TEXT type can be a key)', () => {
    const model = buildKeyModel(KEY, { ...options, stringType: 'TINYTEXT' });
    assert.equal(model.columns[0]?.sqlType, 'VARCHAR(255)');
  });

  it('takes the fields sink.pk.fields names, in that order', () => {
    const model = buildKeyModel(KEY, { ...options, fields: ['id'] });
    assert.deepEqual(model.columnNames, ['id']);
    assert.deepEqual(model.toKey({ region: 'eu', id: 7 }), [7]);
  });

  it('a key schema missing a pk field is KEY_REJECTED naming it', () => {
    rejects(() => buildKeyModel(KEY, { ...options, fields: ['account'] }), 'KEY_REJECTED', '"account"', 'region, id');
  });

  it('a primitive key is one column: sink.pk.fields or kafka_key; bytes become VARBINARY(255)', () => {
    assert.deepEqual(buildKeyModel(parseAvroSchema('"string"'), options).columnNames, ['kafka_key']);
    const bytes = buildKeyModel(parseAvroSchema('"bytes"'), { ...options, fields: ['k'] });
    assert.deepEqual(
      bytes.columns.map((c) => [c.name, c.sqlType]),
      [['k', 'VARBINARY(255)']],
    );
    rejects(() => bytes.toKey(Buffer.alloc(256)), 'KEY_REJECTED', '256 bytes do not fit VARBINARY(255)');
  });

  it('a null key field or a field no key column can hold is KEY_REJECTED', () => {
    const nullable = parseAvroSchema({ type: 'record', name: 'K', fields: [{ name: 'id', type: ['null', 'long'] }] });
    rejects(() => buildKeyModel(nullable, options).toKey({ id: null }), 'KEY_REJECTED', '"id" is null');
    const nested = parseAvroSchema({
      type: 'record',
      name: 'K',
      fields: [{ name: 'tags', type: { type: 'array', items: 'string' } }],
    });
    rejects(() => buildKeyModel(nested, options), 'KEY_REJECTED', '"tags"', 'cannot be a primary key column');
  });
});

describe('buildKeyedModel', () => {
  it('puts the key columns first and drops value fields the key holds (any case)', () => {
    const model = buildKeyedModel(buildKeyModel(KEY, options), VALUE, { provenance: true });
    assert.deepEqual(model.columnNames, [
      'region',
      'id',
      'name',
      '_kafka_partition',
      '_kafka_offset',
      '_kafka_timestamp',
    ]);
    assert.deepEqual(model.keyColumns, ['region', 'id']);
    assert.deepEqual(model.toRow(['eu', 7], { ID: 7, name: 'x' }, { partition: 1, offset: 5, timestamp: null }), [
      'eu',
      7,
      'x',
      1,
      5,
      null,
    ]);
  });

  it('a value that only repeats its key gives a table of key columns', () => {
    const model = buildKeyedModel(
      buildKeyModel(KEY, { ...options, fields: ['id'] }),
      parseAvroSchema({ type: 'record', name: 'V', fields: [{ name: 'id', type: 'long' }] }),
      {},
    );
    assert.deepEqual(model.columnNames, ['id']);
    assert.deepEqual(model.toRow([7], { id: 7 }), [7]);
  });
});
