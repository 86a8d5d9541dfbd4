import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSinkError } from '../../../src/core/errors.ts';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { buildColumnModel } from '../../../src/mysql/column-model.ts';
import { createTable } from '../../../src/mysql/ddl.ts';
import { tableSpec, tableSpecForPkMode } from '../../../src/mysql/table-spec.ts';

const model = buildColumnModel(
  parseAvroSchema({
    type: 'record',
    name: 'Account',
    fields: [
      { name: 'region', type: 'string' },
      { name: 'id', type: 'long' },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  }),
  { stringType: 'VARCHAR(255)', provenance: true },
);

describe('tableSpec', () => {
  it('keys an appended table on the Kafka coordinates', () => {
    assert.deepEqual(tableSpec('accounts', model, true).primaryKey, ['_kafka_partition', '_kafka_offset']);
    assert.equal(tableSpec('accounts', model, false).primaryKey, undefined);
  });

  it('keys on sink.pk.fields in their order, the coordinates staying unique', () => {
    const spec = tableSpec('accounts', model, true, ['region', 'id']);
    assert.deepEqual(spec.primaryKey, ['region', 'id']);
    assert.deepEqual(spec.uniqueKeys, { kafka_position: ['_kafka_partition', '_kafka_offset'] });
    assert.equal(
      createTable(spec).sql,
      [
        'CREATE TABLE IF NOT EXISTS `accounts` (',
        '  `region` VARCHAR(255) NOT NULL,',
        '  `id` BIGINT NOT NULL,',
        '  `note` VARCHAR(255) NULL,',
        '  `_kafka_partition` INT NOT NULL,',
        '  `_kafka_offset` BIGINT NOT NULL,',
        '  `_kafka_timestamp` DATETIME(3) NULL,',
        '  PRIMARY KEY (`region`, `id`),',
        '  UNIQUE KEY `kafka_position` (`_kafka_partition`, `_kafka_offset`)',
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
      ].join('\n'),
    );
    assert.deepEqual(tableSpec('accounts', model, false, ['id']), {
      name: 'accounts',
      columns: tableSpec('accounts', model, false).columns,
      primaryKey: ['id'],
    });
  });

  it('refuses a key field the schema does not have, or one that may be null, naming the fix', () => {
    const cases: [string[], RegExp][] = [
      [
        ['id', 'missing'],
        /sink\.pk\.fields names "missing", which the record schema of table `accounts` does not have; fix sink\.pk\.fields/,
      ],
      [['ID'], /names "ID", which the record schema/],
      [
        ['note'],
        /sink\.pk\.fields names "note", which is nullable in the record schema of table `accounts`; a key field must always have a value/,
      ],
    ];
    for (const [fields, message] of cases) {
      assert.throws(
        () => tableSpec('accounts', model, true, fields),
        (error: unknown) => {
          assert.ok(isSinkError(error, 'SCHEMA_INVALID'));
          assert.match((error as Error).message, message);
          return true;
        },
      );
    }
  });
});

describe('tableSpecForPkMode: the key columns sink.pk.mode chooses', () => {
  const COORDINATES = ['_kafka_partition', '_kafka_offset'];
  const keyed = { columns: model.columns, keyColumns: ['region', 'id'] };
  const keysOf = (spec: ReturnType<typeof tableSpec>) => [spec.primaryKey, spec.uniqueKeys];

  it('record_key: the record key columns, whatever sink.pk.fields says', () => {
    const spec = tableSpecForPkMode('t', keyed, { provenance: true, pkMode: 'record_key', pkFields: ['id'] });
    assert.deepEqual(keysOf(spec), [['region', 'id'], { kafka_position: COORDINATES }]);
  });

  it('record_value, and an unset mode with sink.pk.fields: those fields', () => {
    for (const pkMode of ['record_value', undefined] as const) {
      const spec = tableSpecForPkMode('t', model, { provenance: true, pkMode, pkFields: ['id'] });
      assert.deepEqual(keysOf(spec), [['id'], { kafka_position: COORDINATES }]);
    }
  });

  it('kafka: the coordinates, even with a keyed model', () => {
    const spec = tableSpecForPkMode('t', keyed, { provenance: true, pkMode: 'kafka' });
    assert.deepEqual(keysOf(spec), [COORDINATES, undefined]);
  });

  it('none: no primary key, the coordinates only unique; without provenance no key at all', () => {
    assert.deepEqual(keysOf(tableSpecForPkMode('t', keyed, { provenance: true, pkMode: 'none' })), [
      undefined,
      { kafka_position: COORDINATES },
    ]);
    assert.deepEqual(keysOf(tableSpecForPkMode('t', model, { provenance: false, pkMode: 'none' })), [
      undefined,
      undefined,
    ]);
  });
});
