import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Type } from 'avsc';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { SchemaCache } from '../../../src/avro/schema-cache.ts';
import { SinkError } from '../../../src/core/errors.ts';
import type { KafkaRecord } from '../../../src/core/records.ts';
import { type KeyOptions, RecordPreparer } from '../../../src/pipeline/record-preparer.ts';
import { encodeWire } from '../../fixtures/wire-format.ts';

const KEY = parseAvroSchema({ type: 'record', name: 'K', fields: [{ name: 'id', type: 'long' }] });
const VALUE = parseAvroSchema({
  type: 'record',
  name: 'V',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
  ],
});
const SCHEMAS: Record<number, Type> = { 1: KEY, 2: VALUE };

let offset = 0;
function record(key: Buffer | null, value: Buffer | null): KafkaRecord {
  return { topic: 't', partition: 0, offset: offset++, timestamp: 0, key, value };
}
const key = (id: number) => encodeWire(1, KEY.toBuffer({ id }));
const value = (id: number, name: string) => encodeWire(2, VALUE.toBuffer({ id, name }));

function preparer(key: Partial<KeyOptions>, tableExists = true): { preparer: RecordPreparer; ensured: string[][] } {
  const ensured: string[][] = [];
  const schemas = new SchemaCache(async (id) => {
    const type = SCHEMAS[id];
    if (type === undefined) throw new SinkError('SCHEMA_NOT_FOUND', `schema id ${id} not found`);
    return type;
  });
  return {
    ensured,
    preparer: new RecordPreparer(schemas, {
      table: 'accounts',
      model: { provenance: false },
      key: { mode: 'record_key', fields: [], format: 'avro', primitiveColumn: 'kafka_key', deletes: true, ...key },
      ensureTable: async (_table, model) => {
        ensured.push([...model.columns.map((c) => c.name), '|', ...(model.keyColumns ?? [])]);
      },
      deletableTable: async () => tableExists,
      tolerance: 'all',
    }),
  };
}

describe('RecordPreparer: row operations', () => {
  it('record_key: writes lead with the key columns, tombstones are deletes by key, in offset order', async () => {
    const { preparer: p, ensured } = preparer({});
    offset = 0;
    const batch = await p.prepare([record(key(1), value(1, 'a')), record(key(1), null), record(key(2), value(2, 'b'))]);
    assert.deepEqual(
      batch.operations.map((o) => [o.kind, o.record.offset, o.layout.columns, o.layout.keyColumns, o.values]),
      [
        ['write', 0, ['id', 'name'], ['id'], [1, 'a']],
        ['delete', 1, ['id'], ['id'], [1]],
        ['write', 2, ['id', 'name'], ['id'], [2, 'b']],
      ],
    );
    assert.deepEqual(ensured, [['id', 'name', '|', 'id']], 'the table is made to fit once per key and value schema');
    assert.equal(batch.operations[0]!.layout, batch.operations[2]!.layout, 'one layout object per model');
    assert.deepEqual(batch.deadLetters, []);
  });

  it('a tombstone before its table exists changes nothing; the offset still passes it', async () => {
    const { preparer: p } = preparer({}, false);
    offset = 0;
    const batch = await p.prepare([record(key(1), null)]);
    assert.deepEqual(batch.operations, []);
    assert.deepEqual([batch.count, batch.lastOffset], [1, 0]);
  });

  it('bad keys and tombstones with deletes off are dead letters with their kind', async () => {
    const { preparer: p } = preparer({ deletes: false });
    offset = 0;
    const batch = await p.prepare([
      record(null, value(1, 'a')),
      record(Buffer.from('plain'), value(1, 'a')),
      record(key(1), null),
      record(key(3), value(3, 'c')),
    ]);
    assert.deepEqual(
      batch.deadLetters.map((d) => [d.record.offset, d.kind]),
      [
        [0, 'KEY_REJECTED'],
        [1, 'KEY_REJECTED'],
        [2, 'TOMBSTONE'],
      ],
    );
    assert.deepEqual(
      batch.operations.map((o) => o.values),
      [[3, 'c']],
    );
  });

  it('record_value: the layout is keyed on sink.pk.fields', async () => {
    const byValue = preparer({ mode: 'record_value', fields: ['name'], deletes: false }).preparer;
    const [write] = (await byValue.prepare([record(null, value(1, 'a'))])).operations;
    assert.deepEqual([write!.layout.columns, write!.layout.keyColumns], [['id', 'name'], ['name']]);
  });
});
